// The trace's compiled XDR -> JSON text decoders (src/wire/json-text.ts) against the
// interpreter of `decode` (json-codec.ts), which json-codec.test.ts checks against bytes
// written by hand: for every type of libvirt's protocols, random values encoded by the
// generated codecs, and mutations of them, either both give the same text and stop at the same
// byte, or both reject the bytes. Then whole messages (message-text.ts vs decodeMessage).
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { encodeToBytes, type XdrCodec } from "virt-rpcgen/runtime";
import {
  loadProtocols,
  type ProtocolModel,
  type TypeDecl,
} from "../../src/index.js";
import { XdrReader } from "../../src/runtime/xdr/reader.js";
import { decodeDecl } from "../../src/wire/json-codec.js";
import { JsonTextCompiler } from "../../src/wire/json-text.js";
import {
  decodeMessage,
  encodeMessage,
  WireProtocols,
} from "../../src/wire/message.js";
import { MessageTextDecoder } from "../../src/wire/message-text.js";
import { procedureFilter } from "../../src/runtime/trace/filter.js";
import { fuzzSeeds, Rng } from "../support/prng.js";
import { randomValue } from "../support/random-values.js";
import {
  ensureProtocolFiles,
  LIBVIRT_X_FILES,
  REPO_ROOT,
} from "../support/protocol-files.js";

const CASES_PER_SEED = 6_000;
const TIME_PER_SEED_MS = 4_000;

interface Target {
  readonly decl: TypeDecl;
  readonly codec: XdrCodec<unknown>;
}

let models: ProtocolModel[] = [];
const targets: Target[] = [];

beforeAll(async () => {
  const dir = ensureProtocolFiles();
  models = loadProtocols(LIBVIRT_X_FILES.map((n) => join(dir, `${n}.x`)));
  for (const p of models) {
    const mod = (await import(
      join(REPO_ROOT, "generated", p.name, "codecs.ts")
    )) as { codecs: Record<string, XdrCodec<unknown>> };
    for (const decl of p.types) {
      const codec = mod.codecs[decl.name];
      if (codec) targets.push({ decl, codec });
    }
  }
}, 120_000);

function mutate(rng: Rng, input: Uint8Array): Uint8Array {
  const b = Uint8Array.from(input);
  switch (rng.int(0, 2)) {
    case 0:
      if (b.length > 0) b[rng.int(0, b.length - 1)]! ^= 1 << rng.int(0, 7);
      return b;
    case 1:
      if (b.length >= 4)
        new DataView(b.buffer).setUint32(
          rng.int(0, (b.length >> 2) - 1) * 4,
          rng.pick([0, 1, 2, 3, 0x7fffffff, 0x80000000, 0xffffffff]),
        );
      return b;
    default:
      return b.slice(0, rng.int(0, b.length));
  }
}

/** The interpreter's text and end position, or null when it rejects the bytes. */
function interpreted(
  decl: TypeDecl,
  bytes: Uint8Array,
  hex: boolean,
): [string, number] | null {
  const r = new XdrReader(bytes);
  try {
    const v = decodeDecl(r, decl, hex ? { bytes: "hex" } : {});
    return [JSON.stringify(v), r.pos];
  } catch {
    return null;
  }
}

function compiled(
  c: JsonTextCompiler,
  decl: TypeDecl,
  bytes: Uint8Array,
): [string, number] | null {
  const r = new XdrReader(bytes);
  try {
    return [c.decl(decl)(r), r.pos];
  } catch {
    return null;
  }
}

describe("compiled JSON text decoders", () => {
  it.each(fuzzSeeds(0x7e47))(
    "seed %i: same text as the interpreter, or both reject",
    (seed) => {
      expect(targets.length).toBeGreaterThan(700);
      const rng = new Rng(seed);
      const compilers = [
        new JsonTextCompiler(),
        new JsonTextCompiler({ bytes: "hex" }),
      ];
      const failures: string[] = [];
      let agreed = 0;
      let rejected = 0;
      const deadline = performance.now() + TIME_PER_SEED_MS;
      for (let i = 0; i < CASES_PER_SEED && performance.now() < deadline; i++) {
        const t = rng.pick(targets);
        const valid = encodeToBytes(t.codec, randomValue(rng, t.decl));
        const input = rng.chance(0.3) ? mutate(rng, valid) : valid;
        const hex = rng.chance(0.3);
        const want = interpreted(t.decl, input, hex);
        const got = compiled(compilers[hex ? 1 : 0]!, t.decl, input);
        if (JSON.stringify(want) !== JSON.stringify(got))
          failures.push(
            `seed ${seed} case ${i}: ${t.decl.name} <${Buffer.from(input).toString("hex")}>: ${JSON.stringify(got)} instead of ${JSON.stringify(want)}`,
          );
        else if (want) agreed++;
        else rejected++;
      }
      console.log(
        `json-text, seed ${seed} (replay: FUZZ_SEED=${seed}): ${agreed} same text, ${rejected} rejected by both`,
      );
      expect(failures.slice(0, 3), `FUZZ_SEED=${seed}`).toEqual([]);
      expect(agreed).toBeGreaterThan(500);
      expect(rejected).toBeGreaterThan(50);
    },
    60_000,
  );

  it("decodes a recursive type (a linked list) and hyper limits", () => {
    const [m] = loadProtocols(["<inline>/l.x"], {
      libvirtDefines: false,
      readFile: () =>
        "struct node { int v; node *next; }; struct h { hyper a; unsigned hyper b; hyper c; };",
    });
    const c = new JsonTextCompiler();
    const list = Buffer.from(
      "00000001" +
        "00000001" +
        "00000002" +
        "00000001" +
        "fffffffd" +
        "00000000",
      "hex",
    );
    const node = m!.lookupType("node")!;
    expect(compiled(c, node, list)).toEqual(interpreted(node, list, false));
    expect(compiled(c, node, list)?.[0]).toBe(
      '{"v":1,"next":{"v":2,"next":{"v":-3,"next":null}}}',
    );
    const h = m!.lookupType("h")!;
    // 2^53 + 1 (not exact as a double), -1, and -2^53 - 1.
    const hypers = Buffer.from(
      "0020000000000001" + "ffffffffffffffff" + "ffdfffffffffffff",
      "hex",
    );
    expect(compiled(c, h, hypers)?.[0]).toBe(
      '{"a":"9007199254740993","b":"18446744073709551615","c":"-9007199254740993"}',
    );
    expect(compiled(c, h, hypers)).toEqual(interpreted(h, hypers, false));
  });
});

describe("whole messages as text", () => {
  it("gives decodeMessage's text, filters, and rejects what decodeMessage rejects", () => {
    const protocols = new WireProtocols(
      models.filter((m) => m.name === "remote_protocol"),
    );
    const fast = new MessageTextDecoder(protocols, {});
    const slow = (f: Uint8Array) =>
      JSON.stringify(
        decodeMessage(protocols, f, { summarizeData: true }),
      ).slice(1);
    const dom = {
      name: "test",
      uuid: Buffer.alloc(16, 7).toString("base64"),
      id: 1,
    };
    const head = { program: "REMOTE_PROGRAM", version: 1, serial: 9 };
    const messages = [
      {
        ...head,
        procedure: "REMOTE_PROC_DOMAIN_GET_INFO",
        type: "VIR_NET_CALL",
        status: "VIR_NET_OK",
        body: { dom },
      },
      {
        ...head,
        procedure: "REMOTE_PROC_DOMAIN_GET_INFO",
        type: "VIR_NET_REPLY",
        status: "VIR_NET_ERROR",
        body: {
          code: 1,
          domain: 2,
          message: "no",
          level: 2,
          dom: null,
          str1: null,
          str2: null,
          str3: null,
          int1: 0,
          int2: 0,
          net: null,
        },
      },
      {
        ...head,
        procedure: "REMOTE_PROC_CONNECT_GET_VERSION",
        type: "VIR_NET_CALL",
        status: "VIR_NET_OK",
      },
      {
        ...head,
        procedure: "REMOTE_PROC_DOMAIN_SCREENSHOT",
        type: "VIR_NET_STREAM",
        status: "VIR_NET_CONTINUE",
        data: Buffer.alloc(10).toString("base64"),
      },
      {
        ...head,
        procedure: "REMOTE_PROC_DOMAIN_OPEN_GRAPHICS_FD",
        type: "VIR_NET_CALL_WITH_FDS",
        status: "VIR_NET_OK",
        fds: 1,
        body: { dom, idx: 0, flags: 0 },
      },
      {
        ...head,
        procedure: 99999,
        type: "VIR_NET_CALL",
        status: "VIR_NET_OK",
        payload: "AAAA",
      },
    ];
    for (const m of messages) {
      const f = encodeMessage(protocols, m);
      expect(fast.text(f, null)).toBe(slow(f));
    }
    const call = encodeMessage(protocols, messages[0]!);
    expect(fast.text(call, procedureFilter(["virDomainGetInfo"]))).toBe(
      slow(call),
    );
    expect(fast.text(call, procedureFilter(["domainScreenshot"]))).toBeNull();
    // Trailing bytes, a wrong length word, a bad message type: both reject.
    const bad = [
      (() => {
        const b = Buffer.concat([call, Buffer.alloc(4)]);
        b.writeUInt32BE(b.length, 0);
        return b;
      })(),
      (() => {
        const b = Buffer.from(call);
        b.writeUInt32BE(b.length + 4, 0);
        return b;
      })(),
      (() => {
        const b = Buffer.from(call);
        b.writeUInt32BE(77, 16);
        return b;
      })(),
    ];
    for (const b of bad) {
      expect(() => slow(b)).toThrow();
      expect(() => fast.text(b, null)).toThrow();
    }
  });
});
