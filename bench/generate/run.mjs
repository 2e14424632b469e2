#!/usr/bin/env node
// Full generation of remote_protocol.x: our CLI vs libvirt's own toolchain.
//
//   npm run bench:generate [-- --rounds N]
//   node bench/generate/run.mjs [--rounds N]        (default 12 rounds, ~6–12 s each)
//
// Per round, alternating, each a separate process pinned with `taskset -c 1`:
//   A  libvirt   sh bench/generate/libvirt-toolchain.sh — rpcgen -h/-c through
//                genprotocol.pl, gendispatch.pl --mode=client, server, aclheader,
//                aclbody, aclsym, debug — all on libvirt's remote_protocol.x,
//                run from the extracted Debian source (bench/.build/libvirt-9.0.0),
//                sequentially, as one timed unit
//   B  ours      node dist/cli.js generate protocol/libvirt-9.0.0/remote_protocol.x --out <fresh tmp dir>
//   C  ours (unchanged inputs)   the same command again, into B's already-generated dir
// With --baseline DIR (another checkout of virt-rpcgen with a built dist/, e.g. a git worktree
// of the commit before a change), each round also runs
//   D  before    DIR/dist/cli.js generate … into a fresh dir, and
//   E  before (unchanged inputs)
// so the README can show before and after measured side by side, in the same rounds.
// Wall time per process (spawn to exit). Ratios per round: B ÷ A, C ÷ A (and D ÷ A, E ÷ A).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import {
  REPO_ROOT,
  commandLine,
  die,
  ensureDist,
  ensureProtocolFiles,
  environment,
  environmentBlock,
  fmt,
  fmtMs,
  log,
  mdTable,
  parseOptions,
  requireTaskset,
  runPinned,
  saveResult,
  summary,
  watchDist,
} from "../lib/common.mjs";
import { ensureLibvirtSource } from "../lib/libvirt-source.mjs";

const USAGE =
  "usage: node bench/generate/run.mjs [--rounds N] [--baseline CHECKOUT_DIR]";
const opts = parseOptions(
  process.argv.slice(2),
  { rounds: "number", baseline: "string" },
  USAGE,
);
const ROUNDS = Math.floor(opts.rounds ?? 12);
const P = "bench:generate";

requireTaskset();
const distNote = ensureDist(P);
const distWatch = watchDist();
const protocolDir = ensureProtocolFiles(P);
let libvirtDir;
try {
  libvirtDir = ensureLibvirtSource((m) => log(P, m));
} catch (e) {
  die(e instanceof Error ? e.message : String(e));
}
const which = (cmd) =>
  spawnSync("sh", ["-c", `command -v ${cmd}`], {
    encoding: "utf8",
  }).stdout.trim();
const rpcgen = which("rpcgen");
if (!rpcgen) die("rpcgen not found (Debian: apt-get install rpcsvc-proto)");
if (!which("perl")) die("perl not found");
if (!which("cpp"))
  die(
    "cpp not found (rpcgen runs the C preprocessor; Debian: apt-get install cpp)",
  );

const X_OURS = join(protocolDir, "remote_protocol.x");
const X_LIBVIRT = join(libvirtDir, "src", "remote", "remote_protocol.x");
const sha = (p) => createHash("sha256").update(readFileSync(p)).digest("hex");
if (sha(X_OURS) !== sha(X_LIBVIRT))
  die(
    `${X_OURS} and ${X_LIBVIRT} differ; both sides must generate from the same file`,
  );

const rel = (p) => relative(REPO_ROOT, p);
const TOOLCHAIN = join(REPO_ROOT, "bench", "generate", "libvirt-toolchain.sh");
const CLI = join(REPO_ROOT, "dist", "cli.js");
const oursArgs = (out) => [CLI, "generate", rel(X_OURS), "--out", out];
const BASELINE = opts.baseline ? join(opts.baseline, "dist", "cli.js") : null;
if (BASELINE && !existsSync(BASELINE))
  die(`--baseline: ${BASELINE} not found (build that checkout first)`);
const baselineCommit = opts.baseline
  ? spawnSync("git", ["-C", opts.baseline, "log", "-1", "--format=%h %s"], {
      encoding: "utf8",
    }).stdout.trim()
  : "";
const baselineArgs = (out) => [BASELINE, "generate", X_OURS, "--out", out];

function listing(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push({ name: relative(dir, p), bytes: statSync(p).size });
    }
  };
  walk(dir);
  return out;
}

const times = { libvirt: [], ours: [], rerun: [], before: [], beforeRerun: [] };
/** Generator fingerprint (dist/ + inputs) seen by each round's fresh run. */
const generators = [];
/**
 * Rounds whose re-run was not an unchanged-inputs run: the generator's
 * fingerprint in <out>/.virt-rpcgen-stamp.json changed between B and C (someone
 * rebuilt dist/ meanwhile), or it still wrote files. Left out of the re-run stats.
 */
const rerunInvalid = [];
const written = (say) => Number(/(\d+) written/.exec(say)?.[1] ?? NaN);
const fingerprint = (dir) => {
  try {
    return (
      JSON.parse(readFileSync(join(dir, ".virt-rpcgen-stamp.json"), "utf8"))
        .fingerprint ?? null
    );
  } catch {
    return null;
  }
};
let last = null;
const t0 = Date.now();
for (let round = 0; round < ROUNDS; round++) {
  const lvOut = mkdtempSync(join(tmpdir(), "bench-generate-libvirt-"));
  const ourOut = mkdtempSync(join(tmpdir(), "bench-generate-ours-"));
  try {
    const a = runPinned("sh", [TOOLCHAIN, libvirtDir, lvOut, rpcgen]);
    const b = runPinned(process.execPath, oursArgs(ourOut));
    const fpB = fingerprint(ourOut);
    generators.push(fpB);
    const c = runPinned(process.execPath, oursArgs(ourOut));
    const fpC = fingerprint(ourOut);
    times.libvirt.push(a.ms);
    times.ours.push(b.ms);
    if (BASELINE) {
      const beforeOut = mkdtempSync(join(tmpdir(), "bench-generate-before-"));
      try {
        times.before.push(
          runPinned(process.execPath, baselineArgs(beforeOut)).ms,
        );
        times.beforeRerun.push(
          runPinned(process.execPath, baselineArgs(beforeOut)).ms,
        );
      } finally {
        rmSync(beforeOut, { recursive: true, force: true });
      }
    }
    const wrote = written(c.stdout + c.stderr);
    if (fpB !== fpC || wrote > 0) {
      rerunInvalid.push(
        `round ${round + 1} (${fpB !== fpC ? "generator fingerprint changed" : `${wrote} files written`}, ${fmtMs(c.ms)})`,
      );
      times.rerun.push(NaN);
    } else {
      times.rerun.push(c.ms);
    }
    log(
      P,
      `round ${round + 1}/${ROUNDS}: libvirt ${fmtMs(a.ms)}, ours ${fmtMs(b.ms)}, ours unchanged re-run ${fmtMs(c.ms)}${fpB !== fpC ? " (generator changed meanwhile: left out)" : ""}${BASELINE ? `, before ${fmtMs(times.before.at(-1))} / ${fmtMs(times.beforeRerun.at(-1))}` : ""}`,
    );
    if (round === ROUNDS - 1) {
      last = {
        libvirt: listing(lvOut).filter((f) => f.name !== "stderr.log"),
        ours: listing(ourOut),
        oursSay: (b.stdout + b.stderr).trim(),
        rerunSay: (c.stdout + c.stderr).trim(),
      };
    }
  } finally {
    rmSync(lvOut, { recursive: true, force: true });
    rmSync(ourOut, { recursive: true, force: true });
  }
}
const elapsed = (Date.now() - t0) / 1000;

const valid = (xs) => xs.filter((x) => !Number.isNaN(x));
if (valid(times.rerun).length === 0)
  die(`no valid unchanged-inputs re-run: ${rerunInvalid.join("; ")}`);
const s = {
  libvirt: summary(times.libvirt),
  ours: summary(times.ours),
  rerun: summary(valid(times.rerun)),
  oursRatio: summary(times.ours.map((x, i) => x / times.libvirt[i])),
  rerunRatio: summary(valid(times.rerun.map((x, i) => x / times.libvirt[i]))),
};
const beforeRows = BASELINE
  ? [
      ["before", times.before, "into a fresh dir"],
      ["before", times.beforeRerun, "again, unchanged inputs"],
    ].map(([, xs, what]) => {
      const t = summary(xs);
      const r = summary(xs.map((x, i) => x / times.libvirt[i]));
      return [
        `before (${baselineCommit.split(" ")[0]}): \`generate\` ${what}`,
        fmtMs(t.median),
        `${fmtMs(t.min)}–${fmtMs(t.max)}`,
        ratioCellOf(r),
      ];
    })
  : [];

function generatorNote() {
  const distinct = [...new Set(generators)];
  if (distinct.length <= 1)
    return "1 (dist/ and inputs unchanged during the run)";
  const changes = generators.flatMap((g, i) =>
    i > 0 && g !== generators[i - 1] ? [i + 1] : [],
  );
  return `${distinct.length} — dist/ or the inputs changed during the run (before round ${changes.join(", ")}); re-run the benchmark on a quiet tree`;
}

function ratioCellOf(r) {
  return `**${fmt(r.median)}×** (${fmt(r.min)}–${fmt(r.max)})`;
}
const ratioCell = ratioCellOf;
const table = mdTable(
  [
    "run (one process per round, pinned)",
    "median wall",
    "min–max",
    "ratio to libvirt toolchain (time ÷ time), median (min–max)",
  ],
  [
    [
      "libvirt toolchain: genprotocol.pl -h, -c + gendispatch.pl ×6 (sequential)",
      fmtMs(s.libvirt.median),
      `${fmtMs(s.libvirt.min)}–${fmtMs(s.libvirt.max)}`,
      "1×",
    ],
    [
      "ours: `generate` into a fresh dir",
      fmtMs(s.ours.median),
      `${fmtMs(s.ours.min)}–${fmtMs(s.ours.max)}`,
      ratioCell(s.oursRatio),
    ],
    [
      `ours: \`generate\` again, unchanged inputs (already-generated dir)${rerunInvalid.length ? `, ${s.rerun.n} of ${ROUNDS} rounds` : ""}`,
      fmtMs(s.rerun.median),
      `${fmtMs(s.rerun.min)}–${fmtMs(s.rerun.max)}`,
      ratioCell(s.rerunRatio),
    ],
    ...beforeRows,
  ],
);

const files = (list) =>
  list.map((f) => `\`${f.name}\` (${fmt(f.bytes / 1024)} KiB)`).join(", ") +
  ` — ${list.length} files, ${fmt(list.reduce((a, f) => a + f.bytes, 0) / 1024)} KiB`;

const distChanged = distWatch.check();
if (distChanged) log(P, distChanged);
const env = environment();
const rpcgenVersion = spawnSync(rpcgen, ["--version"], { encoding: "utf8" });
const perlVersion =
  /\(v([\d.]+)\)/.exec(
    spawnSync("perl", ["--version"], { encoding: "utf8" }).stdout,
  )?.[1] ?? "?";
const md = `# Generation of remote_protocol.x: virt-rpcgen CLI vs libvirt's toolchain

${environmentBlock(env, commandLine(), [
  `rounds: ${ROUNDS} (alternating A libvirt, B ours fresh, C ours unchanged${BASELINE ? ", D before fresh, E before unchanged" : ""}; wall ${fmt(elapsed)} s)`,
  ...(BASELINE
    ? [
        `before: the same command with the generator of commit ${baselineCommit} (a separate checkout, \`--baseline\`)`,
      ]
    : []),
  `ours: \`node dist/cli.js generate ${rel(X_OURS)} --out <fresh tmp dir>\` (C: the same command again into that dir)`,
  `libvirt: \`sh bench/generate/libvirt-toolchain.sh ${rel(libvirtDir)} <fresh tmp dir> ${rpcgen}\` (${(rpcgenVersion.stdout || rpcgenVersion.stderr).trim().split("\n")[0] || "rpcgen ?"}, perl ${perlVersion}); same remote_protocol.x (sha256 checked)`,
  `libvirt ${readFileSync(join(libvirtDir, "SOURCE"), "utf8").split("\n")[0]}`,
  ...(distNote ? [distNote] : []),
  ...(distChanged ? [distChanged] : []),
])}

Wall time of each process from spawn to exit (includes node / perl / rpcgen + cpp start-up). Ratios are per round (paired), median (min–max); >1 means ours takes longer.

${table}

Outputs of the last round:
- libvirt: ${last ? files(last.libvirt) : "?"}
- ours: ${last ? files(last.ours) : "?"}
- ours said: \`${last?.oursSay ?? ""}\`; unchanged re-run said: \`${last?.rerunSay ?? ""}\`
- re-runs left out (not an unchanged-inputs run): ${rerunInvalid.length ? rerunInvalid.join(", ") : "none"}
- generator versions measured: ${generatorNote()}
`;

process.stdout.write("\n" + md);
const path = saveResult("generate", md);
log(P, `saved ${rel(path)}`);
