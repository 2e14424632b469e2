// Child processes for tests, run without blocking the test worker. A worker stuck in
// execFileSync for a minute (tsc or npm on a loaded machine) misses vitest's own RPC deadline
// and the run fails with "Timeout calling onTaskUpdate" although every test passed.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "./protocol-files.js";

export interface RunResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs `cmd args`; resolves with its exit status and output, whatever the status. */
export function run(
  cmd: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      {
        cwd: options.cwd ?? REPO_ROOT,
        env: options.env ?? process.env,
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") {
          // It could not be started at all (ENOENT, EACCES…).
          reject(
            new Error(`cannot run ${cmd}: ${error.message}`, { cause: error }),
          );
          return;
        }
        resolve({
          status: error ? Number(error.code) : 0,
          stdout,
          stderr,
        });
      },
    );
  });
}

/** Like `run`, but a non-zero exit rejects with the command's output in the message. */
export async function runOk(
  cmd: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<string> {
  const r = await run(cmd, args, options);
  if (r.status !== 0)
    throw new Error(
      `${cmd} ${args.join(" ")} exited ${r.status}\n${r.stdout}${r.stderr}`,
    );
  return r.stdout;
}

/** tsc's diagnostics for a project ("" when it compiles). */
export async function tscDiagnostics(
  project: string,
  cwd: string = REPO_ROOT,
): Promise<string> {
  const tsc = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
  const r = await run(process.execPath, [tsc, "-p", project], { cwd });
  return r.status === 0 ? "" : r.stdout + r.stderr;
}
