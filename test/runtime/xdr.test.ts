import { describe, expect, it } from "vitest";
import {
  XdrError,
  XdrReader,
  XdrWriter,
  decodeFromBytes,
  encodeToBytes,
  isXdrError,
  prependXdrPath,
  type XdrCodec,
  type XdrErrorCode,
} from "../../src/runtime/xdr/index.js";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const bytes = (h: string): Uint8Array =>
  new Uint8Array(Buffer.from(h.replace(/\s+/g, ""), "hex"));

function enc(f: (w: XdrWriter) => void): string {
  const w = new XdrWriter(16);
  f(w);
  return hex(w.toBytes());
}

function expectXdrError(
  fn: () => unknown,
  code: XdrErrorCode,
  offset?: number,
): XdrError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected XdrError ${code}`).toBeInstanceOf(XdrError);
  const err = caught as XdrError;
  expect(err.code).toBe(code);
  if (offset !== undefined) expect(err.offset).toBe(offset);
  return err;
}

describe("XdrWriter: RFC 4506 byte vectors", () => {
  it("int", () => {
    expect(enc((w) => w.int(0))).toBe("00000000");
    expect(enc((w) => w.int(1))).toBe("00000001");
    expect(enc((w) => w.int(-1))).toBe("ffffffff");
    expect(enc((w) => w.int(-2147483648))).toBe("80000000");
    expect(enc((w) => w.int(2147483647))).toBe("7fffffff");
  });
  it("unsigned int", () => {
    expect(enc((w) => w.uint(0xffffffff))).toBe("ffffffff");
    expect(enc((w) => w.uint(0x01020304))).toBe("01020304");
  });
  it("hyper / unsigned hyper", () => {
    expect(enc((w) => w.hyper(2n ** 63n - 1n))).toBe("7fffffffffffffff");
    expect(enc((w) => w.hyper(-(2n ** 63n)))).toBe("8000000000000000");
    expect(enc((w) => w.hyper(-1n))).toBe("ffffffffffffffff");
    expect(enc((w) => w.uhyper(2n ** 64n - 1n))).toBe("ffffffffffffffff");
    expect(enc((w) => w.uhyper(0x0102030405060708n))).toBe("0102030405060708");
  });
  it("float / double", () => {
    expect(enc((w) => w.float(1.5))).toBe("3fc00000");
    expect(enc((w) => w.float(-2))).toBe("c0000000");
    expect(enc((w) => w.double(1.5))).toBe("3ff8000000000000");
    expect(enc((w) => w.double(-0))).toBe("8000000000000000");
  });
  it("bool / presence", () => {
    expect(enc((w) => w.bool(true))).toBe("00000001");
    expect(enc((w) => w.bool(false))).toBe("00000000");
    expect(enc((w) => w.presence(true))).toBe("00000001");
    expect(enc((w) => w.presence(false))).toBe("00000000");
  });
  it("fixed opaque pads to 4 with zeros", () => {
    expect(enc((w) => w.fixedOpaque(bytes("010203"), 3))).toBe("01020300");
    expect(enc((w) => w.fixedOpaque(bytes("01020304"), 4))).toBe("01020304");
    expect(enc((w) => w.fixedOpaque(bytes("0102030405"), 5))).toBe(
      "0102030405000000",
    );
    expect(enc((w) => w.fixedOpaque(new Uint8Array(0), 0))).toBe("");
  });
  it("variable opaque", () => {
    expect(enc((w) => w.varOpaque(bytes("0102030405"), 10))).toBe(
      "00000005" + "0102030405000000",
    );
    expect(enc((w) => w.varOpaque(new Uint8Array(0), 10))).toBe("00000000");
    const big = new Uint8Array(33).fill(0xaa);
    expect(enc((w) => w.varOpaque(big, 100))).toBe(
      "00000021" + "aa".repeat(33) + "000000",
    );
  });
  it("string", () => {
    expect(enc((w) => w.string("abc", 10))).toBe("00000003" + "61626300");
    expect(enc((w) => w.string("", 10))).toBe("00000000");
    expect(enc((w) => w.string("abcd", 10))).toBe("00000004" + "61626364");
    expect(enc((w) => w.string("sillyprog", 255))).toBe(
      "00000009" + "73696c6c7970726f67000000",
    );
    // multibyte: é = c3 a9, € = e2 82 ac, 😀 = f0 9f 98 80
    expect(enc((w) => w.string("é€😀", 20))).toBe(
      "00000009" + "c3a9e282acf09f9880000000",
    );
    // long ASCII (beyond the hand-rolled fast path)
    const long = "x".repeat(101);
    expect(enc((w) => w.string(long, 1000))).toBe(
      "00000065" + "78".repeat(101) + "000000",
    );
  });
  it("count", () => {
    expect(enc((w) => w.count(3, 10))).toBe("00000003");
  });
  it("RFC 4506 file example (section 7)", () => {
    // struct file { string filename<255>; filetype type (enum 0..2, TEXT=0, DATA=1, EXEC=2);
    //               union switch type { case EXEC: string interpretor<255>; ... }; string owner<255>; opaque data<>; }
    const w = new XdrWriter();
    w.string("sillyprog", 255);
    w.int(2); // EXEC
    w.string("lisp", 255);
    w.string("john", 255);
    w.varOpaque(new TextEncoder().encode("(quit)"), 65535);
    expect(hex(w.finish())).toBe(
      "00000009" +
        "73696c6c" +
        "7970726f" +
        "67000000" +
        "00000002" +
        "00000004" +
        "6c697370" +
        "00000004" +
        "6a6f686e" +
        "00000006" +
        "28717569" +
        "74290000",
    );
  });
});

describe("XdrReader: RFC 4506 byte vectors", () => {
  it("decodes primitives", () => {
    expect(new XdrReader(bytes("ffffffff")).int()).toBe(-1);
    expect(new XdrReader(bytes("80000000")).int()).toBe(-2147483648);
    expect(new XdrReader(bytes("ffffffff")).uint()).toBe(0xffffffff);
    expect(new XdrReader(bytes("7fffffffffffffff")).hyper()).toBe(
      2n ** 63n - 1n,
    );
    expect(new XdrReader(bytes("ffffffffffffffff")).hyper()).toBe(-1n);
    expect(new XdrReader(bytes("ffffffffffffffff")).uhyper()).toBe(
      2n ** 64n - 1n,
    );
    expect(new XdrReader(bytes("3fc00000")).float()).toBe(1.5);
    expect(new XdrReader(bytes("3ff8000000000000")).double()).toBe(1.5);
    expect(new XdrReader(bytes("00000001")).bool()).toBe(true);
    expect(new XdrReader(bytes("00000000")).bool()).toBe(false);
    expect(new XdrReader(bytes("00000001")).presence()).toBe(true);
    expect(new XdrReader(bytes("0000000361626300")).string(10)).toBe("abc");
    expect(new XdrReader(bytes("00000000")).string(10)).toBe("");
    expect(
      new XdrReader(bytes("00000009c3a9e282acf09f9880000000")).string(20),
    ).toBe("é€😀");
    expect(hex(new XdrReader(bytes("01020300")).fixedOpaque(3))).toBe("010203");
    expect(
      hex(new XdrReader(bytes("000000050102030405000000")).varOpaque(5)),
    ).toBe("0102030405");
    expect(new XdrReader(bytes("00000002" + "0000000100000002")).count(2)).toBe(
      2,
    );
    expect(new XdrReader(bytes("00000002")).count(2, 0)).toBe(2);
  });

  it("keeps a leading BOM in strings", () => {
    expect(new XdrReader(bytes("00000004efbbbf41")).string(10)).toBe("\ufeffA");
  });

  it("copies vs views", () => {
    const buf = bytes("0000000301020300" + "01020300");
    const r = new XdrReader(buf);
    const copy = r.varOpaque(10);
    const view = r.fixedOpaqueView(3);
    buf[4] = 0x99;
    buf[8] = 0x77;
    expect(hex(copy)).toBe("010203");
    expect(hex(view)).toBe("770203");
    const r2 = new XdrReader(buf);
    const v2 = r2.varOpaqueView(10);
    expect(v2.buffer).toBe(buf.buffer);
    const c2 = r2.fixedOpaque(3);
    expect(c2.buffer).not.toBe(buf.buffer);
  });

  it("respects start/end and byteOffset of subarrays", () => {
    const outer = bytes("deadbeef" + "00000007" + "00000008" + "cafebabe");
    const r = new XdrReader(outer.subarray(4), 0, 8);
    expect(r.int()).toBe(7);
    expect(r.offset).toBe(4);
    expect(r.remaining).toBe(4);
    expect(r.int()).toBe(8);
    r.done();
    expectXdrError(() => r.int(), "truncated", 8);
    const r2 = new XdrReader(outer, 8, 12);
    expect(r2.offset).toBe(8);
    expect(r2.uint()).toBe(8);
    r2.done();
    expect(() => new XdrReader(outer, 8, 4)).toThrow(RangeError);
    expect(() => new XdrReader(outer, 0, 100)).toThrow(RangeError);
  });

  it("enumValue", () => {
    const valid = new Set([0, 1, 2]);
    expect(new XdrReader(bytes("00000002")).enumValue(valid)).toBe(2);
    expect(new XdrReader(bytes("ffffffff")).enumValue((v) => v === -1)).toBe(
      -1,
    );
    const r = new XdrReader(bytes("0000000000000003"));
    r.int();
    expectXdrError(() => r.enumValue(valid), "bad-enum", 4);
  });
});

describe("round trips", () => {
  it("all primitives", () => {
    const w = new XdrWriter(4);
    const strs = [
      "",
      "a",
      "ab",
      "abc",
      "abcd",
      "héllo wörld",
      "日本語テキスト",
      "🎉".repeat(40),
      "z".repeat(70),
    ];
    w.int(-123456);
    w.uint(3000000000);
    w.hyper(-9007199254740993n);
    w.uhyper(18446744073709551615n);
    w.float(0.25);
    w.double(Math.PI);
    w.bool(true);
    w.presence(false);
    for (const s of strs) w.string(s, 1000);
    w.fixedOpaque(bytes("0a0b0c0d0e"), 5);
    w.varOpaque(bytes("ff"), 1);
    w.count(2, 2);
    w.double(NaN);
    w.float(Infinity);
    const r = new XdrReader(w.toBytes());
    expect(r.int()).toBe(-123456);
    expect(r.uint()).toBe(3000000000);
    expect(r.hyper()).toBe(-9007199254740993n);
    expect(r.uhyper()).toBe(18446744073709551615n);
    expect(r.float()).toBe(0.25);
    expect(r.double()).toBe(Math.PI);
    expect(r.bool()).toBe(true);
    expect(r.presence()).toBe(false);
    for (const s of strs) expect(r.string(1000)).toBe(s);
    expect(hex(r.fixedOpaque(5))).toBe("0a0b0c0d0e");
    expect(hex(r.varOpaque(1))).toBe("ff");
    expect(r.count(2)).toBe(2);
    expect(r.double()).toBeNaN();
    expect(r.float()).toBe(Infinity);
    expect(r.remaining).toBe(0);
    r.done();
  });

  it("buffer grows across many writes", () => {
    const w = new XdrWriter(16);
    const N = 10000;
    for (let i = 0; i < N; i++) {
      w.int(i);
      w.string("s" + i, 32);
      w.hyper(BigInt(i) * 1000000007n);
    }
    expect(w.capacity).toBeGreaterThanOrEqual(w.length);
    const r = new XdrReader(w.finish());
    for (let i = 0; i < N; i++) {
      expect(r.int()).toBe(i);
      expect(r.string(32)).toBe("s" + i);
      expect(r.hyper()).toBe(BigInt(i) * 1000000007n);
    }
    r.done();
  });

  it("large opaque and non-ASCII strings that force growth", () => {
    const w = new XdrWriter(16);
    const big = new Uint8Array(100003);
    for (let i = 0; i < big.length; i++) big[i] = i & 0xff;
    w.varOpaque(big, 200000);
    const s = "ü€".repeat(5000);
    w.string(s, 100000);
    const r = new XdrReader(w.toBytes());
    expect(r.varOpaque(200000)).toEqual(big);
    expect(r.string(100000)).toBe(s);
    r.done();
  });

  it("reset reuses the buffer and writes zero padding over stale bytes", () => {
    const w = new XdrWriter(16);
    w.uint(0xffffffff);
    w.uint(0xffffffff);
    w.uint(0xffffffff);
    w.reset();
    expect(w.length).toBe(0);
    w.fixedOpaque(bytes("01"), 1);
    w.string("ab", 10);
    w.string("é", 10);
    expect(hex(w.finish())).toBe(
      "01000000" + "00000002" + "61620000" + "00000002" + "c3a90000",
    );
  });

  it("finish() is a view, toBytes() is a copy", () => {
    const w = new XdrWriter(64);
    w.int(1);
    const view = w.finish();
    const copy = w.toBytes();
    expect(view.buffer).toBe(w.buf.buffer);
    expect(copy.buffer).not.toBe(w.buf.buffer);
    w.reset();
    w.int(2);
    expect(hex(view)).toBe("00000002");
    expect(hex(copy)).toBe("00000001");
  });

  it("reserveUint32 / patchUint32", () => {
    const w = new XdrWriter(8);
    const at = w.reserveUint32();
    w.string("hello world, this forces growth", 100);
    w.patchUint32(at, w.length);
    const out = w.finish();
    const r = new XdrReader(out);
    expect(r.uint()).toBe(out.length);
    expect(r.string(100)).toBe("hello world, this forces growth");
    expect(() => w.patchUint32(out.length, 1)).toThrow(RangeError);
    expectXdrError(() => w.patchUint32(0, -1), "value-out-of-range", 0);
  });

  it("ensure() + direct buffer access", () => {
    const w = new XdrWriter(16);
    w.int(1);
    w.ensure(100);
    expect(w.capacity).toBeGreaterThanOrEqual(104);
    w.view.setUint32(w.pos, 0xabcdef01);
    w.pos += 4;
    expect(hex(w.finish())).toBe("00000001abcdef01");
  });
});

describe("writer errors", () => {
  it("value-out-of-range", () => {
    const w = new XdrWriter();
    w.int(7);
    expectXdrError(() => w.int(2147483648), "value-out-of-range", 4);
    expectXdrError(() => w.int(-2147483649), "value-out-of-range");
    expectXdrError(() => w.int(1.5), "value-out-of-range");
    expectXdrError(() => w.int(NaN), "value-out-of-range");
    expectXdrError(() => w.uint(-1), "value-out-of-range");
    expectXdrError(() => w.uint(2 ** 32), "value-out-of-range");
    expectXdrError(() => w.hyper(2n ** 63n), "value-out-of-range");
    expectXdrError(() => w.hyper(-(2n ** 63n) - 1n), "value-out-of-range");
    expectXdrError(() => w.uhyper(-1n), "value-out-of-range");
    expectXdrError(() => w.uhyper(2n ** 64n), "value-out-of-range");
    expectXdrError(() => w.hyper(1 as unknown as bigint), "value-out-of-range");
    expectXdrError(() => w.bool(1 as unknown as boolean), "value-out-of-range");
    expectXdrError(
      () => w.string(undefined as unknown as string, 10),
      "value-out-of-range",
    );
    expectXdrError(() => w.fixedOpaque(bytes("0102"), 3), "value-out-of-range");
    expectXdrError(() => w.count(-1, 10), "value-out-of-range");
    expect(w.length).toBe(4); // nothing written by failed calls
  });
  it("length-exceeds-max", () => {
    const w = new XdrWriter();
    expectXdrError(
      () => w.varOpaque(bytes("0102"), 1),
      "length-exceeds-max",
      0,
    );
    expectXdrError(() => w.string("abcd", 3), "length-exceeds-max", 0);
    // 2 code units but 4 UTF-8 bytes: caught after encoding
    expectXdrError(() => w.string("éé", 3), "length-exceeds-max", 0);
    expectXdrError(() => w.count(11, 10), "length-exceeds-max", 0);
    expect(w.length).toBe(0);
    w.string("éé", 4);
    expect(w.length).toBe(8);
  });
  it("message-too-large", () => {
    const w = new XdrWriter(16, 12);
    w.int(1);
    w.int(2);
    w.int(3);
    expectXdrError(() => w.int(4), "message-too-large", 12);
    const w2 = new XdrWriter(1024, 16);
    w2.string("éé", 100); // fits exactly: 4 + 4
    expectXdrError(() => w2.string("€€€", 100), "message-too-large", 8);
    expect(w2.length).toBe(8);
    expect(w2.capacity).toBeLessThanOrEqual(16);
  });
});

describe("reader errors", () => {
  it("truncated", () => {
    expectXdrError(() => new XdrReader(bytes("000000")).int(), "truncated", 0);
    expectXdrError(
      () => new XdrReader(bytes("00000000000000")).hyper(),
      "truncated",
      0,
    );
    expectXdrError(
      () => new XdrReader(bytes("010203")).fixedOpaque(3),
      "truncated",
      0,
    );
    const r = new XdrReader(bytes("00000001" + "0000"));
    r.int();
    expectXdrError(() => r.uint(), "truncated", 4);
  });

  it("length-exceeds-max", () => {
    const e = expectXdrError(
      () => new XdrReader(bytes("00000005" + "6162636465000000")).string(4),
      "length-exceeds-max",
      0,
    );
    expect(e.message).toContain("5");
    expectXdrError(
      () => new XdrReader(bytes("00000002" + "01020000")).varOpaque(1),
      "length-exceeds-max",
      0,
    );
    expectXdrError(
      () => new XdrReader(bytes("00000003")).count(2),
      "length-exceeds-max",
      0,
    );
  });

  it("length-exceeds-buffer", () => {
    expectXdrError(
      () => new XdrReader(bytes("00000005" + "61626364")).string(100),
      "length-exceeds-buffer",
      0,
    );
    // data present but padding missing
    expectXdrError(
      () => new XdrReader(bytes("00000005" + "6162636465")).varOpaque(100),
      "length-exceeds-buffer",
      0,
    );
    // 3 elements * 4 bytes min > 8 remaining
    const r = new XdrReader(
      bytes("00000000" + "00000003" + "0000000100000002"),
    );
    r.int();
    expectXdrError(() => r.count(10), "length-exceeds-buffer", 4);
    // with a larger element size
    expectXdrError(
      () => new XdrReader(bytes("00000001" + "00000000")).count(10, 8),
      "length-exceeds-buffer",
      0,
    );
    expect(
      new XdrReader(bytes("00000001" + "0000000000000000")).count(10, 8),
    ).toBe(1);
  });

  it("huge claimed length (0xffffffff) is rejected without allocation", () => {
    const huge = bytes("ffffffff" + "00000000");
    expectXdrError(
      () => new XdrReader(huge).varOpaque(0xffffffff),
      "length-exceeds-buffer",
      0,
    );
    expectXdrError(
      () => new XdrReader(huge).varOpaqueView(),
      "length-exceeds-buffer",
      0,
    );
    expectXdrError(
      () => new XdrReader(huge).string(),
      "length-exceeds-buffer",
      0,
    );
    expectXdrError(
      () => new XdrReader(huge).count(0xffffffff),
      "length-exceeds-buffer",
      0,
    );
    expectXdrError(
      () => new XdrReader(huge).count(0xffffffff, 1),
      "length-exceeds-buffer",
      0,
    );
    expectXdrError(
      () => new XdrReader(huge).count(1024),
      "length-exceeds-max",
      0,
    );
    // 0xfffffffd: padding arithmetic must not overflow int32
    expectXdrError(
      () => new XdrReader(bytes("fffffffd")).varOpaque(),
      "length-exceeds-buffer",
      0,
    );
  });

  it("bad-padding", () => {
    expectXdrError(
      () => new XdrReader(bytes("01020301")).fixedOpaque(3),
      "bad-padding",
      3,
    );
    expectXdrError(
      () => new XdrReader(bytes("01020301")).fixedOpaqueView(3),
      "bad-padding",
      3,
    );
    expectXdrError(
      () => new XdrReader(bytes("00000001" + "61000100")).varOpaque(4),
      "bad-padding",
      6,
    );
    expectXdrError(
      () => new XdrReader(bytes("00000003" + "616263ff")).string(4),
      "bad-padding",
      7,
    );
    expectXdrError(
      () => new XdrReader(bytes("00000001" + "80ff0000")).string(4),
      "bad-padding",
      5,
    );
  });

  it("bad-bool", () => {
    expectXdrError(
      () => new XdrReader(bytes("00000002")).bool(),
      "bad-bool",
      0,
    );
    expectXdrError(
      () => new XdrReader(bytes("ffffffff")).bool(),
      "bad-bool",
      0,
    );
    const r0 = new XdrReader(bytes("00000000" + "00000100"));
    expect(r0.bool()).toBe(false);
    expectXdrError(() => r0.bool(), "bad-bool", 4);
    const r = new XdrReader(bytes("00000001" + "80000000"));
    expect(r.bool()).toBe(true);
    expectXdrError(() => r.presence(), "bad-bool", 4);
    expect(r.offset).toBe(4); // position not advanced on error
  });

  it("a real U+FFFD in a long string decodes; a bad byte in one does not", () => {
    // 20 ASCII bytes + EF BF BD (U+FFFD, valid UTF-8): 23 bytes, padded to 24.
    const text = "abcdefghijklmnopqrst";
    const ok = bytes(
      "00000017" + Buffer.from(text + "\uFFFD").toString("hex") + "00",
    );
    expect(new XdrReader(ok).string(100)).toBe(text + "\uFFFD");
    // Same length with a lone 0xff where the replacement character was.
    const bad = bytes(
      "00000017" + Buffer.from(text).toString("hex") + "ffbfbd" + "00",
    );
    expectXdrError(() => new XdrReader(bad).string(100), "bad-utf8", 4);
  });

  it("bad-utf8", () => {
    expectXdrError(
      () => new XdrReader(bytes("00000001" + "ff000000")).string(10),
      "bad-utf8",
      4,
    );
    // truncated multibyte sequence
    expectXdrError(
      () => new XdrReader(bytes("00000002" + "e2820000")).string(10),
      "bad-utf8",
      4,
    );
    // overlong encoding of '/'
    expectXdrError(
      () => new XdrReader(bytes("00000002" + "c0af0000")).string(10),
      "bad-utf8",
      4,
    );
    // encoded surrogate
    expectXdrError(
      () => new XdrReader(bytes("00000003" + "eda08000")).string(10),
      "bad-utf8",
      4,
    );
    // long invalid string (beyond ASCII fast path)
    const long = new Uint8Array(4 + 100);
    new DataView(long.buffer).setUint32(0, 100);
    long.fill(0x41, 4);
    long[90] = 0xfe;
    expectXdrError(() => new XdrReader(long).string(200), "bad-utf8", 4);
  });

  it("trailing-bytes", () => {
    const r = new XdrReader(bytes("00000001" + "00000002"));
    r.int();
    expectXdrError(() => r.done(), "trailing-bytes", 4);
  });

  it("bad-discriminant is constructible for generated code", () => {
    const e = new XdrError("bad-discriminant", 12, "invalid discriminant 9");
    expect(e.code).toBe("bad-discriminant");
    expect(e.offset).toBe(12);
    expect(e.message).toContain("invalid discriminant 9");
    expect(e.message).toContain("12");
  });
});

// --- A multi-field hand-written codec, like generated code would produce ---

interface Param {
  field: string;
  value: number;
}
interface Stats {
  dom: string;
  flags: bigint;
  params: Param[];
  blob: Uint8Array | null;
  ok: boolean;
}

const ParamCodec: XdrCodec<Param> = {
  name: "param",
  encode(w, v) {
    w.string(v.field, 80);
    w.int(v.value);
  },
  decode(r) {
    let field: string;
    try {
      field = r.string(80);
    } catch (e) {
      throw prependXdrPath(e, "field");
    }
    let value: number;
    try {
      value = r.int();
    } catch (e) {
      throw prependXdrPath(e, "value");
    }
    return { field, value };
  },
};

const StatsCodec: XdrCodec<Stats> = {
  name: "stats_ret",
  encode(w, v) {
    w.string(v.dom, 256);
    w.uhyper(v.flags);
    w.count(v.params.length, 16);
    for (let i = 0; i < v.params.length; i++) {
      try {
        ParamCodec.encode(w, v.params[i]!);
      } catch (e) {
        throw prependXdrPath(e, "params", i);
      }
    }
    w.presence(v.blob !== null);
    if (v.blob !== null) w.varOpaque(v.blob, 64);
    w.bool(v.ok);
  },
  decode(r) {
    const dom = r.string(256);
    const flags = r.uhyper();
    let i = 0;
    let params: Param[];
    try {
      const n = r.count(16, 8);
      params = new Array<Param>(n);
      for (; i < n; i++) {
        try {
          params[i] = ParamCodec.decode(r);
        } catch (e) {
          throw prependXdrPath(e, i);
        }
      }
    } catch (e) {
      throw prependXdrPath(e, "params");
    }
    const blob = r.presence() ? r.varOpaque(64) : null;
    const ok = r.bool();
    return { dom, flags, params, blob, ok };
  },
};

const sample: Stats = {
  dom: "dömain-1",
  flags: 0xfedcba9876543210n,
  params: [
    { field: "cpu.time", value: 42 },
    { field: "balloon.current", value: -7 },
    { field: "", value: 0 },
  ],
  blob: bytes("0102030405"),
  ok: true,
};

describe("codec helpers and paths", () => {
  it("round trips through encodeToBytes/decodeFromBytes", () => {
    const out = encodeToBytes(StatsCodec, sample);
    expect(decodeFromBytes(StatsCodec, out)).toEqual(sample);
    const w = new XdrWriter(8);
    w.int(99);
    const out2 = encodeToBytes(StatsCodec, { ...sample, blob: null }, w);
    expect(decodeFromBytes(StatsCodec, out2)).toEqual({
      ...sample,
      blob: null,
    });
    expect(out2.buffer).not.toBe(w.buf.buffer);
  });

  it("truncated input at every byte offset throws only XdrError", () => {
    const full = encodeToBytes(StatsCodec, sample);
    for (let len = 0; len < full.length; len++) {
      let caught: unknown;
      try {
        decodeFromBytes(StatsCodec, full.slice(0, len));
      } catch (e) {
        caught = e;
      }
      expect(isXdrError(caught), `len=${len}`).toBe(true);
      const err = caught as XdrError;
      expect(["truncated", "length-exceeds-buffer"]).toContain(err.code);
      expect(err.path[0]).toBe("stats_ret");
      expect(err.offset).toBeLessThanOrEqual(len);
    }
    // and trailing garbage
    const longer = new Uint8Array(full.length + 4);
    longer.set(full);
    const e = expectXdrError(
      () => decodeFromBytes(StatsCodec, longer),
      "trailing-bytes",
      full.length,
    );
    expect(e.pathString).toBe("stats_ret");
  });

  it("builds paths outward and renders them", () => {
    const full = encodeToBytes(StatsCodec, sample);
    // corrupt the UTF-8 of params[1].field: find 'balloon' and replace its first byte
    const idx = Buffer.from(full).indexOf("balloon");
    full[idx] = 0xff;
    const e = expectXdrError(
      () => decodeFromBytes(StatsCodec, full),
      "bad-utf8",
      idx,
    );
    expect(e.path).toEqual(["stats_ret", "params", 1, "field"]);
    expect(e.pathString).toBe("stats_ret.params[1].field");
    expect(e.message).toContain("stats_ret.params[1].field");
    expect(e.message).toContain(`offset ${idx}`);
    expect(e.stack ?? "").toContain("stats_ret.params[1].field");
  });

  it("pathString formatting and prependPath", () => {
    const e = new XdrError("bad-bool", 0, "x");
    expect(e.pathString).toBe("");
    expect(e.message).not.toContain("(at");
    expect(e.prependPath("field")).toBe(e);
    expect(e.prependPath(7)).toBe(e);
    e.prependPath("params")
      .prependPath(3)
      .prependPath("remote_domain_get_all_domain_stats_ret", "retStats");
    expect(e.pathString).toBe(
      "remote_domain_get_all_domain_stats_ret.retStats[3].params[7].field",
    );
    expect(e.message).toContain(
      "remote_domain_get_all_domain_stats_ret.retStats[3].params[7].field",
    );
    expect(e.name).toBe("XdrError");
    expect(e).toBeInstanceOf(Error);
    expect(isXdrError(e)).toBe(true);
    expect(isXdrError(new Error("x"))).toBe(false);
    expect(isXdrError(null)).toBe(false);
    const plain = new TypeError("t");
    expect(prependXdrPath(plain, "a")).toBe(plain);
  });

  it("does not duplicate the codec name", () => {
    const Self: XdrCodec<number> = {
      name: "self",
      encode(w, v) {
        w.int(v);
      },
      decode(r) {
        try {
          return r.int();
        } catch (e) {
          throw prependXdrPath(e, "self", "x");
        }
      },
    };
    const e = expectXdrError(
      () => decodeFromBytes(Self, bytes("00")),
      "truncated",
      0,
    );
    expect(e.pathString).toBe("self.x");
  });

  it("encode errors get paths too", () => {
    const bad = {
      ...sample,
      params: [sample.params[0]!, { field: "x".repeat(81), value: 1 }],
    };
    const e = expectXdrError(
      () => encodeToBytes(StatsCodec, bad),
      "length-exceeds-max",
    );
    expect(e.pathString).toBe("stats_ret.params[1]");
    const tooMany = {
      ...sample,
      params: new Array<Param>(17).fill({ field: "a", value: 1 }),
    };
    expectXdrError(
      () => encodeToBytes(StatsCodec, tooMany),
      "length-exceeds-max",
    );
  });

  it("random corruption never throws anything but XdrError", () => {
    const full = encodeToBytes(StatsCodec, sample);
    let seed = 12345;
    const rnd = (): number =>
      (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (let iter = 0; iter < 2000; iter++) {
      const m = full.slice();
      const flips = 1 + Math.floor(rnd() * 3);
      for (let k = 0; k < flips; k++)
        m[Math.floor(rnd() * m.length)] = Math.floor(rnd() * 256);
      try {
        decodeFromBytes(StatsCodec, m);
      } catch (e) {
        expect(isXdrError(e)).toBe(true);
      }
    }
  });
});
