/**
 * Opening a session the way libvirt's remote driver does (remote_driver.c, doRemoteOpen):
 *
 * 1. `*_PROC_AUTH_LIST`: the authentication types the server wants. None listed, or
 *    `REMOTE_AUTH_NONE` first: nothing to do. `REMOTE_AUTH_POLKIT`: `*_PROC_AUTH_POLKIT`, which
 *    the server decides from our socket credentials. SASL is not implemented.
 * 2. `*_PROC_CONNECT_SUPPORTS_FEATURE(VIR_DRV_FEATURE_PROGRAM_KEEPALIVE)`: asking makes the
 *    server start pinging us (we always answer); with `keepalive` we ping it too.
 * 3. `*_PROC_CONNECT_OPEN` with the URI and flags.
 *
 * The generator emits a `HandshakeSpec` for programs that have those procedures.
 */
import type { XdrCodec } from "../xdr/codec.js";
import { RpcConnection, type ConnectionOptions } from "../rpc/connection.js";
import type { KeepaliveOptions } from "../rpc/keepalive.js";
import type { SocketOptions } from "../rpc/transport.js";
import { ConnectionClosedError } from "../rpc/virt-error.js";
import { parseLibvirtUri, type ConnectTarget } from "./uri.js";

/** `remote_auth_type` values. */
export const REMOTE_AUTH_NONE = 0;
export const REMOTE_AUTH_SASL = 1;
export const REMOTE_AUTH_POLKIT = 2;
/** `VIR_CONNECT_RO`: a read-only connection goes to the daemon's `-sock-ro`. */
const VIR_CONNECT_RO = 1;
/** `VIR_DRV_FEATURE_PROGRAM_KEEPALIVE` (libvirt_internal.h). */
export const VIR_DRV_FEATURE_PROGRAM_KEEPALIVE = 10;

export interface HandshakeSpec<A = unknown> {
  readonly open: {
    readonly proc: number;
    readonly args: XdrCodec<A>;
    /** The open call's args from the URI to open and the flags. */
    readonly make: (name: string | null, flags: number) => A;
  };
  readonly close?: { readonly proc: number } | undefined;
  readonly authList?:
    | {
        readonly proc: number;
        readonly ret: XdrCodec<{ readonly types: readonly number[] }>;
      }
    | undefined;
  readonly authPolkit?:
    { readonly proc: number; readonly ret: XdrCodec<unknown> } | undefined;
  readonly supportsFeature?:
    | {
        readonly proc: number;
        readonly args: XdrCodec<{ feature: number }>;
        readonly ret: XdrCodec<{ readonly supported: number }>;
      }
    | undefined;
}

export interface ConnectOptions extends ConnectionOptions, SocketOptions {
  /** Flags of the open call (`virConnectFlags`, e.g. VIR_CONNECT_RO = 1). */
  readonly flags?: number | undefined;
  /**
   * Ping the server when idle and drop it when it stops answering (`false`: do not even tell
   * the server we speak keepalive). Default: answer the server's pings, send none.
   */
  readonly keepalive?: KeepaliveOptions | false | undefined;
}

interface HandshakeProgram {
  readonly name: string;
  readonly program: number;
  readonly version: number;
  readonly handshake?: HandshakeSpec | undefined;
}

/** Connects to `target` (a libvirt URI or a socket) and runs the program's handshake. */
export async function openSession(
  program: HandshakeProgram,
  target: string | ConnectTarget,
  options: ConnectOptions = {},
): Promise<RpcConnection> {
  const t =
    typeof target === "string"
      ? parseLibvirtUri(target, program.name, {
          readonly: ((options.flags ?? 0) & VIR_CONNECT_RO) !== 0,
        })
      : target;
  const where = typeof target === "string" ? target : undefined;
  let conn: RpcConnection;
  try {
    conn = await RpcConnection.connect(t, {
      ...options,
      peer: options.peer ?? where,
    });
  } catch (e) {
    // Name the URI the caller gave, not only the socket it resolved to.
    const cause = (e as Error).cause;
    if (where && cause instanceof Error)
      throw new Error(`cannot connect to ${where}: ${cause.message}`, {
        cause,
      });
    throw e;
  }
  const spec = program.handshake;
  if (!spec) return conn;
  const call = <A, R>(
    proc: number,
    args: XdrCodec<A> | null,
    value: A,
    ret: XdrCodec<R> | null,
  ) =>
    conn.call(
      {
        program: program.program,
        version: program.version,
        proc,
        label: `${program.name} procedure ${proc}`,
      },
      args,
      value,
      ret,
      {
        signal: options.signal,
        timeoutMs: options.timeoutMs,
      },
    );
  try {
    if (spec.authList) {
      const { types } = await call(
        spec.authList.proc,
        null,
        undefined,
        spec.authList.ret,
      );
      const first = types[0];
      if (first === REMOTE_AUTH_POLKIT && spec.authPolkit) {
        await call(spec.authPolkit.proc, null, undefined, spec.authPolkit.ret);
      } else if (first !== undefined && first !== REMOTE_AUTH_NONE) {
        throw new Error(
          `${conn.peer} requires authentication type ${first === REMOTE_AUTH_SASL ? "sasl" : first}, which this client does not implement (none and polkit are)`,
        );
      }
    }
    if (options.keepalive !== false) {
      // Programs without the feature query (admin) still answer pings: libvirt's server side
      // handles keepalive for every client.
      const supported = spec.supportsFeature
        ? (
            await call(
              spec.supportsFeature.proc,
              spec.supportsFeature.args,
              { feature: VIR_DRV_FEATURE_PROGRAM_KEEPALIVE },
              spec.supportsFeature.ret,
            )
          ).supported
        : 1;
      if (supported && options.keepalive)
        conn.startKeepalive(options.keepalive);
    }
    await call(
      spec.open.proc,
      spec.open.args,
      spec.open.make(t.name ?? null, options.flags ?? 0),
      null,
    );
  } catch (e) {
    conn.destroy(
      new ConnectionClosedError(
        `handshake with ${conn.peer} failed: ${(e as Error).message}`,
        { cause: e },
      ),
    );
    throw e;
  }
  return conn;
}
