/**
 * Opening a session the way libvirt's remote driver does (remote_driver.c, doRemoteOpen):
 *
 * 1. Authentication (auth/negotiate.ts): `*_PROC_AUTH_LIST`, then none, polkit or SASL as the
 *    server asks and the `auth=` URI parameter (or `auth.type`) chooses.
 * 2. `*_PROC_CONNECT_SUPPORTS_FEATURE(VIR_DRV_FEATURE_PROGRAM_KEEPALIVE)`: asking makes the
 *    server start pinging us (we always answer); and we ping it too (keepalive, on by default).
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
import type { ConnectAuth } from "./auth/credentials.js";
import { authenticate } from "./auth/negotiate.js";
import type { SaslData } from "./auth/sasl.js";
import { toWireBytes } from "./auth/sasl.js";

export {
  REMOTE_AUTH_NONE,
  REMOTE_AUTH_SASL,
  REMOTE_AUTH_POLKIT,
} from "./auth/negotiate.js";

/** libvirt's client keepalive (virsh, virt-manager): a PING after 5 s idle, dead after 5 more. */
export const DEFAULT_KEEPALIVE: KeepaliveOptions = {
  intervalMs: 5000,
  count: 5,
};
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
  readonly authSasl?:
    | {
        readonly init: {
          readonly proc: number;
          readonly ret: XdrCodec<{ readonly mechlist: string }>;
        };
        readonly start: {
          readonly proc: number;
          readonly args: XdrCodec<{
            mech: string;
            nil: number;
            data: number[];
          }>;
          readonly ret: XdrCodec<SaslData>;
        };
        readonly step: {
          readonly proc: number;
          readonly args: XdrCodec<{ nil: number; data: number[] }>;
          readonly ret: XdrCodec<SaslData>;
        };
      }
    | undefined;
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
   * Ping the server after `intervalMs` of silence and drop it after `count` unanswered pings,
   * as libvirt's clients do. Default `DEFAULT_KEEPALIVE` (5 s, 5): a dead or silent peer is
   * dropped after about interval × (count + 1) = 30 s. `false`: send no pings and do not even
   * tell the server we speak keepalive (it then sends none either).
   */
  readonly keepalive?: KeepaliveOptions | false | undefined;
  /**
   * Credentials and choices for authentication (none is needed when the server asks for
   * none): `{ username, password }`, a `callback` like `virConnectAuth`, an auth.conf, `type`.
   */
  readonly auth?: ConnectAuth | undefined;
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
    typeof target === "string" ? parseLibvirtUri(target, program.name) : target;
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
      const authList = spec.authList;
      const polkit = spec.authPolkit;
      const sasl = spec.authSasl;
      const params = uriAuthParams(where);
      conn.authentication = await authenticate({
        conn,
        auth: options.auth ?? {},
        uriAuthType: params.auth,
        uriAuthFile: params.authfile,
        host: params.host ?? ("host" in t ? t.host : "localhost"),
        calls: {
          list: async () =>
            (await call(authList.proc, null, undefined, authList.ret)).types,
          polkit: polkit
            ? () => call(polkit.proc, null, undefined, polkit.ret)
            : null,
          sasl: sasl
            ? {
                init: () =>
                  call(sasl.init.proc, null, undefined, sasl.init.ret),
                start: (mech, data) =>
                  call(
                    sasl.start.proc,
                    sasl.start.args,
                    { mech, nil: data ? 0 : 1, data: toWireBytes(data) },
                    sasl.start.ret,
                  ),
                step: (data) =>
                  call(
                    sasl.step.proc,
                    sasl.step.args,
                    { nil: data ? 0 : 1, data: toWireBytes(data) },
                    sasl.step.ret,
                  ),
              }
            : null,
        },
      });
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
      if (supported)
        conn.startKeepalive(options.keepalive ?? DEFAULT_KEEPALIVE);
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

/** The URI's host and the parameters authentication reads (`auth=`, `authfile=`). */
function uriAuthParams(uri: string | undefined): {
  host?: string;
  auth?: string;
  authfile?: string;
} {
  if (uri === undefined) return {};
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return {};
  }
  const param = (k: string) =>
    [...u.searchParams].find(([n]) => n.toLowerCase() === k)?.[1];
  const host = u.hostname.replace(/^\[|\]$/g, "");
  return {
    ...(host ? { host } : {}),
    ...(param("auth") !== undefined ? { auth: param("auth")! } : {}),
    ...(param("authfile") !== undefined
      ? { authfile: param("authfile")! }
      : {}),
  };
}
