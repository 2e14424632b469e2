/**
 * RFC 5531 record marking (§11), outgoing, batched: every record queued during one turn of the
 * event loop goes out in one socket write (flushed on `process.nextTick`, or at the end of a
 * `batch`). A record longer than
 * `fragmentSize` is split into fragments of that size, the last one marked.
 */
import { XdrError } from "../xdr/errors.js";
import { XdrWriter } from "../xdr/writer.js";
import { BatchedWriter } from "../rpc/batched-writer.js";
import { LAST_FRAGMENT } from "./record-reader.js";

/** Keep at most this much buffer between batches. */
const RETAINED_CAPACITY = 1 << 20;

export interface RecordWriterOptions {
  /** Largest fragment written (default: 2^31 - 1, i.e. one fragment per record). */
  readonly fragmentSize?: number | undefined;
  /** Largest record accepted for sending; larger ones throw `message-too-large`. */
  readonly maxRecord?: number | undefined;
}

export class RecordWriter extends BatchedWriter {
  private readonly fragmentSize: number;
  private readonly maxRecord: number;

  /**
   * `sink` writes one batch and calls `done` once the transport took it; it returns true when
   * it no longer needs `bytes` (written synchronously), so their buffer can take the next batch.
   */
  constructor(
    private readonly sink: (bytes: Uint8Array, done: () => void) => boolean,
    options: RecordWriterOptions = {},
  ) {
    super(64 * 1024);
    this.fragmentSize = Math.min(
      options.fragmentSize ?? 0x7fffffff,
      0x7fffffff,
    );
    if (!(this.fragmentSize >= 4))
      throw new RangeError(
        `fragment size must be at least 4, not ${this.fragmentSize}`,
      );
    this.maxRecord = options.maxRecord ?? Infinity;
  }

  /**
   * Appends one record written by `encode`. Throws (leaving nothing queued) when `encode`
   * throws or the record is too large.
   */
  record(encode: (w: XdrWriter) => void): void {
    const w = this.w;
    const start = w.pos;
    try {
      const at = w.reserveUint32();
      encode(w);
      const len = w.pos - at - 4;
      if (len > this.maxRecord)
        throw new XdrError(
          "message-too-large",
          len,
          `message of ${len} bytes exceeds the limit of ${this.maxRecord} bytes`,
        );
      if (len <= this.fragmentSize)
        w.patchUint32(at, (LAST_FRAGMENT | len) >>> 0);
      else this.split(at, len);
    } catch (e) {
      w.pos = start;
      throw e;
    }
    this.schedule();
  }

  /** The sink may keep the batch's buffer (it did not consume it at once): start a new one. */
  protected handOver(w: XdrWriter, done: () => void): void {
    const consumed = this.sink(w.finish(), done);
    if (consumed && w.capacity <= RETAINED_CAPACITY) w.reset();
    else this.w = new XdrWriter(64 * 1024);
  }

  /** Rewrites the record after `at` (one unmarked header, `len` bytes) as fragments. */
  private split(at: number, len: number): void {
    const w = this.w;
    const body = w.buf.slice(at + 4, at + 4 + len);
    w.pos = at;
    for (let o = 0; o < len; o += this.fragmentSize) {
      const part = Math.min(this.fragmentSize, len - o);
      const last = o + part === len;
      w.uint(last ? (LAST_FRAGMENT | part) >>> 0 : part);
      w.raw(body.subarray(o, o + part));
    }
  }

  /**
   * Runs `fn`, then writes what it queued at once instead of on the next tick: a server that
   * answers the calls of one read synchronously saves a tick (and its bookkeeping) per batch.
   */
  batch(fn: () => void): void {
    if (this.batching) return fn();
    this.batching = true;
    try {
      fn();
    } finally {
      // Also when `fn` throws: what it queued is not scheduled on a tick.
      this.batching = false;
      if (this.hasWork) this.flush();
    }
  }
}
