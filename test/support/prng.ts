// The one seeded pseudo-random generator of the test suite (mulberry32): the same seed gives
// the same cases, so a failure found with a fresh seed is replayed with FUZZ_SEED=<seed>.

export class Rng {
  constructor(private state: number) {}
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  uint32(): number {
    return Math.floor(this.next() * 2 ** 32);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  bytes(n: number): Uint8Array {
    return Uint8Array.from({ length: n }, () => this.int(0, 255));
  }
}

/**
 * The seeds a fuzz test runs: a fixed one (the same cases on every run) and a fresh one (new
 * cases on each run, to be printed with any failure). FUZZ_SEED=<n> runs that seed alone.
 */
export function fuzzSeeds(fixed: number): number[] {
  const forced = process.env["FUZZ_SEED"];
  if (forced !== undefined) return [Number(forced) >>> 0];
  return [fixed >>> 0, (Date.now() ^ (process.pid << 16)) >>> 0];
}

/** Outcome counts by class, printed as one line per class. */
export class OutcomeCounts {
  private readonly counts = new Map<string, number>();
  add(outcome: string): void {
    this.counts.set(outcome, (this.counts.get(outcome) ?? 0) + 1);
  }
  get total(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }
  get(outcome: string): number {
    return this.counts.get(outcome) ?? 0;
  }
  toString(): string {
    return [...this.counts]
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `  ${k}: ${n}`)
      .join("\n");
  }
}
