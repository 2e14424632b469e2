/**
 * RFC 5531 record marking (§11), incoming: a stream of fragments, each a 4-byte header (top bit:
 * last fragment of the record; low 31 bits: its length) and its bytes, reassembled into records.
 * The one record splitter of the project: the ONC-RPC client and server and the wire tracer
 * (src/wire) all read record-marked streams through it.
 *
 * Nothing is trusted: a fragment longer than `maxFragment`, or a record that would grow past
 * `maxRecord` (fragment headers counted, so endless empty fragments end too), is a
 * `RecordMarkingError` raised when its header arrives, before a byte is buffered for it; an empty
 * record is one too (no RPC message is empty).
 *
 * Memory and time are linear in what the peer actually sent, whatever its chunking: a record
 * that arrives in one chunk is handed out as a view of it (no copy; when the caller reuses its
 * input buffer, a view of one copy per run of such records); one that arrives in pieces is
 * copied into one growing buffer (`ByteAccumulator`: at most twice the bytes received), never
 * kept as a list of chunks — a peer writing one byte at a time would otherwise cost a chunk
 * object (~100–200 bytes) per byte, ~100× the record limit. No view of a pushed chunk is kept
 * once `push` returns.
 */
import { ByteAccumulator } from "../rpc/byte-accumulator.js";
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

/** A record with the sizes of the fragments it came in (for tracers). */
export interface FragmentedRecord {
  readonly bytes: Uint8Array;
  readonly fragments: number[];
}

export class RecordReader {
  private readonly limits: RecordLimits;
  /** Header bytes gathered so far (a header can straddle chunks). */
  private readonly header = new Uint8Array(4);
  private headerFill = 0;
  /** Bytes still to come of the current fragment; -1 while reading a header. */
  private fragmentLeft = -1;
  private lastFragment = false;
  /** The record under way, when it did not arrive in one chunk. */
  private readonly body = new ByteAccumulator();
  /** Record size counting fragment headers, for the limit. */
  private wireBytes = 0;
  /** Fragment sizes of the record under way (kept only by `pushFragmented`). */
  private sizes: number[] = [];

  /**
   * `reusedInput`: the caller refills the buffer of the chunks it pushes (a socket's `onread`
   * buffer), so records that arrived in one chunk are copied out of it too (see `endOfRun`).
   */
  constructor(
    limits: Partial<RecordLimits> = {},
    private readonly reusedInput = false,
  ) {
    this.limits = { ...DEFAULT_RECORD_LIMITS, ...limits };
  }

  /** True between records (nothing of a started record is held). */
  get idle(): boolean {
    return (
      this.fragmentLeft < 0 && this.headerFill === 0 && this.wireBytes === 0
    );
  }

  /** Bytes received of the record under way, fragment headers included. */
  get pending(): number {
    // wireBytes counts the fragments announced so far, headers included; the one under way
    // still lacks fragmentLeft of its bytes.
    return this.wireBytes - Math.max(this.fragmentLeft, 0) + this.headerFill;
  }

  /** Bytes allocated for the record under way (at most twice `pending`, or 256). */
  get buffered(): number {
    return this.body.capacity + this.header.length;
  }

  /** Feeds bytes; returns the records they complete. Throws RecordMarkingError. */
  push(chunk: Uint8Array): Uint8Array[] {
    const records: Uint8Array[] = [];
    this.read(chunk, records, null);
    return records;
  }

  /**
   * As `push`, with the sizes of each record's fragments (for tracers). A reader is fed by one
   * of the two: `push` does not keep fragment sizes.
   */
  pushFragmented(chunk: Uint8Array): FragmentedRecord[] {
    const records: FragmentedRecord[] = [];
    this.read(chunk, null, records);
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

  /** Reads `chunk`; completed records go to `records`, or with their sizes to `fragmented`. */
  private read(
    chunk: Uint8Array,
    records: Uint8Array[] | null,
    fragmented: FragmentedRecord[] | null,
  ): void {
    let at = 0;
    const n = chunk.length;
    // With reusedInput: a copy of a run of whole records of this chunk (see copyRun).
    let run: Uint8Array | null = null;
    let runAt = 0;
    let runEnd = 0;
    while (at < n) {
      if (this.fragmentLeft < 0) {
        let word: number;
        if (this.headerFill === 0 && n - at >= 4) {
          word =
            ((chunk[at]! << 24) |
              (chunk[at + 1]! << 16) |
              (chunk[at + 2]! << 8) |
              chunk[at + 3]!) >>>
            0;
          at += 4;
        } else {
          this.header[this.headerFill++] = chunk[at++]!;
          if (this.headerFill < 4) continue;
          const h = this.header;
          this.headerFill = 0;
          word = ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
        }
        const length = this.startFragment(word);
        if (fragmented) this.sizes.push(length);
        // Fast path: a whole record in this chunk, as one fragment: a view of it, or of a copy
        // made once for the run of whole records it starts.
        if (this.lastFragment && !this.body.busy && n - at >= length) {
          let bytes: Uint8Array;
          if (!this.reusedInput) bytes = chunk.subarray(at, at + length);
          else if (at + length <= runEnd)
            bytes = run!.subarray(at - runAt, at - runAt + length);
          else {
            runEnd = endOfRun(chunk, at + length);
            runAt = at;
            if (runEnd === at + length)
              run = bytes = Uint8Array.prototype.slice.call(chunk, at, runEnd);
            else {
              run = new Uint8Array(runEnd - at);
              run.set(chunk.subarray(at, runEnd));
              bytes = run.subarray(0, length);
            }
          }
          this.endRecord(bytes, records, fragmented);
          at += length;
          continue;
        }
        if (this.body.busy) this.body.extend(length);
        else this.body.begin(length);
      } else {
        const took = this.body.append(chunk, at);
        this.fragmentLeft -= took;
        at += took;
      }
      if (this.fragmentLeft === 0) {
        this.fragmentLeft = -1;
        if (this.lastFragment)
          this.endRecord(this.body.take(), records, fragmented);
      }
    }
  }

  /** Checks a fragment header; returns the fragment's length. */
  private startFragment(word: number): number {
    const length = word & 0x7fffffff;
    this.lastFragment = word >= LAST_FRAGMENT;
    if (length > this.limits.maxFragment)
      throw new RecordMarkingError(
        `fragment of ${length} bytes exceeds the limit of ${this.limits.maxFragment}`,
      );
    const wireBytes = this.wireBytes + 4 + length;
    if (wireBytes > this.limits.maxRecord)
      throw new RecordMarkingError(
        `record of at least ${wireBytes} bytes exceeds the limit of ${this.limits.maxRecord}` +
          (this.lastFragment
            ? ""
            : " (fragments without a last-fragment mark)"),
      );
    this.wireBytes = wireBytes;
    if (this.lastFragment && this.body.length + length === 0)
      throw new RecordMarkingError("empty record (no RPC message is empty)");
    this.fragmentLeft = length;
    return length;
  }

  private endRecord(
    bytes: Uint8Array,
    records: Uint8Array[] | null,
    fragmented: FragmentedRecord[] | null,
  ): void {
    this.fragmentLeft = -1;
    this.wireBytes = 0;
    if (fragmented) {
      fragmented.push({ bytes, fragments: this.sizes });
      this.sizes = [];
    } else records!.push(bytes);
  }
}

/**
 * Where the run of whole one-fragment records that follows `at` in `chunk` ends. With
 * reusedInput, a run is copied out of the chunk at once and its records are views of the copy:
 * one allocation per chunk rather than per record (a small Uint8Array of its own costs ~80 ns,
 * one over 64 bytes several hundred). A record kept then keeps its run alive, at most a chunk,
 * as a view of a chunk does without reusedInput. The records' headers are checked again (and
 * the limits applied) as they are read.
 */
function endOfRun(chunk: Uint8Array, at: number): number {
  const n = chunk.length;
  while (n - at >= 4) {
    const word =
      ((chunk[at]! << 24) |
        (chunk[at + 1]! << 16) |
        (chunk[at + 2]! << 8) |
        chunk[at + 3]!) >>>
      0;
    const length = word & 0x7fffffff;
    if (word < LAST_FRAGMENT || length === 0 || n - at - 4 < length) break;
    at += 4 + length;
  }
  return at;
}
