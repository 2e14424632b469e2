/**
 * Data streams of `@readstream`/`@writestream` procedures, as libvirt's client runs them
 * (virnetclientstream.c, remote_daemon_stream.c), exposed as a Node `Duplex`.
 *
 * After the call's reply, both sides exchange `VIR_NET_STREAM` packets with the call's proc and
 * serial:
 * - `VIR_NET_CONTINUE` + bytes: data; an empty one from the server is end of file;
 * - `VIR_NET_OK`, empty: "finish" (our end of data, or our acknowledgement of theirs), which the
 *   server confirms with an empty `VIR_NET_OK`;
 * - `VIR_NET_ERROR`: from us (empty) an abort, which the server confirms; from the server a
 *   `virNetMessageError`, and the stream is over;
 * - `VIR_NET_STREAM_HOLE` + `virNetStreamHole`: sparse streams skip `length` bytes of zeros.
 *
 * Read side: data is queued as it arrives (libvirt has no flow control) and handed to the
 * consumer as it reads; holes are read as zeros (as `virStreamRecv` does) unless `fillHoles` is
 * false, and are announced with a `hole` event either way. At end of file the finish handshake
 * runs before the stream ends, so an error the server reports at finish is not lost.
 * Write side: each write becomes packets of at most `VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX` bytes;
 * `end()` runs the finish handshake; `sendHole()` sends a hole in order with the writes.
 */
import { Duplex, type DuplexOptions } from "node:stream";
import type { XdrReader } from "../xdr/reader.js";
import {
  VIR_NET_CONTINUE,
  VIR_NET_ERROR,
  VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX,
  VIR_NET_OK,
  VIR_NET_STREAM,
  VIR_NET_STREAM_HOLE,
  xdr_virNetMessageError,
  xdr_virNetStreamHole,
} from "../generated/virnetprotocol/codecs.js";
import type { MessageHeader } from "./framing.js";
import type { RpcConnection, StreamEndpoint } from "./connection.js";
import {
  RpcProtocolError,
  VirtError,
  type ConnectionClosedError,
} from "./virt-error.js";

export type StreamDirection = "read" | "write" | "both";

export interface StreamOptions {
  /** `read`: the server sends data (`@readstream`); `write`: we send (`@writestream`). */
  readonly direction: StreamDirection;
  /** The call asked for a sparse stream (its `@sparseflag` is set): holes may be exchanged. */
  readonly sparse?: boolean | undefined;
  /** Read holes as zero bytes (default true). When false they are only `hole` events. */
  readonly fillHoles?: boolean | undefined;
}

/** Where the stream's packets go: program, version and procedure of the call. */
export interface StreamTarget {
  readonly program: number;
  readonly version: number;
  readonly proc: number;
}

const ZERO_CHUNK = 256 * 1024;

type Queued = Uint8Array | { hole: bigint };

/** Marker chunks written by `sendHole`, so holes keep their place among queued writes. */
const holeMarkers = new WeakMap<object, bigint>();

/** Node's Duplex takes `readable`/`writable: false` (one-way streams); @types/node 20 lacks them. */
function duplexOptions(direction: StreamDirection): DuplexOptions {
  const o = {
    readable: direction !== "write",
    writable: direction !== "read",
    allowHalfOpen: true,
  };
  return o;
}

export class VirtStream extends Duplex {
  private serial = -1;
  private readonly endpoint: StreamEndpoint;
  private conn: RpcConnection | null = null;
  private readonly queue: Queued[] = [];
  /** The server sent end of file; the finish handshake is under way or done. */
  private eof = false;
  /** The server confirmed our finish/abort, or reported an error: nothing more will come. */
  private done = false;
  /** The caller has the stream (see `accepted`). */
  private handedOut = false;
  /** Waiting for the server to confirm our finish (`ok`) or abort. */
  private confirm: { resolve: () => void; reject: (e: Error) => void } | null =
    null;

  constructor(
    private readonly target: StreamTarget,
    private readonly options: StreamOptions,
  ) {
    super(duplexOptions(options.direction));
    this.endpoint = {
      proc: target.proc,
      packet: (h, body) => this.onPacket(h, body),
      closed: (e) => this.onClosed(e),
    };
  }

  /** Whether the call asked for a sparse stream. */
  get sparse(): boolean {
    return this.options.sparse === true;
  }

  /** Binds the stream to its call (before the call is sent, so no packet is missed). */
  attach(conn: RpcConnection, serial: number): void {
    this.conn = conn;
    this.serial = serial;
    conn.registerStream(serial, this.endpoint);
  }

  /**
   * The call was accepted and the stream handed to the caller. Before that, failures go to the
   * call's promise only: nobody listens to the stream's `error` event yet.
   */
  accepted(): void {
    this.handedOut = true;
  }

  /** The call failed: the server never opened the stream. */
  callFailed(): void {
    this.done = true;
    this.detach();
    this.destroy();
  }

  /**
   * Sends a hole of `length` bytes (sparse `@writestream`s only), in order with earlier writes.
   * The server skips that many bytes (e.g. `virStreamSendHole` on a sparse volume upload).
   */
  sendHole(length: number | bigint): boolean {
    if (!this.sparse)
      throw new Error("sendHole: the call did not ask for a sparse stream");
    const n = BigInt(length);
    if (n <= 0n)
      throw new RangeError(`sendHole: length must be positive, got ${n}`);
    const marker = Buffer.alloc(1);
    holeMarkers.set(marker, n);
    return this.write(marker);
  }

  // --- packets from the server -------------------------------------------------------------

  private onPacket(h: MessageHeader, body: XdrReader): void {
    try {
      if (h.type === VIR_NET_STREAM_HOLE) return this.onHole(body);
      switch (h.status) {
        case VIR_NET_CONTINUE:
          return this.onData(body);
        case VIR_NET_OK:
          return this.onConfirm();
        case VIR_NET_ERROR:
          return this.onError(
            VirtError.fromWire(xdr_virNetMessageError.decode(body)),
          );
        default:
          throw new RpcProtocolError(
            `stream packet with status ${h.status as number}`,
          );
      }
    } catch (e) {
      this.onError(e instanceof Error ? e : new Error(String(e)));
    }
  }

  private onClosed(err: ConnectionClosedError): void {
    this.done = true;
    this.conn = null;
    this.settleConfirm(err);
    if (!this.destroyed) this.destroy(this.handedOut ? err : undefined);
  }

  private onData(body: XdrReader): void {
    if (this.destroyed) return;
    const n = body.remaining;
    if (n === 0) {
      if (this.eof) return;
      this.eof = true;
      // End of file: acknowledge with a finish, as virStreamFinish does, and end the readable
      // side only once the server confirmed it.
      this.handshake(VIR_NET_OK).then(
        () => this.drain(),
        (e: Error) => this.destroy(e),
      );
      return;
    }
    if (this.options.direction === "write")
      throw new RpcProtocolError("data from the server on an upload stream");
    this.queue.push(body.buf.subarray(body.pos, body.end));
    this.drain();
  }

  private onHole(body: XdrReader): void {
    if (this.destroyed) return;
    if (!this.sparse)
      throw new RpcProtocolError("hole on a stream that is not sparse");
    const hole = xdr_virNetStreamHole.decode(body);
    this.emit("hole", hole.length);
    if (this.options.fillHoles !== false && hole.length > 0n)
      this.queue.push({ hole: hole.length });
    this.drain();
  }

  private onConfirm(): void {
    if (!this.confirm)
      throw new RpcProtocolError("unexpected stream finish confirmation");
    this.done = true;
    this.detach();
    this.settleConfirm(null);
  }

  private onError(e: Error): void {
    this.done = true;
    this.detach();
    this.settleConfirm(e);
    if (!this.destroyed) this.destroy(this.handedOut ? e : undefined);
  }

  // --- Readable ------------------------------------------------------------------------------

  override _read(): void {
    this.drain();
  }

  private drain(): void {
    while (this.queue.length > 0) {
      const item = this.queue[0]!;
      let more: boolean;
      if (item instanceof Uint8Array) {
        this.queue.shift();
        more = this.push(item);
      } else {
        const n =
          item.hole > BigInt(ZERO_CHUNK) ? ZERO_CHUNK : Number(item.hole);
        item.hole -= BigInt(n);
        if (item.hole === 0n) this.queue.shift();
        more = this.push(Buffer.alloc(n));
      }
      if (!more) return;
    }
    if (this.eof && this.done && this.readable) this.push(null);
  }

  // --- Writable ------------------------------------------------------------------------------

  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    cb: (e?: Error | null) => void,
  ): void {
    const conn = this.usable();
    if (conn instanceof Error) return cb(conn);
    try {
      const hole = holeMarkers.get(chunk);
      if (hole !== undefined) {
        conn.send(
          this.header(VIR_NET_STREAM_HOLE, VIR_NET_CONTINUE),
          xdr_virNetStreamHole,
          { length: hole, flags: 0 },
        );
      } else {
        for (
          let at = 0;
          at < chunk.length;
          at += VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX
        ) {
          conn.sendRaw(
            this.header(VIR_NET_STREAM, VIR_NET_CONTINUE),
            chunk.subarray(at, at + VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX),
          );
        }
      }
    } catch (e) {
      return cb(e as Error);
    }
    conn.whenFlushed(() => cb());
  }

  override _final(cb: (e?: Error | null) => void): void {
    if (this.options.direction === "read") return cb();
    this.handshake(VIR_NET_OK).then(
      () => cb(),
      (e: Error) => cb(e),
    );
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    // Given up before the server was done: abort, as virStreamAbort does. The confirmation is
    // awaited in the background; nobody needs it.
    if (!this.done && this.conn && !this.confirm) {
      this.handshake(VIR_NET_ERROR).catch(() => undefined);
    }
    this.queue.length = 0;
    cb(err);
  }

  // --- helpers -------------------------------------------------------------------------------

  /** Sends an empty finish (`VIR_NET_OK`) or abort (`VIR_NET_ERROR`) and awaits its confirmation. */
  private handshake(
    status: typeof VIR_NET_OK | typeof VIR_NET_ERROR,
  ): Promise<void> {
    const conn = this.usable();
    if (conn instanceof Error) return Promise.reject(conn);
    if (this.confirm)
      return Promise.reject(new Error("stream finish already in progress"));
    return new Promise<void>((resolve, reject) => {
      this.confirm = { resolve, reject };
      try {
        conn.sendRaw(this.header(VIR_NET_STREAM, status), null);
      } catch (e) {
        this.settleConfirm(e as Error);
      }
    });
  }

  private settleConfirm(e: Error | null): void {
    const c = this.confirm;
    this.confirm = null;
    if (!c) return;
    if (e) c.reject(e);
    else c.resolve();
  }

  private usable(): RpcConnection | Error {
    if (this.conn === null || this.conn.closed)
      return new Error("stream is closed");
    if (this.done) return new Error("stream is closed");
    return this.conn;
  }

  private detach(): void {
    if (this.conn) this.conn.unregisterStream(this.serial, this.endpoint);
  }

  private header(
    type: typeof VIR_NET_STREAM | typeof VIR_NET_STREAM_HOLE,
    status: number,
  ): MessageHeader {
    return {
      prog: this.target.program,
      vers: this.target.version,
      proc: this.target.proc,
      type,
      serial: this.serial,
      status: status as MessageHeader["status"],
    };
  }
}
