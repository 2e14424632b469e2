// Real peers for the ONC-RPC tests: the rpcgen-built C server and client of onc_demo.x
// (built by test/support/oncrpc/build.mjs) and the machine's rpcbind.
//
// rpcbind is a machine singleton on port 111: `ensureRpcbind` starts it (`rpcbind -w`, which
// daemonizes) only when nothing answers there, and never stops it — concurrent test runs and
// other users may rely on the one that is running, whoever started it.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createConnection } from "node:net";
import { promisify } from "node:util";
import {
  buildDemoPeers,
  buildMultiPeers,
  type DemoPeers,
} from "./oncrpc/build.mjs";
import { findTool } from "./libvirtd.js";
import {
  createOncRpcServer,
  type OncRpcServerOptions,
  type OncRpcServerProgram,
} from "../../src/runtime/index.js";

const run = promisify(execFile);

export { buildDemoPeers, buildMultiPeers, type DemoPeers };

/** A program number of the user-defined range (0x20000000–0x3fffffff) unlikely to be in use. */
export function uniqueProgram(): number {
  return 0x20000000 + Math.floor(Math.random() * 0x1fff0000);
}

export interface CDemoServer {
  /** TCP port. */
  readonly port: number;
  /** UDP port (0: the server serves TCP only, as onc_multi.x's). */
  readonly udpPort: number;
  readonly program: number;
  readonly process: ChildProcess;
  /** Stops it; rejects if it had died before (a signal or an exit of its own). */
  stop(): Promise<void>;
}

export interface CDemoServerOptions {
  /** Pin to this CPU (taskset). */
  readonly cpu?: number;
  /** libtirpc's reply buffer size: longer replies go out in several fragments. */
  readonly sendSize?: number;
}

/**
 * Starts the C server of onc_demo.x (or another of build.mjs's servers) for `program` on
 * 127.0.0.1 (ephemeral port).
 */
export async function startCDemoServer(
  peers: DemoPeers,
  program: number,
  options: CDemoServerOptions = {},
): Promise<CDemoServer> {
  const cpu = options.cpu;
  const args = [peers.server, `0x${program.toString(16)}`];
  if (options.sendSize !== undefined) args.push(String(options.sendSize));
  const child =
    cpu === undefined
      ? spawn(args[0]!, args.slice(1), { stdio: ["ignore", "pipe", "pipe"] })
      : spawn("taskset", ["-c", String(cpu), ...args], {
          stdio: ["ignore", "pipe", "pipe"],
        });
  let stderr = "";
  child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
  const [port, udpPort] = await new Promise<[number, number]>(
    (resolve, reject) => {
      let out = "";
      const timer = setTimeout(
        () => reject(new Error(`C server did not start: ${stderr}`)),
        10_000,
      );
      child.stdout.on("data", (b: Buffer) => {
        out += b.toString();
        const m = /port (\d+)(?: udp (\d+))?\n/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve([Number(m[1]), Number(m[2] ?? 0)]);
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`C server exited with ${code}: ${stderr}`));
      });
    },
  );
  let stopping = false;
  let diedEarly: string | null = null;
  const exited = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      if (!stopping) diedEarly = signal ? `signal ${signal}` : `code ${code}`;
      resolve();
    }),
  );
  return {
    port,
    udpPort,
    program,
    process: child,
    async stop() {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null)
        child.kill("SIGTERM");
      await exited;
      // Tests after its death fail with ECONNREFUSED/ECONNRESET; this names the cause.
      if (diedEarly !== null)
        throw new Error(
          `C server ${args[0]} died before stop() (${diedEarly}): ${stderr}`,
        );
    },
  };
}

/** The C server and ours serving the same program side by side. */
export interface BothServers {
  readonly c: CDemoServer;
  /** Our server's TCP port on 127.0.0.1. */
  readonly tsPort: number;
  stop(): Promise<void>;
}

/**
 * Starts the C server of `peers` and our server with `programs`, both for `program` on
 * 127.0.0.1 (ephemeral ports): for tests that send both the same calls.
 */
export async function startBothServers(
  peers: DemoPeers,
  program: number,
  programs: readonly OncRpcServerProgram[],
  options: {
    readonly c?: CDemoServerOptions;
    readonly ts?: Omit<OncRpcServerOptions, "programs">;
  } = {},
): Promise<BothServers> {
  const c = await startCDemoServer(peers, program, options.c);
  const ts = createOncRpcServer({ ...options.ts, programs });
  let address: string;
  try {
    address = await ts.listen({ host: "127.0.0.1", port: 0 });
  } catch (e) {
    await c.stop();
    throw e;
  }
  return {
    c,
    tsPort: Number(address.split(":")[1]),
    async stop() {
      await c.stop();
      await ts.close();
    },
  };
}

/** Runs the C client of onc_demo.x (or another of build.mjs's clients); resolves with its stdout. */
export async function runCDemoClient(
  peers: DemoPeers,
  port: number,
  program: number,
  ...args: string[]
): Promise<string> {
  const { stdout } = await run(
    peers.client,
    ["127.0.0.1", String(port), `0x${program.toString(16)}`, ...args],
    { timeout: 30_000 },
  );
  return stdout;
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/**
 * Makes sure rpcbind runs (see the note at the top); resolves with whether this call started it.
 * Throws when it cannot be found or started.
 */
export async function ensureRpcbind(): Promise<{ started: boolean }> {
  if (await answers(111)) return { started: false };
  const bin = findTool("rpcbind");
  if (!bin)
    throw new Error(
      "rpcbind is not installed (scripts/install-system-deps.sh)",
    );
  // -w: warm start (keeps registrations across restarts). It forks and the parent exits;
  // a second rpcbind started concurrently fails to bind and exits, which is fine.
  await run(bin, ["-w"]).catch(() => {});
  for (let i = 0; i < 100; i++) {
    if ((await answers(111)) && existsSync("/run/rpcbind.sock"))
      return { started: true };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("rpcbind did not come up on port 111");
}

/** `rpcinfo` with arguments; resolves with stdout (rejects with its stderr). */
export async function rpcinfo(...args: string[]): Promise<string> {
  const bin = findTool("rpcinfo");
  if (!bin)
    throw new Error(
      "rpcinfo is not installed (scripts/install-system-deps.sh)",
    );
  const { stdout } = await run(bin, args, { timeout: 15_000 });
  return stdout;
}
