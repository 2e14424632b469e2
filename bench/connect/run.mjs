#!/usr/bin/env node
// Connection benchmark: connections per second — open (socket, authentication, open), one
// connectGetVersion, close — sequentially in one process, the generated TypeScript client
// (bench/connect/ts-connect.ts) against libvirt's C client (bench/connect/c-connect.c,
// virConnectOpenAuth with a credentials callback), same libvirtd 9.0.0 (test driver), for each
// transport and authentication:
//   unix           unix socket, auth none
//   tcp            plain TCP, auth_tcp = none
//   tcp+SASL       plain TCP, auth_tcp = sasl: libvirtd offers only DIGEST-MD5 there (it needs
//                  a security layer on plain TCP), so both negotiate qop=auth-conf and every
//                  message after authentication is RC4-encrypted
//   unix+SCRAM     unix socket, auth_unix_rw = sasl, `auth=sasl.SCRAM-SHA-256` (PBKDF2 with
//                  cyrus' default 10000 iterations on both sides, every connection)
//   tls, tls+SCRAM the same over TLS (certificates made with openssl for 127.0.0.1, `pkipath=`),
//                  when the runtime has +tls
// libvirtd is pinned to CPU 0, every client process to CPU 1 (taskset). Implementations run
// alternating, one process each, order reversed every other round; the ratio is computed per
// round and reported as median (min–max). Prints a Markdown table and writes
// bench/results/connect.md.
//
//   npm run bench:connect [-- --rounds 5 --seconds 2 --no-save]
import { execFileSync, spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BUILD_DIR,
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
} from "../lib/common.mjs";

const USAGE =
  "usage: node bench/connect/run.mjs [--rounds N] [--seconds S] [--only unix,tcp,...] [--no-save]";
const opts = parseOptions(
  process.argv.slice(2),
  { rounds: "number", seconds: "number", only: "string", "no-save": "boolean" },
  USAGE,
);
const ROUNDS = opts.rounds ?? 5;
const SECONDS = opts.seconds ?? 2;
const DAEMON_CPU = "0";
const OUT = join(BUILD_DIR, "connect");
const USER = "bench";
const PASSWORD = "bench-password";

function which(name) {
  for (const d of [
    ...(process.env.PATH ?? "").split(":"),
    "/usr/sbin",
    "/sbin",
  ]) {
    if (d && existsSync(join(d, name))) return join(d, name);
  }
  die(`${name} not found (Debian: scripts/install-system-deps.sh)`);
}

const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);

function buildC() {
  const exe = join(OUT, "c-connect");
  const src = join(REPO_ROOT, "bench", "connect", "c-connect.c");
  if (mtime(exe) > mtime(src)) return exe;
  log(
    "bench:connect",
    "compiling bench/connect/c-connect.c (gcc -O2, libvirt-dev)",
  );
  mkdirSync(OUT, { recursive: true });
  const flags = execFileSync("pkg-config", ["--cflags", "--libs", "libvirt"], {
    encoding: "utf8",
  })
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  execFileSync("gcc", ["-O2", "-Wall", "-o", exe, src, ...flags], {
    stdio: "inherit",
  });
  return exe;
}

function buildTs() {
  const js = join(OUT, "bench", "connect", "ts-connect.js");
  const inputs = Math.max(
    mtime(join(REPO_ROOT, "bench", "connect", "ts-connect.ts")),
    newestMtime(join(REPO_ROOT, "generated"), /\.ts$/),
    newestMtime(join(REPO_ROOT, "dist", "runtime"), /\.js$/),
  );
  if (mtime(js) > inputs) return js;
  log("bench:connect", "compiling bench/connect/ts-connect.ts (tsc)");
  const tsc = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
  const r = spawnSync(
    process.execPath,
    [tsc, "-p", join(REPO_ROOT, "bench", "connect", "tsconfig.json")],
    { encoding: "utf8" },
  );
  if (r.status !== 0)
    die(`tsc -p bench/connect/tsconfig.json failed:\n${r.stdout}${r.stderr}`);
  return js;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Whether this runtime has the `+tls` transport (added by the transports work). */
const HAVE_TLS = existsSync(
  join(REPO_ROOT, "dist", "runtime", "transports", "tls.js"),
);

function openssl(cwd, ...args) {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

/** A CA, a server certificate for 127.0.0.1 and a client one, laid out as libvirt wants them. */
function makePki(base) {
  const dir = join(base, "pki");
  const client = join(dir, "client");
  mkdirSync(client, { recursive: true });
  openssl(
    dir,
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-keyout",
    "ca-key.pem",
    "-out",
    "cacert.pem",
    "-subj",
    "/CN=bench CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  );
  const issue = (name, subject, usage, extra) => {
    writeFileSync(
      join(dir, `${name}.ext`),
      `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=${usage}\n${extra}`,
    );
    openssl(
      dir,
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      `${name}key.pem`,
      "-out",
      `${name}.csr`,
      "-subj",
      subject,
    );
    openssl(
      dir,
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "cacert.pem",
      "-CAkey",
      "ca-key.pem",
      "-CAcreateserial",
      "-days",
      "2",
      "-out",
      `${name}cert.pem`,
      "-extfile",
      `${name}.ext`,
    );
  };
  issue(
    "server",
    "/O=bench/CN=127.0.0.1",
    "serverAuth",
    "subjectAltName=IP:127.0.0.1\n",
  );
  issue("client", "/O=bench/CN=client", "clientAuth", "");
  for (const f of ["cacert.pem", "clientcert.pem", "clientkey.pem"])
    execFileSync("cp", [join(dir, f), join(client, f)]);
  return { dir, client };
}

/**
 * A private libvirtd (test driver only; the recipe of test/support/libvirtd.ts and
 * test/support/sasl.ts) listening on a unix socket and on TCP 127.0.0.1, pinned to CPU 0.
 */
async function startLibvirtd(auth) {
  const base = mkdtempSync(join(tmpdir(), "bench-connect-"));
  const dir = join(base, "libvirt");
  mkdirSync(dir, { mode: 0o700 });
  mkdirSync(join(base, "drivers"));
  const env = {
    ...process.env,
    LIBVIRT_DRIVER_DIR: join(base, "drivers"),
    XDG_RUNTIME_DIR: base,
    XDG_CONFIG_HOME: join(base, "config"),
    XDG_CACHE_HOME: join(base, "cache"),
  };
  if (auth === "sasl") {
    const db = join(base, "passwd.db");
    writeFileSync(
      join(base, "libvirt.conf"),
      `mech_list: scram-sha-256 digest-md5\nsasldb_path: ${db}\n`,
    );
    execFileSync(
      which("saslpasswd2"),
      ["-p", "-f", db, "-a", "libvirt", "-c", USER],
      { input: PASSWORD },
    );
    env.SASL_CONF_PATH = base;
  }
  const port = await freePort();
  const tlsPort = await freePort();
  const pki = makePki(base);
  const root = process.getuid?.() === 0;
  writeFileSync(
    join(base, "libvirtd.conf"),
    [
      "listen_tcp = 1",
      "listen_tls = 1",
      'listen_addr = "127.0.0.1"',
      `tcp_port = "${port}"`,
      `auth_tcp = "${auth}"`,
      `tls_port = "${tlsPort}"`,
      `auth_tls = "${auth}"`,
      `key_file = "${join(pki.dir, "serverkey.pem")}"`,
      `cert_file = "${join(pki.dir, "servercert.pem")}"`,
      `ca_file = "${join(pki.dir, "cacert.pem")}"`,
      ...(root ? [`unix_sock_dir = "${dir}"`] : []),
      'unix_sock_rw_perms = "0700"',
      'unix_sock_admin_perms = "0700"',
      `auth_unix_rw = "${auth}"`,
      'auth_unix_ro = "none"',
      "audit_level = 0",
      'log_outputs = "3:stderr"',
      // Sequential connections: the daemon must not refuse churn.
      "max_anonymous_clients = 1000",
      "",
    ].join("\n"),
  );
  const child = spawn(
    "taskset",
    [
      "-c",
      DAEMON_CPU,
      which("libvirtd"),
      "--listen",
      "-f",
      join(base, "libvirtd.conf"),
      "--pid-file",
      join(base, "libvirtd.pid"),
    ],
    { cwd: base, stdio: "ignore", env },
  );
  const socket = join(dir, "libvirt-sock");
  const deadline = Date.now() + 20_000;
  const accepts = (o) =>
    new Promise((resolve) =>
      createConnection(o)
        .once("connect", function () {
          this.destroy();
          resolve(true);
        })
        .once("error", () => resolve(false)),
    );
  while (
    !(await accepts(socket)) ||
    !(await accepts({ port, host: "127.0.0.1" }))
  ) {
    if (Date.now() > deadline || child.exitCode !== null)
      die(`libvirtd (auth ${auth}) did not start (${base})`);
    await sleep(50);
  }
  const stop = () => {
    child.kill("SIGTERM");
    rmSync(base, { recursive: true, force: true });
  };
  process.on("exit", stop);
  return {
    unix: `test+unix:///default?socket=${socket}`,
    tcp: `test+tcp://127.0.0.1:${port}/default`,
    tls: `test+tls://127.0.0.1:${tlsPort}/default?pkipath=${pki.client}`,
    stop,
  };
}

/** Fraction of CPU time not idle over `ms`, all CPUs (from /proc/stat). */
function busyFraction(ms) {
  const read = () => {
    const f = readFileSync("/proc/stat", "utf8")
      .split("\n")[0]
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return { idle: f[3] + f[4], total: f.reduce((a, b) => a + b, 0) };
  };
  const a = read();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  const b = read();
  return b.total === a.total ? 0 : 1 - (b.idle - a.idle) / (b.total - a.total);
}

/** On a shared machine: wait (up to 15 s) for the CPUs to be ≥ 90% idle before each run. */
let waitedMs = 0;
function waitForIdle() {
  const t0 = Date.now();
  while (busyFraction(300) > 0.1 && Date.now() - t0 < 15_000)
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
  waitedMs += Date.now() - t0;
}

// Interrupted: still stop the daemons (the exit handlers below do).
for (const sig of ["SIGINT", "SIGTERM"])
  process.on(sig, () => process.exit(130));

requireTaskset();
const distNote = ensureDist("bench:connect");
const cExe = buildC();
const tsJs = buildTs();
const plain = await startLibvirtd("none");
const sasl = await startLibvirtd("sasl");
const creds = [USER, PASSWORD];
const ALL = [
  { key: "unix", label: "unix", uri: plain.unix, creds: [] },
  { key: "tcp", label: "tcp", uri: plain.tcp, creds: [] },
  {
    key: "tcp+sasl",
    label: "tcp + SASL DIGEST-MD5 (auth-conf, RC4 layer)",
    uri: sasl.tcp,
    creds,
  },
  {
    key: "unix+scram",
    label: "unix + SASL SCRAM-SHA-256",
    uri: `${sasl.unix}&auth=sasl.SCRAM-SHA-256`,
    creds,
  },
  { key: "tls", label: "tls", uri: plain.tls, creds: [], tls: true },
  {
    key: "tls+scram",
    label: "tls + SASL SCRAM-SHA-256",
    uri: `${sasl.tls}&auth=sasl.SCRAM-SHA-256`,
    creds,
    tls: true,
  },
];
const only = opts.only?.split(",");
const CASES = (only ? ALL.filter((c) => only.includes(c.key)) : ALL).filter(
  (c) => !c.tls || HAVE_TLS,
);
if (!HAVE_TLS)
  log("bench:connect", "this runtime has no +tls yet: skipping the tls rows");
const impls = [
  {
    key: "c",
    name: "libvirt C client",
    run: (c) => runPinned(cExe, [c.uri, String(SECONDS), ...c.creds]),
  },
  {
    key: "ts",
    name: "TypeScript client (defaults)",
    run: (c) =>
      runPinned(process.execPath, [tsJs, c.uri, String(SECONDS), ...c.creds]),
  },
  {
    key: "tsNoKa",
    name: "TypeScript client, keepalive: false",
    run: (c) =>
      runPinned(process.execPath, [
        tsJs,
        c.uri,
        String(SECONDS),
        ...c.creds,
        "--no-keepalive",
      ]),
  },
];
const KEYS = impls.map((i) => i.key);

function runOnce(impl, c) {
  waitForIdle();
  const out = lastJsonLine(impl.run(c).stdout, impl.name);
  if (out.failed) die(`${impl.name} on ${c.label}: a connection failed`);
  return { cps: out.connectionsPerSecond, cpu: out.cpuSeconds / out.seconds };
}

const t0 = Date.now();
const results = Object.fromEntries(
  CASES.map((c) => [c.key, Object.fromEntries(KEYS.map((k) => [k, []]))]),
);
for (let round = 0; round < ROUNDS; round++) {
  for (const c of CASES) {
    const order = round % 2 ? [...impls].reverse() : impls;
    const got = {};
    for (const impl of order) {
      got[impl.key] = runOnce(impl, c);
      await sleep(0); // lets SIGINT/SIGTERM stop the daemons between runs
    }
    for (const k of KEYS) results[c.key][k].push(got[k]);
    log(
      "bench:connect",
      `round ${round + 1}/${ROUNDS}, ${c.label}: C ${fmt(got.c.cps)}/s, TS ${fmt(got.ts.cps)}/s, TS keepalive off ${fmt(got.tsNoKa.cps)}/s`,
    );
  }
}
plain.stop();
sasl.stop();

const wall = Math.round((Date.now() - t0) / 1000);
const med = (r, k) => fmt(median(r[k].map((x) => x.cps)));
const ratios = (r, k) => r[k].map((x, i) => x.cps / r.c[i].cps);
const cpuPct = (r, k) => `${Math.round(median(r[k].map((x) => x.cpu)) * 100)}%`;
const rows = CASES.map((c) => {
  const r = results[c.key];
  const ratio = summary(ratios(r, "ts"));
  return [
    c.label,
    med(r, "c"),
    med(r, "ts"),
    med(r, "tsNoKa"),
    fmtRatio(ratio),
    fmtRatio(summary(ratios(r, "tsNoKa"))),
    `${cpuPct(r, "c")} / ${cpuPct(r, "ts")}`,
    ratio.median >= 1 ? "✅" : "❌",
  ];
});
const table = mdTable(
  [
    "transport + auth",
    "C conn/s",
    "TS conn/s (defaults)",
    "TS conn/s (keepalive off)",
    "TS defaults ÷ C",
    "TS keepalive off ÷ C",
    "client CPU: C / TS",
    "TS ≥ C",
  ],
  rows,
  ["l", "r", "r", "r", "r", "r", "r", "c"],
);
const md = [
  "# Connections per second: generated TypeScript client vs libvirt's C client",
  "",
  environmentBlock(environment(), commandLine(), [
    `libvirtd ${execFileSync(which("libvirtd"), ["--version"], {
      encoding: "utf8",
    })
      .trim()
      .replace(
        /^.*\(libvirt\) /,
        "",
      )}, test driver, pinned with \`taskset -c ${DAEMON_CPU}\`; one daemon with auth none (unix, tcp) and one with auth sasl (unix, tcp; sasldb made by saslpasswd2, mech_list scram-sha-256 digest-md5)`,
    `one connection = open (socket, authentication, open), one \`virConnectGetVersion\`, close; sequential, ${SECONDS} s per run after 0.5 s of warm-up`,
    "C client (bench/connect/c-connect.c, gcc -O2, Debian libvirt-dev): `virConnectOpenAuth` with a credentials callback, `virConnectGetVersion`, `virConnectClose`; no event loop registered, so libvirt's client does not ask for keepalive. On the wire (LIBVIRT_DEBUG): AUTH_LIST, [SASL exchange], CONNECT_OPEN, two CONNECT_SUPPORTS_FEATURE probes after the open, CONNECT_GET_VERSION, CONNECT_CLOSE, each waiting for its reply",
    'TS client (bench/connect/ts-connect.ts): `RemoteClient.connect(uri, { auth: { username, password } })`, `connectGetVersion()`, `close()`; on the wire: AUTH_LIST, [SASL exchange], CONNECT_SUPPORTS_FEATURE(keepalive) and CONNECT_OPEN sent together, CONNECT_GET_VERSION, CONNECT_CLOSE; **defaults** include keepalive (the query, then a timer); "keepalive off" skips both, like the C program',
    "client CPU: CPU time of the client process over the measured seconds, as a share of one CPU (median)",
    `rounds: ${ROUNDS} (alternating, one pinned process per implementation, order reversed every other round; each run waits up to 15 s for the CPUs to be ≥90% idle — ${Math.round(waitedMs / 1000)} s spent waiting; wall ${wall} s)`,
    ...(distNote ? [distNote] : []),
  ]),
  "",
  "Medians of connections/s; ratios are computed per round (paired) and shown as **median** (min–max). The target (TS defaults ≥ C) is judged on the median.",
  "",
  table,
  "",
].join("\n");

process.stdout.write(md);
if (!opts.noSave) log("bench:connect", `saved ${saveResult("connect", md)}`);
