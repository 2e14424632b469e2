#!/usr/bin/env node
// What busy-polling costs a co-hosted workload: an application using the generated client
// (bench/client/cohosted-app.ts) shares one CPU with a CPU-bound workload (workload.mjs); the
// application is idle for S seconds, then keeps one libvirt call in flight (domainGetInfo on a
// private libvirtd, pinned to the other CPU) for S seconds. Run with busyPollMs 0 (off) and 0.2
// (the adaptive window), alternating, one pair of processes each.
//
//   npm run bench:busy-poll [-- --rounds N] [-- --seconds S]
//
// Reported per mode: the workload's throughput beside the idle and the busy application, as a
// share of its throughput alone (paired per round); the application's CPU share, event-loop
// delay p99 and calls per second in each phase.
import { spawn } from "node:child_process";
import { join } from "node:path";
import {
  BUILD_DIR,
  PIN_CPU,
  REPO_ROOT,
  commandLine,
  compileTs,
  ensureDist,
  environment,
  environmentBlock,
  fmt,
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
import { startLibvirtd } from "../lib/libvirtd.mjs";

const opts = parseOptions(
  process.argv.slice(2),
  { rounds: "number", seconds: "number" },
  "usage: node bench/busy-poll/run.mjs [--rounds N] [--seconds S]",
);
const ROUNDS = opts.rounds ?? 5;
const SECONDS = opts.seconds ?? 2;
const MODES = [
  { key: "off", label: "busyPollMs 0 (off)", ms: 0 },
  { key: "on", label: "busyPollMs 0.2 (adaptive)", ms: 0.2 },
];
const WORKLOAD = join(REPO_ROOT, "bench", "busy-poll", "workload.mjs");
const APP = join(BUILD_DIR, "client", "bench", "client", "cohosted-app.js");

requireTaskset();
const distNote = ensureDist("bench:busy-poll");
compileTs("bench/client/tsconfig.json");
const daemon = await startLibvirtd({ cpu: "0", maxClientRequests: 64 });

/** The workload alone on the CPU: chunks per second. */
function alone() {
  const { stdout } = runPinned("node", [WORKLOAD, String(SECONDS)]);
  const r = lastJsonLine(stdout, "workload");
  return (r.first + r.second) / 2;
}

/** The application and the workload together on one CPU. */
function together(mode) {
  return new Promise((resolve, reject) => {
    const app = spawn(
      "taskset",
      [
        "-c",
        PIN_CPU,
        "node",
        APP,
        daemon.uri,
        String(mode.ms),
        String(SECONDS),
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let appOut = "";
    let appErr = "";
    let work = null;
    app.stdout.on("data", (c) => (appOut += c));
    app.stderr.on("data", (c) => {
      appErr += c;
      if (work === null && appErr.includes("ready\n")) {
        work = new Promise((res) => {
          const w = spawn(
            "taskset",
            ["-c", PIN_CPU, "node", WORKLOAD, String(SECONDS)],
            {
              stdio: ["ignore", "pipe", "inherit"],
            },
          );
          let out = "";
          w.stdout.on("data", (c) => (out += c));
          w.on("exit", () => res(lastJsonLine(out, "workload")));
        });
      }
    });
    app.on("exit", async (code) => {
      if (code !== 0 || work === null)
        return reject(new Error(`application exited ${code}: ${appErr}`));
      resolve({ app: lastJsonLine(appOut, "application"), work: await work });
    });
  });
}

const rows = Object.fromEntries(MODES.map((m) => [m.key, []]));
const t0 = Date.now();
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 ? [...MODES].reverse() : MODES;
  const base = alone();
  for (const mode of order) {
    const r = await together(mode);
    rows[mode.key].push({
      idleShare: r.work.first / base,
      busyShare: r.work.second / base,
      app: r.app,
    });
  }
  log("bench:busy-poll", `round ${round + 1}/${ROUNDS} done`);
}
await daemon.stop();

const pct = (x) => `${fmt(100 * x)}%`;
const s = (xs) => {
  const v = summary(xs);
  return `**${pct(v.median)}** (${pct(v.min)}–${pct(v.max)})`;
};
const med = (xs) => median(xs);
const table = mdTable(
  [
    "client",
    "workload beside the idle app",
    "workload beside the app making calls",
    "app CPU idle / calls",
    "app event-loop delay p99 idle / calls",
    "calls/s",
  ],
  MODES.map((m) => {
    const r = rows[m.key];
    return [
      m.label,
      s(r.map((x) => x.idleShare)),
      s(r.map((x) => x.busyShare)),
      `${pct(med(r.map((x) => x.app.idle.cpuShare)))} / ${pct(med(r.map((x) => x.app.busy.cpuShare)))}`,
      `${fmt(med(r.map((x) => x.app.idle.eldP99Ms)))} ms / ${fmt(med(r.map((x) => x.app.busy.eldP99Ms)))} ms`,
      fmt(med(r.map((x) => x.app.busy.callsPerSecond))),
    ];
  }),
);
const md = [
  "# Busy-polling: what it costs a co-hosted workload",
  "",
  environmentBlock(environment(), commandLine(), [
    `rounds: ${ROUNDS} (modes alternating; ${SECONDS} s idle then ${SECONDS} s with one call in flight; wall ${Math.round((Date.now() - t0) / 1000)} s)`,
    "libvirtd (test driver) pinned to CPU 0; the application and the workload share CPU 1",
    "workload columns: its throughput as a share of its throughput alone on the CPU, paired per round: median (min–max)",
    ...(distNote ? [distNote] : []),
  ]),
  "",
  table,
  "",
].join("\n");
process.stdout.write(table + "\n");
log("bench:busy-poll", `saved ${saveResult("busy-poll", md)}`);
