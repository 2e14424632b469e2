// Fuzzes FrameReader against a reference model: random streams of frames, forged and garbage
// length words, truncations, cut into random chunks (single bytes to whole streams). The only
// acceptable outcomes are the reference's frames (complete or with a frame under way) or a
// FramingError exactly where the reference finds a bad length; memory held never exceeds what
// the reader's bound promises. Bounded in count and time; a fixed seed plus a fresh one, which
// is printed on failure to replay it (FUZZ_SEED=<n>).
import { describe, expect, it } from "vitest";
import { MIN_CAPACITY } from "../../src/runtime/rpc/byte-accumulator.js";
import {
  FrameReader,
  FramingError,
  MIN_FRAME,
} from "../../src/runtime/rpc/framing.js";
import { Rng } from "../support/random-values.js";

const FIXED_SEED = 0x5eed_f4a3;
const CASES = 1500;
const TIME_BUDGET_MS = 4000;

type Outcome = "complete" | "incomplete" | "framing-error";

interface Expected {
  readonly frames: Uint8Array[];
  readonly outcome: Outcome;
  readonly pending: number;
}

/** The obvious reading of a whole stream at once: length word, check, slice, repeat. */
function reference(stream: Uint8Array, maxFrame: number): Expected {
  const frames: Uint8Array[] = [];
  const dv = new DataView(stream.buffer, stream.byteOffset, stream.length);
  let at = 0;
  while (stream.length - at >= 4) {
    const len = dv.getUint32(at);
    if (len < MIN_FRAME || len > maxFrame)
      return { frames, outcome: "framing-error", pending: 0 };
    if (stream.length - at < len) break;
    frames.push(stream.subarray(at, at + len));
    at += len;
  }
  const pending = stream.length - at;
  return { frames, outcome: pending ? "incomplete" : "complete", pending };
}

function randomStream(rng: Rng, maxFrame: number): Uint8Array {
  const parts: Uint8Array[] = [];
  const count = rng.int(0, 6);
  for (let i = 0; i < count; i++) {
    const kind = rng.int(0, 19);
    if (kind === 0) {
      // Garbage: whatever length word it forms.
      const g = new Uint8Array(rng.int(1, 64));
      for (let j = 0; j < g.length; j++) g[j] = rng.int(0, 255);
      parts.push(g);
    } else if (kind === 1) {
      // A forged length: too small, too large, or the largest allowed with few bytes after it.
      const len = rng.pick([
        0,
        rng.int(1, MIN_FRAME - 1),
        maxFrame + 1,
        0xffffffff,
        maxFrame,
      ]);
      const f = new Uint8Array(rng.int(4, 40));
      new DataView(f.buffer).setUint32(0, len);
      parts.push(f);
    } else {
      const big = rng.int(0, 9) === 0;
      const len = rng.int(MIN_FRAME, Math.min(maxFrame, big ? 70_000 : 600));
      const f = new Uint8Array(len);
      for (let j = 4; j < len; j += 7) f[j] = rng.int(0, 255);
      new DataView(f.buffer).setUint32(0, len);
      parts.push(f);
    }
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const stream = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    stream.set(p, o);
    o += p.length;
  }
  // Sometimes the stream ends mid-frame.
  return rng.int(0, 3) === 0
    ? stream.subarray(0, rng.int(0, stream.length))
    : stream;
}

function chunkSizes(rng: Rng): () => number {
  switch (rng.int(0, 4)) {
    case 0:
      return () => 1;
    case 1:
      return () => rng.int(1, 8);
    case 2:
      return () => rng.int(1, 4096);
    case 3:
      return () => rng.pick([1, 3, 64, 65536]);
    default:
      return () => 1 << 30;
  }
}

function runOne(rng: Rng): Outcome {
  const maxFrame = rng.pick([MIN_FRAME + 100, 80_000, 32 * 1024 * 1024 + 4]);
  const stream = randomStream(rng, maxFrame);
  const want = reference(stream, maxFrame);
  const reader = new FrameReader(maxFrame);
  const got: Uint8Array[] = [];
  const next = chunkSizes(rng);
  let outcome: Outcome | null = null;
  for (let at = 0; at < stream.length && outcome === null;) {
    const end = Math.min(stream.length, at + next());
    // A copy: the reader must not depend on the chunk staying in a larger buffer.
    const chunk = stream.slice(at, end);
    at = end;
    try {
      got.push(...reader.push(chunk));
    } catch (e) {
      if (!(e instanceof FramingError)) throw e;
      outcome = "framing-error";
      // Sticky: the stream's boundaries are lost.
      expect(() => reader.push(Uint8Array.of(0, 0, 0, 40))).toThrow(
        FramingError,
      );
    }
    const bound = Math.max(MIN_CAPACITY, Math.ceil(2 * reader.pending));
    if (reader.bufferedCapacity > bound)
      throw new Error(
        `holds ${reader.bufferedCapacity} bytes for ${reader.pending} received`,
      );
  }
  outcome ??= reader.pending > 0 ? "incomplete" : "complete";
  expect(outcome).toBe(want.outcome);
  // A FramingError drops the frames completed earlier in the same chunk (the connection is
  // closed anyway): what came before must be a prefix of the reference's frames.
  const complete =
    outcome === "framing-error"
      ? got.length <= want.frames.length
      : got.length === want.frames.length;
  if (!complete)
    throw new Error(
      `${got.length} frames, the reference has ${want.frames.length} (${outcome})`,
    );
  got.forEach((g, i) => {
    if (!Buffer.from(g).equals(want.frames[i]!))
      throw new Error(`frame ${i} differs`);
  });
  if (outcome !== "framing-error" && reader.pending !== want.pending)
    throw new Error(
      `${reader.pending} bytes pending, the reference has ${want.pending}`,
    );
  return outcome;
}

/** Runs the cases in slices, yielding between them so the test worker stays responsive. */
async function fuzz(seed: number): Promise<Record<Outcome, number>> {
  const counts: Record<Outcome, number> = {
    complete: 0,
    incomplete: 0,
    "framing-error": 0,
  };
  const rng = new Rng(seed);
  const t0 = Date.now();
  let slice = Date.now();
  for (let i = 0; i < CASES && Date.now() - t0 < TIME_BUDGET_MS; i++) {
    if (Date.now() - slice > 50) {
      await new Promise((resolve) => setImmediate(resolve));
      slice = Date.now();
    }
    try {
      counts[runOne(rng)]++;
    } catch (e) {
      throw new Error(
        `FrameReader fuzz failed at case ${i} of seed ${seed} (replay: FUZZ_SEED=${seed}): ${
          e instanceof Error ? e.message : String(e)
        }`,
        { cause: e },
      );
    }
  }
  return counts;
}

describe("FrameReader fuzz", () => {
  const fresh = Number(process.env.FUZZ_SEED ?? Date.now() >>> 0);
  for (const [name, seed] of [
    ["fixed seed", FIXED_SEED],
    ["fresh seed", fresh],
  ] as const) {
    it(`${name} ${seed}: only frames or a FramingError, by class`, async () => {
      const counts = await fuzz(seed);
      console.log(`FrameReader fuzz, seed ${seed}:`, counts);
      // Every class is reached, so the generator exercises what it claims to.
      expect(counts.complete).toBeGreaterThan(0);
      expect(counts.incomplete).toBeGreaterThan(0);
      expect(counts["framing-error"]).toBeGreaterThan(0);
    });
  }
});
