// Runs the built CLI (dist/cli.js) as a child process and measures its wall time, CPU time and
// peak resident memory. CPU time and peak come from the child itself: a preloaded module writes
// `process.resourceUsage()` (getrusage) to a file when the process exits, so no sampling can
// miss a short spike and no extra system package is needed. CPU time is what a bound can rely
// on here: on a machine shared by many test runs, wall time mostly measures the others.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "./protocol-files.js";

export interface MeasuredRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly wallMs: number;
  /** User + system CPU time of the CLI process, in ms (NaN if it died before exiting). */
  readonly cpuMs: number;
  /** Peak resident set size of the CLI process, in bytes (NaN if it died before exiting). */
  readonly maxRssBytes: number;
}

const PROBE = `
const { writeFileSync } = require("node:fs");
process.on("exit", () => {
  const u = process.resourceUsage();
  writeFileSync(process.env.RSS_PROBE_OUT, JSON.stringify({
    maxRssKb: u.maxRSS,
    cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000,
  }));
});
`;

export async function runCliMeasured(
  args: readonly string[],
  options: { readonly timeoutMs?: number; readonly cwd?: string } = {},
): Promise<MeasuredRun> {
  const dir = mkdtempSync(join(tmpdir(), "rpcgen-measure-"));
  try {
    const probe = join(dir, "probe.cjs");
    const out = join(dir, "maxrss");
    writeFileSync(probe, PROBE);
    const started = performance.now();
    const child = spawn(
      process.execPath,
      ["--require", probe, join(REPO_ROOT, "dist", "cli.js"), ...args],
      {
        cwd: options.cwd ?? REPO_ROOT,
        env: { ...process.env, RSS_PROBE_OUT: out },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      if (stdout.length < 1 << 20) stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      if (stderr.length < 1 << 20) stderr += d;
    });
    const timer = setTimeout(
      () => child.kill("SIGKILL"),
      options.timeoutMs ?? 60_000,
    );
    const status = await new Promise<number | null>((resolve) =>
      child.on("close", (code) => resolve(code)),
    );
    clearTimeout(timer);
    const wallMs = performance.now() - started;
    let maxRssBytes = NaN;
    let cpuMs = NaN;
    try {
      const usage = JSON.parse(readFileSync(out, "utf8")) as {
        maxRssKb: number;
        cpuMs: number;
      };
      maxRssBytes = usage.maxRssKb * 1024;
      cpuMs = usage.cpuMs;
    } catch {
      // killed or crashed before the exit hook ran
    }
    return { status, stdout, stderr, wallMs, cpuMs, maxRssBytes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
