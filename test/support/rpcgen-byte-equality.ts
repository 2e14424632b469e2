// Our codecs against rpcgen's C, both ways, for the tests that compare whole protocols: seeded
// random values of each type are encoded by our codecs, decoded and re-encoded by rpcgen's C
// (the harness) to the same bytes, and our codecs decode C's bytes back to the same values.
import { expect } from "vitest";
import {
  decodeFromBytes,
  encodeToBytes,
  type XdrCodec,
} from "virt-rpcgen/runtime";
import type { TypeDecl } from "../../src/model/index.js";
import { randomValue, Rng } from "./random-values.js";
import type { RpcgenHarness } from "./rpcgen-harness.js";

/**
 * Checks `valuesPerType` values of every type in `decls` of `protocol` (whose generated codecs
 * are the module `codecsFile`) against the harness; each type must be one the harness's C knows.
 */
export async function expectByteEqualToRpcgen(
  harness: RpcgenHarness,
  protocol: string,
  codecsFile: string,
  decls: readonly TypeDecl[],
  valuesPerType: number,
): Promise<void> {
  const { codecs } = (await import(codecsFile)) as {
    codecs: Record<string, XdrCodec<unknown>>;
  };
  const cTypes = new Set(harness.types.get(protocol) ?? []);
  const items: {
    protocol: string;
    type: string;
    bytes: Uint8Array;
    value: unknown;
    codec: XdrCodec<unknown>;
  }[] = [];
  for (const d of decls) {
    expect(cTypes.has(d.name), `${protocol}:${d.name} in rpcgen's C`).toBe(
      true,
    );
    const codec = codecs[d.name]!;
    // Seeded by name: a failure names a value that the next run makes again.
    const rng = new Rng(hash(`${protocol}:${d.name}`));
    for (let k = 0; k < valuesPerType; k++) {
      const value = randomValue(rng, d);
      items.push({
        protocol,
        type: d.name,
        bytes: encodeToBytes(codec, value),
        value,
        codec,
      });
    }
  }
  const results = await harness.roundTrip(items);
  results.forEach((res, i) => {
    const item = items[i]!;
    const label = `${item.protocol}:${item.type} #${i % valuesPerType}`;
    expect(res.ok ? "" : res.error, label).toBe("");
    if (!res.ok) return;
    // TS → C: C decodes our bytes and re-encodes them identically.
    expect(Buffer.from(res.bytes).toString("hex"), label).toBe(
      Buffer.from(item.bytes).toString("hex"),
    );
    // C → TS: we decode C's bytes to the value we started from.
    expect(decodeFromBytes(item.codec, res.bytes), label).toEqual(item.value);
  });
}

/** FNV-1a of a string: a stable seed. */
function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++)
    h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}
