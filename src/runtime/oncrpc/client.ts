/**
 * A standard ONC-RPC client (RFC 5531): calls with xids over TCP, unix sockets or UDP, replies
 * matched by xid (many calls in flight at once), every refusal a typed error (errors.ts).
 *
 * Like the libvirt client (rpc/connection.ts): a call can be abandoned with an AbortSignal or a
 * timeout (`CallTimeoutError`; the server may still run it, its late reply is ignored), and when
 * the peer goes away every pending call is rejected at once with a `ConnectionClosedError`.
 * Over UDP a call is retransmitted with its xid every `retransmitMs` until answered.
 */
import type { XdrCodec } from "../xdr/codec.js";
import { XdrError } from "../xdr/errors.js";
import { XdrReader } from "../xdr/reader.js";
import { AdaptiveBusyPoll, type BusyPollStats } from "../rpc/busy-poll.js";
import {
  CallTimeoutError,
  ConnectionClosedError,
  RpcProtocolError,
} from "../rpc/virt-error.js";
import type { SocketOptions } from "../rpc/transport.js";
import {
  AuthError,
  GarbageArgumentsError,
  ProcedureUnavailableError,
  ProgramMismatchError,
  ProgramUnavailableError,
  RpcMismatchError,
  RpcSystemError,
  type OncRpcError,
} from "./errors.js";
import {
  AUTH_NONE_AUTH,
  GARBAGE_ARGS,
  PROC_UNAVAIL,
  PROG_UNAVAIL,
  SUCCESS,
  SYSTEM_ERR,
  readReplyHeader,
  writeCallHeader,
  type OpaqueAuth,
  type ReplyHeader,
} from "./message.js";
import type { RecordLimits } from "./record-reader.js";
import { StreamTransport } from "./stream-transport.js";
import type { ClientTransport } from "./transport.js";
import { UdpTransport } from "./udp-transport.js";

/** Where a client connects. */
export type OncRpcTarget =
  | { readonly path: string }
  | {
      readonly host: string;
      readonly port: number;
      readonly protocol?: "tcp" | "udp";
    };

export interface OncRpcCallOptions {
  /** Abandons the call: its promise rejects with `signal.reason`. */
  readonly signal?: AbortSignal | undefined;
  /** Rejects with `CallTimeoutError` when no reply came within this many ms. */
  readonly timeoutMs?: number | undefined;
  /** Credential of this call (default: the client's). */
  readonly cred?: OpaqueAuth | undefined;
}

export interface OncRpcClientOptions extends SocketOptions {
  /** Default timeout of every call in ms (none over streams; 25 s over UDP, as rpcgen's). */
  readonly callTimeoutMs?: number | undefined;
  /** Credential sent with every call: `authNone()` (default) or `authSys()`. */
  readonly cred?: OpaqueAuth | undefined;
  /** UDP: ms between retransmissions of an unanswered call (default 1000). */
  readonly retransmitMs?: number | undefined;
  /** Streams: limits on incoming fragments and records (default 4 MiB each). */
  readonly recordLimits?: Partial<RecordLimits> | undefined;
  /** Streams: largest fragment sent (default: one fragment per record). */
  readonly fragmentSize?: number | undefined;
  /**
   * Adaptive busy-polling for replies while calls are in flight: the largest window in ms (see
   * rpc/busy-poll.ts; 0.2 is a good value). Default 0, off, as for the libvirt client: spinning
   * costs CPU that other work on the machine may need (bench/oncrpc shows both).
   */
  readonly busyPollMs?: number | undefined;
}

/** Which call: numbers plus a name for messages. */
export interface OncRpcCallTarget {
  readonly program: number;
  readonly version: number;
  readonly proc: number;
  /** e.g. `RPCBPROG v4 RPCBPROC_DUMP`. */
  readonly label?: string | undefined;
}

export interface OncRpcClientStats {
  callsSent: number;
  repliesReceived: number;
  /** Replies to calls that were aborted, timed out or already answered (UDP duplicates). */
  lateReplies: number;
  retransmissions: number;
}

interface PendingCall {
  readonly target: OncRpcCallTarget;
  readonly ret: XdrCodec<unknown> | null;
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: unknown) => void;
  timer: NodeJS.Timeout | undefined;
  retransmit: NodeJS.Timeout | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

const DEFAULT_UDP_TIMEOUT_MS = 25_000;
const DEFAULT_RETRANSMIT_MS = 1000;
const DEFAULT_BUSY_POLL_MS = 0;

const labelOf = (t: OncRpcCallTarget): string =>
  t.label ?? `program ${t.program} version ${t.version} procedure ${t.proc}`;

export class OncRpcClient {
  readonly stats: OncRpcClientStats = {
    callsSent: 0,
    repliesReceived: 0,
    lateReplies: 0,
    retransmissions: 0,
  };
  /** Resolves (never rejects) with the reason once the client is closed. */
  readonly whenClosed: Promise<ConnectionClosedError>;
  private readonly pending = new Map<number, PendingCall>();
  private xid = (Math.random() * 0x100000000) >>> 0;
  private closeReason: ConnectionClosedError | null = null;
  private resolveClosed!: (e: ConnectionClosedError) => void;
  private readonly cred: OpaqueAuth;
  private readonly callTimeoutMs: number | undefined;
  private readonly retransmitMs: number;
  private readonly busyPoll: AdaptiveBusyPoll;

  /** Connects over TCP, a unix socket or UDP. */
  static async connect(
    target: OncRpcTarget,
    options: OncRpcClientOptions = {},
  ): Promise<OncRpcClient> {
    if ("host" in target && target.protocol === "udp") {
      const t = await UdpTransport.open(target.host, target.port);
      return new OncRpcClient(t, {
        ...options,
        callTimeoutMs: options.callTimeoutMs ?? DEFAULT_UDP_TIMEOUT_MS,
      });
    }
    return new OncRpcClient(
      await StreamTransport.open(
        "path" in target
          ? { path: target.path }
          : { host: target.host, port: target.port },
        options,
      ),
      options,
    );
  }

  constructor(
    private readonly transport: ClientTransport,
    options: OncRpcClientOptions = {},
  ) {
    this.cred = options.cred ?? AUTH_NONE_AUTH;
    this.callTimeoutMs = options.callTimeoutMs;
    this.retransmitMs = options.retransmitMs ?? DEFAULT_RETRANSMIT_MS;
    this.busyPoll = new AdaptiveBusyPoll(
      transport.datagram ? 0 : (options.busyPollMs ?? DEFAULT_BUSY_POLL_MS),
      () => this.pending.size,
    );
    this.whenClosed = new Promise((resolve) => (this.resolveClosed = resolve));
    let before = 0;
    transport.start({
      message: (bytes) => {
        if (before === 0) before = this.pending.size || -1;
        this.onMessage(bytes);
      },
      batchDone: () => {
        this.busyPoll.received(Math.max(0, before - this.pending.size));
        before = 0;
      },
      closed: (reason) => this.onClosed(reason),
    });
  }

  /** The peer as named in errors. */
  get peer(): string {
    return this.transport.peer;
  }

  get closed(): boolean {
    return this.closeReason !== null;
  }

  /** Calls waiting for a reply. */
  get pendingCalls(): number {
    return this.pending.size;
  }

  get busyPollStats(): BusyPollStats {
    return this.busyPoll.stats;
  }

  /**
   * Calls a procedure and resolves with its decoded result (`undefined` for void). Never throws:
   * every failure is a rejection — an `OncRpcError` subclass when the server refused the call.
   */
  call<A, R>(
    target: OncRpcCallTarget,
    args: XdrCodec<A> | null,
    value: A,
    ret: XdrCodec<R> | null,
    options?: OncRpcCallOptions,
  ): Promise<R> {
    if (this.closeReason) return Promise.reject(this.closeReason);
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const xid = this.nextXid();
    const cred = options?.cred ?? this.cred;
    let datagram: Uint8Array | null;
    try {
      datagram = this.transport.send((w) => {
        writeCallHeader(w, {
          xid,
          prog: target.program,
          vers: target.version,
          proc: target.proc,
          cred,
          verf: AUTH_NONE_AUTH,
        });
        if (args !== null) {
          try {
            args.encode(w, value);
          } catch (e) {
            if (e instanceof XdrError && e.path[0] !== args.name)
              e.prependPath(args.name);
            throw e;
          }
        }
      });
    } catch (e) {
      return Promise.reject(e);
    }
    this.stats.callsSent++;
    return new Promise<R>((resolve, reject) => {
      const call: PendingCall = {
        target,
        ret,
        resolve: resolve as (v: unknown) => void,
        reject,
        timer: undefined,
        retransmit: undefined,
        signal: undefined,
        onAbort: undefined,
      };
      const timeoutMs = options?.timeoutMs ?? this.callTimeoutMs;
      if (timeoutMs !== undefined) {
        call.timer = setTimeout(() => {
          if (this.pending.get(xid) !== call) return;
          this.forget(xid, call);
          reject(
            new CallTimeoutError(
              `${labelOf(target)} got no reply from ${this.peer} within ${timeoutMs} ms`,
              timeoutMs,
            ),
          );
        }, timeoutMs);
      }
      if (datagram !== null) {
        const bytes = datagram;
        call.retransmit = setInterval(() => {
          this.stats.retransmissions++;
          this.transport.resend(bytes);
        }, this.retransmitMs);
      }
      if (signal) {
        call.signal = signal;
        call.onAbort = () => {
          if (this.pending.get(xid) !== call) return;
          this.forget(xid, call);
          reject(signal.reason);
        };
        signal.addEventListener("abort", call.onAbort, { once: true });
      }
      this.pending.set(xid, call);
      this.busyPoll.sent();
    });
  }

  /** Sends queued calls, closes, and rejects the calls still pending. */
  async close(): Promise<void> {
    if (!this.closeReason) this.transport.close(true);
    await this.whenClosed;
  }

  /** Closes at once without sending queued calls. */
  destroy(): void {
    this.transport.close(false);
  }

  private nextXid(): number {
    do this.xid = (this.xid + 1) >>> 0;
    while (this.pending.has(this.xid));
    return this.xid;
  }

  private forget(xid: number, call: PendingCall): void {
    this.pending.delete(xid);
    if (call.timer) clearTimeout(call.timer);
    if (call.retransmit) clearInterval(call.retransmit);
    if (call.onAbort) call.signal!.removeEventListener("abort", call.onAbort);
  }

  private onMessage(bytes: Uint8Array): void {
    if (bytes.length < 4) return this.malformed(new Error("no xid"), null);
    const r = new XdrReader(bytes);
    const xid = r.uint();
    const call = this.pending.get(xid);
    if (!call) {
      this.stats.lateReplies++;
      return;
    }
    let header: ReplyHeader;
    try {
      header = readReplyHeader(r, xid);
    } catch (e) {
      return this.malformed(e, [xid, call]);
    }
    this.forget(xid, call);
    this.stats.repliesReceived++;
    if (header.stat !== SUCCESS) {
      call.reject(refusal(labelOf(call.target), header));
      return;
    }
    try {
      const v = call.ret === null ? undefined : call.ret.decode(r);
      r.done();
      call.resolve(v);
    } catch (e) {
      if (e instanceof XdrError && call.ret && e.path[0] !== call.ret.name)
        e.prependPath(call.ret.name);
      call.reject(e);
    }
  }

  /**
   * A reply RFC 5531 does not allow: its call fails with an RpcProtocolError; over a stream the
   * peer broke the protocol and the connection is dropped, a stray datagram is just ignored.
   */
  private malformed(e: unknown, owner: [number, PendingCall] | null): void {
    const message = `${this.peer} sent a malformed reply: ${(e as Error).message}`;
    if (owner) {
      this.forget(owner[0], owner[1]);
      owner[1].reject(new RpcProtocolError(message, { cause: e }));
    }
    if (!this.transport.datagram) this.transport.close(false);
  }

  private onClosed(reason: ConnectionClosedError): void {
    if (this.closeReason) return;
    const n = this.pending.size;
    this.closeReason =
      n === 0
        ? reason
        : new ConnectionClosedError(
            `${reason.message} (${n} call${n === 1 ? "" : "s"} pending)`,
            { cause: reason.cause },
          );
    const pending = [...this.pending];
    this.pending.clear();
    for (const [xid, call] of pending) {
      this.forget(xid, call);
      call.reject(this.closeReason);
    }
    this.resolveClosed(this.closeReason);
  }
}

/** The typed error for a refused call. */
export function refusal(
  call: string,
  h: Exclude<ReplyHeader, { stat: typeof SUCCESS }>,
): OncRpcError {
  switch (h.stat) {
    case PROG_UNAVAIL:
      return new ProgramUnavailableError(call);
    case PROC_UNAVAIL:
      return new ProcedureUnavailableError(call);
    case GARBAGE_ARGS:
      return new GarbageArgumentsError(call);
    case SYSTEM_ERR:
      return new RpcSystemError(call);
    case "PROG_MISMATCH":
      return new ProgramMismatchError(call, h.low, h.high);
    case "RPC_MISMATCH":
      return new RpcMismatchError(call, h.low, h.high);
    case "AUTH_ERROR":
      return new AuthError(call, h.authStat);
  }
}
