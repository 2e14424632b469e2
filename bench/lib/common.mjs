// Shared helpers of the benchmarks under bench/ (peers and libvirtd: processes.mjs, libvirtd.mjs).
//
// Plain Node ESM, no dependencies. Conventions every benchmark follows:
//   * every measured process is pinned: `taskset -c 1 <cmd>` (see runPinned)
//   * implementations run ALTERNATING, one process each (A, B, C, A, B, C, …);
//     a ratio is computed per round and reported as median and min–max
//   * results are printed as a markdown table and saved to bench/results/<name>.md
//     with date, node version, CPU model and the exact command
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
  renameSync,
} from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root (bench/lib -> ../..). */
export const REPO_ROOT = resolve(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
);
/** Scratch space of the benchmarks (git-ignored). */
export const BUILD_DIR = join(REPO_ROOT, "bench", ".build");
export const RESULTS_DIR = join(REPO_ROOT, "bench", "results");
/** The CPU every measured process is pinned to. */
export const PIN_CPU = "1";

// ---------------------------------------------------------------------------
// Command line

/**
 * Parse `--rounds N` (and other `--name value` / `--flag` options).
 * @param {string[]} argv
 * @param {Record<string, 'number'|'string'|'boolean'>} spec
 * @param {string} usage
 */
export function parseOptions(argv, spec, usage) {
  /** @type {Record<string, any>} */
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    const name = m?.[1];
    if (!m || name === "help" || !(name in spec)) {
      process.stderr.write(usage.endsWith("\n") ? usage : usage + "\n");
      process.exit(name === "help" ? 0 : 2);
    }
    const kind = spec[name];
    const key = name.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (kind === "boolean") {
      out[key] = true;
      continue;
    }
    const raw = m[2] ?? argv[++i];
    if (raw === undefined) {
      process.stderr.write(`--${name} needs a value\n${usage}\n`);
      process.exit(2);
    }
    if (kind === "number") {
      const n = Number(raw);
      if (!Number.isFinite(n) || n <= 0) {
        process.stderr.write(
          `--${name}: expected a positive number, got '${raw}'\n`,
        );
        process.exit(2);
      }
      out[key] = n;
    } else {
      out[key] = raw;
    }
  }
  return out;
}

/** The exact command line this process was started with, relative to the repo root. */
export function commandLine() {
  const script = relative(REPO_ROOT, process.argv[1] ?? "");
  const npmScript = process.env.npm_lifecycle_event;
  const direct = ["node", script, ...process.argv.slice(2)].join(" ");
  if (npmScript && npmScript.startsWith("bench:")) {
    const extra = process.argv.slice(2);
    return `npm run ${npmScript}${extra.length ? " -- " + extra.join(" ") : ""}   (= ${direct})`;
  }
  return direct;
}

// ---------------------------------------------------------------------------
// Running pinned processes

/** Check that `taskset` exists; exit with a hint otherwise. */
export function requireTaskset() {
  const r = spawnSync("taskset", ["-c", PIN_CPU, "true"]);
  if (r.error || r.status !== 0) {
    die(
      `taskset -c ${PIN_CPU} does not work (${r.error?.message ?? r.stderr}); install util-linux / check CPU ${PIN_CPU} exists`,
    );
  }
}

/**
 * Run `cmd args…` pinned to CPU 1 (`taskset -c 1`), wait for it, measure wall time.
 * Throws on a non-zero exit status.
 * @param {string} cmd
 * @param {string[]} args
 * @param {{cwd?: string, env?: Record<string,string>, stdout?: 'pipe'|'ignore', input?: string}} [opts]
 * @returns {{ms: number, stdout: string, stderr: string}}
 */
export function runPinned(cmd, args, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync("taskset", ["-c", PIN_CPU, cmd, ...args], {
    cwd: opts.cwd ?? REPO_ROOT,
    env: { ...process.env, ...(opts.env ?? {}) },
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    stdio: ["ignore", opts.stdout ?? "pipe", "pipe"],
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) {
    throw new Error(
      `pinned run failed (exit ${r.status ?? r.signal}): ${[cmd, ...args].join(" ")}\n${(r.stderr ?? "").trim()}`,
    );
  }
  return { ms, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/** Fraction of CPU time not idle over `ms`, all CPUs (from /proc/stat). */
export function busyFraction(ms) {
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

/**
 * This machine may be shared: `wait()` before each run waits (up to `maxMs`, checking every
 * `pauseMs`) until the CPUs are at least 90% idle, so other people's work does not land in one
 * implementation's run only. `waitedMs` is the time spent waiting so far.
 */
export function idleWaiter(maxMs, pauseMs) {
  const waiter = {
    waitedMs: 0,
    wait() {
      const t0 = Date.now();
      while (busyFraction(300) > 0.1 && Date.now() - t0 < maxMs)
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pauseMs);
      waiter.waitedMs += Date.now() - t0;
    },
  };
  return waiter;
}

/** Parse the last JSON line a benchmark process printed. */
export function lastJsonLine(stdout, what) {
  const line = stdout.trim().split("\n").filter(Boolean).at(-1);
  try {
    return JSON.parse(line ?? "");
  } catch {
    throw new Error(
      `${what}: expected a JSON line on stdout, got: ${stdout.slice(0, 500)}`,
    );
  }
}

// ---------------------------------------------------------------------------
// Statistics and formatting

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** {median, min, max} of a list. */
export function summary(xs) {
  return {
    median: median(xs),
    min: Math.min(...xs),
    max: Math.max(...xs),
    n: xs.length,
  };
}

/** Number with ~3 significant digits (but never in exponent notation). */
export function fmt(x, digits = 3) {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 10 ** digits) return Math.round(x).toLocaleString("en-US");
  return Number(x.toPrecision(digits)).toString();
}

/** "1.23× (0.98–1.41)" from a ratio summary. */
export function fmtRatio(s) {
  return `**${fmt(s.median)}×** (${fmt(s.min)}–${fmt(s.max)})`;
}

/** Nanoseconds in a readable unit. */
export function fmtNs(ns) {
  if (ns >= 1e9) return `${fmt(ns / 1e9)} s`;
  if (ns >= 1e6) return `${fmt(ns / 1e6)} ms`;
  if (ns >= 1e3) return `${fmt(ns / 1e3)} µs`;
  return `${fmt(ns)} ns`;
}

/** Milliseconds in a readable unit. */
export function fmtMs(ms) {
  return fmtNs(ms * 1e6);
}

/** A markdown table. */
export function mdTable(header, rows, align) {
  const al = align ?? header.map((_, i) => (i === 0 ? "l" : "r"));
  const sep = al.map((a) =>
    a === "r" ? "---:" : a === "c" ? ":---:" : ":---",
  );
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(header), line(sep), ...rows.map(line)].join("\n");
}

// ---------------------------------------------------------------------------
// Environment and results

export function cpuModel() {
  try {
    const text = readFileSync("/proc/cpuinfo", "utf8");
    return /^model name\s*:\s*(.+)$/m.exec(text)?.[1]?.trim() ?? "unknown";
  } catch {
    return "unknown (no /proc/cpuinfo)";
  }
}

export function environment() {
  let cpus = "?";
  try {
    cpus = String(
      readFileSync("/proc/cpuinfo", "utf8").match(/^processor\s*:/gm)?.length ??
        "?",
    );
  } catch {
    // Not Linux: the CPU count stays unknown.
  }
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpuModel(),
    cpus,
  };
}

/** Header lines (markdown) for a results file. */
export function environmentBlock(env, command, extra = []) {
  return [
    `- date: ${env.date}`,
    `- node: ${env.node}`,
    `- CPU: ${env.cpu} (${env.cpus} logical CPUs; every measured process pinned with \`taskset -c ${PIN_CPU}\`)`,
    `- command: \`${command}\``,
    ...extra.map((l) => `- ${l}`),
  ].join("\n");
}

/** Write bench/results/<name>.md atomically; returns its path. */
export function saveResult(name, markdown) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}.md`);
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, markdown.endsWith("\n") ? markdown : markdown + "\n");
  renameSync(tmp, path);
  return path;
}

export function log(prefix, message) {
  process.stderr.write(`${prefix}: ${message}\n`);
}

export function die(message) {
  process.stderr.write(`error: ${message}\n`);
  process.exit(1);
}

// ---------------------------------------------------------------------------
// Builds the benchmarks depend on

/** Newest mtime (ms) of the files under `dir` whose name matches `re`. */
export function newestMtime(dir, re = /./) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (re.test(e.name)) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  walk(dir);
  return newest;
}

/** mtime (ms) of `p`, 0 when it does not exist. */
export function mtime(p) {
  return existsSync(p) ? statSync(p).mtimeMs : 0;
}

/** Runs `tsc -p <tsconfig>` (a path relative to the repository root); exits when it fails. */
export function compileTs(tsconfig) {
  const tsc = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
  const r = spawnSync(
    process.execPath,
    [tsc, "-p", join(REPO_ROOT, tsconfig)],
    { cwd: REPO_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
  if (r.status !== 0)
    die(`tsc -p ${tsconfig} failed:\n${`${r.stdout}\n${r.stderr}`.trim()}`);
}

/**
 * Make sure dist/ (the CLI, the programmatic API and the runtime) is built and
 * not older than src/. Runs `npm run build` when missing or stale. If a stale
 * rebuild fails (e.g. someone's half-finished edit), warns and continues with
 * the existing dist/; returns a note for the results file in that case.
 * @returns {string|null} a warning to record, or null
 */
export function ensureDist(prefix = "bench") {
  const outs = [
    "dist/cli.js",
    "dist/index.js",
    "packages/runtime/dist/index.js",
  ].map((p) => join(REPO_ROOT, p));
  const missing = outs.some((p) => !existsSync(p));
  const oldest = Math.min(...outs.map(mtime));
  const stale =
    !missing && newestMtime(join(REPO_ROOT, "src"), /\.ts$/) > oldest;
  if (!missing && !stale) return null;
  log(
    prefix,
    `dist/ is ${missing ? "missing" : "older than src/"}; running npm run build`,
  );
  const r = spawnSync("npm", ["run", "build"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (r.status === 0) return null;
  const why = `${r.stdout}\n${r.stderr}`
    .trim()
    .split("\n")
    .slice(-15)
    .join("\n");
  if (missing) die(`npm run build failed:\n${why}`);
  const note =
    "WARNING: dist/ was older than src/ and `npm run build` failed; measured the existing (stale) dist/";
  log(prefix, `${note}\n${why}`);
  return note;
}

/**
 * Runs `tsc -p <tsconfig>` unless every file in `outputs` is newer than every file in `inputs`
 * and than what compiled clients import: generated/ and the runtime in dist/.
 */
export function compileTsIfStale(prefix, tsconfig, outputs, inputs) {
  const newestInput = Math.max(
    ...inputs.map(mtime),
    newestMtime(join(REPO_ROOT, "generated"), /\.ts$/),
    newestMtime(join(REPO_ROOT, "dist", "runtime"), /\.js$/),
  );
  if (Math.min(...outputs.map(mtime)) > newestInput) return;
  log(
    prefix,
    `compiling ${inputs.map((p) => relative(REPO_ROOT, p)).join(", ")} (tsc -p ${tsconfig})`,
  );
  compileTs(tsconfig);
}

export const GENERATED_BUILD_DIR = join(BUILD_DIR, "generated");
const TSCONFIG_BENCH = join(REPO_ROOT, "tsconfig.bench.json");

/**
 * Compile generated/**\/*.ts to bench/.build/generated (tsconfig.bench.json)
 * when the output is missing or older than its inputs (generated/, the runtime's
 * .d.ts in packages/runtime/dist, tsconfig.bench.json).
 */
export function ensureGeneratedBuild(prefix = "bench") {
  const stamp = join(GENERATED_BUILD_DIR, ".stamp");
  const newestInput = Math.max(
    newestMtime(join(REPO_ROOT, "generated"), /\.ts$/),
    newestMtime(join(REPO_ROOT, "packages", "runtime", "dist"), /\.d\.ts$/),
    mtime(TSCONFIG_BENCH),
  );
  if (existsSync(stamp) && mtime(stamp) >= newestInput) return;
  log(
    prefix,
    "compiling generated/ -> bench/.build/generated (tsc -p tsconfig.bench.json)",
  );
  compileTs("tsconfig.bench.json");
  mkdirSync(GENERATED_BUILD_DIR, { recursive: true });
  writeFileSync(stamp, new Date().toISOString() + "\n");
}

/** The libvirt 9.0.0 protocol directory; runs scripts/fetch-protocol.mjs when it is incomplete. */
export function ensureProtocolFiles(prefix = "bench") {
  const dir = join(REPO_ROOT, "protocol", "libvirt-9.0.0");
  if (existsSync(join(dir, "remote_protocol.x"))) return dir;
  log(
    prefix,
    "protocol/libvirt-9.0.0 missing; running node scripts/fetch-protocol.mjs",
  );
  const r = spawnSync(
    process.execPath,
    [join(REPO_ROOT, "scripts", "fetch-protocol.mjs")],
    {
      cwd: REPO_ROOT,
      stdio: "inherit",
    },
  );
  if (r.status !== 0) die("node scripts/fetch-protocol.mjs failed");
  return dir;
}

/** sha256 over the names and contents of every file under `dir` (e.g. dist/). */
export function treeHash(dir) {
  const h = createHash("sha256");
  const walk = (d) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else h.update(relative(dir, p)).update(readFileSync(p));
    }
  };
  walk(dir);
  return h.digest("hex");
}

/**
 * Guard against other people's `npm run build` during a benchmark: call at the
 * start, then `.check()` at the end; returns a warning for the results file, or null.
 */
export function watchDist() {
  const dist = join(REPO_ROOT, "dist");
  const before = treeHash(dist);
  return {
    check() {
      return treeHash(dist) === before
        ? null
        : "WARNING: dist/ changed while the benchmark ran (someone rebuilt it); rounds may have measured different code — re-run on a quiet tree";
    },
  };
}
