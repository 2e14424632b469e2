// Runs `virt-rpcgen trace` (the built CLI) as a child process for tests and benchmarks.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "./protocol-files.js";

export interface TraceCli {
  /** What it listens on, as it printed it (`tcp:127.0.0.1:PORT` or `unix:PATH`). */
  readonly address: string;
  /** The TCP port, when it listens on TCP. */
  readonly port: number | null;
  readonly child: ChildProcess;
  /** SIGTERM, then wait for it to exit (it flushes its output first). */
  stop(): Promise<void>;
  stderr(): string;
}

export async function startTraceCli(
  args: readonly string[],
  options: { timeoutMs?: number; taskset?: string } = {},
): Promise<TraceCli> {
  const cli = [join(REPO_ROOT, "dist", "cli.js"), "trace", ...args];
  const child = options.taskset
    ? spawn("taskset", ["-c", options.taskset, process.execPath, ...cli], {
        stdio: ["ignore", "ignore", "pipe"],
      })
    : spawn(process.execPath, cli, { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => resolve()),
  );
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`trace did not start: ${err}`)),
      options.timeoutMs ?? 30_000,
    );
    child.stderr.on("data", (c: Buffer) => {
      err += c.toString();
      const m = /listening on (\S+),/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`trace exited with ${code}: ${err}`));
    });
  });
  const port = /^tcp:.*:(\d+)$/.exec(address);
  return {
    address,
    port: port ? Number(port[1]) : null,
    child,
    stderr: () => err,
    async stop() {
      if (child.exitCode === null && child.signalCode === null)
        child.kill("SIGTERM");
      await exited;
    },
  };
}
