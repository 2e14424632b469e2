/**
 * One client connection speaking libvirt's RPC framing over a byte stream (unix socket or TCP).
 *
 * Many calls are in flight at once, told apart by serial. Replies resolve their call (or reject
 * it with a `VirtError` for `VIR_NET_ERROR`); `VIR_NET_MESSAGE`s go to the program's event
 * handler (keepalive's are answered here); `VIR_NET_STREAM`/`STREAM_HOLE` packets go to the
 * stream registered under their serial. When the peer goes away every pending call is rejected
 * at once with a `ConnectionClosedError`.
 */
import { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { XdrCodec } from "../xdr/codec.js";
import type { XdrReader } from "../xdr/reader.js";
import {
  VIR_NET_CALL,
  VIR_NET_ERROR,
  VIR_NET_MESSAGE,
  VIR_NET_OK,
  VIR_NET_REPLY,
  VIR_NET_REPLY_WITH_FDS,
  VIR_NET_STREAM,
  VIR_NET_STREAM_HOLE,
  xdr_virNetMessageError,
} from "../generated/virnetprotocol/codecs.js";
import { FrameReader, parseFrame, type MessageHeader } from "./framing.js";
import {
  Keepalive,
  isKeepalive,
  type KeepaliveOptions,
  type KeepaliveStats,
} from "./keepalive.js";
import { AdaptiveBusyPoll, type BusyPollStats } from "./busy-poll.js";
import { MAX_FRAME, Outbox } from "./outbox.js";
import { OneMessagePerRecord } from "./one-message-per-record.js";
import type { SecurityLayer } from "./security-layer.js";
import {
  describeTarget,
  openTransport,
  type SocketOptions,
  type TransportTarget,
} from "./transport.js";
import {
  CallTimeoutError,
  ConnectionClosedError,
  RpcProtocolError,
  VirtError,
} from "./virt-error.js";

export interface CallOptions {
  /** Abandons the call: its promise rejects with `signal.reason`. libvirt has no way to cancel a
   * call on the server, so it may still run there; its late reply is ignored. */
  readonly signal?: AbortSignal | undefined;
  /** Rejects with `CallTimeoutError` when no reply came within this many ms (overrides the
   * connection's `callTimeoutMs`). Like an abort, the server may still run the call. */
  readonly timeoutMs?: number | undefined;
}

export interface ConnectionOptions {
  /** Default timeout of every call, in ms (none by default). */
  readonly callTimeoutMs?: number | undefined;
  /** How the peer is named in errors (default: from the socket target). */
  readonly peer?: string | undefined;
  /**
   * Adaptive busy-polling for replies (see busy-poll.ts): while calls are in flight, keep Node's
   * event loop turning for up to this many ms after the last send or reply instead of sleeping
   * in epoll, so a reply is read without the daemon having to wake this process up. The window
   * shrinks to nothing when replies take longer than this (slow calls) and grows back when they
   * are quick; nothing spins while no call is in flight. Trades client CPU while busy for
   * throughput and latency: worth it on a host where the client has a CPU to itself (0.2 meets
   * libvirt's C client, bench/client), not where it shares one (bench/busy-poll: a co-hosted
   * workload lost ~40% of its CPU and the client's own calls/s halved). Default 0 (off).
   */
  readonly busyPollMs?: number | undefined;
  /** Sees the socket before the connection uses it (tracing: `connect(uri, { trace })`). */
  readonly onSocket?: ((socket: Duplex) => void) | undefined;
}

/** Where a call goes: program, version and procedure numbers, and a name for messages. */
export interface CallTarget {
  readonly program: number;
  readonly version: number;
  readonly proc: number;
  /** e.g. `remote procedure 16`, used in timeout and close messages. */
  readonly label?: string | undefined;
}

/** What a stream registered under a serial receives (see streams.ts). */
export interface StreamEndpoint {
  readonly proc: number;
  /** A `VIR_NET_STREAM` or `VIR_NET_STREAM_HOLE` packet for this stream. */
  packet(h: MessageHeader, body: XdrReader): void;
  /** The connection is gone. */
  closed(err: ConnectionClosedError): void;
}

/** Receives the `VIR_NET_MESSAGE`s (events) of one program. */
export type MessageHandler = (
  proc: number,
  body: XdrReader,
  header: MessageHeader,
) => void;

export interface ConnectionStats {
  callsSent: number;
  repliesReceived: number;
  eventsReceived: number;
  /** Events of a program or procedure nobody listens for. */
  eventsIgnored: number;
  /** Replies to calls that were aborted or timed out. */
  lateReplies: number;
  streamPackets: number;
  bytesSent: number;
  bytesReceived: number;
}

interface PendingCall {
  readonly target: CallTarget;
  readonly ret: XdrCodec<unknown> | null;
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: unknown) => void;
  timer: NodeJS.Timeout | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * `busyPollMs` by default: off, since spinning costs a co-hosted workload (bench/busy-poll).
 * 0.2 (a little above libvirtd's reply time under load on a local socket) is the value to opt in
 * with.
 */
export const DEFAULT_BUSY_POLL_MS = 0;

/** Process warnings of one connection are at least this far apart (the rest are counted). */
const WARNING_INTERVAL_MS = 1000;
/** How long `close({ letPeerClose })` leaves the socket open for the peer to close it. */
const LINGER_MS = 5_000;
/** Unsent output beyond which PINGs are no longer answered (libvirt bounds its queue too). */
const CONTROL_BACKLOG = 64 * 1024;

const labelOf = (t: CallTarget): string => t.label ?? `procedure ${t.proc}`;

export class RpcConnection {
  readonly stats: ConnectionStats = {
    callsSent: 0,
    repliesReceived: 0,
    eventsReceived: 0,
    eventsIgnored: 0,
    lateReplies: 0,
    streamPackets: 0,
    bytesSent: 0,
    bytesReceived: 0,
  };
  /** Resolves (never rejects) with the reason once the connection is closed. */
  readonly whenClosed: Promise<ConnectionClosedError>;
  /** The peer as named in errors (`unix:/path`, `tcp:host:port`). */
  readonly peer: string;

  private readonly reader = new FrameReader(MAX_FRAME);
  private readonly outbox: Outbox;
  private readonly pending = new Map<number, PendingCall>();
  private readonly streams = new Map<number, StreamEndpoint>();
  private readonly handlers = new Map<number, Set<MessageHandler>>();
  private readonly keepalive: Keepalive;
  private readonly callTimeoutMs: number | undefined;
  private serial = 0;
  private closeReason: ConnectionClosedError | null = null;
  private closing = false;
  private resolveClosed!: (e: ConnectionClosedError) => void;
  private readonly warningListeners = new Set<(e: Error) => void>();
  private readonly busyPoll: AdaptiveBusyPoll;
  private lastWarningAt = -Infinity;
  private suppressedWarnings = 0;
  private controlQueued = false;
  private securityLayer: SecurityLayer | null = null;
  private readonly records: OneMessagePerRecord | null;
  /** How the session authenticated (`none`, `polkit`, `sasl SCRAM-SHA-256`); set by the handshake. */
  authentication: string | null = null;

  /** Opens a stream to `target` and runs a connection on it (no handshake: see `openClient`). */
  static async connect(
    target: TransportTarget,
    options: ConnectionOptions & SocketOptions = {},
  ): Promise<RpcConnection> {
    const socket = await openTransport(target, options);
    return new RpcConnection(socket, {
      ...options,
      peer: options.peer ?? describeTarget(target),
    });
  }

  constructor(
    private readonly socket: Duplex,
    options: ConnectionOptions = {},
  ) {
    options.onSocket?.(socket);
    this.peer = options.peer ?? "peer";
    this.callTimeoutMs = options.callTimeoutMs;
    this.busyPoll = new AdaptiveBusyPoll(
      options.busyPollMs ?? DEFAULT_BUSY_POLL_MS,
      () => this.pending.size,
    );
    this.whenClosed = new Promise((resolve) => (this.resolveClosed = resolve));
    // TLS: one message per record (see one-message-per-record.ts), else libvirtd may leave a
    // second message of the same record unread.
    const records = (socket as Partial<{ encrypted: boolean }>).encrypted
      ? new OneMessagePerRecord(socket)
      : null;
    this.records = records;
    this.outbox = new Outbox((bytes, done) => {
      if (this.closeReason) return done();
      const layer = this.securityLayer;
      const wire = layer ? layer.encode(bytes) : bytes;
      this.stats.bytesSent += wire.length;
      if (records && !layer) records.write(wire, done);
      else socket.write(wire, () => done());
    });
    this.keepalive = new Keepalive(
      (h) => this.sendRaw(h, null),
      (message) =>
        this.fail(new ConnectionClosedError(`${this.peer}: ${message}`)),
      () => this.mayQueueControl(),
    );
    socket.on("data", (chunk: Uint8Array) => this.onData(chunk));
    socket.on("error", (e: Error) =>
      this.fail(
        new ConnectionClosedError(
          `connection to ${this.peer} lost: ${e.message}${this.pendingNote()}`,
          { cause: e },
        ),
      ),
    );
    // Only when still open: an Error (and its stack trace) per event was a measurable part of
    // a short-lived connection's CPU (bench/connect).
    const peerGone = () => {
      if (!this.closeReason) this.fail(this.peerClosed());
    };
    socket.on("end", peerGone);
    socket.on("close", peerGone);
  }

  /**
   * We are ending the session (e.g. a CONNECT_CLOSE call is under way): when the peer now
   * closes, that is our doing, not a failure.
   */
  beginClose(): void {
    this.closing = true;
  }

  /**
   * Whether bytes travel in clear over TCP (libvirt's `!priv->is_secure`): unix sockets, TLS
   * and tunnels (ssh, ext) count as secure, so SASL there needs no security layer of its own.
   */
  get plainTcp(): boolean {
    const s = this.socket as Partial<{
      remoteFamily: string;
      encrypted: boolean;
    }>;
    return (
      (s.remoteFamily === "IPv4" || s.remoteFamily === "IPv6") &&
      s.encrypted !== true
    );
  }

  /**
   * Whether `close({ letPeerClose: true })` can leave the socket to the peer: a unix, TCP or
   * TLS socket can stay open without keeping the process alive (`unref`).
   */
  get canLetPeerClose(): boolean {
    return this.socket instanceof Socket;
  }

  /**
   * From now on, wraps what is sent and unwraps what is received with `layer` (SASL with a
   * security layer). Set right after the authentication exchange that negotiated it, when no
   * other message is on the way in either direction.
   */
  setSecurityLayer(layer: SecurityLayer): void {
    this.securityLayer = layer;
  }

  get closed(): boolean {
    return this.closeReason !== null;
  }

  /** Calls waiting for a reply. */
  get pendingCalls(): number {
    return this.pending.size;
  }

  get keepaliveStats(): Readonly<KeepaliveStats> {
    return this.keepalive.stats;
  }

  /** How the adaptive busy-polling for replies is doing (see `busyPollMs`). */
  get busyPollStats(): BusyPollStats {
    return this.busyPoll.stats;
  }

  /**
   * Sends a `VIR_NET_CALL` and resolves with the decoded reply (`undefined` for a void `ret`).
   * Never throws: every failure (encoding, closed connection, error reply) is a rejection.
   */
  call<A, R>(
    target: CallTarget,
    args: XdrCodec<A> | null,
    value: A,
    ret: XdrCodec<R> | null,
    options?: CallOptions,
  ): Promise<R> {
    return this.callWithSerial(target, args, value, ret, options, null);
  }

  /** `call`, telling `onSerial` the serial before the call is sent (streams register under it). */
  callWithSerial<A, R>(
    target: CallTarget,
    args: XdrCodec<A> | null,
    value: A,
    ret: XdrCodec<R> | null,
    options: CallOptions | undefined,
    onSerial: ((serial: number) => void) | null,
  ): Promise<R> {
    if (this.closeReason) return Promise.reject(this.closeReason);
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const serial = this.nextSerial();
    try {
      this.outbox.frame(
        {
          prog: target.program,
          vers: target.version,
          proc: target.proc,
          type: VIR_NET_CALL,
          serial,
          status: VIR_NET_OK,
        },
        args,
        value,
      );
    } catch (e) {
      return Promise.reject(e);
    }
    if (onSerial) onSerial(serial);
    this.stats.callsSent++;
    return new Promise<R>((resolve, reject) => {
      const call: PendingCall = {
        target,
        ret,
        resolve: resolve as (v: unknown) => void,
        reject,
        timer: undefined,
        signal: undefined,
        onAbort: undefined,
      };
      const timeoutMs = options?.timeoutMs ?? this.callTimeoutMs;
      if (timeoutMs !== undefined) {
        call.timer = setTimeout(() => {
          if (this.pending.get(serial) !== call) return;
          this.forget(serial, call);
          reject(
            new CallTimeoutError(
              `${labelOf(call.target)} got no reply from ${this.peer} within ${timeoutMs} ms`,
              timeoutMs,
            ),
          );
        }, timeoutMs);
      }
      if (signal) {
        call.signal = signal;
        call.onAbort = () => {
          if (this.pending.get(serial) !== call) return;
          this.forget(serial, call);
          reject(signal.reason);
        };
        signal.addEventListener("abort", call.onAbort, { once: true });
      }
      this.pending.set(serial, call);
      this.busyPoll.sent();
    });
  }

  /** Queues a frame with an already-encoded payload (stream data, keepalive). */
  sendRaw(header: MessageHeader, payload: Uint8Array | null): void {
    if (this.closeReason) throw this.closeReason;
    this.outbox.rawFrame(header, payload);
  }

  /** Queues a frame with an encoded payload. */
  send<T>(header: MessageHeader, codec: XdrCodec<T> | null, body: T): void {
    if (this.closeReason) throw this.closeReason;
    this.outbox.frame(header, codec, body);
  }

  /** Calls `cb` once every frame queued so far was handed to the socket (for backpressure). */
  whenFlushed(cb: () => void): void {
    this.outbox.whenFlushed(cb);
  }

  /** Routes `VIR_NET_MESSAGE`s of `program` to `handler`; returns the unsubscribe function. */
  onMessage(program: number, handler: MessageHandler): () => void {
    const set = this.handlers.get(program) ?? new Set<MessageHandler>();
    set.add(handler);
    this.handlers.set(program, set);
    return () => {
      set.delete(handler);
      if (set.size === 0) this.handlers.delete(program);
    };
  }

  registerStream(serial: number, endpoint: StreamEndpoint): void {
    this.streams.set(serial, endpoint);
  }

  unregisterStream(serial: number, endpoint: StreamEndpoint): void {
    if (this.streams.get(serial) === endpoint) this.streams.delete(serial);
  }

  /** Sends PINGs when idle and drops the peer after `count` silent intervals. */
  startKeepalive(options: KeepaliveOptions): void {
    if (!this.closeReason) this.keepalive.start(options);
  }

  /** The keepalive this side runs (null: it only answers the server's pings). */
  get keepaliveOptions(): KeepaliveOptions | null {
    return this.keepalive.options;
  }

  /** The security layer the connection runs through (SASL), if any. */
  get securityLayerName(): string | null {
    return this.securityLayer?.name ?? null;
  }

  stopKeepalive(): void {
    this.keepalive.stop();
  }

  /**
   * Problems that concern no call: undecodable events, listeners that threw. Without listeners
   * they become process warnings (`process.emitWarning`).
   */
  onWarning(listener: (e: Error) => void): () => void {
    this.warningListeners.add(listener);
    return () => this.warningListeners.delete(listener);
  }

  warn(e: unknown): void {
    const err = e instanceof Error ? e : new Error(String(e));
    if (this.warningListeners.size === 0) return this.processWarning(err);
    for (const l of this.warningListeners) l(err);
  }

  /**
   * At most one process warning per `WARNING_INTERVAL_MS` per connection: a peer sending
   * thousands of undecodable events gets one line, then a count of the rest.
   */
  private processWarning(err: Error): void {
    const now = Date.now();
    if (now - this.lastWarningAt >= WARNING_INTERVAL_MS) {
      this.lastWarningAt = now;
      process.emitWarning(err);
      return;
    }
    if (this.suppressedWarnings++ > 0) return;
    setTimeout(() => {
      const n = this.suppressedWarnings;
      this.suppressedWarnings = 0;
      this.lastWarningAt = Date.now();
      process.emitWarning(
        `${this.peer}: ${n} more warning${n === 1 ? "" : "s"} like "${err.message}" in the last ${WARNING_INTERVAL_MS} ms`,
      );
    }, WARNING_INTERVAL_MS).unref();
  }

  /**
   * Whether a control message (a PONG) may be queued: not while one is still on its way to
   * the transport, nor while the transport holds unsent output (the peer is not reading).
   */
  private mayQueueControl(): boolean {
    if (this.controlQueued || this.socket.writableLength > CONTROL_BACKLOG)
      return false;
    this.controlQueued = true;
    this.outbox.whenFlushed(() => (this.controlQueued = false));
    return true;
  }

  /**
   * Flushes queued frames, closes the socket and rejects calls still pending.
   *
   * `letPeerClose` (see `canLetPeerClose`): the last frame asked the peer to end the session
   * (CONNECT_CLOSE), and the peer closes the connection once it answered. The socket then
   * stays open, unread and not keeping the process alive, until the peer closes it (at most
   * `LINGER_MS`): libvirtd logs "End of file while reading data" when the stream ends before
   * it ended the session itself, which it otherwise does now and then (a race between its
   * threads). The session counts as closed at once.
   */
  async close(options?: { letPeerClose?: boolean }): Promise<void> {
    if (!this.closeReason) {
      this.closing = true;
      this.outbox.flush();
      // Pending calls cannot complete once we stop reading; fail them now.
      this.fail(
        new ConnectionClosedError(
          `connection to ${this.peer} closed by the client`,
        ),
        true,
        options?.letPeerClose === true && this.canLetPeerClose,
      );
    }
    await this.whenClosed;
  }

  /** Closes at once without flushing. */
  destroy(reason?: ConnectionClosedError): void {
    this.fail(
      reason ??
        new ConnectionClosedError(
          `connection to ${this.peer} closed by the client`,
        ),
    );
  }

  private nextSerial(): number {
    do {
      this.serial = (this.serial + 1) >>> 0 || 1;
    } while (this.pending.has(this.serial) || this.streams.has(this.serial));
    return this.serial;
  }

  private forget(serial: number, call: PendingCall): void {
    this.pending.delete(serial);
    if (call.timer) clearTimeout(call.timer);
    if (call.onAbort) call.signal!.removeEventListener("abort", call.onAbort);
  }

  private peerClosed(): ConnectionClosedError {
    if (this.closing)
      return new ConnectionClosedError(
        `connection to ${this.peer} closed by the client`,
      );
    return new ConnectionClosedError(
      `connection to ${this.peer} closed by the peer${this.pendingNote()}`,
    );
  }

  private pendingNote(): string {
    const n = this.pending.size;
    return n ? ` (${n} call${n === 1 ? "" : "s"} pending)` : "";
  }

  private onData(chunk: Uint8Array): void {
    if (this.closeReason) return;
    this.stats.bytesReceived += chunk.length;
    let frames: readonly Uint8Array[];
    try {
      if (this.securityLayer) {
        const all: Uint8Array[] = [];
        for (const plain of this.securityLayer.decode(chunk))
          all.push(...this.reader.push(plain));
        frames = all;
      } else frames = this.reader.push(chunk);
    } catch (e) {
      this.fail(
        new ConnectionClosedError(
          `${this.peer} sent a bad frame: ${(e as Error).message}`,
          { cause: e },
        ),
      );
      return;
    }
    // Keepalive: a whole message is a sign of life, a byte is not.
    if (frames.length > 0 && this.keepalive.active)
      this.keepalive.received(Date.now());
    const before = this.pending.size;
    for (const bytes of frames) {
      try {
        this.dispatch(bytes);
      } catch (e) {
        this.fail(
          new ConnectionClosedError(
            `${this.peer} broke the protocol: ${(e as Error).message}`,
            { cause: e },
          ),
        );
      }
      if (this.closeReason) return;
    }
    this.busyPoll.received(before - this.pending.size);
  }

  private dispatch(bytes: Uint8Array): void {
    const { header: h, body } = parseFrame(bytes);
    switch (h.type) {
      case VIR_NET_REPLY:
        return this.onReply(h, body);
      case VIR_NET_MESSAGE:
        return this.onEvent(h, body);
      case VIR_NET_STREAM:
      case VIR_NET_STREAM_HOLE:
        return this.onStream(h, body);
      case VIR_NET_REPLY_WITH_FDS: {
        // Node sockets cannot receive file descriptors (SCM_RIGHTS).
        const call = this.pending.get(h.serial);
        if (call) {
          this.forget(h.serial, call);
          call.reject(
            new RpcProtocolError(
              `${labelOf(call.target)}: the reply carries file descriptors, which this client cannot receive`,
            ),
          );
        }
        return;
      }
      default:
        throw new RpcProtocolError(
          `unexpected message type ${h.type} (proc ${h.proc}, serial ${h.serial})`,
        );
    }
  }

  private onReply(h: MessageHeader, body: XdrReader): void {
    const call = this.pending.get(h.serial);
    if (!call) {
      // An aborted or timed-out call's late answer.
      this.stats.lateReplies++;
      return;
    }
    this.forget(h.serial, call);
    this.stats.repliesReceived++;
    const t = call.target;
    // Matched on serial, program, version and procedure, as libvirt's client does: a reply that
    // names another procedure does not carry this call's result.
    if (h.prog !== t.program || h.vers !== t.version || h.proc !== t.proc) {
      call.reject(
        new RpcProtocolError(
          `${labelOf(t)}: reply for program ${h.prog} version ${h.vers} procedure ${h.proc}, expected ${t.program} version ${t.version} procedure ${t.proc}`,
        ),
      );
      return;
    }
    try {
      if (h.status === VIR_NET_OK) {
        const v = call.ret === null ? undefined : call.ret.decode(body);
        body.done();
        call.resolve(v);
      } else if (h.status === VIR_NET_ERROR) {
        const err = xdr_virNetMessageError.decode(body);
        call.reject(VirtError.fromWire(err));
      } else {
        call.reject(
          new RpcProtocolError(
            `${labelOf(call.target)}: reply with status ${h.status}`,
          ),
        );
      }
    } catch (e) {
      call.reject(e);
    }
  }

  private onEvent(h: MessageHeader, body: XdrReader): void {
    if (isKeepalive(h)) return this.keepalive.handle(h);
    this.stats.eventsReceived++;
    const handlers = this.handlers.get(h.prog);
    if (!handlers || h.status !== VIR_NET_OK) {
      this.stats.eventsIgnored++;
      return;
    }
    for (const handler of handlers) {
      try {
        handler(h.proc, body, h);
      } catch (e) {
        this.warn(e);
      }
    }
  }

  private onStream(h: MessageHeader, body: XdrReader): void {
    this.stats.streamPackets++;
    const stream = this.streams.get(h.serial);
    // Packets of a stream we already closed can still arrive; libvirt drops them too.
    if (!stream || stream.proc !== h.proc) return;
    stream.packet(h, body);
  }

  /** `close({ letPeerClose })`: the socket ends when the peer ends it, or is dropped after LINGER_MS. */
  private lingerForPeer(socket: Socket): void {
    // Node ends our side when the peer's end arrives (allowHalfOpen is off). A peer that
    // does not close loses the connection when the time is up.
    const timer = setTimeout(() => socket.destroy(), LINGER_MS).unref();
    socket.once("close", () => clearTimeout(timer));
    socket.unref();
  }

  /** Closes with `reason`: rejects pending calls, fails streams; `graceful` lets queued bytes out. */
  private fail(
    reason: ConnectionClosedError,
    graceful = false,
    letPeerClose = false,
  ): void {
    if (this.closeReason) return;
    this.closeReason = reason;
    this.keepalive.stop();
    if (!graceful) this.outbox.discard();
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const call of pending) {
      if (call.timer) clearTimeout(call.timer);
      if (call.onAbort) call.signal!.removeEventListener("abort", call.onAbort);
      call.reject(reason);
    }
    const streams = [...this.streams.values()];
    this.streams.clear();
    for (const s of streams) s.closed(reason);
    if (letPeerClose) this.lingerForPeer(this.socket as Socket);
    // Over TLS, queued messages may still be waiting their turn: the end follows them.
    else if (graceful) (this.records ?? this.socket).end();
    else this.socket.destroy();
    this.resolveClosed(reason);
  }
}
