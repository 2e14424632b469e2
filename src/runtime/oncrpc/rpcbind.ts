/**
 * Registration with the machine's rpcbind (RFC 1833, version 4 — version 3 has the same
 * RPCBPROC_SET/UNSET): what libtirpc's `rpcb_set`/`rpcb_unset` do, so `rpcinfo` and clients that
 * look programs up find a server. Requests go over rpcbind's unix socket when it has one (rpcbind
 * then knows who registered), else to 127.0.0.1:111.
 */
import { existsSync } from "node:fs";
import type { XdrCodec } from "../xdr/codec.js";
import { OncRpcClient, type OncRpcTarget } from "./client.js";

export const RPCBPROG = 100000;
export const RPCBVERS4 = 4;
export const RPCBPROC_SET = 1;
export const RPCBPROC_UNSET = 2;
export const RPCBIND_PORT = 111;
export const RPCBIND_SOCKET = "/run/rpcbind.sock";

/** One registration: `struct rpcb` of rpcb_prot.x. */
export interface RpcbEntry {
  readonly program: number;
  readonly version: number;
  /** `tcp`, `tcp6`, `udp`, `udp6`, `unix`, `local`. */
  readonly netid: string;
  /** Universal address: `127.0.0.1.8.1` (port 2049) or a socket path. */
  readonly addr: string;
  /** Who registered (libtirpc sends the effective uid). */
  readonly owner: string;
}

const xdr_rpcb: XdrCodec<RpcbEntry> = {
  name: "rpcb",
  encode(w, v) {
    w.uint(v.program);
    w.uint(v.version);
    w.string(v.netid);
    w.string(v.addr);
    w.string(v.owner);
  },
  decode(r) {
    return {
      program: r.uint(),
      version: r.uint(),
      netid: r.string(),
      addr: r.string(),
      owner: r.string(),
    };
  },
};

const xdr_bool: XdrCodec<boolean> = {
  name: "bool",
  encode: (w, v) => w.bool(v),
  decode: (r) => r.bool(),
};

/** `host.p1.p2`: an IP address and port as rpcbind writes them (RFC 1833 §2.1). */
export function universalAddress(host: string, port: number): string {
  return `${host}.${port >> 8}.${port & 255}`;
}

export interface RpcbindOptions {
  /** Where rpcbind is (default: its unix socket, else 127.0.0.1:111). */
  readonly target?: OncRpcTarget | undefined;
  readonly timeoutMs?: number | undefined;
}

export function defaultRpcbindTarget(): OncRpcTarget {
  return existsSync(RPCBIND_SOCKET)
    ? { path: RPCBIND_SOCKET }
    : { host: "127.0.0.1", port: RPCBIND_PORT };
}

async function withRpcbind<T>(
  options: RpcbindOptions,
  run: (c: OncRpcClient, timeoutMs: number) => Promise<T>,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const client = await OncRpcClient.connect(
    options.target ?? defaultRpcbindTarget(),
    {
      timeoutMs,
      callTimeoutMs: timeoutMs,
      busyPollMs: 0,
    },
  );
  try {
    return await run(client, timeoutMs);
  } finally {
    await client.close();
  }
}

/**
 * Registers every entry (RPCBPROC_SET). Throws when rpcbind refuses one (it is registered
 * already, by someone else) after undoing the ones made here.
 */
export async function rpcbSet(
  entries: readonly Omit<RpcbEntry, "owner">[],
  options: RpcbindOptions = {},
): Promise<void> {
  const owner = String(process.geteuid?.() ?? 0);
  await withRpcbind(options, async (client) => {
    const done: RpcbEntry[] = [];
    for (const e of entries) {
      const entry = { ...e, owner };
      const ok = await client.call(
        {
          program: RPCBPROG,
          version: RPCBVERS4,
          proc: RPCBPROC_SET,
          label: "RPCBPROC_SET",
        },
        xdr_rpcb,
        entry,
        xdr_bool,
      );
      if (!ok) {
        for (const d of done) await unset(client, d);
        throw new Error(
          `rpcbind refused to register program ${e.program} version ${e.version} on ${e.netid} ${e.addr} (already registered?)`,
        );
      }
      done.push(entry);
    }
  });
}

/** Removes registrations (RPCBPROC_UNSET); resolves with how many rpcbind removed. */
export async function rpcbUnset(
  entries: readonly Omit<RpcbEntry, "owner">[],
  options: RpcbindOptions = {},
): Promise<number> {
  const owner = String(process.geteuid?.() ?? 0);
  return withRpcbind(options, async (client) => {
    let n = 0;
    for (const e of entries) if (await unset(client, { ...e, owner })) n++;
    return n;
  });
}

function unset(client: OncRpcClient, entry: RpcbEntry): Promise<boolean> {
  return client.call(
    {
      program: RPCBPROG,
      version: RPCBVERS4,
      proc: RPCBPROC_UNSET,
      label: "RPCBPROC_UNSET",
    },
    xdr_rpcb,
    entry,
    xdr_bool,
  );
}
