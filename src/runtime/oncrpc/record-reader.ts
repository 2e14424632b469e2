/**
 * RFC 5531 record marking (§11), incoming: a stream of fragments, each a 4-byte header (top bit:
 * last fragment of the record; low 31 bits: its length) and its bytes, reassembled into records.
 *
 * Nothing is trusted: a fragment longer than `maxFragment`, or a record that would grow past
 * `maxRecord` (fragment headers counted, so endless empty fragments end too), is a
 * `RecordMarkingError` raised when its header arrives, before a byte is buffered for it; an empty
 * record is one too (no RPC message is empty). Each input byte is looked at once, and a record
 * is copied once, when complete (not at all when it arrived in one chunk), so a record sent a
 * byte at a time costs linear time.
 */
import { RecordMarkingError } from "./errors.js";

export interface RecordLimits {
  /** Largest fragment accepted (its bytes, header excluded). */
  readonly maxFragment: number;
  /** Largest record accepted, fragment headers included. */
  readonly maxRecord: number;
}

/** 4 MiB: an NFS READ of 1 MiB fits many times over; a forged length costs no more than this. */
export const DEFAULT_RECORD_LIMITS: RecordLimits = {
  maxFragment: 4 * 1024 * 1024,
  maxRecord: 4 * 1024 * 1024,
};

export const LAST_FRAGMENT = 0x80000000;

export class RecordReader {
  private readonly limits: RecordLimits;
  /** Header bytes gathered so far (a header can straddle chunks). */
  private readonly header = new Uint8Array(4);
  private headerFill = 0;
  /** Bytes still to come of the current fragment; -1 while reading a header. */
  private fragmentLeft = -1;
  private lastFragment = false;
  /** The current record's bytes, as views into the chunks they came in. */
  private parts: Uint8Array[] = [];
  private recordBytes = 0;
  /** Record size counting fragment headers, for the limit. */
  private wireBytes = 0;

  constructor(limits: Partial<RecordLimits> = {}) {
    this.limits = { ...DEFAULT_RECORD_LIMITS, ...limits };
  }

  /** True between records (nothing of a started record is held). */
  get idle(): boolean {
    return (
      this.fragmentLeft < 0 && this.headerFill === 0 && this.wireBytes === 0
    );
  }

  /** Bytes held for the record under way. */
  get pending(): number {
    return this.recordBytes + this.headerFill;
  }

  /** Feeds bytes; returns the records they complete. Throws RecordMarkingError. */
  push(chunk: Uint8Array): Uint8Array[] {
    const records: Uint8Array[] = [];
    let at = 0;
    const n = chunk.length;
    while (at < n) {
      if (this.fragmentLeft < 0) {
        // Fast path: the whole header in this chunk.
        if (this.headerFill === 0 && n - at >= 4) {
          this.startFragment(
            ((chunk[at]! << 24) |
              (chunk[at + 1]! << 16) |
              (chunk[at + 2]! << 8) |
              chunk[at + 3]!) >>>
              0,
          );
          at += 4;
        } else {
          this.header[this.headerFill++] = chunk[at++]!;
          if (this.headerFill < 4) continue;
          const h = this.header;
          this.headerFill = 0;
          this.startFragment(
            ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0,
          );
        }
      } else {
        const take = Math.min(this.fragmentLeft, n - at);
        this.parts.push(chunk.subarray(at, at + take));
        this.recordBytes += take;
        this.fragmentLeft -= take;
        at += take;
      }
      if (this.fragmentLeft === 0) {
        this.fragmentLeft = -1;
        if (this.lastFragment) records.push(this.takeRecord());
      }
    }
    return records;
  }

  /**
   * The stream ended: throws RecordMarkingError when it ended inside a record (a truncated
   * fragment or a record without its last fragment).
   */
  end(): void {
    if (!this.idle)
      throw new RecordMarkingError(
        `the stream ended inside a record (${this.pending} bytes of it received)`,
      );
  }

  private startFragment(word: number): void {
    const length = word & 0x7fffffff;
    this.lastFragment = word >= LAST_FRAGMENT;
    if (length > this.limits.maxFragment)
      throw new RecordMarkingError(
        `fragment of ${length} bytes exceeds the limit of ${this.limits.maxFragment}`,
      );
    this.wireBytes += 4 + length;
    if (this.wireBytes > this.limits.maxRecord)
      throw new RecordMarkingError(
        `record of at least ${this.wireBytes} bytes exceeds the limit of ${this.limits.maxRecord}` +
          (this.lastFragment
            ? ""
            : " (fragments without a last-fragment mark)"),
      );
    if (this.lastFragment && this.recordBytes + length === 0)
      throw new RecordMarkingError("empty record (no RPC message is empty)");
    this.fragmentLeft = length;
  }

  private takeRecord(): Uint8Array {
    const parts = this.parts;
    let out: Uint8Array;
    if (parts.length === 1) out = parts[0]!;
    else {
      out = new Uint8Array(this.recordBytes);
      let o = 0;
      for (const p of parts) {
        out.set(p, o);
        o += p.length;
      }
    }
    this.parts = [];
    this.recordBytes = 0;
    this.wireBytes = 0;
    return out;
  }
}
