/** A client transport over a byte stream (TCP, unix socket) with RFC 5531 record marking. */
import { createConnection } from "node:net";
import type { Duplex } from "node:stream";
import {
  describeTarget,
  type SocketOptions,
  type SocketTarget,
} from "../rpc/transport.js";
import { whenConnected } from "../transports/connecting.js";
import type { XdrWriter } from "../xdr/writer.js";
import { ConnectionClosedError } from "../rpc/virt-error.js";
import { RecordReader, type RecordLimits } from "./record-reader.js";
import { RecordWriter } from "./record-writer.js";
import type { ClientTransport, TransportEvents } from "./transport.js";

export interface StreamTransportOptions {
  /** Limits on incoming fragments and records. */
  readonly recordLimits?: Partial<RecordLimits> | undefined;
  /** Largest fragment written (default: one fragment per record). */
  readonly fragmentSize?: number | undefined;
}

/** Size of the buffer a socket opened by `StreamTransport.open` reads into, again and again. */
const READ_BUFFER_SIZE = 64 * 1024;

export class StreamTransport implements ClientTransport {
  readonly datagram = false;
  private readonly reader: RecordReader;
  private readonly writer: RecordWriter;
  private events: TransportEvents | null = null;
  private closedReason: ConnectionClosedError | null = null;
  private closing = false;
  /** Input read before `start` (copies). */
  private early: Uint8Array[] = [];

  /**
   * Connects a unix or TCP socket that reads into one reused buffer (`onread`), not through the
   * stream's `data` events: no 64 KiB buffer allocated and no stream bookkeeping per read, a
   * part of the client's own work per call (records are copied out of the buffer instead).
   */
  static async open(
    target: SocketTarget,
    options: StreamTransportOptions & SocketOptions = {},
  ): Promise<StreamTransport> {
    if (options.signal?.aborted) throw options.signal.reason;
    let transport: StreamTransport | null = null;
    const onread = {
      buffer: new Uint8Array(READ_BUFFER_SIZE),
      callback: (n: number, buf: Uint8Array): boolean => {
        transport!.onData(buf.subarray(0, n));
        return true;
      },
    };
    const socket =
      "path" in target
        ? createConnection({ path: target.path, onread })
        : createConnection({ host: target.host, port: target.port, onread });
    const peer = describeTarget(target);
    transport = new StreamTransport(socket, peer, options, true);
    await whenConnected(socket, "connect", peer, options);
    if (!("path" in target)) socket.setNoDelay(true);
    return transport;
  }

  /** `reusedInput`: the socket reads into one buffer again and again (see `open`). */
  constructor(
    private readonly socket: Duplex,
    readonly peer: string,
    options: StreamTransportOptions = {},
    private readonly reusedInput = false,
  ) {
    this.reader = new RecordReader(options.recordLimits, reusedInput);
    this.writer = new RecordWriter(
      (bytes, done) => {
        if (this.closedReason) {
          done();
          return true;
        }
        socket.write(bytes, done);
        // Written synchronously (the usual case): the socket keeps no reference to `bytes`.
        return socket.writableLength === 0;
      },
      { fragmentSize: options.fragmentSize },
    );
  }

  start(events: TransportEvents): void {
    this.events = events;
    const s = this.socket;
    if (!this.reusedInput)
      s.on("data", (chunk: Uint8Array) => this.onData(chunk));
    s.on("error", (e: Error) =>
      this.fail(
        new ConnectionClosedError(
          `connection to ${this.peer} lost: ${e.message}`,
          {
            cause: e,
          },
        ),
      ),
    );
    s.on("end", () => this.onEnd());
    s.on("close", () => this.onEnd());
    const early = this.early;
    this.early = [];
    for (const chunk of early) this.onData(chunk);
  }

  send(encode: (w: XdrWriter) => void): null {
    if (this.closedReason) throw this.closedReason;
    this.writer.record(encode);
    return null;
  }

  resend(): void {}

  close(graceful: boolean): void {
    if (this.closedReason) return;
    this.closing = true;
    if (graceful) this.writer.flush();
    this.fail(
      new ConnectionClosedError(
        `connection to ${this.peer} closed by the client`,
      ),
      graceful,
    );
  }

  private onEnd(): void {
    if (this.closing)
      return this.fail(
        new ConnectionClosedError(
          `connection to ${this.peer} closed by the client`,
        ),
      );
    let detail = "";
    try {
      this.reader.end();
    } catch (e) {
      detail = ` (${(e as Error).message})`;
    }
    this.fail(
      new ConnectionClosedError(
        `connection to ${this.peer} closed by the peer${detail}`,
      ),
    );
  }

  private onData(chunk: Uint8Array): void {
    if (this.closedReason) return;
    if (this.events === null) {
      this.early.push(this.reusedInput ? chunk.slice() : chunk);
      return;
    }
    let records: Uint8Array[];
    try {
      records = this.reader.push(chunk);
    } catch (e) {
      this.fail(
        new ConnectionClosedError(
          `${this.peer} broke record marking: ${(e as Error).message}`,
          { cause: e },
        ),
      );
      return;
    }
    const events = this.events;
    for (const r of records) {
      events.message(r);
      if (this.closedReason) return;
    }
    events.batchDone();
  }

  private fail(reason: ConnectionClosedError, graceful = false): void {
    if (this.closedReason) return;
    this.closedReason = reason;
    if (graceful) this.socket.end();
    else {
      this.writer.discard();
      this.socket.destroy();
    }
    this.events?.closed(reason);
  }
}
