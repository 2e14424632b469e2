// A tiny in-process RPC program for runtime tests: `echo` (u32 + 1) and `blob` (opaque of up
// to 2 MiB, answered with its length), served on a unix socket in a private temp dir, plus
// helpers to open raw sockets and measure memory.
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import {
  bindProgram,
  createRpcServer,
  type ProcedureTable,
  type ProgramSpec,
  type RpcServer,
  type ServerLimits,
  type XdrCodec,
} from "../../src/runtime/index.js";
import { PLAIN_PROCEDURE, u32 } from "./hand-written-program.js";

export const ECHO_PROG = 0x3e3e01;
export const PROC_ECHO = 1;
export const PROC_BLOB = 2;
/** A send stream of `v` packets of 64 KiB, starting 20 ms after the reply. */
export const PROC_DOWNLOAD = 3;

export { u32 };
export const blob: XdrCodec<{ data: Uint8Array }> = {
  name: "blob",
  encode: (w, x) => w.varOpaque(x.data, 2 << 20),
  decode: (r) => ({ data: r.varOpaqueView(2 << 20) }),
};

const procedures = {
  echo: {
    ...PLAIN_PROCEDURE,
    proc: PROC_ECHO,
    name: "E_PROC_ECHO",
    api: "eEcho",
    args: u32,
    ret: u32,
  },
  blob: {
    ...PLAIN_PROCEDURE,
    proc: PROC_BLOB,
    name: "E_PROC_BLOB",
    api: "eBlob",
    args: blob,
    ret: u32,
  },
  download: {
    ...PLAIN_PROCEDURE,
    proc: PROC_DOWNLOAD,
    name: "E_PROC_DOWNLOAD",
    api: "eDownload",
    args: u32,
    ret: null,
    stream: "send",
  },
} as const satisfies ProcedureTable;
const spec: ProgramSpec<typeof procedures, Record<never, never>> = {
  name: "e",
  program: ECHO_PROG,
  version: 1,
  procedures,
  events: {},
};

export const ECHO = { program: ECHO_PROG, version: 1, proc: PROC_ECHO };
export const BLOB = { program: ECHO_PROG, version: 1, proc: PROC_BLOB };
export const DOWNLOAD = {
  program: ECHO_PROG,
  version: 1,
  proc: PROC_DOWNLOAD,
};

export interface EchoServer {
  readonly server: RpcServer;
  readonly path: string;
  readonly logs: string[];
  close(): Promise<void>;
}

export async function startEchoServer(
  limits: Partial<ServerLimits> = {},
): Promise<EchoServer> {
  const dir = mkdtempSync(join(tmpdir(), "rpcgen-echo-"));
  const path = join(dir, "sock");
  const logs: string[] = [];
  const server = createRpcServer({
    programs: [
      bindProgram(spec, {
        echo: ({ v }) => ({ v: v + 1 }),
        blob: ({ data }) => ({ v: data.length }),
        download: ({ v }, ctx) => {
          void (async () => {
            // Later: every call of a batch is answered before any stream sends.
            await new Promise((r) => setTimeout(r, 20));
            for (let i = 0; i < v; i++)
              await ctx.stream.write(new Uint8Array(64 * 1024).fill(i));
            ctx.stream.end();
          })().catch(() => {});
        },
      }),
    ],
    limits: { keepaliveInterval: 0, ...limits },
    log: (line) => logs.push(line),
  });
  await server.listen({ path });
  return {
    server,
    path,
    logs,
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A plain socket to `path`, connected. */
export function rawSocket(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createConnection(path);
    s.once("connect", () => resolve(s));
    s.once("error", reject);
  });
}

/** The first bytes of a call frame: length word (as announced) and a call header. */
export function callHead(announced: number, proc = PROC_BLOB): Uint8Array {
  const b = new Uint8Array(28);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, announced);
  dv.setUint32(4, ECHO_PROG);
  dv.setUint32(8, 1);
  dv.setUint32(12, proc);
  // type CALL 0, serial 1, status OK 0
  dv.setUint32(20, 1);
  return b;
}

/** A whole `blob` call frame carrying `n` bytes. */
export function blobFrame(n: number, serial = 1): Uint8Array {
  const padded = (n + 3) & ~3;
  const f = new Uint8Array(28 + 4 + padded);
  f.set(callHead(f.length));
  const dv = new DataView(f.buffer);
  dv.setUint32(20, serial);
  dv.setUint32(28, n);
  for (let i = 0; i < n; i++) f[32 + i] = i & 0xff;
  return f;
}

let gcFn: (() => void) | null = null;
/** Runs a full garbage collection (exposing `gc` on first use). */
export function collectGarbage(): void {
  if (!gcFn) {
    setFlagsFromString("--expose-gc");
    gcFn = runInNewContext("gc") as () => void;
  }
  gcFn();
}

export const waitUntil = async (
  cond: () => boolean,
  timeoutMs: number,
  what: string,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};
