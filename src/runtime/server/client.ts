/**
 * One client connection: framing, routing of messages (calls, stream data, keepalive), output
 * with backpressure, events, and the per-client limits of libvirt's virNetServerClient:
 *
 * - at most `maxClientRequests` calls in flight; beyond that the socket is not read (libvirt's
 *   `max_client_requests`), so a flooding client only slows itself;
 * - a frame length below the header size or above `maxMessage` closes this connection before a
 *   byte is buffered for it (FrameReader never allocates the claimed size);
 * - while replies pile up unread (`outputHighWater`), input is not read either;
 * - what the connection holds (the frame under way, frames waiting, calls in flight, unsent
 *   output) is reported to the server, which enforces the memory budgets (server.ts);
 * - only whole messages count as signs of life for keepalive: a peer trickling the bytes of a
 *   frame is not kept alive by them.
 */
import type { Socket } from "node:net";
import {
  FrameReader,
  FramingError,
  createMessageWriter,
  parseFrame,
  writeFrame,
  writeRawFrame,
  type MessageHeader,
} from "../rpc/framing.js";
import type { XdrCodec } from "../xdr/codec.js";
import type { XdrWriter } from "../xdr/writer.js";
import {
  KEEPALIVE_PROC_PING,
  KEEPALIVE_PROC_PONG,
  KEEPALIVE_PROGRAM,
  KEEPALIVE_PROTOCOL_VERSION,
} from "../generated/virkeepaliveprotocol/codecs.js";
import {
  VIR_NET_CALL,
  VIR_NET_CALL_WITH_FDS,
  VIR_NET_ERROR,
  VIR_NET_MESSAGE,
  VIR_NET_OK,
  VIR_NET_STREAM,
  VIR_NET_STREAM_HOLE,
  xdr_virNetMessageError,
  type virNetMessageStatus,
  type virNetMessageType,
} from "../generated/virnetprotocol/codecs.js";
import type { ClientIdentity } from "./acl.js";
import { ServerError } from "./errors.js";
import type { EventSpec } from "./event-spec.js";
import { ServerStream, type StreamSink } from "./stream.js";

/** What a connection needs from its server. */
export interface ClientHost {
  readonly maxMessage: number;
  readonly maxClientRequests: number;
  readonly outputHighWater: number;
  /** Dispatches one call; `done` must be called once the call's reply (or error) is queued. */
  dispatchCall(
    client: ServerClient,
    header: MessageHeader,
    frame: Uint8Array,
    offset: number,
    done: () => void,
  ): void;
  log(line: string): void;
  clientClosed(client: ServerClient): void;
  /** Input arrived (for busy polling). */
  activity(): void;
  /** The bytes `client` holds changed by `delta` (see `ServerClient.memoryUsage`). */
  memoryChanged(client: ServerClient, delta: number): void;
}

type Listener = () => void;

/** Unsent output, in multiples of `outputHighWater`, at which a client is dropped. */
const OUTPUT_HARD_LIMIT_FACTOR = 8;
/** Size of the buffers small frames are gathered in. */
const OUT_CHUNK = 64 * 1024;

/**
 * One encoder for every connection: a frame is copied out before the next is encoded (all on
 * this thread), so idle connections hold no 64 KiB writer each.
 */
let sharedWriter: XdrWriter | null = null;
const frameWriter = (): XdrWriter => (sharedWriter ??= createMessageWriter());

export class ServerClient {
  private readonly frames: FrameReader;
  private inFlight = 0;
  private readonly waiting: Uint8Array[] = [];
  private waitingBytes = 0;
  /** Bytes of the frames of calls dispatched and not yet answered. */
  private callBytes = 0;
  /** `memoryUsage` as last reported to the host. */
  private accounted = 0;
  private readonly writableWaiters: Listener[] = [];
  private holds = new Set<string>();
  private streams = new Map<string, ServerStream>();
  private closeListeners: Listener[] = [];
  private out: Buffer | null = null;
  private outLen = 0;
  private flushScheduled = false;
  private drainScheduled = false;
  private inInput = false;
  private closed = false;
  private lastSeen = Date.now();

  constructor(
    readonly socket: Socket,
    readonly identity: ClientIdentity,
    private readonly host: ClientHost,
  ) {
    this.frames = new FrameReader(host.maxMessage);
    socket.setNoDelay?.(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("drain", () => this.onDrain());
    socket.on("error", () => this.close());
    socket.on("close", () => this.close());
  }

  /** Calls currently dispatched and not yet answered. */
  get callsInFlight(): number {
    return this.inFlight;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Milliseconds since the client last sent a whole message. */
  get idleMs(): number {
    return Date.now() - this.lastSeen;
  }

  /**
   * The client waits on the server (calls in flight, a stream the application has not caught
   * up with): its silence says nothing about it, and its input may not even be read.
   */
  get awaitingServer(): boolean {
    if (this.inFlight > 0) return true;
    for (const h of this.holds) if (h !== "output") return true;
    return false;
  }

  /**
   * Bytes this connection holds: the frame under way (as allocated), frames read but waiting,
   * the frames of calls in flight, and output not yet taken by the kernel.
   */
  get memoryUsage(): number {
    return (
      this.frames.bufferedCapacity +
      this.waitingBytes +
      this.callBytes +
      this.outLen +
      this.socket.writableLength
    );
  }

  /** `memoryUsage` as the server last accounted it. */
  get accountedMemory(): number {
    return this.accounted;
  }

  /** Runs `fn` when the connection closes (deregister events, free per-client state). */
  onClose(fn: Listener): void {
    if (this.closed) fn();
    else this.closeListeners.push(fn);
  }

  /** Sends a server→client message (an event): type VIR_NET_MESSAGE, serial 0. */
  sendEvent<M>(spec: EventSpec & { readonly msg: XdrCodec<M> }, msg: M): void {
    this.sendFrame(
      {
        prog: spec.prog,
        vers: spec.vers,
        proc: spec.proc,
        type: VIR_NET_MESSAGE,
        serial: 0,
        status: VIR_NET_OK,
      },
      spec.msg,
      msg,
    );
  }

  /** Sends a keepalive PING (the server side of libvirt's keepalive). */
  ping(): void {
    this.sendFrame(
      {
        prog: KEEPALIVE_PROGRAM,
        vers: KEEPALIVE_PROTOCOL_VERSION,
        proc: KEEPALIVE_PROC_PING,
        type: VIR_NET_MESSAGE,
        serial: 0,
        status: VIR_NET_OK,
      },
      null,
    );
  }

  /** Closes the connection; streams see "disconnected", close listeners run once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    for (const s of [...this.streams.values()]) s.disconnected();
    this.streams.clear();
    this.frames.discard();
    this.waiting.length = 0;
    this.waitingBytes = 0;
    this.callBytes = 0;
    this.outLen = 0;
    this.out = null;
    for (const w of this.writableWaiters.splice(0)) w();
    const listeners = this.closeListeners;
    this.closeListeners = [];
    for (const fn of listeners) {
      try {
        fn();
      } catch (e) {
        this.host.log(
          `client ${this.identity.id}: close listener failed: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    }
    this.host.clientClosed(this);
  }

  // ---- output

  /** Encodes and queues one frame. Returns false when the connection is closed. */
  sendFrame<T>(
    header: MessageHeader,
    codec: XdrCodec<T> | null,
    body?: T,
  ): boolean {
    if (this.closed) return false;
    const bytes = writeFrame(frameWriter(), header, codec, body);
    this.push(bytes);
    return true;
  }

  sendRawFrame(header: MessageHeader, payload: Uint8Array): boolean {
    if (this.closed) return false;
    this.push(writeRawFrame(frameWriter(), header, payload));
    return true;
  }

  /** Error reply to a call, or a stream error (type STREAM), like virNetServerProgramSendError. */
  sendError(
    header: MessageHeader,
    type: virNetMessageType,
    error: ServerError,
  ): void {
    this.sendFrame(
      { ...header, type, status: VIR_NET_ERROR },
      xdr_virNetMessageError,
      error.toWire(),
    );
  }

  /**
   * Frames are copied into a shared output chunk and written when the input being processed is
   * done (or, for output made outside input processing — async handlers, events, stream data —
   * in the loop's check phase): one write per batch, and no per-frame buffers or write requests
   * for a peer that does not read to pile up.
   */
  private push(view: Uint8Array): void {
    if (view.length > OUT_CHUNK / 2) {
      this.flushOutput();
      const copy = Buffer.allocUnsafe(view.length);
      copy.set(view);
      this.socket.write(copy, this.afterWrite);
      this.checkOutput();
      return;
    }
    if (this.out === null || this.outLen + view.length > this.out.length) {
      this.flushOutput();
      if (this.out === null || this.outLen + view.length > this.out.length)
        this.out = Buffer.allocUnsafe(OUT_CHUNK);
    }
    this.out.set(view, this.outLen);
    this.outLen += view.length;
    if (!this.inInput && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flushOutput();
      });
    }
  }

  private flushOutput(): void {
    if (this.out === null || this.outLen === 0 || this.closed) return;
    const chunk = this.out.subarray(0, this.outLen);
    // The rest of the chunk stays ours for the next frames; the written part is the socket's.
    this.out =
      this.out.length - this.outLen >= 4096
        ? this.out.subarray(this.outLen)
        : null;
    this.outLen = 0;
    this.socket.write(chunk, this.afterWrite);
    this.checkOutput();
  }

  /** The kernel took a write: what we hold shrank. */
  private readonly afterWrite = () => this.account();

  private onDrain(): void {
    this.release("output");
    for (const w of this.writableWaiters.splice(0)) w();
    this.account();
  }

  /** Reports a change of `memoryUsage` to the server, which may close this client for it. */
  account(): void {
    if (this.closed) return;
    const now = this.memoryUsage;
    const delta = now - this.accounted;
    if (delta === 0) return;
    this.accounted = now;
    this.host.memoryChanged(this, delta);
  }

  private checkOutput(): void {
    const queued = this.socket.writableLength;
    if (queued <= this.host.outputHighWater) return this.account();
    // Reading stops at the high-water mark, so only server-initiated output (events, stream
    // data) grows past it: a peer that never reads is dropped rather than buffered forever.
    if (queued > OUTPUT_HARD_LIMIT_FACTOR * this.host.outputHighWater) {
      this.host.log(
        `client ${this.identity.id}: ${queued} bytes of output unread; closing the connection`,
      );
      this.close();
      return;
    }
    this.hold("output");
    this.account();
  }

  /**
   * Resolves when the output buffer is below the high-water mark (or the connection closed).
   * Waiters are kept in one list, not as a socket listener each: any number of streams may
   * wait on one connection.
   */
  writable(): Promise<void> {
    if (this.closed || this.socket.writableLength <= this.host.outputHighWater)
      return Promise.resolve();
    return new Promise((resolve) => this.writableWaiters.push(resolve));
  }

  // ---- input

  private hold(reason: string): void {
    if (this.holds.has(reason)) return;
    this.holds.add(reason);
    this.socket.pause();
  }

  private release(reason: string): void {
    if (!this.holds.delete(reason)) return;
    if (this.holds.size === 0 && !this.closed) {
      this.socket.resume();
      // Not synchronously: a call finishing inside a handler's stack would recurse into the next.
      if (this.waiting.length > 0 && !this.drainScheduled) {
        this.drainScheduled = true;
        setImmediate(() => {
          this.drainScheduled = false;
          this.drainWaiting();
        });
      }
    }
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.host.activity();
    let frames: readonly Uint8Array[];
    try {
      frames = this.frames.push(chunk);
    } catch (e) {
      this.host.log(
        `client ${this.identity.id}: ${e instanceof FramingError ? e.message : String(e)}; closing the connection`,
      );
      this.close();
      return;
    }
    // Keepalive: a whole message is a sign of life, a byte is not.
    if (frames.length > 0) this.lastSeen = Date.now();
    this.inputBatch(() => {
      for (const f of frames) {
        if (this.closed) return;
        if (this.holds.size > 0 || this.waiting.length > 0) {
          // A copy: a view would keep the whole socket chunk alive while it waits.
          this.waiting.push(f.slice());
          this.waitingBytes += f.length;
        } else this.handleFrame(f);
      }
    });
    this.account();
  }

  private drainWaiting(): void {
    this.inputBatch(() => {
      while (this.waiting.length > 0 && this.holds.size === 0 && !this.closed) {
        const f = this.waiting.shift()!;
        this.waitingBytes -= f.length;
        this.handleFrame(f);
      }
    });
    this.account();
  }

  private inputBatch(fn: () => void): void {
    if (this.inInput) return fn();
    this.inInput = true;
    try {
      fn();
    } finally {
      this.inInput = false;
      this.flushOutput();
    }
  }

  private handleFrame(bytes: Uint8Array): void {
    let header: MessageHeader;
    let offset: number;
    try {
      const frame = parseFrame(bytes);
      header = frame.header;
      offset = frame.body.offset;
    } catch (e) {
      // An undecodable header (bad type/status enum…): libvirt drops such a client.
      this.host.log(
        `client ${this.identity.id}: malformed message header (${e instanceof Error ? e.message : String(e)}); closing the connection`,
      );
      this.close();
      return;
    }
    if (header.prog === KEEPALIVE_PROGRAM) {
      this.keepalive(header);
      return;
    }
    if (header.type === VIR_NET_STREAM || header.type === VIR_NET_STREAM_HOLE) {
      const stream = this.streams.get(streamKey(header.proc, header.serial));
      // Data for a stream already closed: libvirt ignores it too.
      if (!stream) return;
      if (header.type === VIR_NET_STREAM_HOLE) stream.hole();
      else stream.incoming(header.status, bytes.subarray(offset));
      return;
    }
    if (header.type !== VIR_NET_CALL && header.type !== VIR_NET_CALL_WITH_FDS) {
      // Replies or messages from a client are not expected; libvirt logs and drops them.
      this.host.log(
        `client ${this.identity.id}: unexpected message type ${header.type} (prog ${header.prog} proc ${header.proc}); ignored`,
      );
      return;
    }
    this.inFlight++;
    this.callBytes += bytes.length;
    if (this.inFlight >= this.host.maxClientRequests) this.hold("requests");
    let answered = false;
    this.host.dispatchCall(this, header, bytes, offset, () => {
      if (answered) return;
      answered = true;
      this.inFlight--;
      if (!this.closed) this.callBytes -= bytes.length;
      if (this.inFlight < this.host.maxClientRequests) this.release("requests");
      this.account();
    });
  }

  private keepalive(header: MessageHeader): void {
    if (header.type !== VIR_NET_MESSAGE) return;
    if (header.proc === KEEPALIVE_PROC_PING) {
      this.sendFrame(
        { ...header, proc: KEEPALIVE_PROC_PONG, status: VIR_NET_OK },
        null,
      );
    }
    // PONG: lastSeen was updated on receipt; nothing else to do.
  }

  // ---- streams

  /** Opens the stream of a stream procedure's call (keyed by its proc and serial). */
  openStream(
    header: MessageHeader,
    direction: "send" | "receive",
  ): ServerStream {
    const key = streamKey(header.proc, header.serial);
    const base = {
      prog: header.prog,
      vers: header.vers,
      proc: header.proc,
      serial: header.serial,
    };
    const sink: StreamSink = {
      send: (status, payload) => {
        this.sendRawFrame(
          {
            ...base,
            type: VIR_NET_STREAM,
            status: status as virNetMessageStatus,
          },
          payload,
        );
      },
      sendError: (error) =>
        this.sendError(
          { ...base, type: VIR_NET_STREAM, status: VIR_NET_ERROR },
          VIR_NET_STREAM,
          error,
        ),
      writable: () => this.writable(),
      holdInput: (on) =>
        on ? this.hold(`stream ${key}`) : this.release(`stream ${key}`),
      release: () => {
        if (this.streams.get(key) === stream) this.streams.delete(key);
      },
    };
    const stream = new ServerStream(direction, sink);
    this.streams.set(key, stream);
    return stream;
  }

  /** Streams currently open on this connection. */
  get openStreams(): number {
    return this.streams.size;
  }
}

function streamKey(proc: number, serial: number): string {
  return `${proc}:${serial}`;
}
