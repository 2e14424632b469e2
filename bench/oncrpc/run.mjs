#!/usr/bin/env node
// ONC-RPC benchmark: DEMO_ECHO (onc_demo.x) calls per second between rpcgen-built C peers
// (libtirpc: svc_run server, clnttcp client) and the generated TypeScript client and server:
//
//   C client  → C server    the baseline
//   TS client → C server    our client
//   C client  → TS server   our server
//
// sequentially and with 8 calls in flight (the C client: 8 threads, a connection each, since a
// libtirpc CLIENT handle carries one call at a time; the TS client: 8 calls pipelined on one
// connection). Servers are pinned to CPU 0 and clients to CPU 1 (taskset); the pairs run
// alternately in every round and the ratios to the C pair are paired per round (median, min–max).
// Before the rounds, every pair runs once unrecorded (the TS server's JIT warms up; the TS client
// warms up in each run itself, by calls as well as time: see ts-peer.ts).
// Prints a Markdown table and writes bench/results/oncrpc.md.
//
//   npm run bench:oncrpc [-- --rounds 5 --seconds 2 --no-save]
import { spawn } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import {
  REPO_ROOT,
  commandLine,
  compileTs,
  environment,
  environmentBlock,
  fmt,
  fmtRatio,
  log,
  mdTable,
  parseOptions,
  saveResult,
  summary,
} from "../lib/common.mjs";
import { buildDemoPeers } from "../../test/support/oncrpc/build.mjs";

const opt = parseOptions(
  process.argv.slice(2),
  { rounds: "number", seconds: "number", "no-save": "boolean" },
  "usage: node bench/oncrpc/run.mjs [--rounds 5] [--seconds 2] [--no-save]",
);
const ROUNDS = opt.rounds ?? 5;
const SECONDS = opt.seconds ?? 2;
const SERVER_CPU = "0";
const CLIENT_CPU = "1";
const IN_FLIGHT = [1, 8];
const PROGRAM = 0x20000000 + Math.floor(Math.random() * 0x1fff0000);
const say = (m) => log("bench:oncrpc", m);
const fmtLoad = (l) => l.map((x) => x.toFixed(1)).join(" / ");
const LOAD_AT_START = loadavg();

function buildTs() {
  compileTs("bench/oncrpc/tsconfig.json");
  return join(
    REPO_ROOT,
    "bench",
    ".build",
    "oncrpc",
    "bench",
    "oncrpc",
    "ts-peer.js",
  );
}

/** Starts a server pinned to SERVER_CPU; resolves with its port and a stop function. */
function startServer(cmd, args) {
  const child = spawn("taskset", ["-c", SERVER_CPU, cmd, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (b) => {
      out += b;
      const m = /port (\d+)/.exec(out);
      if (m)
        resolve({
          port: Number(m[1]),
          stop: () =>
            new Promise((r) => {
              child.once("exit", r);
              child.kill("SIGTERM");
            }),
        });
    });
    child.once("exit", (code) =>
      reject(new Error(`${cmd} exited with ${code}`)),
    );
  });
}

/** Runs a client pinned to CLIENT_CPU; resolves with calls per second. */
function runClient(cmd, args, parse) {
  return new Promise((resolve, reject) => {
    const child = spawn("taskset", ["-c", CLIENT_CPU, cmd, ...args], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (b) => (out += b));
    child.once("exit", (code) =>
      code === 0
        ? resolve(parse(out))
        : reject(new Error(`${cmd} ${args.join(" ")}: exit ${code}`)),
    );
  });
}

const peers = await buildDemoPeers({ opt: "-O2" });
say(`C peers: ${peers.dir}`);
const tsPeer = buildTs();
const cServer = await startServer(peers.server, [`0x${PROGRAM.toString(16)}`]);
const tsServer = await startServer(process.execPath, [
  tsPeer,
  "server",
  String(PROGRAM),
]);
const SERVER_BUSY_POLL_MICROS = 100;
const tsServerBusy = await startServer(process.execPath, [
  tsPeer,
  "server",
  String(PROGRAM),
  String(SERVER_BUSY_POLL_MICROS),
]);
// The floor of any Node server (no XDR, no dispatch): how much of the gap is Node's own.
const bareServer = await startServer(process.execPath, [
  join(REPO_ROOT, "bench", "oncrpc", "bare-server.mjs"),
]);

const cClient = (port, n) =>
  runClient(
    peers.client,
    [
      "127.0.0.1",
      String(port),
      `0x${PROGRAM.toString(16)}`,
      "bench",
      String(SECONDS),
      String(n),
    ],
    (out) => {
      const m = /calls (\d+) seconds ([\d.]+)/.exec(out);
      if (!m) throw new Error(`C client printed: ${out}`);
      return Number(m[1]) / Number(m[2]);
    },
  );
const tsClient = (port, n, busyPollMs = 0) =>
  runClient(
    process.execPath,
    [
      tsPeer,
      "client",
      String(port),
      String(PROGRAM),
      String(n),
      String(SECONDS),
      String(busyPollMs),
    ],
    (out) => {
      const r = JSON.parse(out.trim().split("\n").at(-1));
      return r.calls / r.seconds;
    },
  );

const BUSY_POLL_MS = 0.2;
const pairs = [
  ["C client → C server", (n) => cClient(cServer.port, n)],
  ["TS client → C server", (n) => tsClient(cServer.port, n)],
  [
    `TS client (busyPollMs ${BUSY_POLL_MS}) → C server`,
    (n) => tsClient(cServer.port, n, BUSY_POLL_MS),
  ],
  ["C client → TS server", (n) => cClient(tsServer.port, n)],
  [
    `C client → TS server (busyPollMicros ${SERVER_BUSY_POLL_MICROS})`,
    (n) => cClient(tsServerBusy.port, n),
  ],
  ["C client → bare Node server", (n) => cClient(bareServer.port, n)],
  [
    "bare Node client → C server",
    (n) =>
      runClient(
        process.execPath,
        [
          join(REPO_ROOT, "bench", "oncrpc", "bare-client.mjs"),
          String(cServer.port),
          String(PROGRAM),
          String(n),
          String(SECONDS),
        ],
        (out) => {
          const r = JSON.parse(out.trim().split("\n").at(-1));
          return r.calls / r.seconds;
        },
      ),
  ],
];
/** results[n][pair] = calls/s per round */
const results = Object.fromEntries(
  IN_FLIGHT.map((n) => [n, pairs.map(() => [])]),
);
try {
  for (const n of IN_FLIGHT)
    for (const [name, run] of pairs) {
      const rate = await run(n);
      say(
        `warm-up, ${n} in flight, ${name}: ${fmt(rate)} calls/s (not recorded)`,
      );
    }
  for (let round = 1; round <= ROUNDS; round++) {
    for (const n of IN_FLIGHT) {
      for (const [i, [name, run]] of pairs.entries()) {
        const rate = await run(n);
        results[n][i].push(rate);
        say(
          `round ${round}/${ROUNDS}, ${n} in flight, ${name}: ${fmt(rate)} calls/s`,
        );
      }
    }
  }
} finally {
  await cServer.stop();
  await tsServer.stop();
  await tsServerBusy.stop();
  await bareServer.stop();
}

const rows = IN_FLIGHT.map((n) => {
  const [c, tsc, tscBusy, tss, tssBusy, bare, bareClient] = results[n];
  const ratio = (xs) => summary(xs.map((x, r) => x / c[r]));
  const rate = (xs) => `${fmt(summary(xs).median)}/s`;
  const mark = (s) => `${fmtRatio(s)} ${s.median >= 1 ? "✅" : "❌"}`;
  return [
    n === 1 ? "1 (sequential)" : String(n),
    rate(c),
    rate(tsc),
    rate(tscBusy),
    rate(tss),
    rate(tssBusy),
    mark(ratio(tsc)),
    mark(ratio(tscBusy)),
    mark(ratio(tss)),
    mark(ratio(tssBusy)),
    fmtRatio(ratio(bareClient)),
    fmtRatio(ratio(bare)),
  ];
});
const table = mdTable(
  [
    "calls in flight",
    "C client → C server",
    "TS client → C server",
    `TS client, busyPollMs ${BUSY_POLL_MS} → C server`,
    "C client → TS server",
    `C client → TS server, busyPollMicros ${SERVER_BUSY_POLL_MICROS}`,
    "TS client ÷ C pair",
    `TS client, busyPollMs ${BUSY_POLL_MS} ÷ C pair`,
    "TS server ÷ C pair",
    `TS server, busyPollMicros ${SERVER_BUSY_POLL_MICROS} ÷ C pair`,
    "bare Node client ÷ C pair (floor, not a target)",
    "bare Node server ÷ C pair (floor, not a target)",
  ],
  rows,
);
/** Says so when other work competed for the CPUs: these ratios then say little. */
function loadNote() {
  const busiest = Math.max(LOAD_AT_START[0], loadavg()[0]);
  if (busiest < cpus().length / 2) return [];
  return [
    `The machine was not idle: a 1-minute load average of up to ${busiest.toFixed(1)} on ${cpus().length} CPUs, ` +
      "from other work. Every process here waited for its CPU, the C pair's too, so absolute rates " +
      "are far below an idle machine's and rounds spread widely; rerun on an idle machine before " +
      "trusting the ratios.",
    "",
  ];
}

const env = environment();
const markdown = [
  "# ONC-RPC: generated TypeScript client and server against rpcgen's C (libtirpc)",
  "",
  environmentBlock(env, commandLine(), [
    `servers pinned to CPU ${SERVER_CPU}, clients to CPU ${CLIENT_CPU}; ${ROUNDS} rounds of ${SECONDS} s per cell, pairs alternating`,
    "call: DEMO_ECHO(int) of test/fixtures/oncrpc/onc_demo.x over TCP on 127.0.0.1; C built with gcc -O2",
    "8 in flight: the C client runs 8 threads with a connection each; the TS client pipelines 8 calls on one connection",
    `TS client: its defaults (no busy-polling), and with \`busyPollMs: ${BUSY_POLL_MS}\`; each run warms up for 300 ms and at least 5000 calls first; every pair runs once unrecorded before the rounds`,
    `TS server: its defaults (no busy-polling), and a second server with \`busyPollMicros: ${SERVER_BUSY_POLL_MICROS}\``,
    "bare Node client: bench/oncrpc/bare-client.mjs, the least a Node client can do per call (onread into one buffer, one write per call, canned calls, no XDR or bookkeeping); 8 in flight pipelined on one connection like the TS client",
    "bare Node server: bench/oncrpc/bare-server.mjs, the least a Node server can do per call (net.Server, one write per chunk, canned replies, no XDR or dispatch): the part of any gap that is Node's own",
    `machine load (load averages over 1 / 5 / 15 min, ${cpus().length} CPUs): ${fmtLoad(LOAD_AT_START)} at the start, ${fmtLoad(loadavg())} at the end`,
  ]),
  "",
  table,
  "",
  "Ratios are paired per round: median (min–max). Target: ≥ 1.0× the C pair.",
  "",
  ...loadNote(),
].join("\n");
console.log(table);
if (!opt.noSave) say(`saved ${saveResult("oncrpc", markdown)}`);
