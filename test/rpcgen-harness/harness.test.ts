// Smoke test for the rpcgen reference harness (test/support/rpcgen-harness.ts):
// build rpcgen + libtirpc codecs for all 9 libvirt protocols, check the type
// tables, and round-trip hand-written byte vectors. The "behaviour" cases pin
// down what libtirpc's decoders accept/normalise, which TypeScript codecs
// compared against this harness have to agree with (or knowingly differ from).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LIBVIRT_X_FILES } from "../support/protocol-files.js";
import { requireOrSkip } from "../support/libvirtd.js";
import {
  buildRpcgenHarness,
  findRpcgenTools,
  type RoundTripResult,
  type RpcgenHarness,
} from "../support/rpcgen-harness.js";

/** Bytes from a hex string; whitespace ignored. */
function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, "");
  if (clean.length % 2) throw new Error(`odd hex: ${s}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++)
    out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}
const toHex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

function okBytes(r: RoundTripResult | undefined): string {
  expect(r, "result").toBeDefined();
  if (!r!.ok) throw new Error(`expected ok, got error: ${r!.error}`);
  return toHex(r!.bytes);
}
function errorOf(r: RoundTripResult | undefined): string {
  expect(r, "result").toBeDefined();
  if (r!.ok) throw new Error(`expected failure, got bytes ${toHex(r!.bytes)}`);
  return r!.error;
}

// remote_nonnull_domain { name "test"; uuid 00112233-...; id 1 }
const DOM_TEST = `
  00000004 74657374
  00112233 44556677 8899aabb ccddeeff
  00000001`;
// remote_domain_migrate_start_post_copy_args { dom; flags 0 }  (proc 364)
const POST_COPY = hex(`${DOM_TEST} 00000000`);

const tools = findRpcgenTools();
const haveTools = requireOrSkip(
  `rpcgen harness (${tools.missing.join(", ") || "ok"})`,
  tools.ok,
);

describe.skipIf(!haveTools)("rpcgen reference harness", () => {
  let h: RpcgenHarness;
  const rt = async (
    protocol: string,
    type: string,
    bytes: Uint8Array,
  ): Promise<RoundTripResult> =>
    (await h.roundTrip([{ protocol, type, bytes }]))[0]!;
  const remote = (type: string, bytes: Uint8Array | string) =>
    rt("remote_protocol", type, typeof bytes === "string" ? hex(bytes) : bytes);

  beforeAll(async () => {
    const t0 = Date.now();
    h = await buildRpcgenHarness();
    console.log(
      `rpcgen harness: ${h.build.cached ? "cached" : "built"} in ${Date.now() - t0} ms (${h.build.binary})`,
    );
  }, 300_000);

  afterAll(async () => {
    await h?.close();
  });

  it("lists the types of all 9 protocols", () => {
    expect([...h.types.keys()].sort()).toEqual([...LIBVIRT_X_FILES].sort());
    const counts = Object.fromEntries(
      [...h.types].map(([p, t]) => [p, t.length]),
    );
    console.log("rpcgen types per protocol:", counts);
    expect(counts.remote_protocol).toBeGreaterThan(600);
    for (const [p, list] of h.types) {
      expect(list.length, p).toBeGreaterThan(0);
      expect(new Set(list).size, `${p} has no duplicates`).toBe(list.length);
    }
    const remote = h.types.get("remote_protocol")!;
    for (const t of [
      "remote_nonnull_string", // typedef string
      "remote_string", // typedef optional
      "remote_uuid", // typedef opaque[16]
      "remote_nonnull_domain", // struct
      "remote_typed_param_value", // union
      "remote_procedure", // enum
      "remote_domain_migrate_start_post_copy_args",
    ]) {
      expect(remote).toContain(t);
    }
    expect(h.types.get("virnetprotocol")).toContain("virNetMessageHeader");
    expect(h.types.get("qemu_protocol")).toContain(
      "qemu_domain_monitor_command_args",
    );
    // log_protocol declares `struct X` and `typedef struct X X` -> listed once
    expect(h.types.get("log_protocol")).toContain(
      "virLogManagerProtocolDomain",
    );
  });

  it("round-trips remote_domain_migrate_start_post_copy_args", async () => {
    const r = await remote(
      "remote_domain_migrate_start_post_copy_args",
      POST_COPY,
    );
    expect(okBytes(r)).toBe(toHex(POST_COPY));
    expect(POST_COPY.length).toBe(32);
  });

  it("rejects truncated input and trailing bytes", async () => {
    const [short4, midString, midUuid, empty, trailing] = await h.roundTrip(
      [
        POST_COPY.subarray(0, 28), // flags missing
        POST_COPY.subarray(0, 6), // inside "test"
        POST_COPY.subarray(0, 12), // inside the uuid
        new Uint8Array(0),
        hex(`${toHex(POST_COPY)} 00000000`),
      ].map((bytes) => ({
        protocol: "remote_protocol",
        type: "remote_domain_migrate_start_post_copy_args",
        bytes,
      })),
    );
    expect(errorOf(short4)).toMatch(/decode failed/);
    expect(errorOf(midString)).toMatch(/decode failed/);
    expect(errorOf(midUuid)).toMatch(/decode failed/);
    expect(errorOf(empty)).toMatch(/decode failed/);
    expect(errorOf(trailing)).toMatch(/consumed 32 of 36 bytes/);
  });

  it("handles the other protocols (deps on remote_protocol linked in)", async () => {
    const [qemu, lxc, hdr, lock, unknown, badProto] = await h.roundTrip([
      {
        protocol: "qemu_protocol",
        type: "qemu_domain_monitor_command_args",
        bytes: hex(`${DOM_TEST} 00000004 696e666f 00000000`), // cmd "info"
      },
      {
        protocol: "lxc_protocol",
        type: "lxc_domain_open_namespace_args",
        bytes: hex(`${DOM_TEST} 00000000`),
      },
      {
        // prog 0x20008086, vers 1, proc 364, type CALL(0), serial 42, status OK(0)
        protocol: "virnetprotocol",
        type: "virNetMessageHeader",
        bytes: hex("20008086 00000001 0000016c 00000000 0000002a 00000000"),
      },
      {
        protocol: "lock_protocol",
        type: "virLockSpaceProtocolAcquireResourceArgs",
        bytes: hex("00000002 2f780000 00000001 6e000000 00000003"), // path "/x", name "n", flags 3
      },
      {
        protocol: "remote_protocol",
        type: "remote_no_such_type",
        bytes: new Uint8Array(4),
      },
      {
        protocol: "nope_protocol",
        type: "remote_uuid",
        bytes: new Uint8Array(16),
      },
    ]);
    expect(okBytes(qemu)).toBe(
      toHex(hex(`${DOM_TEST} 00000004 696e666f 00000000`)),
    );
    expect(okBytes(lxc)).toBe(toHex(hex(`${DOM_TEST} 00000000`)));
    expect(okBytes(hdr)).toBe(
      "20008086000000010000016c000000000000002a00000000",
    );
    expect(okBytes(lock)).toBe("000000022f78000000000001" + "6e00000000000003");
    expect(errorOf(unknown)).toMatch(/unknown type/);
    expect(errorOf(badProto)).toMatch(/unknown type/);
  });

  describe("libtirpc decoder behaviour (what TS codecs are compared against)", () => {
    it("strings: length > max rejected; non-zero padding accepted and re-encoded as zero", async () => {
      // remote_nonnull_string = string<REMOTE_STRING_MAX = 4194304>
      expect(
        errorOf(await remote("remote_nonnull_string", "00400001")),
      ).toMatch(/decode failed/);
      // "abc" + padding 01 -> accepted, padding normalised
      expect(
        okBytes(await remote("remote_nonnull_string", "00000003 61626301")),
      ).toBe("0000000361626300");
      // missing padding -> not enough bytes
      expect(
        errorOf(await remote("remote_nonnull_string", "00000003 616263")),
      ).toMatch(/decode failed/);
    });

    it("strings: an embedded NUL truncates the C string on re-encode", async () => {
      // "a\0bc" decodes (xdr_string does not check), but encode uses strlen() -> "a"
      expect(
        okBytes(await remote("remote_nonnull_string", "00000004 61006263")),
      ).toBe("0000000161000000");
    });

    it("variable opaque: non-zero padding accepted and normalised; length > max rejected", async () => {
      // remote_domain_block_peek_ret { opaque buffer<REMOTE_DOMAIN_BLOCK_PEEK_BUFFER_MAX = 4194304>; }
      expect(
        okBytes(
          await remote("remote_domain_block_peek_ret", "00000001 aa010203"),
        ),
      ).toBe("00000001aa000000");
      expect(
        errorOf(await remote("remote_domain_block_peek_ret", "00400001")),
      ).toMatch(/decode failed/);
    });

    it('optional data (`*`): any non-zero "present" word is accepted and re-encoded as 1', async () => {
      // remote_connect_open_args { remote_string name; unsigned int flags; }
      const none = "00000000 00000005";
      const some = "00000001 00000001 78000000 00000005"; // name = "x"
      expect(okBytes(await remote("remote_connect_open_args", none))).toBe(
        toHex(hex(none)),
      );
      expect(okBytes(await remote("remote_connect_open_args", some))).toBe(
        toHex(hex(some)),
      );
      // libtirpc xdr_bool: 0 -> FALSE, anything else -> TRUE (no 0/1 check)
      expect(
        okBytes(
          await remote(
            "remote_connect_open_args",
            "00000002 00000001 78000000 00000005",
          ),
        ),
      ).toBe(toHex(hex(some)));
      expect(
        okBytes(
          await remote(
            "remote_connect_open_args",
            "ffffffff 00000001 78000000 00000005",
          ),
        ),
      ).toBe(toHex(hex(some)));
    });

    it("hyper / unsigned hyper round-trip all 64 bits", async () => {
      // remote_connect_get_version_ret { unsigned hyper hv_ver; }
      expect(
        okBytes(
          await remote("remote_connect_get_version_ret", "ffffffff fffffffe"),
        ),
      ).toBe("fffffffffffffffe");
      // remote_typed_param, VIR_TYPED_PARAM_LLONG (3): hyper l = -2
      expect(
        okBytes(
          await remote(
            "remote_typed_param",
            "00000001 66000000 00000003 ffffffff fffffffe",
          ),
        ),
      ).toBe("000000016600000000000003fffffffffffffffe");
    });

    it("enums are not range-checked", async () => {
      // enum remote_auth_type { NONE = 0, SASL = 1, POLKIT = 2 }
      expect(okBytes(await remote("remote_auth_type", "00000063"))).toBe(
        "00000063",
      );
      expect(okBytes(await remote("remote_auth_type", "ffffffff"))).toBe(
        "ffffffff",
      );
      expect(
        okBytes(
          await remote("remote_auth_list_ret", "00000002 00000001 00003039"),
        ),
      ).toBe("000000020000000100003039");
    });

    it("variable arrays: count > max rejected before reading elements", async () => {
      // remote_auth_type types<REMOTE_AUTH_TYPE_LIST_MAX = 20>
      expect(
        errorOf(
          await remote(
            "remote_auth_list_ret",
            `00000015 ${"00000000".repeat(21)}`,
          ),
        ),
      ).toMatch(/decode failed/);
      expect(
        errorOf(await remote("remote_connect_list_domains_ret", "ffffffff")),
      ).toMatch(/decode failed/);
    });

    it("unions without default: unknown discriminant rejected", async () => {
      // remote_typed_param { remote_nonnull_string field; remote_typed_param_value value; }
      // value: switch (int type) case 1..7, no default
      const field = "00000001 66000000"; // "f"
      expect(
        okBytes(
          await remote("remote_typed_param", `${field} 00000001 fffffffe`),
        ),
      ).toBe(toHex(hex(`${field} 00000001 fffffffe`)));
      // VIR_TYPED_PARAM_DOUBLE with a NaN payload: bits preserved
      expect(
        okBytes(
          await remote(
            "remote_typed_param",
            `${field} 00000005 7ff80000 00000001`,
          ),
        ),
      ).toBe(toHex(hex(`${field} 00000005 7ff80000 00000001`)));
      // VIR_TYPED_PARAM_BOOLEAN's arm is `int b`: 2 stays 2
      expect(
        okBytes(
          await remote("remote_typed_param", `${field} 00000006 00000002`),
        ),
      ).toBe(toHex(hex(`${field} 00000006 00000002`)));
      expect(
        errorOf(
          await remote("remote_typed_param", `${field} 00000008 00000000`),
        ),
      ).toMatch(/decode failed/);
      expect(
        errorOf(await remote("remote_typed_param", `${field} 00000000`)),
      ).toMatch(/decode failed/);
    });

    it("`char x[N]` / `char x<N>` are arrays of xdr_char: 4 bytes each, truncated to a signed C char", async () => {
      // remote_node_get_info_ret { char model[32]; unsigned hyper memory; int cpus, mhz, nodes, sockets, cores, threads; }
      const rest = "00000000".repeat(29) + "00".repeat(8) + "00".repeat(24);
      expect(
        okBytes(
          await remote(
            "remote_node_get_info_ret",
            `00000141 00000080 ffffff80 ${rest}`,
          ),
        ),
      ).toBe(toHex(hex(`00000041 ffffff80 ffffff80 ${rest}`)));
      // remote_domain_get_security_label_ret { char label<REMOTE_SECURITY_LABEL_MAX>; int enforcing; }
      expect(
        okBytes(
          await remote(
            "remote_domain_get_security_label_ret",
            "00000002 00000061 000001ff 00000001",
          ),
        ),
      ).toBe("0000000200000061ffffffff00000001");
    });
  });

  it("batches many items in one call and serialises concurrent calls", async () => {
    const items = Array.from({ length: 2000 }, (_, i) => {
      const b = new Uint8Array(POST_COPY);
      new DataView(b.buffer).setUint32(28, i); // flags = i
      return {
        protocol: "remote_protocol",
        type: "remote_domain_migrate_start_post_copy_args",
        bytes: b,
      };
    });
    const bad = items.map((it) => ({ ...it, bytes: it.bytes.subarray(0, 30) }));
    const [a, b, c] = await Promise.all([
      h.roundTrip(items),
      h.roundTrip(bad),
      h.roundTrip([]),
    ]);
    expect(a).toHaveLength(2000);
    a.forEach((r, i) => expect(okBytes(r)).toBe(toHex(items[i]!.bytes)));
    expect(b.every((r) => !r.ok)).toBe(true);
    expect(c).toEqual([]);
  });

  it("returns large values intact", async () => {
    // remote_domain_block_peek_ret with 1 MiB + 3 bytes of data
    const n = (1 << 20) + 3;
    const bytes = new Uint8Array(4 + n + 1);
    new DataView(bytes.buffer).setUint32(0, n);
    for (let i = 0; i < n; i++) bytes[4 + i] = (i * 7) & 0xff;
    const r = await remote("remote_domain_block_peek_ret", bytes);
    expect(r.ok && r.bytes.length).toBe(bytes.length);
    expect(r.ok && Buffer.from(r.bytes).equals(Buffer.from(bytes))).toBe(true);
  });
});
