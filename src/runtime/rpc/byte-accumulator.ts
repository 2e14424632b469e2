/**
 * Collects one message of a known length from stream chunks of any size, in time linear in the
 * bytes received, without trusting the announced length to allocate.
 *
 * Why not keep the chunks and join them at the end: a peer that sends one byte per write makes
 * one chunk (a `Buffer` of ~100–200 bytes of overhead) per byte, and joining or shifting an
 * array of them per chunk is quadratic. Here every byte is copied into one growing buffer:
 *
 * - the buffer doubles (at least to what has arrived, never beyond the announced length), so
 *   each byte is copied at most twice in all: linear whatever the chunking;
 * - it holds at most twice the bytes that have arrived (or `MIN_CAPACITY`), so a forged length
 *   costs only what the peer actually sent;
 * - `take()` hands the buffer over (no copy) and forgets it: what the caller got is never
 *   written again.
 *
 * Usage (a length-prefixed reader):
 * ```ts
 * const acc = new ByteAccumulator();
 * acc.begin(4);                           // the length word
 * at += acc.append(chunk, at);
 * if (acc.complete) acc.extend(lengthFrom(acc.view()) - 4);  // then the rest of the frame
 * at += acc.append(chunk, at);
 * if (acc.complete) handle(acc.take());
 * ```
 * `extend` also serves readers whose messages come in several pieces (ONC-RPC record marking:
 * each fragment extends the record).
 */

/** Smallest buffer allocated for a message (less only when the message is smaller). */
export const MIN_CAPACITY = 256;
/** Pieces up to this size are copied byte by byte rather than through a view. */
const SMALL_COPY = 16;

export class ByteAccumulator {
  private buf: Uint8Array | null = null;
  private filled = 0;
  private target = 0;
  private active = false;

  /** Starts collecting a message of `length` bytes. Throws if one is already under way. */
  begin(length: number): void {
    if (this.active)
      throw new Error("ByteAccumulator: begin() while a message is under way");
    checkLength(length);
    this.active = true;
    this.target = length;
    this.filled = 0;
  }

  /** Makes the message under way `more` bytes longer (its next piece). */
  extend(more: number): void {
    if (!this.active)
      throw new Error("ByteAccumulator: extend() without begin()");
    checkLength(more);
    checkLength(this.target + more);
    this.target += more;
  }

  /**
   * Copies from `chunk[offset..]` as many bytes as the message still lacks; returns how many it
   * took (the caller continues from `offset` plus that).
   */
  append(chunk: Uint8Array, offset = 0): number {
    if (!this.active)
      throw new Error("ByteAccumulator: append() without begin()");
    const n = Math.min(chunk.length - offset, this.target - this.filled);
    if (n <= 0) return 0;
    const need = this.filled + n;
    if (this.buf === null || need > this.buf.length) this.grow(need);
    const buf = this.buf!;
    if (n <= SMALL_COPY) {
      // A view object per tiny piece would cost more than the bytes.
      for (let i = 0; i < n; i++) buf[this.filled + i] = chunk[offset + i]!;
    } else {
      buf.set(
        offset === 0 && n === chunk.length
          ? chunk
          : chunk.subarray(offset, offset + n),
        this.filled,
      );
    }
    this.filled = need;
    return n;
  }

  /** Whether a message is under way (between `begin` and `take`/`reset`). */
  get busy(): boolean {
    return this.active;
  }

  /** Bytes of the message received so far. */
  get length(): number {
    return this.filled;
  }

  /** The message's announced length (so far, with `extend`). */
  get expected(): number {
    return this.target;
  }

  get remaining(): number {
    return this.target - this.filled;
  }

  /** All announced bytes have arrived. */
  get complete(): boolean {
    return this.active && this.filled === this.target;
  }

  /** Bytes allocated now (for memory accounting). */
  get capacity(): number {
    return this.buf === null ? 0 : this.buf.length;
  }

  /** The bytes received so far; valid until the next `append`, `take` or `reset`. */
  view(): Uint8Array {
    return this.buf === null
      ? new Uint8Array(0)
      : this.buf.subarray(0, this.filled);
  }

  /**
   * Returns the complete message and starts over. The caller owns the bytes: this accumulator
   * never touches them again.
   */
  take(): Uint8Array {
    if (!this.complete)
      throw new Error(
        `ByteAccumulator: take() with ${this.filled} of ${this.target} bytes`,
      );
    const buf = this.buf ?? new Uint8Array(0);
    const out = buf.length === this.filled ? buf : buf.subarray(0, this.filled);
    this.buf = null;
    this.filled = 0;
    this.target = 0;
    this.active = false;
    return out;
  }

  /** Drops the message under way and its buffer. */
  reset(): void {
    this.buf = null;
    this.filled = 0;
    this.target = 0;
    this.active = false;
  }

  private grow(need: number): void {
    const old = this.buf;
    const grown = old === null ? 0 : old.length * 2;
    const size = Math.min(this.target, Math.max(need, grown, MIN_CAPACITY));
    const buf = new Uint8Array(size);
    if (old !== null && this.filled > 0)
      buf.set(old.subarray(0, this.filled), 0);
    this.buf = buf;
  }
}

function checkLength(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new RangeError(
      `ByteAccumulator: length must be a safe integer ≥ 0, not ${n}`,
    );
}
