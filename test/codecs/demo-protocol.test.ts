// Codecs for test/fixtures/demo_protocol.x, a protocol with every construct libvirt's files do
// not use: recursive types (a linked list through optional data), a union with a default arm,
// bool, float, fixed arrays, enums with implicit values. Bytes are checked by hand (RFC 4506).
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  decodeFromBytes,
  encodeToBytes,
  XdrError,
  type XdrCodec,
} from "virt-rpcgen/runtime";
import { generate } from "../../src/index.js";
import { REPO_ROOT } from "../support/protocol-files.js";

const out = join(REPO_ROOT, "test", ".generated");
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
// The module is generated at test time, so it is typed loosely here.
type Codecs = Record<string, XdrCodec<unknown>> & {
  DEMO_GREEN: number;
  DEMO_BLUE: number;
};
let demo: Codecs;

beforeAll(async () => {
  await generate({
    files: [join(REPO_ROOT, "test", "fixtures", "demo_protocol.x")],
    outDir: out,
    emit: ["codecs"],
    libvirtDefines: false,
  });
  demo = (await import(join(out, "demo_protocol", "codecs.ts"))) as Codecs;
});

describe("demo_protocol codecs", () => {
  it("enum members without values count on from the previous one", () => {
    expect(demo.DEMO_GREEN).toBe(2);
    expect(demo.DEMO_BLUE).toBe(10);
  });

  it("encode a recursive linked list through optional data, and decode it back", () => {
    const list = {
      label: "a",
      next: { label: "bc", next: { label: "", next: null } },
    };
    const bytes = encodeToBytes(demo["xdr_demo_node"]!, list);
    expect(hex(bytes)).toBe(
      "00000001" +
        "61000000" +
        "00000001" + // "a", next present
        "00000002" +
        "62630000" +
        "00000001" + // "bc", next present
        "00000000" +
        "00000000", // "", next absent
    );
    expect(decodeFromBytes(demo["xdr_demo_node"]!, bytes)).toEqual(list);
  });

  it("a union with a default arm carries unknown discriminants (wrapped as DefaultCase), and void arms carry nothing", () => {
    const codec = demo["xdr_demo_maybe"]!;
    expect(hex(encodeToBytes(codec, { present: 1, text: "hi" }))).toBe(
      "00000001" + "00000002" + "68690000",
    );
    expect(hex(encodeToBytes(codec, { present: 0 }))).toBe("00000000");
    expect(
      hex(encodeToBytes(codec, { present: { default: 7 }, code: 9 })),
    ).toBe("00000007" + "00000009");
    expect(
      decodeFromBytes(
        codec,
        Uint8Array.from(Buffer.from("0000000700000009", "hex")),
      ),
    ).toEqual({ present: { default: 7 }, code: 9 });
  });

  it("a union over an enum rejects values no arm names", () => {
    const codec = demo["xdr_demo_value"]!;
    expect(hex(encodeToBytes(codec, { kind: 1, red: -1 }))).toBe(
      "00000001" + "ffffffff",
    );
    let err: unknown;
    try {
      decodeFromBytes(
        codec,
        Uint8Array.from(Buffer.from("0000000300000000", "hex")),
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(XdrError);
    expect((err as XdrError).code).toBe("bad-discriminant");
  });

  it("bool, float and fixed arrays", () => {
    const codec = demo["xdr_demo_point"]!;
    expect(
      hex(encodeToBytes(codec, { x: 1, y: 2, z: -1n, w: 0xffffffffffffffffn })),
    ).toBe("00000001" + "00000002" + "ffffffffffffffff" + "ffffffffffffffff");
    const everything = demo["xdr_demo_everything"]!;
    const value = {
      flag: true,
      f: 1.5,
      d: -2.25,
      small: 255,
      s: -2,
      uuid: new Uint8Array(16).fill(0xab),
      blob: Uint8Array.from([1, 2, 3]),
      free_text: "x",
      points: [{ x: 0, y: 0, z: 0n, w: 0n }],
      fixed: [7, 8, 9],
      value: { kind: 10, other: 0.5 },
      maybe: { present: 0 },
      nick: null,
      list: null,
      color: 2,
    };
    const bytes = encodeToBytes(everything, value);
    expect(hex(bytes.subarray(0, 16))).toBe(
      "00000001" + "3fc00000" + "c002000000000000",
    ); // true, 1.5f, -2.25
    expect(decodeFromBytes(everything, bytes)).toEqual(value);
    expect(() =>
      encodeToBytes(everything, { ...value, fixed: [1, 2] }),
    ).toThrow(XdrError);
  });
});
