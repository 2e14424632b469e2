// Malformed wire bytes must give a typed XdrError naming the field, never another exception,
// a hang, or an allocation sized by a forged length.
import { describe, expect, it } from "vitest";
import { decodeFromBytes, encodeToBytes, XdrError } from "virt-rpcgen/runtime";
import {
  xdr_remote_connect_get_all_domain_stats_ret as statsCodec,
  xdr_remote_error,
  type remote_connect_get_all_domain_stats_ret,
} from "../../generated/remote_protocol/codecs.js";

const uuid = Uint8Array.from({ length: 16 }, (_, i) => i);
const value: remote_connect_get_all_domain_stats_ret = {
  retStats: [
    {
      dom: { name: "test", uuid, id: 1 },
      params: [
        { field: "state.state", value: { type: 1, i: 1 } },
        { field: "cpu.time", value: { type: 4, ul: 123456789n } },
        { field: "balloon.current", value: { type: 3, l: -2n } },
        { field: "vcpu.0.state", value: { type: 2, ui: 7 } },
        { field: "x.ratio", value: { type: 5, d: 0.5 } },
        { field: "x.flag", value: { type: 6, b: 1 } },
        { field: "block.0.name", value: { type: 7, s: "vda" } },
      ],
    },
  ],
};
const bytes = encodeToBytes(statsCodec, value);

function decodeError(b: Uint8Array): XdrError {
  try {
    decodeFromBytes(statsCodec, b);
  } catch (e) {
    if (e instanceof XdrError) return e;
    throw new Error(`not an XdrError: ${String(e)}`);
  }
  throw new Error("decoded without error");
}

describe("decoding malformed remote_connect_get_all_domain_stats_ret", () => {
  it("round-trips the well-formed message, whose first bytes are hand-checked", () => {
    // retStats count 1, then dom.name: length 4 "test"
    expect(Buffer.from(bytes.subarray(0, 12)).toString("hex")).toBe(
      "00000001" + "00000004" + "74657374",
    );
    expect(decodeFromBytes(statsCodec, bytes)).toEqual(value);
  });

  it("rejects the message truncated at every byte offset with an XdrError", () => {
    for (let k = 0; k < bytes.length; k++) {
      const e = decodeError(bytes.subarray(0, k));
      expect(["truncated", "length-exceeds-buffer"]).toContain(e.code);
    }
  });

  it("rejects trailing bytes", () => {
    const e = decodeError(Uint8Array.from([...bytes, 0, 0, 0, 0]));
    expect(e.code).toBe("trailing-bytes");
  });

  it("rejects an oversized array count before allocating, naming the field", () => {
    const b = bytes.slice();
    new DataView(b.buffer).setUint32(0, 0xffffffff);
    const e = decodeError(b);
    expect(e.code).toBe("length-exceeds-max");
    expect(e.pathString).toBe(
      "remote_connect_get_all_domain_stats_ret.retStats",
    );
    // Within the maximum but more than the bytes could hold.
    new DataView(b.buffer).setUint32(0, 16384);
    expect(decodeError(b).code).toBe("length-exceeds-buffer");
  });

  it("rejects an oversized string length", () => {
    const b = bytes.slice();
    new DataView(b.buffer).setUint32(4, 0x7fffffff); // dom.name length
    const e = decodeError(b);
    expect(e.code).toBe("length-exceeds-max");
    expect(e.pathString).toBe(
      "remote_connect_get_all_domain_stats_ret.retStats[0].dom.name",
    );
  });

  it("rejects an unknown union discriminant with the path of the param", () => {
    // params[1] starts after: count(4) dom(4+4 name, 16 uuid, 4 id) params count(4) params[0]
    // params[0] = field "state.state" (4 + 12) + type (4) + int (4) = 24 bytes
    const paramsStart = 4 + 8 + 16 + 4 + 4;
    const discOffset = paramsStart + 24 + 4 + 8; // params[1].field = "cpu.time" (4 + 8)
    const b = bytes.slice();
    expect(new DataView(b.buffer).getInt32(discOffset)).toBe(4); // VIR_TYPED_PARAM_ULLONG
    new DataView(b.buffer).setInt32(discOffset, 99);
    const e = decodeError(b);
    expect(e.code).toBe("bad-discriminant");
    expect(e.pathString).toBe(
      "remote_connect_get_all_domain_stats_ret.retStats[0].params[1].value.type",
    );
    expect(e.offset).toBe(discOffset);
  });

  it("rejects non-zero padding", () => {
    const b = bytes.slice();
    // "state.state" is 11 bytes: one padding byte at paramsStart + 4 + 11
    const pad = 4 + 8 + 16 + 4 + 4 + 4 + 11;
    expect(b[pad]).toBe(0);
    b[pad] = 1;
    const e = decodeError(b);
    expect(e.code).toBe("bad-padding");
    expect(e.pathString).toBe(
      "remote_connect_get_all_domain_stats_ret.retStats[0].params[0].field",
    );
  });

  it("rejects optional-data flags other than 0/1", () => {
    // remote_error: code, domain, message (remote_string: flag + string)...
    const err = encodeToBytes(xdr_remote_error, {
      code: 1,
      domain: 2,
      message: "boom",
      level: 2,
      dom: null,
      str1: null,
      str2: null,
      str3: null,
      int1: 0,
      int2: 0,
      net: null,
    });
    const b = err.slice();
    new DataView(b.buffer).setUint32(8, 2);
    let e: unknown;
    try {
      decodeFromBytes(xdr_remote_error, b);
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(XdrError);
    expect((e as XdrError).code).toBe("bad-bool");
    expect((e as XdrError).pathString).toBe("remote_error.message");
  });

  it("throws only XdrError for thousands of random corruptions", () => {
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    let errors = 0;
    for (let n = 0; n < 5000; n++) {
      const b = bytes.slice();
      for (let k = 0; k < 1 + Math.floor(rand() * 4); k++)
        b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      try {
        decodeFromBytes(statsCodec, b);
      } catch (e) {
        expect(e).toBeInstanceOf(XdrError);
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(1000);
  });
});
