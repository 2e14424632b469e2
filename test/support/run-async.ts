// Child processes for tests that run long ones (tsc, npm, the generator): asynchronously, because
// a synchronous child blocks the test worker's event loop, and vitest's worker RPC then times out
// ("Timeout calling onTaskUpdate") once that lasts a minute, as on a loaded CI machine.
import { execFile } from "node:child_process";

export interface RunResult {
  /** Exit status (null when killed by a signal). */
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `cmd args` to completion; never rejects (look at `status`). */
export function runAsync(
  cmd: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      [...args],
      { ...options, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const status =
          err === null
            ? 0
            : typeof (err as { code?: unknown }).code === "number"
              ? (err as { code: number }).code
              : null;
        resolve({
          status,
          stdout,
          stderr: stderr || (err && status === null ? String(err) : stderr),
        });
      },
    );
  });
}

/** `runAsync` that rejects unless the command exits 0; resolves with its stdout. */
export async function runOk(
  cmd: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  const r = await runAsync(cmd, args, options);
  if (r.status !== 0)
    throw new Error(
      `${cmd} ${args.join(" ")} exited ${r.status}:\n${r.stderr}${r.stdout}`,
    );
  return r.stdout;
}
