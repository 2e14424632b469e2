#!/usr/bin/env node
// Codec speed: our generated codecs vs @stellar/js-xdr 4.0.0 vs libvirt's rpcgen C codecs.
//
//   npm run bench:codec [-- --rounds N] [-- --seconds S]
//   node bench/codec/run.mjs [--rounds N] [--seconds S]
//
//   --rounds N   alternating rounds (default 15; ~7.5 s per round at the default S)
//   --seconds S  duration of each timed phase in every process (default 0.5)
//
// Messages (bench/codec/payload.mjs):
//   big   remote_connect_get_all_domain_stats_ret, 200 domains × 60 typed params (~450 KB)
//   tiny  remote_domain_migrate_start_post_copy_args
// Before timing, the XDR bytes of each message are produced with our codecs,
// and checked to be byte-identical to js-xdr's encoding of the same value
// (and to decode→encode round trips of both); the C program is fed the same bytes.
//
// Every round runs, each as its own process pinned with `taskset -c 1`:
//   big:  ours, js-xdr, C    tiny: ours, js-xdr, C
// and each process times decode then encode (see worker.mjs / bench/c/codec-bench.c).
// Per round and cell: speed vs C = C ns/op ÷ our ns/op (>1: faster than C),
// vs js-xdr = js-xdr ns/op ÷ our ns/op. Reported: median and min–max over rounds.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import {
  BUILD_DIR,
  REPO_ROOT,
  commandLine,
  ensureDist,
  ensureGeneratedBuild,
  ensureProtocolFiles,
  environment,
  environmentBlock,
  fmt,
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
  watchDist,
} from "../lib/common.mjs";

const USAGE = "usage: node bench/codec/run.mjs [--rounds N] [--seconds S]";
const opts = parseOptions(
  process.argv.slice(2),
  { rounds: "number", seconds: "number" },
  USAGE,
);
const ROUNDS = Math.floor(opts.rounds ?? 15);
const SECONDS = opts.seconds ?? 0.5;
const P = "bench:codec";

const TARGETS = {
  // cell: [min speed vs C, min speed vs js-xdr]
  "decode big": [0.5, 10],
  "encode big": [0.5, 10],
  "decode tiny": [0.5, 2],
  "encode tiny": [0.5, 10],
};

requireTaskset();
const distNote = ensureDist(P);
const distWatch = watchDist();
ensureGeneratedBuild(P);
ensureProtocolFiles(P); // the C reference is built from protocol/libvirt-9.0.0/*.x

const { MESSAGES, message } = await import("./payload.mjs");
const { jsXdrMessage } = await import("./jsxdr-schema.mjs");
const codecs = await import("../.build/generated/remote_protocol/codecs.js");
const { encodeToBytes, decodeFromBytes } = await import("virt-rpcgen/runtime");
const { buildCodecBench } = await import("../c/build.mjs");

log(P, "building the rpcgen C reference (bench/c/build.mjs)");
const cExe = await buildCodecBench();

// ---------------------------------------------------------------------------
// Payloads and the byte-identity checks

const WORK = join(BUILD_DIR, "codec");
mkdirSync(WORK, { recursive: true });
const payloads = {};
for (const which of Object.keys(MESSAGES)) {
  const { type } = MESSAGES[which];
  const codec = codecs[`xdr_${type}`];
  const value = message(which);
  const ours = encodeToBytes(codec, value);
  const js = jsXdrMessage(which, value);
  const theirs = js.type.toXDR(js.value);
  const check = (what, bytes) => {
    if (Buffer.compare(Buffer.from(bytes), Buffer.from(ours)) !== 0) {
      throw new Error(
        `${which} (${type}): ${what} is not byte-identical to our encoding (${bytes.length} vs ${ours.length} bytes)`,
      );
    }
  };
  check("js-xdr's encoding", theirs);
  check(
    "js-xdr decode→encode",
    js.type.toXDR(js.type.fromXDR(Buffer.from(ours))),
  );
  check(
    "our decode→encode",
    encodeToBytes(codec, decodeFromBytes(codec, ours)),
  );
  const file = join(WORK, `${which}.bin`);
  writeFileSync(file, ours);
  payloads[which] = { type, file, bytes: ours.length };
  log(
    P,
    `${which}: ${type}, ${ours.length} bytes of XDR; js-xdr encoding byte-identical`,
  );
}

// ---------------------------------------------------------------------------
// Alternating pinned rounds

const IMPLS = ["ours", "jsxdr", "c"];
const rel = (p) => relative(REPO_ROOT, p);

function runOne(impl, which) {
  const { type, file } = payloads[which];
  if (impl === "c") {
    const r = runPinned(cExe, [type, file, "--seconds", String(SECONDS)]);
    const j = lastJsonLine(r.stdout, `codec-bench ${type}`);
    if (j.roundTripIdentical !== true)
      throw new Error(`codec-bench ${type}: round trip not identical`);
    return j;
  }
  const r = runPinned(process.execPath, [
    join(REPO_ROOT, "bench", "codec", "worker.mjs"),
    "--impl",
    impl,
    "--message",
    which,
    "--bytes",
    file,
    "--seconds",
    String(SECONDS),
  ]);
  return lastJsonLine(r.stdout, `worker ${impl} ${which}`);
}

/** results[round][which][impl] = {decodeNsPerOp, encodeNsPerOp} */
const results = [];
const t0 = Date.now();
for (let round = 0; round < ROUNDS; round++) {
  const r = {};
  for (const which of Object.keys(MESSAGES)) {
    r[which] = {};
    for (const impl of IMPLS) r[which][impl] = runOne(impl, which);
  }
  results.push(r);
  const b = r.big;
  const t = r.tiny;
  log(
    P,
    `round ${round + 1}/${ROUNDS}: big dec/enc µs ours ${fmt(b.ours.decodeNsPerOp / 1e3)}/${fmt(b.ours.encodeNsPerOp / 1e3)} ` +
      `js-xdr ${fmt(b.jsxdr.decodeNsPerOp / 1e3)}/${fmt(b.jsxdr.encodeNsPerOp / 1e3)} C ${fmt(b.c.decodeNsPerOp / 1e3)}/${fmt(b.c.encodeNsPerOp / 1e3)}; ` +
      `tiny dec/enc ns ours ${fmt(t.ours.decodeNsPerOp)}/${fmt(t.ours.encodeNsPerOp)} ` +
      `js-xdr ${fmt(t.jsxdr.decodeNsPerOp)}/${fmt(t.jsxdr.encodeNsPerOp)} C ${fmt(t.c.decodeNsPerOp)}/${fmt(t.c.encodeNsPerOp)}`,
  );
}
const elapsed = (Date.now() - t0) / 1000;

// ---------------------------------------------------------------------------
// Report

const cells = [];
for (const op of ["decode", "encode"]) {
  for (const which of ["big", "tiny"]) {
    const key = `${op}NsPerOp`;
    const ns = (impl) => results.map((r) => r[which][impl][key]);
    const ours = ns("ours");
    const js = ns("jsxdr");
    const c = ns("c");
    cells.push({
      name: `${op} ${which}`,
      ours: summary(ours),
      jsxdr: summary(js),
      c: summary(c),
      vsC: summary(c.map((x, i) => x / ours[i])),
      vsJs: summary(js.map((x, i) => x / ours[i])),
      target: TARGETS[`${op} ${which}`],
    });
  }
}

const verdict = (s, min) => (s.median >= min ? `≥${min}× ✅` : `≥${min}× ❌`);
const table = mdTable(
  [
    "cell",
    "ours",
    "js-xdr 4.0.0",
    "rpcgen C",
    "ours vs C speed (C ÷ ours)",
    "target",
    "ours vs js-xdr (js-xdr ÷ ours)",
    "target",
  ],
  cells.map((x) => [
    x.name,
    fmtNs(x.ours.median),
    fmtNs(x.jsxdr.median),
    fmtNs(x.c.median),
    fmtRatio(x.vsC),
    verdict(x.vsC, x.target[0]),
    fmtRatio(x.vsJs),
    verdict(x.vsJs, x.target[1]),
  ]),
  ["l", "r", "r", "r", "r", "c", "r", "c"],
);

const spread = mdTable(
  ["cell", "ours min–max", "js-xdr min–max", "C min–max"],
  cells.map((x) => [
    x.name,
    `${fmtNs(x.ours.min)}–${fmtNs(x.ours.max)}`,
    `${fmtNs(x.jsxdr.min)}–${fmtNs(x.jsxdr.max)}`,
    `${fmtNs(x.c.min)}–${fmtNs(x.c.max)}`,
  ]),
);

const distChanged = distWatch.check();
if (distChanged) log(P, distChanged);
const env = environment();
const md = `# Codec speed: generated TS codecs vs @stellar/js-xdr vs rpcgen C

${environmentBlock(env, commandLine(), [
  `rounds: ${ROUNDS} (alternating, one pinned process per implementation and message; ${SECONDS} s per timed phase; wall ${fmt(elapsed)} s)`,
  `big: \`${payloads.big.type}\`, 200 domains × 60 typed params, **${payloads.big.bytes} bytes** of XDR`,
  `tiny: \`${payloads.tiny.type}\`, **${payloads.tiny.bytes} bytes** of XDR`,
  `js-xdr's encoding of both messages verified byte-identical to ours before timing; C and both JS workers are fed / must reproduce the same bytes (\`${rel(WORK)}/*.bin\`)`,
  `C: \`${rel(cExe)}\` (rpcgen + libtirpc, -O2)`,
  ...(distNote ? [distNote] : []),
  ...(distChanged ? [distChanged] : []),
])}

Medians of ns/op per implementation; ratios are computed per round (paired) and shown as **median** (min–max).
"ours vs C speed" = C time ÷ our time (>1 means faster than C); "ours vs js-xdr" = js-xdr time ÷ our time.
Targets are judged on the median.

${table}

Spread of the absolute numbers over the rounds:

${spread}

What one op is:
- decode — ours: \`decodeFromBytes(codec, bytes)\`; js-xdr: \`Type.fromXDR(buffer)\` (strings stay \`Buffer\`s, ours makes JS strings); C: \`memset + xdrmem_create + xdr_<type> + xdr_free\`.
- encode — ours: one reused \`XdrWriter\`: \`w.reset(); codec.encode(w, v); w.finish()\`; js-xdr: \`Type.write(v, new XdrWriter(preallocatedBuffer))\` + \`finalize()\` (its cheapest public path; \`toXDR()\` would allocate per call); C: \`xdrmem_create\` on a preallocated buffer + \`xdr_<type>\` of a decoded value.
- JS values to encode are built by application-style code from plain data (JS strings, bigints, Uint8Array/Buffer uuids).
- Each phase: warm-up (10% of the phase, ≤0.25 s), then doubling batches until the phase time has elapsed (the same schedule in C and JS).
`;

process.stdout.write("\n" + md);
const path = saveResult("codec", md);
log(P, `saved ${rel(path)}`);
