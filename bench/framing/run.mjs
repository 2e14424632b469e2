#!/usr/bin/env node
// Frame reassembly time per MiB by chunk size: FrameReader fed a 1 MiB frame in chunks of
// 1 B, 64 B, 4 KiB and 64 KiB, against the same frame in one chunk. The baseline is the frame's
// body in one chunk after its length word (one copy into the frame buffer); a frame that starts
// and ends within one chunk is returned as a view of it without any copy, shown for reference.
//
//   npm run bench:framing [-- --rounds N] [-- --seconds S]
//
// Every round runs one pinned process per chunk size, alternating; per round the ratio to the
// one-chunk time is computed (paired), and reported as median (min–max). Target (issue 12):
// linear in the bytes, i.e. the time per MiB does not grow with the number of chunks beyond a
// constant per chunk, and at 64 B chunks within 2× of one 1 MiB chunk. Before the fix, 100k
// one-byte chunks took 3.8 s (quadratic: one array shift per chunk).
import { join } from "node:path";
import {
  REPO_ROOT,
  commandLine,
  ensureDist,
  environment,
  environmentBlock,
  fmtNs,
  fmtRatio,
  lastJsonLine,
  log,
  mdTable,
  parseOptions,
  requireTaskset,
  runPinned,
  saveResult,
  summary,
} from "../lib/common.mjs";

const opts = parseOptions(
  process.argv.slice(2),
  { rounds: "number", seconds: "number" },
  "usage: node bench/framing/run.mjs [--rounds N] [--seconds S]",
);
const rounds = opts.rounds ?? 7;
const seconds = opts.seconds ?? 0.5;
requireTaskset();
const note = ensureDist("bench:framing");
const worker = join(REPO_ROOT, "bench", "framing", "worker.mjs");
/** Worker chunk size 0: the length word, then the rest of the frame in one chunk. */
const BASE = 0;
const ZERO_COPY = 1 << 20;
const SIZES = [1, 64, 4096, 65536];
const label = (n) =>
  n === BASE
    ? "one chunk after the length word (baseline: one copy)"
    : n >= 1 << 20
      ? `${n >> 20} MiB, whole frame in one chunk (a view, no copy)`
      : n >= 1024
        ? `${n >> 10} KiB`
        : `${n} B`;

const ALL = [BASE, ZERO_COPY, ...SIZES];
const ns = new Map(ALL.map((s) => [s, []]));
const ratio = new Map(ALL.map((s) => [s, []]));
const t0 = Date.now();
for (let r = 0; r < rounds; r++) {
  const round = new Map();
  for (const size of ALL) {
    const { stdout } = runPinned("node", [
      worker,
      String(size),
      String(seconds),
    ]);
    const res = lastJsonLine(stdout, `chunk ${size}`);
    round.set(size, res.nsPerMiB);
    ns.get(size).push(res.nsPerMiB);
  }
  for (const s of ALL) ratio.get(s).push(round.get(s) / round.get(BASE));
  log("bench:framing", `round ${r + 1}/${rounds} done`);
}

const target = (s, med) => (s === 64 ? (med <= 2 ? "≤2× ✅" : "≤2× ❌") : "");
const rows = ALL.map((s) => {
  const r = summary(ratio.get(s));
  return [
    label(s),
    fmtNs(summary(ns.get(s)).median),
    s === BASE ? "1×" : fmtRatio(r),
    target(s, r.median),
    s === BASE ? "2" : Math.ceil((1 << 20) / s).toLocaleString("en-US"),
  ];
});
const table = mdTable(
  [
    "chunk size",
    "time per MiB (median)",
    "÷ one chunk (paired)",
    "target",
    "chunks per MiB",
  ],
  rows,
);
const env = environment();
const md = [
  "# Frame reassembly: FrameReader time per MiB by chunk size",
  "",
  environmentBlock(env, commandLine(), [
    `rounds: ${rounds} (alternating, one pinned process per chunk size; ${seconds} s of repeated 1 MiB reassemblies each; wall ${Math.round((Date.now() - t0) / 1000)} s)`,
    ...(note ? [note] : []),
  ]),
  "",
  table,
  "",
].join("\n");
process.stdout.write(table + "\n");
log("bench:framing", `saved ${saveResult("framing", md)}`);
