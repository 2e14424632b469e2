// A deliberately low-level RPC peer for server tests: writes any bytes (valid frames, garbage,
// forged lengths) to a unix socket and collects the frames the server sends back.
import { createConnection, type Socket } from "node:net";
import {
  FrameReader,
  XdrReader,
  XdrWriter,
  createMessageWriter,
  parseFrame,
  writeFrame,
  type MessageHeader,
  type XdrCodec,
} from "../../src/runtime/index.js";
import {
  xdr_virNetMessageError,
  type virNetMessageError,
} from "../../src/runtime/generated/virnetprotocol/codecs.js";

export const REMOTE_PROGRAM = 0x20008086;
export const VIR_NET_CALL = 0;
export const VIR_NET_REPLY = 1;
export const VIR_NET_MESSAGE = 2;
export const VIR_NET_STREAM = 3;
export const VIR_NET_OK = 0;
export const VIR_NET_ERROR = 1;
export const VIR_NET_CONTINUE = 2;

export interface ReceivedFrame {
  readonly header: MessageHeader;
  readonly payload: Uint8Array;
}

export class RawPeer {
  private readonly reader = new FrameReader();
  private readonly frames: ReceivedFrame[] = [];
  private waiters: (() => void)[] = [];
  private readonly writer: XdrWriter = createMessageWriter();
  closed = false;
  readonly closedPromise: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      for (const f of this.reader.push(chunk)) {
        const { header, body } = parseFrame(f);
        this.frames.push({ header, payload: f.slice(body.offset) });
      }
      this.wake();
    });
    this.closedPromise = new Promise((resolve) => {
      socket.on("close", () => {
        this.closed = true;
        this.wake();
        resolve();
      });
    });
    socket.on("error", () => {});
  }

  /** Connects to a unix socket path, or to `{ port }` on 127.0.0.1. */
  static connect(target: string | { port: number }): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const s =
        typeof target === "string"
          ? createConnection(target)
          : createConnection(target.port, "127.0.0.1");
      s.once("connect", () => resolve(new RawPeer(s)));
      s.once("error", reject);
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** A complete frame's bytes (copied). */
  frame<T>(
    header: Partial<MessageHeader> & { proc: number },
    codec: XdrCodec<T> | null = null,
    body?: T,
  ): Uint8Array {
    const h: MessageHeader = {
      prog: REMOTE_PROGRAM,
      vers: 1,
      type: VIR_NET_CALL,
      serial: 1,
      status: VIR_NET_OK,
      ...header,
    };
    return writeFrame(this.writer, h, codec, body).slice();
  }

  send<T>(
    header: Partial<MessageHeader> & { proc: number },
    codec: XdrCodec<T> | null = null,
    body?: T,
  ): void {
    this.write(this.frame(header, codec, body));
  }

  /** Next frame matching `pred`, waiting up to `timeoutMs`. */
  async next(
    pred: (f: ReceivedFrame) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<ReceivedFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.frames.findIndex(pred);
      if (i !== -1) return this.frames.splice(i, 1)[0]!;
      if (this.closed)
        throw new Error("connection closed before the expected frame");
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("timed out waiting for a frame");
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The reply to `serial`. */
  reply(serial: number, timeoutMs = 5000): Promise<ReceivedFrame> {
    return this.next(
      (f) => f.header.type === VIR_NET_REPLY && f.header.serial === serial,
      timeoutMs,
    );
  }

  close(): void {
    this.socket.destroy();
  }
}

export function decodeError(f: ReceivedFrame): virNetMessageError {
  return xdr_virNetMessageError.decode(new XdrReader(f.payload));
}

export function decode<T>(codec: XdrCodec<T>, f: ReceivedFrame): T {
  return codec.decode(new XdrReader(f.payload));
}
