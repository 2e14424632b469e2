// Byte-for-byte agreement with rpcgen: for every struct and union of libvirt's 9 protocols,
// seeded random values encoded by the generated TypeScript codecs are accepted by rpcgen's C
// decoder, and C re-encodes them to exactly the same bytes; TypeScript decodes them back to
// the same values.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  encodeToBytes,
  decodeFromBytes,
  type XdrCodec,
} from "virt-rpcgen/runtime";
import { loadProtocols, type ProtocolModel } from "../../src/index.js";
import {
  LIBVIRT_X_FILES,
  REPO_ROOT,
  ensureProtocolFiles,
} from "../support/protocol-files.js";
import {
  buildRpcgenHarness,
  findRpcgenTools,
  type RpcgenHarness,
} from "../support/rpcgen-harness.js";
import { requireOrSkip } from "../support/libvirtd.js";
import { randomValue, Rng } from "../support/random-values.js";

const tools = findRpcgenTools();
const available = requireOrSkip(
  `rpcgen toolchain (${tools.missing.join(", ")})`,
  tools.ok,
);
const VALUES_PER_TYPE = 12;

describe.skipIf(!available)(
  "generated codecs agree with rpcgen byte for byte",
  () => {
    let harness: RpcgenHarness;
    let protocols: ProtocolModel[];
    beforeAll(async () => {
      const dir = ensureProtocolFiles();
      protocols = loadProtocols(
        LIBVIRT_X_FILES.map((n) => join(dir, `${n}.x`)),
      );
      harness = await buildRpcgenHarness();
    }, 300_000);
    afterAll(async () => harness?.close());

    it("for every struct and union of the 9 libvirt protocols", async () => {
      let covered = 0;
      let expectedTypes = 0;
      for (const p of protocols) {
        const mod = (await import(
          join(REPO_ROOT, "generated", p.name, "codecs.ts")
        )) as { codecs: Record<string, XdrCodec<unknown>> };
        const decls = p.types.filter(
          (t) => t.kind === "struct" || t.kind === "union",
        );
        expectedTypes += decls.length;
        const cTypes = new Set(harness.types.get(p.name) ?? []);
        const items: {
          protocol: string;
          type: string;
          bytes: Uint8Array;
          value: unknown;
          codec: XdrCodec<unknown>;
        }[] = [];
        for (const d of decls) {
          expect(
            cTypes.has(d.name),
            `${p.name}:${d.name} in the C harness`,
          ).toBe(true);
          const codec = mod.codecs[d.name]!;
          const rng = new Rng(hash(`${p.name}:${d.name}`));
          for (let k = 0; k < VALUES_PER_TYPE; k++) {
            const value = randomValue(rng, d);
            items.push({
              protocol: p.name,
              type: d.name,
              bytes: encodeToBytes(codec, value),
              value,
              codec,
            });
          }
          covered++;
        }
        const results = await harness.roundTrip(items);
        results.forEach((res, i) => {
          const it = items[i]!;
          const label = `${it.protocol}:${it.type} #${i % VALUES_PER_TYPE}`;
          expect(res.ok ? "" : res.error, label).toBe("");
          if (res.ok)
            expect(Buffer.from(res.bytes).toString("hex"), label).toBe(
              Buffer.from(it.bytes).toString("hex"),
            );
          expect(decodeFromBytes(it.codec, it.bytes), label).toEqual(it.value);
        });
      }
      console.log(
        `rpcgen byte equality: ${covered} struct/union types of ${protocols.length} protocols, ${VALUES_PER_TYPE} values each`,
      );
      expect(covered).toBe(expectedTypes);
      expect(covered).toBeGreaterThan(700);
    }, 300_000);
  },
);

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++)
    h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}
