// Fuzzing the generated codecs: random bytes and mutated valid encodings into the codecs of
// every libvirt protocol (remote_protocol's included) and of the demo and recursive fixtures.
// The only acceptable outcomes are a decoded value (which must encode back to the same bytes)
// or an XdrError; anything else (RangeError, TypeError, a hang) fails, with the seed that
// found it. Bounded in cases and in time; outcomes are counted by class.
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  decodeFromBytes,
  encodeToBytes,
  XdrError,
  type XdrCodec,
} from "virt-rpcgen/runtime";
import {
  generate,
  loadProtocols,
  type ProtocolModel,
  type TypeDecl,
} from "../../src/index.js";
import { fuzzSeeds, OutcomeCounts, Rng } from "../support/prng.js";
import { randomValue } from "../support/random-values.js";
import {
  ensureProtocolFiles,
  LIBVIRT_X_FILES,
  REPO_ROOT,
} from "../support/protocol-files.js";

const CASES_PER_SEED = 12_000;
const TIME_PER_SEED_MS = 6_000;

interface Target {
  readonly protocol: string;
  readonly decl: TypeDecl;
  readonly codec: XdrCodec<unknown>;
}

let targets: Target[] = [];

async function targetsOf(
  models: readonly ProtocolModel[],
  moduleOf: (p: ProtocolModel) => string,
): Promise<Target[]> {
  const out: Target[] = [];
  for (const p of models) {
    const mod = (await import(moduleOf(p))) as {
      codecs: Record<string, XdrCodec<unknown>>;
    };
    for (const decl of p.types) {
      const codec = mod.codecs[decl.name];
      if (codec) out.push({ protocol: p.name, decl, codec });
    }
  }
  return out;
}

beforeAll(async () => {
  const dir = ensureProtocolFiles();
  const libvirt = loadProtocols(
    LIBVIRT_X_FILES.map((n) => join(dir, `${n}.x`)),
  );
  const fixtures = ["demo_protocol.x", "recursive_protocol.x"].map((f) =>
    join(REPO_ROOT, "test", "fixtures", f),
  );
  const fixtureOut = join(REPO_ROOT, "test", ".generated", "fuzz-codecs");
  await generate({
    files: fixtures,
    outDir: fixtureOut,
    emit: ["codecs"],
    libvirtDefines: false,
  });
  targets = [
    ...(await targetsOf(libvirt, (p) =>
      join(REPO_ROOT, "generated", p.name, "codecs.ts"),
    )),
    ...(await targetsOf(
      loadProtocols(fixtures, { libvirtDefines: false }),
      (p) => join(fixtureOut, p.name, "codecs.ts"),
    )),
  ];
}, 120_000);

const INTERESTING_WORDS = [
  0, 1, 2, 3, 4, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0x10000, 1000,
];

/** One to three mutations of an encoding: bit flips, words, truncation, growth, splices. */
function mutate(rng: Rng, input: Uint8Array): Uint8Array {
  let b = Uint8Array.from(input);
  const words = () => Math.max(1, b.length >> 2);
  for (let n = rng.int(1, 3); n > 0; n--) {
    switch (rng.int(0, 5)) {
      case 0:
        if (b.length > 0) b[rng.int(0, b.length - 1)]! ^= 1 << rng.int(0, 7);
        break;
      case 1: {
        if (b.length < 4) break;
        const at = rng.int(0, (b.length >> 2) - 1) * 4;
        const v = rng.chance(0.7) ? rng.pick(INTERESTING_WORDS) : rng.uint32();
        new DataView(b.buffer).setUint32(at, v >>> 0);
        break;
      }
      case 2:
        b = b.slice(0, rng.int(0, b.length));
        break;
      case 3: {
        const extra = rng.bytes(rng.int(1, 16));
        const grown = new Uint8Array(b.length + extra.length);
        grown.set(b);
        grown.set(extra, b.length);
        b = grown;
        break;
      }
      case 4: {
        const at = rng.int(0, words() - 1) * 4;
        b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + 4)]);
        break;
      }
      case 5: {
        const at = rng.int(0, words() - 1) * 4;
        const len = rng.int(1, 4) * 4;
        const piece = b.subarray(at, at + len);
        b = Uint8Array.from([
          ...b.subarray(0, at),
          ...piece,
          ...b.subarray(at),
        ]);
        break;
      }
    }
  }
  return b;
}

const hex = (b: Uint8Array) => {
  const h = Buffer.from(b).toString("hex");
  return h.length > 400 ? `${h.slice(0, 400)}…` : h;
};

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

describe("codec fuzzing", () => {
  it.each(fuzzSeeds(0xc0dec))(
    "seed %i: only decoded values or XdrErrors",
    (seed) => {
      expect(targets.length).toBeGreaterThan(700);
      const rng = new Rng(seed);
      const counts = new OutcomeCounts();
      const failures: string[] = [];
      const deadline = performance.now() + TIME_PER_SEED_MS;
      for (let i = 0; i < CASES_PER_SEED && performance.now() < deadline; i++) {
        const t = rng.pick(targets);
        let input: Uint8Array;
        let kind: string;
        if (rng.chance(0.15)) {
          input = rng.bytes(rng.int(0, 64) * (rng.chance(0.8) ? 4 : 1));
          kind = "random";
        } else {
          const valid = encodeToBytes(t.codec, randomValue(rng, t.decl));
          input = rng.chance(0.1) ? valid : mutate(rng, valid);
          kind = input === valid ? "valid" : "mutated";
        }
        const where = `seed ${seed} case ${i}: ${t.protocol} ${t.decl.name} <${hex(input)}>`;
        try {
          const value = decodeFromBytes(t.codec, input);
          const again = encodeToBytes(t.codec, value);
          if (sameBytes(again, input))
            counts.add(`${kind}: decoded, same bytes`);
          else {
            // Only float NaN payloads may come back different (canonical NaN); once.
            const third = encodeToBytes(
              t.codec,
              decodeFromBytes(t.codec, again),
            );
            if (!sameBytes(third, again))
              failures.push(`${where}: re-encoding is not stable`);
            counts.add(`${kind}: decoded, canonical bytes`);
          }
        } catch (e) {
          if (e instanceof XdrError) counts.add(`${kind}: XdrError ${e.code}`);
          else failures.push(`${where}: ${String(e)}`);
        }
      }
      console.log(
        `codec fuzz, seed ${seed} (replay: FUZZ_SEED=${seed}), ${counts.total} cases:\n${counts.toString()}`,
      );
      expect(failures.slice(0, 5), `FUZZ_SEED=${seed}`).toEqual([]);
      expect(counts.total).toBeGreaterThan(100);
    },
    60_000,
  );
});
