import { MAX_XDR_DEPTH, tooDeep } from "./depth.js";
import { XdrError } from "./errors.js";

const UTF8 = new TextEncoder();
/**
 * Strings up to this many UTF-16 code units are tried as ASCII by hand;
 * longer ones go to TextEncoder.encodeInto, which wins beyond ~32 on Node 20.
 */
const ASCII_FAST_PATH_MAX = 16;

/**
 * Node's native UTF-8 writer (what Buffer#write uses): the same bytes as TextEncoder, lone
 * surrogates included, ~25% cheaper than encodeInto for the 16–100 character strings
 * libvirt messages are full of (no result object, no subarray).
 */
type Utf8Writer = (
  this: Uint8Array,
  s: string,
  offset: number,
  length: number,
) => number;
const utf8Write: Utf8Writer | undefined =
  typeof Buffer === "function"
    ? (Buffer.prototype as unknown as { utf8Write?: Utf8Writer }).utf8Write
    : undefined;
const MAX_UINT32 = 0xffffffff;
const MIN_HYPER = -(1n << 63n);
const MAX_HYPER = (1n << 63n) - 1n;
const MAX_UHYPER = (1n << 64n) - 1n;

/**
 * Growable big-endian XDR (RFC 4506) writer. One instance owns a single
 * Uint8Array + DataView that doubles in size when needed.
 *
 * Hot-path fields (`buf`, `view`, `pos`) are public so generated code can write
 * directly: call `ensure(n)` first, then re-read `buf` / `view` (ensure may
 * replace them), write at `pos` and advance `pos`.
 */
export class XdrWriter {
  /** Backing storage; replaced on growth. Only bytes [0, pos) are meaningful. */
  buf: Uint8Array;
  /** DataView over `buf`; replaced together with `buf`. */
  view: DataView;
  /** Write position == number of bytes written. */
  pos = 0;
  /** Hard upper bound on the encoded size; exceeding it throws 'message-too-large'. */
  readonly maxSize: number;
  /** Nesting of recursive types being encoded (see `enter`). */
  depth = 0;

  constructor(initialCapacity = 1024, maxSize = Infinity) {
    if (!(maxSize >= 0))
      throw new RangeError(`XdrWriter: invalid maxSize ${maxSize}`);
    // Never allocate beyond maxSize, so every overflow goes through grow().
    const cap = Math.min(
      Math.max(16, Math.ceil(initialCapacity) || 0),
      maxSize,
    );
    this.buf = new Uint8Array(cap);
    this.view = new DataView(this.buf.buffer);
    this.maxSize = maxSize;
  }

  /** Number of bytes written so far. */
  get length(): number {
    return this.pos;
  }

  /** Current capacity of the backing buffer. */
  get capacity(): number {
    return this.buf.length;
  }

  /** Make room for `n` more bytes (grows by doubling). */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    this.grow(need);
  }

  private grow(need: number): void {
    if (need > this.maxSize) {
      throw new XdrError(
        "message-too-large",
        this.pos,
        `encoded message would need ${need} bytes, limit is ${this.maxSize}`,
      );
    }
    let cap = Math.max(this.buf.length * 2, 16);
    while (cap < need) cap *= 2;
    if (cap > this.maxSize) cap = this.maxSize; // need <= maxSize here
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** Discard all written data (keeps the allocated buffer). */
  reset(): void {
    this.pos = 0;
    this.depth = 0;
  }

  /**
   * Called by the encoder of a recursive type on entry (it does `depth--` on exit): a value
   * nested deeper than MAX_XDR_DEPTH levels (or a cyclic object graph) is an XdrError.
   */
  enter(): void {
    if (++this.depth > MAX_XDR_DEPTH) {
      this.depth--;
      tooDeep(this.pos);
    }
  }

  /**
   * Zero-copy view of the bytes written so far. Shares memory with the writer:
   * it is only valid until the next write after `reset()` (or until growth,
   * after which it is a stale snapshot). Copy it (or use `toBytes()`) if it
   * must outlive the writer's next use.
   */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** Fresh copy of the bytes written so far; independent of the writer. */
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  private outOfRange(what: string, v: unknown): XdrError {
    return new XdrError(
      "value-out-of-range",
      this.pos,
      `${what} value out of range: ${String(v)}`,
    );
  }

  /** Signed 32-bit integer. */
  int(v: number): void {
    if ((v | 0) !== v) throw this.outOfRange("int", v);
    if (this.pos + 4 > this.buf.length) this.grow(this.pos + 4);
    this.view.setInt32(this.pos, v);
    this.pos += 4;
  }

  /** Unsigned 32-bit integer. */
  uint(v: number): void {
    if (v >>> 0 !== v) throw this.outOfRange("unsigned int", v);
    if (this.pos + 4 > this.buf.length) this.grow(this.pos + 4);
    this.view.setUint32(this.pos, v);
    this.pos += 4;
  }

  /** Signed 64-bit integer. */
  hyper(v: bigint): void {
    if (typeof v !== "bigint" || v < MIN_HYPER || v > MAX_HYPER)
      throw this.outOfRange("hyper", v);
    if (this.pos + 8 > this.buf.length) this.grow(this.pos + 8);
    this.view.setBigInt64(this.pos, v);
    this.pos += 8;
  }

  /** Unsigned 64-bit integer. */
  uhyper(v: bigint): void {
    if (typeof v !== "bigint" || v < 0n || v > MAX_UHYPER) {
      throw this.outOfRange("unsigned hyper", v);
    }
    if (this.pos + 8 > this.buf.length) this.grow(this.pos + 8);
    this.view.setBigUint64(this.pos, v);
    this.pos += 8;
  }

  /** IEEE-754 single precision (value is rounded to float32). */
  float(v: number): void {
    if (typeof v !== "number") throw this.outOfRange("float", v);
    if (this.pos + 4 > this.buf.length) this.grow(this.pos + 4);
    this.view.setFloat32(this.pos, v);
    this.pos += 4;
  }

  /** IEEE-754 double precision. */
  double(v: number): void {
    if (typeof v !== "number") throw this.outOfRange("double", v);
    if (this.pos + 8 > this.buf.length) this.grow(this.pos + 8);
    this.view.setFloat64(this.pos, v);
    this.pos += 8;
  }

  /** XDR bool: 1 or 0. */
  bool(v: boolean): void {
    if (typeof v !== "boolean") throw this.outOfRange("bool", v);
    if (this.pos + 4 > this.buf.length) this.grow(this.pos + 4);
    this.view.setUint32(this.pos, v ? 1 : 0);
    this.pos += 4;
  }

  /** Optional-data flag (`*` pointers): 1 if the value follows, 0 otherwise. */
  presence(present: boolean): void {
    if (this.pos + 4 > this.buf.length) this.grow(this.pos + 4);
    this.view.setUint32(this.pos, present ? 1 : 0);
    this.pos += 4;
  }

  /** Variable-length array count; checked against the declared maximum. */
  count(n: number, max: number): void {
    if (n >>> 0 !== n) throw this.outOfRange("array count", n);
    if (n > max) {
      throw new XdrError(
        "length-exceeds-max",
        this.pos,
        `array count ${n} exceeds maximum ${max}`,
      );
    }
    if (this.pos + 4 > this.buf.length) this.grow(this.pos + 4);
    this.view.setUint32(this.pos, n);
    this.pos += 4;
  }

  /** Write `len` raw bytes followed by zero padding to a multiple of 4. */
  private bytesPadded(bytes: Uint8Array, len: number): void {
    const padded = len + ((4 - (len & 3)) & 3);
    if (this.pos + padded > this.buf.length) this.grow(this.pos + padded);
    const buf = this.buf;
    let p = this.pos;
    if (len <= 16) {
      for (let i = 0; i < len; i++) buf[p + i] = bytes[i]!;
    } else {
      buf.set(bytes, p);
    }
    p += len;
    // Zero padding explicitly: the buffer may hold stale data after reset().
    for (; len < padded; len++) buf[p++] = 0;
    this.pos = p;
  }

  /** Fixed-length opaque[len]; `bytes.length` must equal `len`. */
  fixedOpaque(bytes: Uint8Array, len: number): void {
    if (!(bytes instanceof Uint8Array) || bytes.length !== len) {
      throw new XdrError(
        "value-out-of-range",
        this.pos,
        `fixed opaque must be exactly ${len} bytes, got ${bytes instanceof Uint8Array ? bytes.length : typeof bytes}`,
      );
    }
    this.bytesPadded(bytes, len);
  }

  /** Variable-length opaque<max>: length prefix, bytes, zero padding. */
  varOpaque(bytes: Uint8Array, max: number = MAX_UINT32): void {
    if (!(bytes instanceof Uint8Array))
      throw this.outOfRange("opaque", typeof bytes);
    const len = bytes.length;
    if (len > max || len > MAX_UINT32) {
      throw new XdrError(
        "length-exceeds-max",
        this.pos,
        `opaque length ${len} exceeds maximum ${max}`,
      );
    }
    if (this.pos + 4 > this.buf.length) this.grow(this.pos + 4);
    this.view.setUint32(this.pos, len);
    this.pos += 4;
    this.bytesPadded(bytes, len);
  }

  /**
   * string<max>: UTF-8 encoded; `max` limits the length in BYTES.
   * Lone surrogates are encoded as U+FFFD (TextEncoder semantics).
   */
  string(s: string, max: number = MAX_UINT32): void {
    if (typeof s !== "string") throw this.outOfRange("string", typeof s);
    const n = s.length;
    // UTF-8 length >= UTF-16 length, so this is a cheap early rejection.
    if (n > max) {
      throw new XdrError(
        "length-exceeds-max",
        this.pos,
        `string length ${n} exceeds maximum ${max}`,
      );
    }
    const start = this.pos;
    if (n <= ASCII_FAST_PATH_MAX) {
      const need = 4 + ((n + 3) & ~3);
      if (start + need > this.buf.length) this.grow(start + need);
      const buf = this.buf;
      let p = start + 4;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[p++] = c;
      }
      if (i === n) {
        this.view.setUint32(start, n);
        for (let k = n; (k & 3) !== 0; k++) buf[p++] = 0;
        this.pos = p;
        return;
      }
      // Non-ASCII: fall through to the encoder.
    }
    // Worst case 3 bytes per UTF-16 code unit (+ up to 3 bytes of padding).
    // Clamp to maxSize: the real encoding may still fit even if the worst case doesn't.
    const want = Math.min(
      start + 4 + n * 3 + 3,
      Math.max(this.maxSize, start + 4),
    );
    if (want > this.buf.length) this.grow(want);
    let read = n;
    let written: number;
    if (utf8Write !== undefined && start + 4 + n * 3 <= this.buf.length) {
      written = utf8Write.call(this.buf, s, start + 4, n * 3);
    } else {
      ({ read, written } = UTF8.encodeInto(s, this.buf.subarray(start + 4)));
    }
    if (read < n) {
      throw new XdrError(
        "message-too-large",
        start,
        `encoded string does not fit in the ${this.maxSize}-byte message limit`,
      );
    }
    if (written > max) {
      throw new XdrError(
        "length-exceeds-max",
        start,
        `string UTF-8 length ${written} exceeds maximum ${max}`,
      );
    }
    const end = start + 4 + written + ((4 - (written & 3)) & 3);
    if (end > this.buf.length) {
      // Only possible when the buffer was clamped to maxSize.
      throw new XdrError(
        "message-too-large",
        start,
        `encoded message would need ${end} bytes, limit is ${this.maxSize}`,
      );
    }
    this.view.setUint32(start, written);
    const buf = this.buf;
    for (let p = start + 4 + written; p < end; p++) buf[p] = 0;
    this.pos = end;
  }

  /** Append raw, already-encoded bytes (no length prefix, no padding). */
  raw(bytes: Uint8Array): void {
    const len = bytes.length;
    if (this.pos + len > this.buf.length) this.grow(this.pos + len);
    this.buf.set(bytes, this.pos);
    this.pos += len;
  }

  /** Reserve a 4-byte slot (zero-filled) and return its offset, for `patchUint32`. */
  reserveUint32(): number {
    if (this.pos + 4 > this.buf.length) this.grow(this.pos + 4);
    const at = this.pos;
    this.view.setUint32(at, 0);
    this.pos += 4;
    return at;
  }

  /** Overwrite a previously written/reserved 4-byte big-endian unsigned value. */
  patchUint32(at: number, v: number): void {
    if (at >>> 0 !== at || at + 4 > this.pos) {
      throw new RangeError(
        `patchUint32: offset ${at} is outside the written region (${this.pos} bytes)`,
      );
    }
    if (v >>> 0 !== v) {
      throw new XdrError(
        "value-out-of-range",
        at,
        `unsigned int value out of range: ${String(v)}`,
      );
    }
    this.view.setUint32(at, v);
  }
}
