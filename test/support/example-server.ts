// Starts the repository's example server (examples/server) the way a user does,
// `npm run example:server -- --socket <path> …`, in the foreground of a child process group,
// and collects its log (one line per call).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "./protocol-files.js";

export interface ExampleServer {
  readonly socket: string;
  /** `test+unix:///default?socket=<socket>` */
  readonly uri: string;
  /** Pid of the Node process serving (from its "listening on … (pid N)" line). */
  readonly pid: number;
  /** Everything logged so far. */
  output(): string;
  /** Resolves with the first log line matching `re` (already logged or future). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

export async function startExampleServer(
  extraArgs: readonly string[] = [],
  timeoutMs = 120_000,
): Promise<ExampleServer> {
  const dir = mkdtempSync(
    join(tmpdir().length < 60 ? tmpdir() : "/tmp", "rpcgen-ex-"),
  );
  const socket = join(dir, "sock");
  const child: ChildProcess = spawn(
    "npm",
    [
      "run",
      "--silent",
      "example:server",
      "--",
      "--socket",
      socket,
      ...extraArgs,
    ],
    {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, LC_ALL: "C" },
    },
  );
  let out = "";
  const waiters: (() => void)[] = [];
  const collect = (c: Buffer) => {
    out += c.toString("utf8");
    for (const w of waiters.splice(0)) w();
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once("exit", () => {
      exited = true;
      for (const w of waiters.splice(0)) w();
      resolve();
    }),
  );

  const waitFor = async (re: RegExp, ms = 10_000): Promise<string> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const line = out.split("\n").find((l) => re.test(l));
      if (line !== undefined) return line;
      if (exited)
        throw new Error(`example server exited before logging ${re}:\n${out}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `example server did not log ${re} within ${ms} ms:\n${out.slice(-4000)}`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  };
  const stop = async () => {
    if (!exited) {
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        // already gone
      }
      const t = setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // gone
        }
      }, 5000);
      await exit;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const line = await waitFor(/^listening on /, timeoutMs);
    const pid = Number(/\(pid (\d+)\)/.exec(line)?.[1] ?? NaN);
    return {
      socket,
      uri: `test+unix:///default?socket=${socket}`,
      pid,
      output: () => out,
      waitFor,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
