/**
 * One client connection of an ONC-RPC server: record marking in and out, and the limits that keep
 * a bad or greedy client from hurting the others:
 *
 * - a fragment or record over the limits, or a stream that breaks record marking, drops this
 *   connection before anything is buffered for it (RecordReader);
 * - at most `maxCallsInFlight` asynchronous calls run at once; beyond that the socket is not read;
 * - while `outputHighWater` bytes of replies wait unread by the client, its input is not read.
 */
import type { Socket } from "node:net";
import { RecordReader, type RecordLimits } from "./record-reader.js";
import { RecordWriter } from "./record-writer.js";
import {
  dispatchRecord,
  type DispatchSink,
  type ProgramTable,
} from "./server-dispatch.js";

export interface ConnectionLimits {
  readonly record: RecordLimits;
  readonly maxCallsInFlight: number;
  readonly outputHighWater: number;
}

export class ServerConnection {
  private readonly reader: RecordReader;
  private readonly writer: RecordWriter;
  private readonly sink: DispatchSink;
  private readonly waiting: Uint8Array[] = [];
  private inFlight = 0;
  private paused = false;
  private closed = false;

  constructor(
    readonly socket: Socket,
    readonly peer: string,
    private readonly table: ProgramTable,
    private readonly limits: ConnectionLimits,
    log: (line: string) => void,
    private readonly onClose: (c: ServerConnection) => void,
    fragmentSize?: number,
    /** Called on every input (the server's busy-poller, or nothing). */
    activity: () => void = () => {},
  ) {
    this.reader = new RecordReader(limits.record);
    this.writer = new RecordWriter(
      (bytes) => {
        if (this.closed) return true;
        socket.write(bytes);
        return socket.writableLength === 0;
      },
      { fragmentSize },
    );
    this.sink = {
      peer,
      log,
      reply: (encode) => {
        if (!this.closed) this.writer.record(encode);
      },
      settled: () => {
        this.inFlight--;
        this.pump();
      },
    };
    socket.setNoDelay?.(true);
    socket.on("data", (chunk: Uint8Array) => {
      activity();
      this.onData(chunk);
    });
    socket.on("drain", () => this.pump());
    socket.on("error", () => this.close());
    socket.on("close", () => this.close());
    socket.on("end", () => {
      try {
        this.reader.end();
      } catch (e) {
        log(`${peer}: ${(e as Error).message}`);
      }
    });
  }

  /** Closes the connection at once (queued replies are sent first when `graceful`). */
  close(graceful = false): void {
    if (this.closed) return;
    if (graceful) this.writer.flush();
    this.closed = true;
    this.waiting.length = 0;
    this.writer.discard();
    if (graceful) this.socket.end();
    else this.socket.destroy();
    this.onClose(this);
  }

  private onData(chunk: Uint8Array): void {
    if (this.closed) return;
    let records: Uint8Array[];
    try {
      records = this.reader.push(chunk);
    } catch (e) {
      this.sink.log(
        `${this.peer}: ${(e as Error).message}; dropping the connection`,
      );
      this.close();
      return;
    }
    for (const r of records) this.waiting.push(r);
    this.pump();
  }

  /** Dispatches waiting records while the limits allow; pauses reading when they do not. */
  private pump(): void {
    // Synchronous answers to what was read go out in one write before returning to the loop.
    this.writer.batch(this.dispatchWaiting);
    if (this.closed) return;
    const pause = this.busy();
    if (pause && !this.paused) this.socket.pause();
    else if (!pause && this.paused) this.socket.resume();
    this.paused = pause;
  }

  private readonly dispatchWaiting = (): void => {
    while (this.waiting.length > 0 && !this.closed && !this.busy()) {
      const record = this.waiting.shift()!;
      const outcome = dispatchRecord(this.table, record, this.sink);
      if (outcome === "drop") return this.close();
      if (outcome === "pending") this.inFlight++;
    }
  };

  private busy(): boolean {
    return (
      this.inFlight >= this.limits.maxCallsInFlight ||
      this.socket.writableLength > this.limits.outputHighWater
    );
  }
}
