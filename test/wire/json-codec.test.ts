// The model-driven XDR <-> JSON mapping of `decode`/`encode`, on a small inline protocol whose
// bytes are written out by hand from RFC 4506 (big-endian words, padding to 4 bytes).
import { describe, expect, it } from "vitest";
import { loadProtocols, type TypeDecl } from "../../src/model/index.js";
import { XdrReader } from "../../src/runtime/xdr/reader.js";
import { XdrWriter } from "../../src/runtime/xdr/writer.js";
import { XdrError } from "../../src/runtime/xdr/errors.js";
import {
  decodeDecl,
  encodeDecl,
  type Json,
  type JsonCodecOptions,
} from "../../src/wire/json-codec.js";
import { parseHex, parseJsonValues } from "../../src/wire/input.js";

const X = `
enum color { RED = 1, GREEN = 2 };
const KIND_A = 7;
union by_int switch (int kind) {
  case KIND_A: hyper a;
  case 8: string s<>;
  default: void;
};
union by_enum switch (color c) { case RED: int r; case GREEN: void; };
union by_bool switch (bool b) { case TRUE: int yes; case FALSE: void; };
struct all {
  unsigned hyper big;
  opaque id[3];
  opaque data<>;
  color col;
  int *opt;
  by_int un;
  by_enum en;
  double d;
  float f;
  bool flag;
  int arr<2>;
};
struct node { int v; node *next; };
`;

const [model] = loadProtocols(["<inline>/demo.x"], {
  libvirtDefines: false,
  readFile: () => X,
});
const type = (name: string): TypeDecl => model!.lookupType(name)!;

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ""), "hex");
function decode(name: string, bytes: Uint8Array, o: JsonCodecOptions = {}) {
  const r = new XdrReader(bytes);
  const v = decodeDecl(r, type(name), o);
  r.done();
  return v;
}
function encode(name: string, v: Json, o: JsonCodecOptions = {}) {
  const w = new XdrWriter();
  encodeDecl(w, type(name), v, o);
  return Buffer.from(w.toBytes()).toString("hex");
}
function error(run: () => unknown): XdrError {
  try {
    run();
  } catch (e) {
    if (e instanceof XdrError) return e;
    throw e;
  }
  throw new Error("no error");
}

// [bytes, what they are]
const ALL_WORDS: [string, string][] = [
  ["ffffffff ffffffff", "big = 2^64-1"],
  ["01020300", "id, padded to 4"],
  ["00000001 aa000000", "data: length 1, padded"],
  ["00000002", "col = GREEN"],
  ["00000000", "opt absent"],
  ["00000007 ffffffff fffffffe", "un: case KIND_A, a = -2"],
  ["00000002", "en: case GREEN (void arm)"],
  ["80000000 00000000", "d = -0"],
  ["3fc00000", "f = 1.5"],
  ["00000001", "flag = true"],
  ["00000001 00000005", "arr = [5]"],
];
const ALL_BYTES = ALL_WORDS.map(([b]) => b.replace(/ /g, "")).join("");

const ALL_JSON = {
  big: "18446744073709551615",
  id: "AQID",
  data: "qg==",
  col: "GREEN",
  opt: null,
  un: { kind: "KIND_A", a: "-2" },
  en: { c: "GREEN" },
  d: "-0",
  f: 1.5,
  flag: true,
  arr: [5],
};

describe("decode/encode JSON mapping", () => {
  it("decodes every shape to lossless JSON and encodes it back", () => {
    const bytes = hex(ALL_BYTES);
    expect(bytes.length).toBe(68);
    expect(decode("all", bytes)).toEqual(ALL_JSON);
    expect(encode("all", ALL_JSON)).toBe(bytes.toString("hex"));
  });

  it("writes opaque data as hex on request", () => {
    const v = decode("all", hex(ALL_BYTES), { bytes: "hex" }) as {
      id: string;
      data: string;
    };
    expect([v.id, v.data]).toEqual(["010203", "aa"]);
    expect(encode("all", v as unknown as Json, { bytes: "hex" })).toBe(
      hex(ALL_BYTES).toString("hex"),
    );
  });

  it("names union arms by case label, enum member or bool", () => {
    expect(decode("by_int", hex("00000008 00000002 68690000"))).toEqual({
      kind: 8,
      s: "hi",
    });
    // default: void keeps the number
    expect(decode("by_int", hex("00000063"))).toEqual({ kind: 99 });
    expect(encode("by_int", { kind: 99 })).toBe("00000063");
    expect(decode("by_enum", hex("00000001 fffffffb"))).toEqual({
      c: "RED",
      r: -5,
    });
    expect(decode("by_bool", hex("00000001 00000003"))).toEqual({
      b: true,
      yes: 3,
    });
    expect(encode("by_int", { kind: "KIND_A", a: "1" })).toBe(
      "000000070000000000000001",
    );
  });

  it("keeps NaN payloads and infinities", () => {
    const d = (h: string) =>
      (
        decode("all", hex(ALL_BYTES.replace("8000000000000000", h))) as {
          d: Json;
        }
      ).d;
    expect(d("7ff8000000000000")).toBe("NaN");
    expect(d("7ff0000000000001")).toBe("NaN:7ff0000000000001");
    expect(d("fff0000000000000")).toBe("-Infinity");
    for (const h of ["7ff0000000000001", "fff0000000000000"]) {
      const bytes = hex(ALL_BYTES.replace("8000000000000000", h));
      expect(encode("all", decode("all", bytes))).toBe(bytes.toString("hex"));
    }
  });

  it("follows optional data (a linked list)", () => {
    const bytes = hex("00000001 00000001 00000002 00000000");
    expect(decode("node", bytes)).toEqual({
      v: 1,
      next: { v: 2, next: null },
    });
    expect(encode("node", { v: 1, next: { v: 2, next: null } })).toBe(
      bytes.toString("hex"),
    );
  });

  it("names the field of bad bytes", () => {
    const badEnum = hex(
      ALL_BYTES.replace("0000000200000000", "0000000900000000"),
    );
    const e1 = error(() => decode("all", badEnum));
    expect(e1.code).toBe("bad-enum");
    expect(e1.pathString).toBe("all.col");
    const e2 = error(() => decode("all", hex(ALL_BYTES).subarray(0, 34)));
    expect(e2.code).toBe("truncated");
    expect(e2.pathString).toBe("all.un.a");
    const e3 = error(() =>
      decode("all", hex("00000000 00000000 01020300 00000009")),
    );
    expect(e3.code).toBe("length-exceeds-buffer");
    expect(e3.pathString).toBe("all.data");
    const e4 = error(() => decode("by_enum", hex("00000003")));
    expect(e4.code).toBe("bad-discriminant");
    expect(e4.pathString).toBe("by_enum.c");
  });

  it("names the field of bad JSON", () => {
    const e = error(() =>
      encode("all", { ...ALL_JSON, un: { kind: "KIND_A", a: 1.5 } }),
    );
    expect(e.pathString).toBe("all.un.a");
    expect(
      error(() => encode("all", { ...ALL_JSON, col: "BLUE" })).pathString,
    ).toBe("all.col");
    const missing: Record<string, Json> = { ...ALL_JSON };
    delete missing.arr;
    expect(error(() => encode("all", missing)).pathString).toBe("all.arr");
    expect(
      error(() => encode("all", { ...ALL_JSON, arr: [1, 2, 3] })).code,
    ).toBe("length-exceeds-max");
  });

  it("reads hex as tshark and xxd print it, and JSON lines", () => {
    expect(Buffer.from(parseHex("0x00:01 ff\nAB")).toString("hex")).toBe(
      "0001ffab",
    );
    expect(() => parseHex("abc")).toThrow(/not hex/);
    expect(parseJsonValues('{"a":1}\n{"a":2}\n')).toEqual([{ a: 1 }, { a: 2 }]);
    expect(parseJsonValues('{\n "a": 1\n}')).toEqual([{ a: 1 }]);
  });
});
