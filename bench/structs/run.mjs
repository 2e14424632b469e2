#!/usr/bin/env node
// `virt-rpcgen structs remote_protocol.x` from a cold process, plus an
// in-process breakdown (import, parse, resolve, emit).
//
//   npm run bench:structs [-- --rounds N]
//   node bench/structs/run.mjs [--rounds N]         (default 15 rounds, ≥10 enforced; ~3 s each)
//
// Per round, alternating, each a separate process pinned with `taskset -c 1`:
//   A  node dist/cli.js structs protocol/libvirt-9.0.0/remote_protocol.x > /dev/null
//   B  node -e 0                               (bare node start-up, for orientation)
//   C  node bench/structs/breakdown.mjs protocol/libvirt-9.0.0/remote_protocol.x
// Reported: medians (min–max) of A's wall time, of A − B (paired per round: what
// the CLI costs beyond starting node) and of the breakdown phases. Target: A well under 1 s.
import { join, relative } from "node:path";
import {
  REPO_ROOT,
  commandLine,
  ensureDist,
  ensureProtocolFiles,
  environment,
  environmentBlock,
  fmt,
  fmtMs,
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

const USAGE = "usage: node bench/structs/run.mjs [--rounds N]   (N >= 10)";
const opts = parseOptions(process.argv.slice(2), { rounds: "number" }, USAGE);
const ROUNDS = Math.max(10, Math.floor(opts.rounds ?? 15));
const P = "bench:structs";

requireTaskset();
const distNote = ensureDist(P);
const distWatch = watchDist();
const protocolDir = ensureProtocolFiles(P);
const X = relative(REPO_ROOT, join(protocolDir, "remote_protocol.x"));
const CLI = join(REPO_ROOT, "dist", "cli.js");
const BREAKDOWN = join(REPO_ROOT, "bench", "structs", "breakdown.mjs");

const cli = [];
const bare = [];
const breakdowns = [];
const t0 = Date.now();
for (let round = 0; round < ROUNDS; round++) {
  const a = runPinned(process.execPath, [CLI, "structs", X], {
    stdout: "ignore",
  });
  const b = runPinned(process.execPath, ["-e", "0"]);
  const c = runPinned(process.execPath, [BREAKDOWN, X]);
  const j = lastJsonLine(c.stdout, "breakdown.mjs");
  cli.push(a.ms);
  bare.push(b.ms);
  breakdowns.push(j);
  log(
    P,
    `round ${round + 1}/${ROUNDS}: cli ${fmtMs(a.ms)}, node -e 0 ${fmtMs(b.ms)}; in-process cold parse ${fmtMs(j.cold.parse)} ` +
      `resolve ${fmtMs(j.cold.resolve)} emit ${fmtMs(j.cold.emit)}`,
  );
}
const elapsed = (Date.now() - t0) / 1000;

const sCli = summary(cli);
const sBare = summary(bare);
const sOver = summary(cli.map((x, i) => x - bare[i]));
const range = (s) => `${fmtMs(s.min)}–${fmtMs(s.max)}`;
const verdict =
  sCli.median < 1000
    ? `✅ under 1 s (${fmt(sCli.median / 1000)} s)`
    : `❌ not under 1 s (${fmt(sCli.median / 1000)} s)`;

const cold = mdTable(
  ["cold process (wall, spawn to exit)", "median", "min–max"],
  [
    [
      `\`node dist/cli.js structs ${X} > /dev/null\``,
      `**${fmtMs(sCli.median)}**`,
      range(sCli),
    ],
    ["`node -e 0` (bare start-up)", fmtMs(sBare.median), range(sBare)],
    [
      "CLI − bare start-up (paired per round)",
      fmtMs(sOver.median),
      range(sOver),
    ],
  ],
);

const phase = (get) => summary(breakdowns.map(get));
const row = (name, s, note = "") => [name, fmtMs(s.median), range(s), note];
const mode = breakdowns.every((b) => b.resolveMode === "direct")
  ? "direct"
  : "derived";
const light = breakdowns.every((b) => typeof b.importLightMs === "number");
const inProc = mdTable(
  ["phase (in one fresh process)", "cold: median", "cold: min–max", "note"],
  [
    ...(light
      ? [
          row(
            "import parser + model + emit/structs modules",
            phase((b) => b.importLightMs),
            "≈ what `structs` loads",
          ),
        ]
      : []),
    row(
      light ? "import the rest of dist/index.js" : "import dist/index.js",
      phase((b) => b.importRestMs),
      "programmatic API also loads the generate side",
    ),
    row(
      "parse: `parseXdrFile`",
      phase((b) => b.cold.parse),
      "first call",
    ),
    row(
      "resolve",
      phase((b) => b.cold.resolve),
      mode === "direct"
        ? "`resolveProtocol` (what `loadProtocol` does after parsing)"
        : "≈ `loadProtocol` − `parseXdrFile`",
    ),
    row(
      "emit: `emitStructsListing`",
      phase((b) => b.cold.emit),
      "first call",
    ),
  ],
  ["l", "r", "r", "l"],
);
const warmN = breakdowns[0].warmIterations;
const warm = mdTable(
  [
    `warm (median of ${warmN} further iterations in the same process)`,
    "median over rounds",
    "min–max",
  ],
  [
    ["parse", phase((b) => b.warm.parse)],
    ["resolve", phase((b) => b.warm.resolve)],
    ["emit", phase((b) => b.warm.emit)],
    [
      "`loadProtocol` + `emitStructsListing` (the CLI path)",
      phase((b) => b.warm.loadProtocolPlusEmit),
    ],
  ].map(([n, s]) => [n, fmtMs(s.median), range(s)]),
);

const distChanged = distWatch.check();
if (distChanged) log(P, distChanged);
const env = environment();
const md = `# \`virt-rpcgen structs\` on remote_protocol.x

${environmentBlock(env, commandLine(), [
  `rounds: ${ROUNDS} (alternating: CLI, \`node -e 0\`, in-process breakdown; one pinned process each; wall ${fmt(elapsed)} s)`,
  `listing: ${breakdowns[0].listingLines} lines, ${breakdowns[0].listingBytes} bytes`,
  ...(distNote ? [distNote] : []),
  ...(distChanged ? [distChanged] : []),
])}

Target: the cold CLI run well under a second — ${verdict}.

${cold}

In-process breakdown via the programmatic API (\`bench/structs/breakdown.mjs\`, \`import … from 'dist/index.js'\`), medians over rounds:

${inProc}

${warm}
`;

process.stdout.write("\n" + md);
const path = saveResult("structs", md);
log(P, `saved ${relative(REPO_ROOT, path)}`);
