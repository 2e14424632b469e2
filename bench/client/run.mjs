#!/usr/bin/env node
// Client benchmark: the generated TypeScript client against libvirt's own C client (a small
// program linked with Debian's libvirt-dev, bench/client/c-client.c), same libvirtd 9.0.0 (test
// driver), same call: virDomainGetInfo on domain "test". Sequentially and with 8 and 32 calls in
// flight:
//   - TypeScript: one connection, N async loops each awaiting its call; once with the runtime's
//     defaults (adaptive busy-polling for replies) and once with `busyPollMs: 0` (never spin);
//   - C: N threads sharing one virConnectPtr (one socket, libvirt's client multiplexing the
//     threads' calls on it, like the TypeScript client); a second column gives each thread its
//     own virConnectPtr, for reference.
// Each process reports its own CPU time over the measured seconds, shown as client CPU use.
// Neither client negotiates keepalive (the C program registers no event loop, so libvirt's
// client skips it; the TS client is told `keepalive: false`): the daemon does the same work.
// libvirtd is pinned to CPU 0, every client process to CPU 1 (taskset). Implementations run
// alternating, one process each, order swapped every round; the ratio is computed per round and
// reported as median (min–max). Prints a Markdown table and writes bench/results/client.md.
//
//   npm run bench:client [-- --rounds 5 --seconds 2 --no-save]
import { join } from "node:path";
import {
  buildLibvirtClient,
  libvirtdVersion,
  startLibvirtd,
} from "../lib/libvirtd.mjs";
import {
  BUILD_DIR,
  REPO_ROOT,
  commandLine,
  compileTsIfStale,
  die,
  ensureDist,
  environment,
  environmentBlock,
  fmt,
  fmtRatio,
  idleWaiter,
  lastJsonLine,
  log,
  mdTable,
  median,
  parseOptions,
  requireTaskset,
  runPinned,
  saveResult,
  summary,
} from "../lib/common.mjs";

const USAGE =
  "usage: node bench/client/run.mjs [--rounds N] [--seconds S] [--concurrency 1,8,32] [--no-save]";
const opts = parseOptions(
  process.argv.slice(2),
  {
    rounds: "number",
    seconds: "number",
    concurrency: "string",
    "no-save": "boolean",
  },
  USAGE,
);
const ROUNDS = opts.rounds ?? 5;
const SECONDS = opts.seconds ?? 2;
const LEVELS = (opts.concurrency ?? "1,8,32").split(",").map(Number);
const DAEMON_CPU = "0";
/** Lets all 32 calls be in libvirtd at once (default 5 per client); same for both clients. */
const MAX_CLIENT_REQUESTS = 64;
const OUT = join(BUILD_DIR, "client");

function buildTs() {
  const js = join(OUT, "bench", "client", "ts-client.js");
  compileTsIfStale(
    "bench:client",
    "bench/client/tsconfig.json",
    [js],
    [join(REPO_ROOT, "bench", "client", "ts-client.ts")],
  );
  return js;
}

/** Each run starts once the CPUs are ≥ 90% idle (a minute at most). */
const idle = idleWaiter(60_000, 500);

function runOnce(impl, uri, n) {
  idle.wait();
  const r = impl.run(uri, n);
  const out = lastJsonLine(r.stdout, impl.name);
  if (out.failed) die(`${impl.name} with ${n} in flight: a call failed`);
  return { cps: out.callsPerSecond, cpu: out.cpuSeconds / out.seconds };
}

requireTaskset();
const distNote = ensureDist("bench:client");
const cExe = buildLibvirtClient(
  "bench/client/c-client.c",
  join(OUT, "c-client"),
  { prefix: "bench:client", libs: ["-lpthread"] },
);
const tsJs = buildTs();
const daemon = await startLibvirtd({
  cpu: DAEMON_CPU,
  maxClientRequests: MAX_CLIENT_REQUESTS,
});
const impls = [
  {
    key: "c",
    name: "libvirt C client, shared connection",
    run: (uri, n) =>
      runPinned(cExe, [uri, String(n), String(SECONDS), "shared"]),
  },
  {
    key: "ts",
    // Busy-polling is off by default since bench/busy-poll showed its cost to a co-hosted
    // workload; this column is the opt-in `busyPollMs: 0.2` the table was measured with.
    name: "generated TypeScript client, busyPollMs 0.2",
    run: (uri, n) =>
      runPinned(process.execPath, [
        tsJs,
        uri,
        String(n),
        String(SECONDS),
        "0.2",
      ]),
  },
  {
    key: "tsNoSpin",
    name: "generated TypeScript client, busyPollMs 0",
    run: (uri, n) =>
      runPinned(process.execPath, [tsJs, uri, String(n), String(SECONDS), "0"]),
  },
  {
    key: "cOwn",
    name: "libvirt C client, connection per thread",
    run: (uri, n) => runPinned(cExe, [uri, String(n), String(SECONDS), "own"]),
  },
];
const KEYS = impls.map((i) => i.key);

const t0 = Date.now();
/** results[level][key] = {cps, cpu} per round. */
const results = Object.fromEntries(
  LEVELS.map((n) => [n, Object.fromEntries(KEYS.map((k) => [k, []]))]),
);
for (let round = 0; round < ROUNDS; round++) {
  for (const n of LEVELS) {
    const order = round % 2 ? [...impls].reverse() : impls;
    const got = {};
    for (const impl of order) got[impl.key] = runOnce(impl, daemon.uri, n);
    const r = results[n];
    for (const k of KEYS) r[k].push(got[k]);
    log(
      "bench:client",
      `round ${round + 1}/${ROUNDS}, ${n} in flight: C ${fmt(got.c.cps)}/s, C conn/thread ${fmt(got.cOwn.cps)}/s, TS ${fmt(got.ts.cps)}/s, TS busyPollMs 0 ${fmt(got.tsNoSpin.cps)}/s`,
    );
  }
}
await daemon.stop();

const wall = Math.round((Date.now() - t0) / 1000);
const cps = (r, k) => fmt(median(r[k].map((x) => x.cps)));
/** `k` ÷ C (shared connection), paired per round. */
const ratios = (r, k) => r[k].map((x, round) => x.cps / r.c[round].cps);
const cpuPct = (r, k) => `${Math.round(median(r[k].map((x) => x.cpu)) * 100)}%`;
const rows = LEVELS.map((n) => {
  const r = results[n];
  const ratio = summary(ratios(r, "ts"));
  const noSpin = summary(ratios(r, "tsNoSpin"));
  return [
    n === 1 ? "1 (sequential)" : String(n),
    cps(r, "c"),
    cps(r, "cOwn"),
    cps(r, "ts"),
    cps(r, "tsNoSpin"),
    fmtRatio(ratio),
    fmtRatio(noSpin),
    `${cpuPct(r, "c")} / ${cpuPct(r, "ts")} / ${cpuPct(r, "tsNoSpin")}`,
    ratio.median >= 1 ? "✅" : "❌",
  ];
});
const table = mdTable(
  [
    "calls in flight",
    "C calls/s (shared conn)",
    "C calls/s (conn per thread)",
    "TS calls/s (default)",
    "TS calls/s (busyPollMs 0)",
    "TS default ÷ C",
    "TS busyPollMs 0 ÷ C",
    "client CPU: C / TS default / TS busyPollMs 0",
    "TS ≥ C",
  ],
  rows,
  ["l", "r", "r", "r", "r", "r", "r", "r", "c"],
);
const md = [
  "# Client speed: generated TypeScript client vs libvirt's C client",
  "",
  environmentBlock(environment(), commandLine(), [
    `libvirtd ${libvirtdVersion().replace(
      /^.*\(libvirt\) /,
      "",
    )}, test driver, pinned with \`taskset -c ${DAEMON_CPU}\`; \`max_client_requests = ${MAX_CLIENT_REQUESTS}\` (default 5) so that 32 calls can be in the daemon at once, for both clients`,
    `call: \`virDomainGetInfo\` on domain "test" (\`REMOTE_PROC_DOMAIN_GET_INFO\`), ${SECONDS} s per run; the TS process first warms up 0.5 s (not counted)`,
    'C client (bench/client/c-client.c, gcc -O2, Debian libvirt-dev): N threads looping on `virDomainGetInfo`; **shared** = one `virConnectPtr` for all threads (one socket, as the TS client; the ratios are against this one); "conn per thread" = one `virConnectPtr` each, for reference',
    'TS client (bench/client/ts-client.ts): one `RemoteClient`, N async loops each awaiting `domainGetInfo`; **default** = `RemoteClient.connect(uri)`, whose connection busy-polls adaptively for replies (while calls are in flight it keeps the event loop turning for up to 0.2 ms after the last send or reply instead of sleeping in epoll, so libvirtd does not have to wake the client; the window shrinks to nothing when replies are slow); "busyPollMs 0" never spins, for reference',
    "client CPU: CPU time of the client process over the measured seconds, as a share of one CPU (median); a spinning client counts its spinning",
    "neither client negotiates keepalive (the C program registers no event loop, so libvirt's client skips it; the TS client is told `keepalive: false`), so libvirtd does the same work for both",
    `rounds: ${ROUNDS} (alternating, one pinned process per implementation, order reversed every other round; each run starts once the CPUs are ≥90% idle — ${Math.round(idle.waitedMs / 1000)} s spent waiting; wall ${wall} s)`,
    ...(distNote ? [distNote] : []),
  ]),
  "",
  "Medians of calls/s; ratios are computed per round (paired) and shown as **median** (min–max). The target is judged on the median.",
  "",
  table,
  "",
].join("\n");

process.stdout.write(md);
if (!opts.noSave) log("bench:client", `saved ${saveResult("client", md)}`);
