#!/usr/bin/env node
// Server benchmark: libvirt's C client (bench/server/getinfo-client.c, linked with Debian's
// libvirt-dev) calling virDomainGetInfo against
//   - libvirtd 9.0.0 serving its built-in test driver, and
//   - the example server (generated remote_protocol skeleton + in-memory driver),
// sequentially and with threads. Each server is pinned to CPU 1 and the client to CPU 0 with
// taskset, so both servers get exactly one core. Prints a Markdown table and writes it to
// bench/results/server.md.
//
//   npm run bench:server [-- --seconds 2 --reps 3 --threads 4 --no-save]
//
// Workloads: 1 thread, then THREADS and 2×THREADS threads, sharing one connection or each with
// its own. The example server runs twice: with default settings and with --busy-poll.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  buildLibvirtClient,
  libvirtdVersion,
  startLibvirtd,
} from "../lib/libvirtd.mjs";
import { socketTmpdir, startPinned, waitForOutput } from "../lib/processes.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const { values: opt } = parseArgs({
  options: {
    seconds: { type: "string", default: "2" },
    reps: { type: "string", default: "3" },
    threads: { type: "string", default: "4" },
    "no-save": { type: "boolean", default: false },
  },
});
const SECONDS = Number(opt.seconds);
const REPS = Number(opt.reps);
const THREADS = Number(opt.threads);
const SERVER_CPU = "1";
const CLIENT_CPU = "0";

async function startExample(base, name, extra = []) {
  const socket = join(base, `${name}.sock`);
  const proc = startPinned(SERVER_CPU, process.execPath, [
    join(root, "scripts", "run-example.mjs"),
    "server",
    "--socket",
    socket,
    "--quiet",
    ...extra,
  ]);
  await waitForOutput(proc, /listening on/, "example server");
  return { ...proc, uri: `test+unix:///default?socket=${socket}` };
}

function runClient(client, uri, seconds, threads, mode) {
  const out = execFileSync(
    "taskset",
    ["-c", CLIENT_CPU, client, uri, String(seconds), String(threads), mode],
    { encoding: "utf8", env: { ...process.env, LC_ALL: "C" } },
  );
  return JSON.parse(out.trim().split("\n").at(-1));
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const WORKLOADS = [
  { label: "sequential (1 thread)", threads: 1, mode: "shared" },
  ...[THREADS, THREADS * 2].flatMap((t) => [
    {
      label: `${t} threads, one shared connection`,
      threads: t,
      mode: "shared",
    },
    { label: `${t} threads, a connection each`, threads: t, mode: "own" },
  ]),
];
const BUSY_POLL_US = 100;

async function measure(servers, client) {
  for (const s of servers) runClient(client, s.uri, 1, 1, "shared"); // warm-up (JIT, caches)
  const rows = [];
  for (const w of WORKLOADS) {
    // Runs alternate between the servers, so load from elsewhere on the machine hits both alike.
    const rates = servers.map(() => []);
    for (let i = 0; i < REPS; i++) {
      servers.forEach((s, j) =>
        rates[j].push(
          runClient(client, s.uri, SECONDS, w.threads, w.mode).callsPerSec,
        ),
      );
    }
    servers.forEach((s, j) =>
      process.stderr.write(
        `${s.name}: ${w.label}: ${rates[j].map((r) => Math.round(r)).join(", ")} calls/s\n`,
      ),
    );
    rows.push({ workload: w.label, rates: rates.map(median) });
  }
  return rows;
}

const client = buildLibvirtClient(
  "bench/server/getinfo-client.c",
  join(root, "bench", ".build", "server", "getinfo-client"),
  { prefix: "bench:server", libs: ["-lpthread"] },
);
const base = mkdtempSync(join(socketTmpdir(), "bench-server-"));
let results;
const started = [];
try {
  started.push({
    name: "libvirtd",
    ...(await startLibvirtd({ cpu: SERVER_CPU })),
  });
  started.push({
    name: "virt-rpcgen",
    ...(await startExample(base, "example")),
  });
  started.push({
    name: "virt-rpcgen busy-poll",
    ...(await startExample(base, "example-busy", [
      "--busy-poll",
      String(BUSY_POLL_US),
    ])),
  });
  results = (await measure(started, client)).map((r) => ({
    workload: r.workload,
    libvirtd: r.rates[0],
    ours: r.rates[1],
    busy: r.rates[2],
  }));
} finally {
  for (const s of started) await s.stop();
  rmSync(base, { recursive: true, force: true });
}

const fmt = (n) => Math.round(n).toLocaleString("en-US");
const table = [
  `# Server benchmark: virDomainGetInfo calls per second`,
  ``,
  `Client: bench/server/getinfo-client.c (libvirt's C client library, \`virDomainGetInfo\` on domain \`test\`), pinned to CPU ${CLIENT_CPU}.`,
  `Servers pinned to CPU ${SERVER_CPU}: ${libvirtdVersion()} with its test driver (\`test:///default\`), and the`,
  `example server (\`npm run example:server -- --quiet\`: generated remote_protocol dispatch with every \`@acl\` rule evaluated`,
  `(allow-all checker), in-memory driver) on Node ${process.version}, by default and with \`--busy-poll ${BUSY_POLL_US}\``,
  `(the event loop keeps polling for ${BUSY_POLL_US} µs after input instead of sleeping: on this VM waking an idle CPU`,
  `dominates a call's latency; it costs CPU while clients are active).`,
  `Median of ${REPS} runs of ${SECONDS} s each per server, the servers' runs alternating, after a 1 s warm-up.`,
  `${cpus()[0]?.model ?? ""}, ${cpus().length} CPUs; the machine is shared, so absolute numbers drift between runs.`,
  ``,
  `| workload | libvirtd (test driver) | virt-rpcgen | ratio | virt-rpcgen, busy-poll ${BUSY_POLL_US} µs | ratio |`,
  `|---|---:|---:|---:|---:|---:|`,
  ...results.map(
    (r) =>
      `| ${r.workload} | ${fmt(r.libvirtd)} | ${fmt(r.ours)} | ${(r.ours / r.libvirtd).toFixed(2)}× | ${fmt(r.busy)} | ${(r.busy / r.libvirtd).toFixed(2)}× |`,
  ),
  ``,
].join("\n");
process.stdout.write(table);
if (!opt["no-save"]) {
  mkdirSync(join(root, "bench", "results"), { recursive: true });
  writeFileSync(join(root, "bench", "results", "server.md"), table);
}
