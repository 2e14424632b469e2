// A tiny seeded pseudo-random generator for fuzz tests: the same seed gives the same run, so a
// failure found with a fresh seed is reproduced by passing that seed (FUZZ_SEED=...).
// sfc32 (Chris Doty-Humphrey's Small Fast Counting generator), 32-bit state words.

export interface Prng {
  readonly seed: number;
  /** Uniform 32-bit unsigned integer. */
  u32(): number;
  /** Integer in [0, n). */
  below(n: number): number;
  /** true with probability p. */
  chance(p: number): boolean;
  /** One element of a non-empty list. */
  pick<T>(list: readonly T[]): T;
  bytes(n: number): Uint8Array;
}

export function prng(seed: number): Prng {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const u32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 16; i++) u32(); // mix the seed through the state
  const below = (n: number): number => Math.floor((u32() / 0x100000000) * n);
  return {
    seed: seed >>> 0,
    u32,
    below,
    chance: (p) => u32() / 0x100000000 < p,
    pick: (list) => list[below(list.length)]!,
    bytes(n) {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = u32() & 0xff;
      return out;
    },
  };
}

/**
 * The seeds a fuzz test runs: a fixed one (the same cases on every run) and a fresh one (new
 * cases each run, printed so a failure can be replayed with FUZZ_SEED=<seed>).
 */
export function fuzzSeeds(fixed: number): number[] {
  const forced = process.env["FUZZ_SEED"];
  if (forced !== undefined) return [Number(forced) >>> 0];
  return [fixed >>> 0, (Date.now() ^ (process.pid << 16)) >>> 0];
}
