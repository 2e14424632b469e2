// Child processes for tests that run long ones (tsc, the CLI over libvirt's files). A
// synchronous run blocks the test worker's event loop; on a loaded machine a block over 60 s
// makes vitest's worker RPC time out ("Timeout calling onTaskUpdate") and the run fail.
import { execFile } from "node:child_process";

export interface ExecResult {
  /** Exit status; 0 on success, non-zero (1 if unknown) on failure. */
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function execAsync(
  file: string,
  args: readonly string[],
  options: { readonly cwd?: string } = {},
): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { encoding: "utf8", maxBuffer: 64 << 20, ...options },
      (err, stdout, stderr) => {
        const code = (err as { code?: unknown } | null)?.code;
        resolve({
          status: err ? (typeof code === "number" ? code : 1) : 0,
          stdout,
          stderr,
        });
      },
    );
  });
}
