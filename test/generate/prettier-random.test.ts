// The promise "every generated file is exactly what prettier prints for it" checked on random
// protocols (test/support/random-protocol.ts: every construct, identifiers of 1 to 80
// characters, inline types nested in each other): each generated TypeScript file must come out
// of prettier (the pinned version, under the output's prettier config) unchanged. A fixed seed
// gives the same protocols on every run; a fresh seed finds new ones and is printed with any
// failure. RPCGEN_FORMAT_SEED=<n> replays one seed alone.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as prettier from "prettier";
import { afterAll, describe, expect, it } from "vitest";
import { loadProtocols, renderOutputs } from "../../src/index.js";
import { Rng } from "../support/prng.js";
import {
  ProtocolGenerator,
  type RandomProtocol,
} from "../support/random-protocol.js";

const FIXED_SEED = 0x9e3779b9;
/** Protocols per seed: the fixed seed alone gives the 500 every run checks. */
const FIXED_COUNT = 500;
const FRESH_COUNT = 100;
/** Protocols checked under a non-default prettier config, per seed. */
const CONFIGURED_COUNT = 12;

function seeds(): { seed: number; count: number }[] {
  const forced = process.env["RPCGEN_FORMAT_SEED"];
  if (forced !== undefined)
    return [{ seed: Number(forced) >>> 0, count: FIXED_COUNT }];
  return [
    { seed: FIXED_SEED, count: FIXED_COUNT },
    { seed: (Date.now() ^ (process.pid << 16)) >>> 0, count: FRESH_COUNT },
  ];
}

interface Mismatch {
  readonly seed: number;
  readonly index: number;
  readonly protocol: RandomProtocol;
  readonly file: string;
  readonly diff: string;
}

/** The first differing lines of two texts, with line numbers. */
function firstDifference(actual: string, expected: string): string {
  const a = actual.split("\n");
  const e = expected.split("\n");
  let i = 0;
  while (i < a.length && i < e.length && a[i] === e[i]) i++;
  const show = (lines: string[], sign: string) =>
    lines
      .slice(i, i + 6)
      .map((l, k) => `${sign}${i + k + 1}: ${l}`)
      .join("\n");
  return `${show(a, "generated ")}\n${show(e, "prettier  ")}`;
}

const tmp = mkdtempSync(join(tmpdir(), "rpcgen-prettier-random-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Files checked per prettier call (one call over many files is 2-3 times faster). */
const BATCH_FILES = 40;

interface Output {
  readonly index: number;
  readonly protocol: RandomProtocol;
  readonly path: string;
  readonly content: string;
}

async function prettierOf(content: string, filepath: string): Promise<string> {
  const config = (await prettier.resolveConfig(filepath)) ?? {};
  return prettier.format(content, { ...config, filepath });
}

/**
 * The files of `outputs` that prettier would change. Files are checked in batches: prettier
 * lays out top-level statements one by one and keeps one blank line between them, so files
 * joined by a blank line come out unchanged exactly when each does (a file with a blank line
 * too many at either end changes the batch too). A batch that changes is checked file by file.
 */
async function mismatchesOf(
  seed: number,
  outputs: readonly Output[],
  outDir: string,
): Promise<Mismatch[]> {
  const found: Mismatch[] = [];
  for (let i = 0; i < outputs.length; i += BATCH_FILES) {
    const batch = outputs.slice(i, i + BATCH_FILES);
    const joined = batch.map((o) => o.content).join("\n");
    // All outputs share one prettier config (one folder per protocol under outDir).
    const probe = join(outDir, batch[0]!.path);
    if ((await prettierOf(joined, probe)) === joined) continue;
    for (const o of batch) {
      const expected = await prettierOf(o.content, join(outDir, o.path));
      if (expected !== o.content)
        found.push({
          seed,
          index: o.index,
          protocol: o.protocol,
          file: o.path,
          diff: firstDifference(o.content, expected),
        });
    }
  }
  return found;
}

/**
 * Generates `count` protocols from `seed` into `outDir` (in memory) and returns the files
 * prettier would change. A protocol that does not generate fails the test at once.
 */
async function check(
  seed: number,
  count: number,
  outDir: string,
): Promise<{ files: number; mismatches: Mismatch[] }> {
  const gen = new ProtocolGenerator(new Rng(seed));
  const outputs: Output[] = [];
  for (let index = 0; index < count; index++) {
    const protocol = gen.protocol();
    const path = join(tmp, "in", `${seed}-${index}`, protocol.file);
    try {
      const models = loadProtocols([path], { readFile: () => protocol.text });
      for (const out of await renderOutputs(
        models,
        outDir,
        "virt-rpcgen/runtime",
      ))
        if (out.path.endsWith(".ts")) outputs.push({ index, protocol, ...out });
    } catch (e) {
      throw new Error(
        `protocol ${index} of seed ${seed} (rerun: RPCGEN_FORMAT_SEED=${seed}) does not generate: ${String(e)}\n--- ${protocol.file}\n${protocol.text}`,
      );
    }
  }
  return {
    files: outputs.length,
    mismatches: await mismatchesOf(seed, outputs, outDir),
  };
}

function report(mismatches: readonly Mismatch[]): string {
  return mismatches
    .slice(0, 5)
    .map(
      (m) =>
        `seed ${m.seed} (rerun: RPCGEN_FORMAT_SEED=${m.seed} CI=true npx vitest run test/generate/prettier-random.test.ts), protocol ${m.index}, ${m.file}:\n${m.diff}\n--- ${m.protocol.file}\n${m.protocol.text}`,
    )
    .join("\n\n");
}

describe("generated files equal prettier's output on random protocols", () => {
  for (const { seed, count } of seeds()) {
    it(`seed ${seed}: ${count} protocols, prettier defaults`, async () => {
      const { files, mismatches } = await check(
        seed,
        count,
        join(tmp, "default"),
      );
      expect(files).toBeGreaterThanOrEqual(count * 2);
      expect(
        mismatches.length,
        `${mismatches.length} generated files differ from prettier's output\n${report(mismatches)}`,
      ).toBe(0);
    });

    it(`seed ${seed}: ${CONFIGURED_COUNT} protocols under printWidth 100, singleQuote, no semicolons`, async () => {
      const outDir = join(tmp, `configured-${seed}`);
      rmSync(outDir, { recursive: true, force: true });
      const { mkdirSync } = await import("node:fs");
      mkdirSync(outDir, { recursive: true });
      writeFileSync(
        join(outDir, ".prettierrc.json"),
        JSON.stringify({ printWidth: 100, singleQuote: true, semi: false }),
      );
      const { files, mismatches } = await check(
        seed ^ 0x5bd1e995,
        CONFIGURED_COUNT,
        outDir,
      );
      expect(files).toBeGreaterThanOrEqual(CONFIGURED_COUNT * 2);
      expect(
        mismatches.length,
        `${mismatches.length} generated files differ from prettier's output\n${report(mismatches)}`,
      ).toBe(0);
    });
  }
});
