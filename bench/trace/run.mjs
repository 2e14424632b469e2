#!/usr/bin/env node
// Trace benchmark: what `virt-rpcgen trace` costs a libvirt client. libvirt's C client
// (bench/server/getinfo-client.c, Debian's libvirt-dev) calls virDomainGetInfo on libvirtd's test
// driver, directly and through the proxy (decoding every message both ways and writing its JSON
// lines to a file), sequentially and with 8 threads sharing one connection (8 calls in flight).
// The client is pinned to CPU 0 and libvirtd to CPU 1 in every run; the proxy is not pinned (on
// a 2-CPU machine it has no core of its own; pinned beside the client or libvirtd it competes
// with that one alone). Runs alternate direct / proxy; ratios are paired per round. Also prints
// CPU time per call and CPU busy shares, which say more than calls/s on a loaded machine.
//
//   npm run bench:trace [-- --seconds 2 --rounds 5]      (--help for A/B and pinning options)
import { execFileSync } from "node:child_process";
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  mkdtempSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  buildLibvirtClient,
  libvirtdVersion,
  startLibvirtd,
} from "../lib/libvirtd.mjs";
import {
  socketTmpdir,
  startPinned,
  waitForOutput,
  which,
} from "../lib/processes.mjs";

// The proxy is left to the scheduler: see the results header.
const PROXY_CPU_DEFAULT = "0,1";
const CLIENT_CPU_DEFAULT = "0";
const SERVER_CPU_DEFAULT = "1";
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const { values: opt } = parseArgs({
  options: {
    seconds: { type: "string", default: "2" },
    rounds: { type: "string", default: "5" },
    "no-save": { type: "boolean", default: false },
    workloads: { type: "string", default: "1,8" },
    "proxy-cpu": { type: "string" },
    "client-cpu": { type: "string" },
    "server-cpu": { type: "string" },
    compare: { type: "string", multiple: true, default: [] },
    "no-floors": { type: "boolean", default: false },
    "cpu-prof": { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (opt.help) {
  process.stdout.write(`npm run bench:trace -- [options]
  --seconds S        length of one run (default 2)
  --rounds N         rounds per workload (default 5)
  --workloads LIST   calls in flight per workload, comma-separated (default 1,8)
  --proxy-cpu CPUS   taskset CPU list for the proxy (default ${PROXY_CPU_DEFAULT})
  --client-cpu CPUS  … for the client (default ${CLIENT_CPU_DEFAULT})
  --server-cpu CPUS  … for libvirtd (default ${SERVER_CPU_DEFAULT})
  --compare DIST[@CPUS]  also run the proxy of another build (a copy of dist/; dist itself
                     to compare pinnings), pinned to CPUS (default: as --proxy-cpu),
                     interleaved in every round, for A/B comparisons (repeatable);
                     DIST "bare": bench/trace/bare-forwarder.mjs, a proxy that decodes nothing;
                     DIST "bare:US": the same, busy-polling US µs after each chunk;
                     DIST "socat": socat(1), a C forwarder, the floor of any proxy process
  --no-floors        leave out the two floors every run has by default: socat (a C
                     forwarder) and the bare Node forwarder, in the same rounds
  --cpu-prof DIR     run the proxy under node --cpu-prof, profiles written to DIR
  --no-save          print the table only (implied by any option but --seconds and --rounds)
`);
  process.exit(0);
}
const SECONDS = Number(opt.seconds);
const ROUNDS = Number(opt.rounds);
const SERVER_CPU = opt["server-cpu"] ?? SERVER_CPU_DEFAULT;
const CLIENT_CPU = opt["client-cpu"] ?? CLIENT_CPU_DEFAULT;
const PROXY_CPU = opt["proxy-cpu"] ?? PROXY_CPU_DEFAULT;
const SAVE =
  !opt["no-save"] &&
  opt.compare.length === 0 &&
  opt["proxy-cpu"] === undefined &&
  opt["client-cpu"] === undefined &&
  opt["server-cpu"] === undefined &&
  opt.workloads === "1,8" &&
  opt["cpu-prof"] === undefined &&
  !opt["no-floors"];
/**
 * What any proxy costs here, run in the same rounds: socat, a C forwarder (the floor of any
 * proxy process), and a Node forwarder that decodes nothing (the floor of a proxy in Node).
 */
const FLOORS = opt["no-floors"]
  ? []
  : [
      { spec: "socat", label: "socat (C forwarder)" },
      { spec: "bare", label: "bare Node forwarder" },
    ];

async function startTrace(base, upstream, dist, name, cpu) {
  const socket = join(base, `${name}.sock`);
  const log = join(base, `${name}.jsonl`);
  const prof = opt["cpu-prof"]
    ? [
        "--cpu-prof",
        "--cpu-prof-dir",
        opt["cpu-prof"],
        "--cpu-prof-name",
        `${name}.cpuprofile`,
      ]
    : [];
  const proc =
    dist === "socat"
      ? startPinned(cpu, which("socat"), [
          "-d",
          "-d",
          `UNIX-LISTEN:${socket},fork`,
          `UNIX-CONNECT:${upstream}`,
        ])
      : startPinned(cpu, process.execPath, [
          ...prof,
          ...(dist.startsWith("bare")
            ? [join(root, "bench", "trace", "bare-forwarder.mjs")]
            : [join(dist, "cli.js")]),
          ...(dist.startsWith("bare:") ? ["--spin", dist.slice(5)] : []),
          "trace",
          join(root, "protocol", "libvirt-9.0.0", "remote_protocol.x"),
          "--listen",
          socket,
          "--connect",
          upstream,
          "--output",
          log,
        ]);
  await waitForOutput(proc, /listening on/, "trace");
  return { ...proc, socket, log, name };
}

/**
 * CPU time (ns) a process has had so far, all its threads and its live children (socat forks
 * one per connection), from scheduler statistics.
 */
function cpuNs(pid) {
  let ns = 0;
  let tasks = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0; // gone
  }
  try {
    // Children already reaped (a socat connection's process ends with it): clock ticks.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    ns += (Number(f[13]) + Number(f[14])) * 1e7;
  } catch {
    // gone
  }
  for (const t of tasks) {
    try {
      ns += Number(
        readFileSync(`/proc/${pid}/task/${t}/schedstat`, "utf8").split(" ")[0],
      );
      for (const c of readFileSync(`/proc/${pid}/task/${t}/children`, "utf8")
        .trim()
        .split(/\s+/)
        .filter(Boolean))
        ns += cpuNs(Number(c));
    } catch {
      // thread gone
    }
  }
  return ns;
}

/** Calls/s of one run; with `watch`, also the CPU time it used per call (µs). */
function runClient(client, socket, seconds, threads, watch) {
  const uri = `test+unix:///default?socket=${socket}`;
  const before = watch ? cpuNs(watch.pid) : 0;
  // bash's `times` prints the client's user and system time (its child) after it.
  const out = execFileSync(
    "bash",
    [
      "-c",
      'taskset -c "$@" && times',
      "bash",
      CLIENT_CPU,
      client,
      uri,
      String(seconds),
      String(threads),
      "shared",
    ],
    { encoding: "utf8", env: { ...process.env, LC_ALL: "C" } },
  );
  const lines = out.trim().split("\n");
  const r = JSON.parse(lines.find((l) => l.startsWith("{")));
  const [user, sys] = [...lines.at(-1).matchAll(/(\d+)m([\d.]+)s/g)].map(
    (m) => Number(m[1]) * 60 + Number(m[2]),
  );
  const cpu = watch ? (cpuNs(watch.pid) - before) / 1e3 / r.calls : NaN;
  // Busy share of one CPU over the run (the client's 0.2 s of set-up included).
  return {
    rate: r.callsPerSec,
    cpu,
    busy: watch ? (cpuNs(watch.pid) - before) / 1e9 / r.seconds : NaN,
    clientBusy: (user + sys) / r.seconds,
  };
}

const pct = (x) => `${Math.round(100 * x)}%`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const WORKLOADS = opt.workloads.split(",").map((n) => ({
  label:
    n === "1"
      ? "sequential (1 in flight)"
      : `${n} threads, one connection (${n} in flight)`,
  threads: Number(n),
}));

const loadStart = loadavg();
const client = buildLibvirtClient(
  "bench/server/getinfo-client.c",
  join(root, "bench", ".build", "trace", "getinfo-client"),
  { prefix: "bench:trace", libs: ["-lpthread"] },
);
const base = mkdtempSync(join(socketTmpdir(), "bench-trace-"));
const rows = [];
let traceBytes = 0;
const started = [];
try {
  const daemon = await startLibvirtd({ cpu: SERVER_CPU });
  started.push(daemon);
  // The proxy of this build, then any builds to compare with (each its own process).
  const traces = [];
  const specs = [
    join(root, "dist"),
    ...FLOORS.map((f) => f.spec),
    ...opt.compare,
  ];
  for (const [i, spec] of specs.entries()) {
    const [dist, cpu = PROXY_CPU] = spec.split("@");
    const t = await startTrace(
      base,
      daemon.socket,
      dist,
      i === 0
        ? "trace"
        : i <= FLOORS.length
          ? dist
          : `compare${i - FLOORS.length}`,
      cpu,
    );
    started.push(t);
    traces.push(t);
  }
  runClient(client, daemon.socket, 1, 1); // warm-up (JIT of the proxy's decoder, caches)
  for (const t of traces) runClient(client, t.socket, 1, 1);
  for (const w of WORKLOADS) {
    const direct = [];
    const proxied = traces.map(() => []);
    const cpu = traces.map(() => []);
    const daemonCpu = [];
    const busy = [];
    for (let i = 0; i < ROUNDS; i++) {
      const d = runClient(client, daemon.socket, SECONDS, w.threads, daemon);
      direct.push(d.rate);
      daemonCpu.push(d.cpu);
      busy.push({ client: d.clientBusy, libvirtd: d.busy });
      // Rotate the proxies' order so none always runs right after the direct run.
      for (let k = 0; k < traces.length; k++) {
        const j = (k + i) % traces.length;
        proxied[j].push(
          (() => {
            const r = runClient(
              client,
              traces[j].socket,
              SECONDS,
              w.threads,
              traces[j],
            );
            cpu[j].push(r.cpu);
            if (j === 0) busy.at(-1).proxied = r;
            return r.rate;
          })(),
        );
      }
      process.stderr.write(
        `${w.label}: round ${i + 1}: direct ${Math.round(direct.at(-1))}/s (libvirtd ${daemonCpu.at(-1).toFixed(0)} µs CPU/call; CPU busy: client ${pct(busy.at(-1).client)}, libvirtd ${pct(busy.at(-1).libvirtd)}; through trace: client ${pct(busy.at(-1).proxied.clientBusy)}, proxy ${pct(busy.at(-1).proxied.busy)}), ${traces.map((t, j) => `${t.name} ${Math.round(proxied[j].at(-1))}/s (${(proxied[j].at(-1) / direct.at(-1)).toFixed(2)}x, ${cpu[j].at(-1).toFixed(0)} µs CPU/call)`).join(", ")}\n`,
      );
    }
    traces.forEach((t, j) => {
      const ratios = direct.map((d, i) => proxied[j][i] / d);
      // Added latency per call, paired per round: 1/rate through trace minus 1/rate direct
      // (per call of the whole run; with 8 in flight this is the throughput cost, not one call's wait).
      const added = direct.map(
        (d, i) => (1 / proxied[j][i] - 1 / d) * 1e6 * w.threads,
      );
      const row = {
        ...w,
        direct: median(direct),
        proxied: median(proxied[j]),
        ratio: median(ratios),
        ratioMin: Math.min(...ratios),
        ratioMax: Math.max(...ratios),
        latency: (1 / median(direct)) * 1e6 * w.threads,
        added: median(added),
        cpu: median(cpu[j]),
        daemonCpu: median(daemonCpu),
        busyClient: median(busy.map((b) => b.client)),
        busyDaemon: median(busy.map((b) => b.libvirtd)),
        busyProxy: median(busy.map((b) => b.proxied.busy)),
        busyProxiedClient: median(busy.map((b) => b.proxied.clientBusy)),
      };
      if (j === 0) rows.push({ ...row, floors: [] });
      else if (j <= FLOORS.length) rows.at(-1).floors.push(row);
      if (j > 0)
        process.stderr.write(
          `${t.name} (${specs[j]}): ${w.label}: ratio ${row.ratio.toFixed(2)} (${row.ratioMin.toFixed(2)}–${row.ratioMax.toFixed(2)}), ${row.cpu.toFixed(1)} µs CPU/call (${rows.at(-1).cpu.toFixed(1)} for this build)\n`,
        );
    });
  }
  traceBytes = statSync(traces[0].log).size;
} finally {
  for (const s of started.reverse()) await s.stop();
  rmSync(base, { recursive: true, force: true });
}

const fmt = (n) => Math.round(n).toLocaleString("en-US");
const table = [
  `# Trace benchmark: virDomainGetInfo through \`virt-rpcgen trace\``,
  ``,
  `Client: bench/server/getinfo-client.c (libvirt's C client library, \`virDomainGetInfo\` on domain \`test\`, threads sharing one connection), pinned to CPU ${CLIENT_CPU}.`,
  `Server: ${libvirtdVersion()} with its test driver, pinned to CPU ${SERVER_CPU}. Proxy: \`virt-rpcgen trace remote_protocol.x --listen SOCK --connect LIBVIRTD --output FILE\``,
  `on Node ${process.version}, ${PROXY_CPU === "0,1" ? "not pinned (the scheduler puts it on either CPU, where there is idle time: pinned beside the client or libvirtd it would compete with one of them for its core, and the ratio would measure that choice more than the proxy)" : `pinned to CPU ${PROXY_CPU}`}, decoding every message both ways into JSON lines (${fmt(traceBytes / 1e6)} MB written over the run).`,
  `${ROUNDS} rounds of ${SECONDS} s per workload, direct and through the proxy alternating; ratios paired per round: median (min–max).`,
  `Latency per call: one call's time at the measured rate (× calls in flight); added: paired difference, median.`,
  `CPU busy (share of one CPU, median): ${rows.map((r) => `${r.threads} in flight: direct client ${pct(r.busyClient)}, libvirtd ${pct(r.busyDaemon)}; through trace client ${pct(r.busyProxiedClient)}, proxy ${pct(r.busyProxy)}`).join("; ")}.`,
  `${cpus()[0]?.model ?? ""}, ${cpus().length} CPUs; load average ${loadStart.map((x) => x.toFixed(1)).join(" ")} before the run, ${loadavg()
    .map((x) => x.toFixed(1))
    .join(" ")} after (other work on the machine shows here).`,
  ``,
  `| calls in flight | direct | through trace | ratio (target ≥ 0.8×) | latency per call direct | added by trace |${FLOORS.map((f) => ` ${f.label} ÷ direct (floor) |`).join("")} proxy CPU per call: trace${FLOORS.map((f) => ` / ${f.spec}`).join("")} |`,
  `|---|---:|---:|---:|---:|---:|${FLOORS.map(() => "---:|").join("")}---:|`,
  ...rows.map(
    (r) =>
      `| ${r.label} | ${fmt(r.direct)}/s | ${fmt(r.proxied)}/s | **${r.ratio.toFixed(2)}×** (${r.ratioMin.toFixed(2)}–${r.ratioMax.toFixed(2)}) ${r.ratio >= 0.8 ? "✅" : "❌"} | ${r.latency.toFixed(0)} µs | +${r.added.toFixed(0)} µs |${r.floors.map((f) => ` ${f.ratio.toFixed(2)}× (${f.ratioMin.toFixed(2)}–${f.ratioMax.toFixed(2)}) |`).join("")} ${[r, ...r.floors].map((x) => x.cpu.toFixed(0)).join(" / ")} µs |`,
  ),
  ``,
  ...(FLOORS.length > 0
    ? [
        `Floors, run in the same rounds: socat(1) forwarding the unix socket (\`UNIX-LISTEN:…,fork UNIX-CONNECT:…\`; a C process, its CPU counted with its per-connection children), and bench/trace/bare-forwarder.mjs, a Node forwarder that decodes nothing. No proxy process does better than socat here; what the trace costs beyond the bare forwarder is its decoding and output.`,
        ``,
      ]
    : []),
].join("\n");
process.stdout.write(table);
if (SAVE) {
  mkdirSync(join(root, "bench", "results"), { recursive: true });
  writeFileSync(join(root, "bench", "results", "trace.md"), table);
}
