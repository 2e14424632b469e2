#!/usr/bin/env node
// Client benchmark: the generated TypeScript client against libvirt's own C client (a small
// program linked with Debian's libvirt-dev, bench/client/c-client.c), same libvirtd 9.0.0 (test
// driver), same call: virDomainGetInfo on domain "test". Sequentially and with 8 and 32 calls in
// flight:
//   - TypeScript: one connection, N async loops each awaiting its call; once with the runtime's
//     defaults and once with `busyPollMs` (replies read without the daemon waking us up);
//   - C: N threads sharing one virConnectPtr (one socket, libvirt's client multiplexing the
//     threads' calls on it, like the TypeScript client); a second column gives each thread its
//     own virConnectPtr, for reference.
// Neither client negotiates keepalive (the C program registers no event loop, so libvirt's
// client skips it; the TS client is told `keepalive: false`): the daemon does the same work.
// libvirtd is pinned to CPU 0, every client process to CPU 1 (taskset). Implementations run
// alternating, one process each, order swapped every round; the ratio is computed per round and
// reported as median (min–max). Prints a Markdown table and writes bench/results/client.md.
//
//   npm run bench:client [-- --rounds 5 --seconds 2 --no-save]
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BUILD_DIR,
  PIN_CPU,
  REPO_ROOT,
  commandLine,
  die,
  ensureDist,
  environment,
  environmentBlock,
  fmt,
  fmtRatio,
  lastJsonLine,
  log,
  mdTable,
  median,
  newestMtime,
  parseOptions,
  requireTaskset,
  runPinned,
  saveResult,
  summary,
} from '../lib/common.mjs';

const USAGE = 'usage: node bench/client/run.mjs [--rounds N] [--seconds S] [--concurrency 1,8,32] [--no-save]';
const opts = parseOptions(process.argv.slice(2), { rounds: 'number', seconds: 'number', concurrency: 'string', 'no-save': 'boolean' }, USAGE);
const ROUNDS = opts.rounds ?? 5;
const SECONDS = opts.seconds ?? 2;
const LEVELS = (opts.concurrency ?? '1,8,32').split(',').map(Number);
const DAEMON_CPU = '0';
/** Lets all 32 calls be in libvirtd at once (default 5 per client); same for both clients. */
const MAX_CLIENT_REQUESTS = 64;
const OUT = join(BUILD_DIR, 'client');
/** busyPollMs of the second TypeScript run. */
const BUSY_POLL_MS = 0.2;

function which(name) {
  for (const d of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin']) {
    if (d && existsSync(join(d, name))) return join(d, name);
  }
  die(`${name} not found (Debian: scripts/install-system-deps.sh)`);
}

const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);

function buildC() {
  const exe = join(OUT, 'c-client');
  const src = join(REPO_ROOT, 'bench', 'client', 'c-client.c');
  if (mtime(exe) > mtime(src)) return exe;
  log('bench:client', 'compiling bench/client/c-client.c (gcc -O2, libvirt-dev)');
  mkdirSync(OUT, { recursive: true });
  const flags = execFileSync('pkg-config', ['--cflags', '--libs', 'libvirt'], { encoding: 'utf8' }).trim().split(/\s+/).filter(Boolean);
  execFileSync('gcc', ['-O2', '-Wall', '-o', exe, src, ...flags, '-lpthread'], { stdio: 'inherit' });
  return exe;
}

function buildTs() {
  const js = join(OUT, 'bench', 'client', 'ts-client.js');
  const inputs = Math.max(
    mtime(join(REPO_ROOT, 'bench', 'client', 'ts-client.ts')),
    newestMtime(join(REPO_ROOT, 'generated'), /\.ts$/),
    newestMtime(join(REPO_ROOT, 'dist', 'runtime'), /\.js$/),
  );
  if (mtime(js) > inputs) return js;
  log('bench:client', 'compiling bench/client/ts-client.ts and generated/ (tsc -p bench/client/tsconfig.json)');
  const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(REPO_ROOT, 'bench', 'client', 'tsconfig.json')], { encoding: 'utf8' });
  if (r.status !== 0) die(`tsc -p bench/client/tsconfig.json failed:\n${r.stdout}${r.stderr}`);
  return js;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A private libvirtd with the test driver only, pinned to CPU 0 (the recipe of test/support/libvirtd.ts). */
async function startLibvirtd() {
  const base = mkdtempSync(join(tmpdir(), 'bench-libvirtd-'));
  const dir = join(base, 'libvirt');
  mkdirSync(dir, { mode: 0o700 });
  mkdirSync(join(base, 'drivers'));
  const root = process.getuid?.() === 0;
  writeFileSync(
    join(base, 'libvirtd.conf'),
    [
      'listen_tcp = 0',
      'listen_tls = 0',
      ...(root ? [`unix_sock_dir = "${dir}"`] : []),
      'unix_sock_rw_perms = "0700"',
      'unix_sock_admin_perms = "0700"',
      'auth_unix_rw = "none"',
      'auth_unix_ro = "none"',
      'audit_level = 0',
      'log_outputs = "3:stderr"',
      `max_client_requests = ${MAX_CLIENT_REQUESTS}`,
      '',
    ].join('\n'),
  );
  const child = spawn('taskset', ['-c', DAEMON_CPU, which('libvirtd'), '-f', join(base, 'libvirtd.conf'), '--pid-file', join(base, 'libvirtd.pid')], {
    cwd: base,
    stdio: 'ignore',
    env: { ...process.env, LIBVIRT_DRIVER_DIR: join(base, 'drivers'), XDG_RUNTIME_DIR: base, XDG_CONFIG_HOME: join(base, 'config'), XDG_CACHE_HOME: join(base, 'cache') },
  });
  const socket = join(dir, 'libvirt-sock');
  const deadline = Date.now() + 20_000;
  while (!(await new Promise((resolve) => createConnection(socket).once('connect', function () { this.destroy(); resolve(true); }).once('error', () => resolve(false))))) {
    if (Date.now() > deadline || child.exitCode !== null) die(`libvirtd did not start (${base})`);
    await sleep(50);
  }
  const stop = () => {
    child.kill('SIGTERM');
    rmSync(base, { recursive: true, force: true });
  };
  process.on('exit', stop);
  return { uri: `test+unix:///default?socket=${socket}`, pid: child.pid, stop };
}

/** Fraction of CPU time not idle over `ms`, all CPUs (from /proc/stat). */
function busyFraction(ms) {
  const read = () => {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { idle: f[3] + f[4], total: f.reduce((a, b) => a + b, 0) };
  };
  const a = read();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  const b = read();
  return b.total === a.total ? 0 : 1 - (b.idle - a.idle) / (b.total - a.total);
}

/**
 * This machine may be shared: before each run, wait (up to a minute) until the CPUs are at
 * least 90% idle, so other people's work does not land in one implementation's run only.
 */
let waitedMs = 0;
function waitForIdle() {
  const t0 = Date.now();
  while (busyFraction(300) > 0.1 && Date.now() - t0 < 60_000) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
  waitedMs += Date.now() - t0;
}

function runOnce(impl, uri, n) {
  waitForIdle();
  const r = impl.run(uri, n);
  const out = lastJsonLine(r.stdout, impl.name);
  if (out.failed) die(`${impl.name} with ${n} in flight: a call failed`);
  return out.callsPerSecond;
}

requireTaskset();
const distNote = ensureDist('bench:client');
const cExe = buildC();
const tsJs = buildTs();
const daemon = await startLibvirtd();
const impls = [
  { key: 'c', name: 'libvirt C client, shared connection', run: (uri, n) => runPinned(cExe, [uri, String(n), String(SECONDS), 'shared']) },
  { key: 'ts', name: 'generated TypeScript client', run: (uri, n) => runPinned(process.execPath, [tsJs, uri, String(n), String(SECONDS)]) },
  { key: 'tsBusy', name: 'generated TypeScript client, busyPollMs', run: (uri, n) => runPinned(process.execPath, [tsJs, uri, String(n), String(SECONDS), String(BUSY_POLL_MS)]) },
  { key: 'cOwn', name: 'libvirt C client, connection per thread', run: (uri, n) => runPinned(cExe, [uri, String(n), String(SECONDS), 'own']) },
];

const t0 = Date.now();
/** results[level][key] = calls/s per round; ratio* = TS ÷ C (shared connection) per round. */
const results = Object.fromEntries(LEVELS.map((n) => [n, { c: [], ts: [], tsBusy: [], cOwn: [], ratio: [], ratioBusy: [] }]));
for (let round = 0; round < ROUNDS; round++) {
  for (const n of LEVELS) {
    const order = round % 2 ? [...impls].reverse() : impls;
    const got = {};
    for (const impl of order) got[impl.key] = runOnce(impl, daemon.uri, n);
    const r = results[n];
    for (const k of ['c', 'ts', 'tsBusy', 'cOwn']) r[k].push(got[k]);
    r.ratio.push(got.ts / got.c);
    r.ratioBusy.push(got.tsBusy / got.c);
    log('bench:client', `round ${round + 1}/${ROUNDS}, ${n} in flight: C ${fmt(got.c)}/s, C conn/thread ${fmt(got.cOwn)}/s, TS ${fmt(got.ts)}/s, TS busy-poll ${fmt(got.tsBusy)}/s`);
  }
}
daemon.stop();

const wall = Math.round((Date.now() - t0) / 1000);
const rows = LEVELS.map((n) => {
  const r = results[n];
  const ratio = summary(r.ratio);
  const busy = summary(r.ratioBusy);
  return [
    n === 1 ? '1 (sequential)' : String(n),
    fmt(median(r.c)),
    fmt(median(r.cOwn)),
    fmt(median(r.ts)),
    fmt(median(r.tsBusy)),
    fmtRatio(ratio),
    fmtRatio(busy),
    `${ratio.median >= 1 ? '✅' : '❌'} / ${busy.median >= 1 ? '✅' : '❌'}`,
  ];
});
const table = mdTable(
  ['calls in flight', 'C calls/s (shared conn)', 'C calls/s (conn per thread)', 'TS calls/s (default)', `TS calls/s (busyPollMs ${BUSY_POLL_MS})`, 'TS default ÷ C', 'TS busy-poll ÷ C', 'TS ≥ C (default / busy-poll)'],
  rows,
  ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'c'],
);
const md = [
  '# Client speed: generated TypeScript client vs libvirt\'s C client',
  '',
  environmentBlock(environment(), commandLine(), [
    `libvirtd ${execFileSync(which('libvirtd'), ['--version'], { encoding: 'utf8' }).trim().replace(/^.*\(libvirt\) /, '')}, test driver, pinned with \`taskset -c ${DAEMON_CPU}\`; \`max_client_requests = ${MAX_CLIENT_REQUESTS}\` (default 5) so that 32 calls can be in the daemon at once, for both clients`,
    `call: \`virDomainGetInfo\` on domain "test" (\`REMOTE_PROC_DOMAIN_GET_INFO\`), ${SECONDS} s per run; the TS process first warms up 0.5 s (not counted)`,
    'C client (bench/client/c-client.c, gcc -O2, Debian libvirt-dev): N threads looping on `virDomainGetInfo`; **shared** = one `virConnectPtr` for all threads (one socket, as the TS client; the ratios are against this one); "conn per thread" = one `virConnectPtr` each, for reference',
    `TS client (bench/client/ts-client.ts): one \`RemoteClient\`, N async loops each awaiting \`domainGetInfo\`; "busy-poll" = \`RemoteClient.connect(uri, { busyPollMs: ${BUSY_POLL_MS} })\`: while calls are in flight the event loop keeps turning instead of sleeping in epoll, so libvirtd never has to wake the client for a reply (costs client CPU; off by default)`,
    'neither client negotiates keepalive (the C program registers no event loop, so libvirt\'s client skips it; the TS client is told `keepalive: false`), so libvirtd does the same work for both',
    `rounds: ${ROUNDS} (alternating, one pinned process per implementation, order reversed every other round; each run starts once the CPUs are ≥90% idle — ${Math.round(waitedMs / 1000)} s spent waiting; wall ${wall} s)`,
    ...(distNote ? [distNote] : []),
  ]),
  '',
  'Medians of calls/s; ratios are computed per round (paired) and shown as **median** (min–max). The target is judged on the median.',
  '',
  table,
  '',
].join('\n');

process.stdout.write(md);
if (!opts.noSave) log('bench:client', `saved ${saveResult('client', md)}`);
