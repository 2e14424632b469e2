/**
 * Opening the byte stream a connection runs on. A connection runs on any `Duplex`; this module
 * opens the ones libvirt's remote driver opens: a unix socket, TCP, TLS over TCP, the system
 * `ssh` command, an SSH channel through the `ssh2` package (`+libssh`/`+libssh2`) and an
 * external command (`+ext`). The transports live in ../transports/, loaded when first used.
 */
import { createConnection, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { whenConnected } from "../transports/connecting.js";
import type { TlsTarget } from "../transports/tls.js";
import type { SshTarget } from "../transports/ssh.js";
import type { LibsshTarget } from "../transports/libssh.js";
import type { ExtTarget } from "../transports/command.js";

export type { TlsTarget, TlsSettings } from "../transports/tls.js";
export type { SshTarget, SshSettings } from "../transports/ssh.js";
export type { LibsshTarget, LibsshSettings } from "../transports/libssh.js";
export type { ExtTarget } from "../transports/command.js";

/** A unix socket (`{ path }`) or plain TCP (`{ host, port }`). */
export type SocketTarget =
  | { readonly transport?: "unix"; readonly path: string }
  | {
      readonly transport?: "tcp";
      readonly host: string;
      readonly port: number;
    };

/** Any stream the caller opens itself (a connection runs on any Duplex). */
export interface DuplexTarget {
  readonly transport: "duplex";
  readonly open: (options: SocketOptions) => Duplex | Promise<Duplex>;
  /** How the peer is named in errors. */
  readonly description: string;
}

/** Everything a connection can be opened on. */
export type TransportTarget =
  | SocketTarget
  | TlsTarget
  | SshTarget
  | LibsshTarget
  | ExtTarget
  | DuplexTarget;

export interface SocketOptions {
  readonly signal?: AbortSignal | undefined;
  /** Give up connecting after this many ms. */
  readonly timeoutMs?: number | undefined;
}

/** `unix:/run/libvirt/libvirt-sock`, `tcp:host:16509`, `tls:host:16514`…, for messages. */
export function describeTarget(t: TransportTarget): string {
  if ("path" in t) return `unix:${t.path}`;
  switch (t.transport) {
    case undefined:
    case "tcp":
      return `tcp:${t.host}:${t.port}`;
    case "tls":
      return `tls:${t.host}:${t.port}`;
    case "ssh":
      return `ssh:${t.ssh.user ? `${t.ssh.user}@` : ""}${t.ssh.host}${t.ssh.port ? `:${t.ssh.port}` : ""}`;
    case "libssh":
      return `libssh:${t.ssh.user}@${t.ssh.host}:${t.ssh.port}`;
    case "ext":
      return `ext:${t.command}`;
    case "duplex":
      return t.description;
    default:
      // Unreachable for typed callers; plain-JS ones get a readable message.
      return `unknown transport ${String((t as { transport?: unknown }).transport)}`;
  }
}

/**
 * Opens the stream for any target. Rejects with `cannot connect to <target>: <reason>`, the
 * error carrying the reason alone as its `cause` (or with the abort signal's reason).
 */
export async function openTransport(
  target: TransportTarget,
  options: SocketOptions = {},
): Promise<Duplex> {
  try {
    return await openAny(target, options);
  } catch (e) {
    if (options.signal?.aborted && e === options.signal.reason) throw e;
    const message = e instanceof Error ? e.message : String(e);
    if (message.startsWith("cannot connect to ")) throw e;
    throw new Error(`cannot connect to ${describeTarget(target)}: ${message}`, {
      cause: e,
    });
  }
}

async function openAny(
  target: TransportTarget,
  options: SocketOptions,
): Promise<Duplex> {
  if ("path" in target) return openSocket(target, options);
  switch (target.transport) {
    case undefined:
    case "tcp":
      return openSocket(target, options);
    case "tls":
      return (await import("../transports/tls.js")).openTls(target, options);
    case "ssh":
      return (await import("../transports/ssh.js")).openSsh(target, options);
    case "libssh":
      return (await import("../transports/libssh.js")).openLibssh(
        target,
        options,
      );
    case "ext":
      return (await import("../transports/command.js")).openExt(
        target,
        options,
      );
    case "duplex":
      return target.open(options);
    default:
      throw new Error(
        `unknown transport ${String((target as { transport?: unknown }).transport)}`,
      );
  }
}

/** Resolves once connected; rejects with the transport's error (ENOENT, ECONNREFUSED…). */
export async function openSocket(
  target: SocketTarget,
  options: SocketOptions = {},
): Promise<Socket> {
  if (options.signal?.aborted) throw options.signal.reason;
  const socket =
    "path" in target
      ? createConnection({ path: target.path })
      : createConnection({ host: target.host, port: target.port });
  await whenConnected(socket, "connect", describeTarget(target), options);
  if (!("path" in target)) socket.setNoDelay(true);
  return socket;
}
