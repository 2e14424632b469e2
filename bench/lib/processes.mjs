// Long-running peers of the benchmarks (servers, proxies, daemons): finding their executables,
// starting them pinned to a CPU, and waiting until they are ready.
//
// Plain Node ESM, no dependencies.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Absolute path of an executable on $PATH or in the sbin directories (libvirtd lives there).
 * Throws when there is none, so that callers' `finally` blocks still stop what they started.
 */
export function which(name) {
  for (const d of [
    ...(process.env.PATH ?? "").split(":"),
    "/usr/sbin",
    "/sbin",
  ]) {
    if (d && existsSync(join(d, name))) return join(d, name);
  }
  throw new Error(`${name} not found (Debian: scripts/install-system-deps.sh)`);
}

/**
 * A directory for temporary directories holding unix sockets: tmpdir() unless its path is so
 * long that a socket path below it would not fit in sun_path (108 bytes).
 */
export function socketTmpdir() {
  return tmpdir().length < 60 ? tmpdir() : "/tmp";
}

/** Whether `target` (a unix socket path, or `{ host, port }`) accepts a connection now. */
export function accepts(target) {
  return new Promise((resolve) => {
    const s = createConnection(target);
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/**
 * Waits until every target accepts connections (see `accepts`). Throws after `timeoutMs`, or as
 * soon as `alive()` says the process that should listen there is gone.
 * @param {Array<string | {host: string, port: number}>} targets
 * @param {{ timeoutMs?: number, alive?: () => boolean, what?: string }} [options]
 */
export async function waitForSockets(targets, options = {}) {
  const { timeoutMs = 60_000, alive = () => true } = options;
  const deadline = Date.now() + timeoutMs;
  for (const target of targets) {
    while (!(await accepts(target))) {
      const where =
        typeof target === "string" ? target : JSON.stringify(target);
      if (!alive())
        throw new Error(`${options.what ?? "the server"} exited (${where})`);
      if (Date.now() > deadline)
        throw new Error(
          `${options.what ?? where} did not accept connections at ${where}`,
        );
      await sleep(50);
    }
  }
}

/**
 * Starts `cmd args…` pinned to the CPU list `cpu` (`taskset -c`), collecting what it prints. By
 * default in a process group of its own, so that stop() ends a peer's children too (socat forks
 * one per connection); with `ownGroup: false` it stays in ours, where a Ctrl-C reaches it.
 * @param {string} cpu
 * @param {string} cmd
 * @param {string[]} args
 * @param {Record<string, string>} [env] added to this process's environment
 * @param {{ ownGroup?: boolean }} [options]
 */
export function startPinned(cpu, cmd, args, env = {}, options = {}) {
  const ownGroup = options.ownGroup ?? true;
  const child = spawn("taskset", ["-c", cpu, cmd, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
    detached: ownGroup,
  });
  let output = "";
  child.stdout.on("data", (c) => (output += c));
  child.stderr.on("data", (c) => (output += c));
  const exited = new Promise((r) => child.once("exit", r));
  const kill = () => {
    try {
      process.kill(ownGroup ? -child.pid : child.pid, "SIGTERM");
    } catch {
      // Already gone.
    }
  };
  return {
    /** taskset execs the command: this is the command's pid. */
    pid: child.pid,
    output: () => output,
    alive: () => child.exitCode === null && child.signalCode === null,
    /** Sends SIGTERM (to the group) without waiting: all an exit handler can do. */
    kill,
    /** SIGTERM, then waits for the exit (5 s at most). */
    async stop() {
      kill();
      let timer;
      await Promise.race([
        exited,
        new Promise((r) => (timer = setTimeout(r, 5000))),
      ]);
      clearTimeout(timer);
    },
  };
}

/**
 * Waits until a process of `startPinned` has printed something matching `ready` (e.g. the
 * "listening on" line of the example server and of `virt-rpcgen trace`).
 */
export async function waitForOutput(proc, ready, what, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (!ready.test(proc.output())) {
    if (Date.now() > deadline || !proc.alive())
      throw new Error(`${what} did not start:\n${proc.output()}`);
    await sleep(50);
  }
}
