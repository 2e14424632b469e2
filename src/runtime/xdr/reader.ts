import { MAX_XDR_DEPTH, tooDeep } from "./depth.js";
import { XdrError } from "./errors.js";

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
/**
 * Strings up to this many bytes are tried as ASCII by hand (charcode concat);
 * longer ones go to TextDecoder, which wins beyond ~12 bytes on Node 20.
 */
const ASCII_FAST_PATH_MAX = 12;

/**
 * Node's native UTF-8 slice (what Buffer#toString uses): a fraction of TextDecoder's cost,
 * which dominated decode profiles. It is lenient, so its result is only trusted when it
 * contains no U+FFFD.
 */
type Slicer = (this: Uint8Array, start: number, end: number) => string;
const utf8Slice: Slicer | undefined =
  typeof Buffer === "function"
    ? (Buffer.prototype as unknown as { utf8Slice?: Slicer }).utf8Slice
    : undefined;
const MAX_UINT32 = 0xffffffff;

/** Padded size of `n` bytes (safe for any n < 2^53; no int32 overflow). */
function padded(n: number): number {
  return n + ((4 - (n & 3)) & 3);
}

/**
 * Big-endian XDR (RFC 4506) reader over `buf[start, end)`.
 *
 * Offsets (`offset`, and `XdrError.offset`) are absolute indices into `buf`.
 * Every read past `end` throws XdrError 'truncated'. Lengths and counts read
 * from the wire are checked against both the declared maximum and the bytes
 * remaining before anything is allocated.
 */
export class XdrReader {
  /** Underlying bytes (not copied). */
  readonly buf: Uint8Array;
  /** DataView over `buf`'s memory (index 0 == buf[0]); made on first use (floats, hypers). */
  private dataView: DataView | undefined;
  /** Current read position (absolute index into `buf`). */
  pos: number;
  /** Exclusive end of the readable region. */
  readonly end: number;
  /** Nesting of recursive types being decoded (see `enter`). */
  depth = 0;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    if (
      !(start >= 0 && start <= end && end <= buf.length) ||
      start % 1 !== 0 ||
      end % 1 !== 0
    ) {
      throw new RangeError(
        `XdrReader: invalid range [${start}, ${end}) for ${buf.length}-byte buffer`,
      );
    }
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  /**
   * Called by the decoder of a recursive type on entry (it does `depth--` on exit): past
   * MAX_XDR_DEPTH levels the message is rejected as "too-deep" instead of exhausting the stack.
   */
  enter(): void {
    if (++this.depth > MAX_XDR_DEPTH) {
      this.depth--;
      tooDeep(this.pos);
    }
  }

  /** DataView over the input; creating one costs more than decoding a small message, so it is lazy. */
  get view(): DataView {
    return (this.dataView ??= new DataView(
      this.buf.buffer,
      this.buf.byteOffset,
      this.buf.byteLength,
    ));
  }

  /** Big-endian unsigned 32-bit word at absolute index p (bounds already checked). */
  private u32(p: number): number {
    const b = this.buf;
    return (
      ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0
    );
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** Current position (absolute index into the buffer). */
  get offset(): number {
    return this.pos;
  }

  /** Throw 'trailing-bytes' unless the whole region has been consumed. */
  done(): void {
    if (this.pos !== this.end) {
      throw new XdrError(
        "trailing-bytes",
        this.pos,
        `${this.end - this.pos} unconsumed trailing bytes`,
      );
    }
  }

  /** Throws 'truncated' unless `n` more bytes are available. */
  need(n: number): void {
    if (this.pos + n > this.end) this.truncated(n);
  }

  private truncated(n: number): never {
    throw new XdrError(
      "truncated",
      this.pos,
      `need ${n} bytes but only ${this.end - this.pos} remain`,
    );
  }

  int(): number {
    const p = this.pos;
    if (p + 4 > this.end) this.truncated(4);
    this.pos = p + 4;
    const b = this.buf;
    return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
  }

  uint(): number {
    const p = this.pos;
    if (p + 4 > this.end) this.truncated(4);
    this.pos = p + 4;
    const b = this.buf;
    return (
      ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0
    );
  }

  hyper(): bigint {
    const p = this.pos;
    if (p + 8 > this.end) this.truncated(8);
    this.pos = p + 8;
    return this.view.getBigInt64(p);
  }

  uhyper(): bigint {
    const p = this.pos;
    if (p + 8 > this.end) this.truncated(8);
    this.pos = p + 8;
    return this.view.getBigUint64(p);
  }

  float(): number {
    const p = this.pos;
    if (p + 4 > this.end) this.truncated(4);
    this.pos = p + 4;
    return this.view.getFloat32(p);
  }

  double(): number {
    const p = this.pos;
    if (p + 8 > this.end) this.truncated(8);
    this.pos = p + 8;
    return this.view.getFloat64(p);
  }

  /** XDR bool; any value other than 0 or 1 is 'bad-bool'. */
  bool(): boolean {
    const p = this.pos;
    if (p + 4 > this.end) this.truncated(4);
    const v = this.u32(p);
    if (v > 1) throw new XdrError("bad-bool", p, `invalid bool value ${v}`);
    this.pos = p + 4;
    return v === 1;
  }

  /** Optional-data flag (`*` pointers); 0/1 only, else 'bad-bool'. */
  presence(): boolean {
    const p = this.pos;
    if (p + 4 > this.end) this.truncated(4);
    const v = this.u32(p);
    if (v > 1)
      throw new XdrError("bad-bool", p, `invalid optional-data flag ${v}`);
    this.pos = p + 4;
    return v === 1;
  }

  /**
   * Read a signed 32-bit enum value and validate it ('bad-enum' otherwise).
   * Generated code may instead read `int()` and switch on it.
   */
  enumValue(valid: ReadonlySet<number> | ((v: number) => boolean)): number {
    const p = this.pos;
    if (p + 4 > this.end) this.truncated(4);
    const v = this.u32(p) | 0;
    const ok = typeof valid === "function" ? valid(v) : valid.has(v);
    if (!ok) throw new XdrError("bad-enum", p, `invalid enum value ${v}`);
    this.pos = p + 4;
    return v;
  }

  /**
   * Variable-length array count. Rejects (before the caller allocates):
   * count > max ('length-exceeds-max'), and count * minElementSize > remaining
   * ('length-exceeds-buffer'). Both errors report the offset of the count word.
   */
  count(max: number, minElementSize = 4): number {
    const p = this.pos;
    if (p + 4 > this.end) this.truncated(4);
    const n = this.u32(p);
    if (n > max) {
      throw new XdrError(
        "length-exceeds-max",
        p,
        `array count ${n} exceeds maximum ${max}`,
      );
    }
    const rem = this.end - p - 4;
    if (n * minElementSize > rem) {
      throw new XdrError(
        "length-exceeds-buffer",
        p,
        `array count ${n} needs at least ${n * minElementSize} bytes but only ${rem} remain`,
      );
    }
    this.pos = p + 4;
    return n;
  }

  /**
   * Read a length prefix for opaque/string data, validate it against max and
   * the remaining bytes (including padding), and return it. Position ends up
   * at the start of the data.
   */
  private length(max: number, what: string): number {
    const p = this.pos;
    if (p + 4 > this.end) this.truncated(4);
    const n = this.u32(p);
    if (n > max) {
      throw new XdrError(
        "length-exceeds-max",
        p,
        `${what} length ${n} exceeds maximum ${max}`,
      );
    }
    const rem = this.end - p - 4;
    if (padded(n) > rem) {
      throw new XdrError(
        "length-exceeds-buffer",
        p,
        `${what} length ${n} (padded ${padded(n)}) exceeds the ${rem} remaining bytes`,
      );
    }
    this.pos = p + 4;
    return n;
  }

  /** Check the zero padding after `n` data bytes at `pos`; advance past data + padding. */
  private skipPadded(n: number): void {
    const buf = this.buf;
    let p = this.pos + n;
    const e = this.pos + padded(n);
    for (; p < e; p++) {
      if (buf[p] !== 0)
        throw new XdrError(
          "bad-padding",
          p,
          `non-zero padding byte 0x${buf[p]!.toString(16)}`,
        );
    }
    this.pos = e;
  }

  /** Fixed-length opaque[len], returned as a fresh copy. */
  fixedOpaque(len: number): Uint8Array {
    const p = this.pos;
    if (p + padded(len) > this.end) this.truncated(padded(len));
    let out: Uint8Array;
    if (len <= 32) {
      // UUIDs and other short fixed data: a byte loop beats slice()'s generic path.
      out = new Uint8Array(len);
      const b = this.buf;
      for (let i = 0; i < len; i++) out[i] = b[p + i]!;
    } else {
      out = this.buf.slice(p, p + len);
    }
    this.skipPadded(len);
    return out;
  }

  /** Fixed-length opaque[len] as a zero-copy subarray of the input buffer. */
  fixedOpaqueView(len: number): Uint8Array {
    const p = this.pos;
    if (p + padded(len) > this.end) this.truncated(padded(len));
    this.skipPadded(len);
    return this.buf.subarray(p, p + len);
  }

  /** Variable-length opaque<max>, returned as a fresh copy. */
  varOpaque(max: number = MAX_UINT32): Uint8Array {
    const n = this.length(max, "opaque");
    const p = this.pos;
    this.skipPadded(n);
    return this.buf.slice(p, p + n);
  }

  /** Variable-length opaque<max> as a zero-copy subarray of the input buffer. */
  varOpaqueView(max: number = MAX_UINT32): Uint8Array {
    const n = this.length(max, "opaque");
    const p = this.pos;
    this.skipPadded(n);
    return this.buf.subarray(p, p + n);
  }

  /** string<max>: length (bytes) checked against max; strict UTF-8 decode ('bad-utf8'). */
  string(max: number = MAX_UINT32): string {
    const n = this.length(max, "string");
    const p = this.pos;
    this.skipPadded(n);
    if (n === 0) return "";
    const buf = this.buf;
    if (n <= ASCII_FAST_PATH_MAX) {
      let s = "";
      let i = p;
      const e = p + n;
      for (; i < e; i++) {
        const c = buf[i]!;
        if (c >= 0x80) break;
        s += String.fromCharCode(c);
      }
      if (i === e) return s;
    } else if (utf8Slice !== undefined) {
      // Native decoding replaces invalid sequences with U+FFFD; only a string containing U+FFFD
      // (invalid input, or a real U+FFFD) needs the strict decoder below to tell them apart.
      const s = utf8Slice.call(buf, p, p + n);
      if (s.indexOf("\uFFFD") === -1) return s;
    }
    try {
      return UTF8.decode(buf.subarray(p, p + n));
    } catch {
      throw new XdrError(
        "bad-utf8",
        p,
        `string of ${n} bytes is not valid UTF-8`,
      );
    }
  }
}
