/** A client transport over a byte stream (TCP, unix socket) with RFC 5531 record marking. */
import type { Duplex } from "node:stream";
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

export class StreamTransport implements ClientTransport {
  readonly datagram = false;
  private readonly reader: RecordReader;
  private readonly writer: RecordWriter;
  private events: TransportEvents | null = null;
  private closedReason: ConnectionClosedError | null = null;
  private closing = false;

  constructor(
    private readonly socket: Duplex,
    readonly peer: string,
    options: StreamTransportOptions = {},
  ) {
    this.reader = new RecordReader(options.recordLimits);
    this.writer = new RecordWriter(
      (bytes, done) => {
        if (this.closedReason) {
          done();
          return true;
        }
        socket.write(bytes, () => done());
        // Written synchronously (the usual case): the socket keeps no reference to `bytes`.
        return socket.writableLength === 0;
      },
      { fragmentSize: options.fragmentSize },
    );
  }

  start(events: TransportEvents): void {
    this.events = events;
    const s = this.socket;
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
    const events = this.events!;
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
