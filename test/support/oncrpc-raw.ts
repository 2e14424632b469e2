// Raw ONC-RPC exchanges for tests: hand-built call records written to a socket, reply records
// read back as bytes, so replies of two servers can be compared byte for byte.
import { createConnection, type Socket } from "node:net";
import { XdrWriter } from "../../src/runtime/xdr/writer.js";
import {
  RecordReader,
  writeCallHeader,
  type CallHeader,
} from "../../src/runtime/oncrpc/index.js";

/** One record: the header with the last-fragment bit, then `body`. */
export function record(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 4);
  new DataView(out.buffer).setUint32(0, (0x80000000 | body.length) >>> 0);
  out.set(body, 4);
  return out;
}

/** A call message: the header, then `args` as raw bytes (need not be valid XDR). */
export function callMessage(
  h: CallHeader,
  args: Uint8Array = new Uint8Array(0),
): Uint8Array {
  const w = new XdrWriter();
  writeCallHeader(w, h);
  w.raw(args);
  return w.toBytes();
}

export function words(...values: number[]): Uint8Array {
  const w = new XdrWriter();
  for (const v of values) w.uint(v >>> 0);
  return w.toBytes();
}

export interface FragmentHeader {
  readonly length: number;
  readonly last: boolean;
}

/**
 * The record-marking headers in `bytes` (whole fragments, as a peer sent them), whatever
 * chunks they arrived in; throws if `bytes` ends inside a fragment.
 */
export function fragmentHeaders(bytes: Uint8Array): FragmentHeader[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headers: FragmentHeader[] = [];
  for (let at = 0; at < bytes.length;) {
    if (at + 4 > bytes.length) throw new Error(`a header cut short at ${at}`);
    const word = view.getUint32(at);
    const header = { length: word & 0x7fffffff, last: word >>> 31 === 1 };
    at += 4 + header.length;
    if (at > bytes.length) throw new Error(`a fragment cut short at ${at}`);
    headers.push(header);
  }
  return headers;
}

/** A connection that collects reply records and notices when the peer closes. */
export class RawConnection {
  private readonly reader = new RecordReader();
  private readonly records: Uint8Array[] = [];
  private readonly chunks: Uint8Array[] = [];
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.on("data", (chunk: Uint8Array) => {
      this.chunks.push(chunk);
      for (const r of this.reader.push(chunk)) this.records.push(r);
      this.wake();
    });
    socket.on("close", () => {
      this.closed = true;
      this.wake();
    });
    socket.on("error", () => {});
  }

  static open(port: number, host = "127.0.0.1"): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const s = createConnection({ host, port });
      s.once("connect", () => resolve(new RawConnection(s)));
      s.once("error", reject);
    });
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** The next reply record, or null when the peer closed first or `timeoutMs` passed. */
  async next(timeoutMs = 5000): Promise<Uint8Array | null> {
    const deadline = Date.now() + timeoutMs;
    while (this.records.length === 0 && !this.closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, deadline - Date.now());
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.records.shift() ?? null;
  }

  /** Resolves with true once the peer closed (false after `timeoutMs`). */
  async whenClosed(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline)
      await this.next(deadline - Date.now());
    return this.closed;
  }

  /** Every byte received so far, record-marking headers included. */
  received(): Uint8Array {
    return Uint8Array.from(Buffer.concat(this.chunks));
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
