/**
 * Streams of `@readstream`/`@writestream` procedures, with libvirt's message protocol
 * (remote_daemon_stream.c):
 *
 * - data: `VIR_NET_STREAM` + `VIR_NET_CONTINUE`, at most 262120 bytes each; an empty one from the
 *   server is end-of-file;
 * - the client's finish: `VIR_NET_STREAM` + `VIR_NET_OK`, confirmed with an empty OK;
 * - the client's abort: `VIR_NET_STREAM` + `VIR_NET_ERROR`, confirmed with an empty OK;
 * - a server-side failure: `VIR_NET_STREAM` + `VIR_NET_ERROR` carrying a `virNetMessageError`.
 *
 * Data only flows after the reply to the call that opened the stream.
 */
import {
  VIR_NET_CONTINUE,
  VIR_NET_ERROR,
  VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX,
  VIR_NET_OK,
} from "../generated/virnetprotocol/codecs.js";
import { ServerError } from "./errors.js";

/** How a stream ended: the client finished or aborted it, the server aborted it, or the client went away. */
export type StreamEnd = "finished" | "aborted" | "error" | "disconnected";

/** A stream the server writes to (the client reads it, `@readstream`). */
export interface ServerSendStream {
  /** Sends data; resolves once the connection can take more (backpressure). */
  write(data: Uint8Array): Promise<void>;
  /** End of data; the stream is done when the client confirms with its finish. */
  end(): void;
  /** Ends the stream with an error the client reports. */
  abort(error: unknown): void;
  readonly done: Promise<StreamEnd>;
}

/** A stream the server reads (the client writes it, `@writestream`). Iteration ends at the client's finish. */
export interface ServerReceiveStream extends AsyncIterable<Uint8Array> {
  abort(error: unknown): void;
  readonly done: Promise<StreamEnd>;
}

/** What a stream needs from its connection; frames carry the opening call's prog/vers/proc/serial. */
export interface StreamSink {
  send(status: number, payload: Uint8Array): void;
  sendError(error: ServerError): void;
  /** Resolves when the connection's output buffer has room. */
  writable(): Promise<void>;
  /** Stop (true) or resume (false) reading from the client while received data waits. */
  holdInput(hold: boolean): void;
  /** The stream is over: forget it. */
  release(): void;
}

const EMPTY = new Uint8Array(0);
/** Received bytes kept for a slow consumer before the connection stops reading. */
const RECEIVE_BUFFER_MAX = 4 * 1024 * 1024;

export class ServerStream implements ServerSendStream, ServerReceiveStream {
  readonly done: Promise<StreamEnd>;
  private resolveDone!: (end: StreamEnd) => void;
  private state: "pending" | "open" | "eof" | "closed" = "pending";
  /** Send direction: frames queued before the reply went out. */
  private early: Uint8Array[] = [];
  private earlyEnd = false;
  /** Receive direction. */
  private received: Uint8Array[] = [];
  private receivedBytes = 0;
  private clientFinished = false;
  private failure: ServerError | null = null;
  private wake: (() => void) | null = null;

  constructor(
    readonly direction: "send" | "receive",
    private readonly sink: StreamSink,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  /** Called once the reply to the opening call has been queued. */
  activate(): void {
    if (this.state !== "pending") return;
    this.state = "open";
    for (const chunk of this.early) this.sendData(chunk);
    this.early = [];
    if (this.earlyEnd) this.end();
  }

  // ---- send direction

  async write(data: Uint8Array): Promise<void> {
    if (this.direction !== "send")
      throw new Error("write() on a receive stream");
    if (this.state === "closed")
      throw this.failure ?? ServerError.rpc("stream is closed");
    if (this.state === "eof" || this.earlyEnd)
      throw new Error("write() after end()");
    if (this.state === "pending") {
      this.early.push(data.slice());
      return;
    }
    this.sendData(data);
    await this.sink.writable();
  }

  private sendData(data: Uint8Array): void {
    for (
      let at = 0;
      at < data.length;
      at += VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX
    ) {
      this.sink.send(
        VIR_NET_CONTINUE,
        data.subarray(at, at + VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX),
      );
    }
  }

  end(): void {
    if (this.state === "pending") {
      this.earlyEnd = true;
      return;
    }
    if (this.state !== "open") return;
    this.state = "eof";
    this.sink.send(VIR_NET_CONTINUE, EMPTY);
  }

  abort(error: unknown): void {
    if (this.state === "closed") return;
    const e = ServerError.from(error);
    // Before the reply there is nothing to abort on the wire yet; the call's reply still goes out.
    if (this.state !== "pending") this.sink.sendError(e);
    this.close("error", e);
  }

  // ---- receive direction

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: async (): Promise<IteratorResult<Uint8Array>> => {
        for (;;) {
          const chunk = this.received.shift();
          if (chunk) {
            this.receivedBytes -= chunk.length;
            if (this.receivedBytes < RECEIVE_BUFFER_MAX)
              this.sink.holdInput(false);
            return { value: chunk, done: false };
          }
          if (this.failure) throw this.failure;
          if (this.clientFinished) {
            if (this.state !== "closed") {
              this.sink.send(VIR_NET_OK, EMPTY);
              this.close("finished", null);
            }
            return { value: undefined, done: true };
          }
          if (this.state === "closed") return { value: undefined, done: true };
          await new Promise<void>((resolve) => (this.wake = resolve));
        }
      },
      return: (): Promise<IteratorResult<Uint8Array>> => {
        // The consumer stopped early: the client's further data is not wanted.
        if (this.state !== "closed")
          this.abort(ServerError.rpc("stream closed by the server"));
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  // ---- messages from the client (type VIR_NET_STREAM)

  /** Handles one stream message from the client. */
  incoming(status: number, payload: Uint8Array): void {
    if (this.state === "closed") return; // late data after close: libvirt drops it too
    if (status === VIR_NET_CONTINUE) {
      if (this.direction !== "receive") return;
      if (payload.length === 0) return;
      this.received.push(payload.slice());
      this.receivedBytes += payload.length;
      if (this.receivedBytes >= RECEIVE_BUFFER_MAX) this.sink.holdInput(true);
      this.poke();
      return;
    }
    if (status === VIR_NET_OK) {
      if (this.direction === "receive") {
        this.clientFinished = true;
        this.poke();
        return;
      }
      // The client finished reading: confirm.
      this.sink.send(VIR_NET_OK, EMPTY);
      this.close("finished", null);
      return;
    }
    // VIR_NET_ERROR or anything else: the client aborted. Confirm like libvirt.
    const aborted =
      status === VIR_NET_ERROR
        ? ServerError.rpc("stream aborted by the client")
        : ServerError.rpc(`stream aborted with unexpected status ${status}`);
    if (status === VIR_NET_ERROR) this.sink.send(VIR_NET_OK, EMPTY);
    else this.sink.sendError(aborted);
    this.close("aborted", aborted);
  }

  /** A hole (`VIR_NET_STREAM_HOLE`): this runtime has no sparse streams. */
  hole(): void {
    const e = ServerError.rpc("Unexpected stream hole");
    this.sink.sendError(e);
    this.close("error", e);
  }

  /** The client disconnected. */
  disconnected(): void {
    this.close("disconnected", ServerError.rpc("client disconnected"));
  }

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private close(end: StreamEnd, failure: ServerError | null): void {
    if (this.state === "closed") return;
    this.state = "closed";
    if (failure && end !== "finished") this.failure = failure;
    this.early = [];
    this.sink.holdInput(false);
    this.sink.release();
    this.poke();
    this.resolveDone(end);
  }
}
