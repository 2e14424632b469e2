// Fuzzing the generator's front end and emitters with mutated .x text (and raw bytes): every
// outcome must be a resolved model (whose codecs and structs listing are then emitted) or one
// located diagnostic line `file:line:col: error: message` with no control characters. Any
// other exception fails, with the seed that found it. Bounded in cases and in time.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  emitStructsListing,
  loadProtocol,
  XdrDiagnosticError,
} from "../../src/index.js";
import { emitCodecModule } from "../../src/emit/ts-codecs.js";
import { fuzzSeeds, OutcomeCounts, Rng } from "../support/prng.js";
import { ensureProtocolFiles, REPO_ROOT } from "../support/protocol-files.js";

const CASES_PER_SEED = 400;
const TIME_PER_SEED_MS = 8_000;

const BASES = (() => {
  const dir = ensureProtocolFiles();
  return [
    join(REPO_ROOT, "test", "fixtures", "demo_protocol.x"),
    join(REPO_ROOT, "test", "fixtures", "recursive_protocol.x"),
    join(dir, "virnetprotocol.x"),
    join(dir, "lock_protocol.x"),
    join(dir, "admin_protocol.x"),
    join(dir, "lxc_protocol.x"),
  ].map((f) => readFileSync(f, "utf8"));
})();

/** Fragments that steer mutations toward the grammar's corners. */
const SNIPPETS = [
  "{",
  "}",
  "(",
  ")",
  ";",
  ":",
  ",",
  "*",
  "<>",
  "<3>",
  "[4]",
  "=",
  "-",
  "struct ",
  "union ",
  "enum ",
  "typedef ",
  "const ",
  "switch ",
  "case ",
  "default: void;",
  "void",
  "opaque ",
  "string ",
  "unsigned ",
  "hyper ",
  "bool ",
  "int ",
  "float ",
  "program ",
  "version ",
  "0x",
  "4294967296",
  "2147483648",
  "-1",
  "0",
  "X",
  "a",
  "node",
  "#if 1\n",
  "#if !(0)\n",
  "#endif\n",
  "#else\n",
  "#define Z 3\n",
  "#ifdef Z\n",
  "/*",
  "*/",
  "//",
  "\n",
  '%#include "x.h"\n',
  "/** @generate: both */\n",
  "typedef b a; typedef a b;",
  "struct s { s x; };",
  "struct n { int v; n *next; };",
  "é",
  "\u0000",
  "\u001b",
];

function mutate(rng: Rng, text: string): string {
  let t = text;
  for (let n = rng.int(1, 4); n > 0; n--) {
    const at = rng.int(0, t.length);
    switch (rng.int(0, 4)) {
      case 0: // delete a span
        t = t.slice(0, at) + t.slice(at + rng.int(1, 40));
        break;
      case 1: // duplicate a span
        t = t.slice(0, at) + t.slice(at, at + rng.int(1, 200)) + t.slice(at);
        break;
      case 2: // insert a snippet
        t = t.slice(0, at) + rng.pick(SNIPPETS) + t.slice(at);
        break;
      case 3: // replace a character with a random one
        t =
          t.slice(0, at) +
          String.fromCharCode(rng.int(0, 127)) +
          t.slice(at + 1);
        break;
      case 4: // repeat a snippet many times (deep nesting, long chains)
        t =
          t.slice(0, at) +
          rng.pick(SNIPPETS).repeat(rng.int(50, 3000)) +
          t.slice(at);
        break;
    }
  }
  return t;
}

/** A diagnostic's class: its first words, before any quoted or numeric detail. */
function messageClass(message: string): string {
  const text = message.replace(/^fuzz\.x:\d+:\d+: error: /, "");
  const words = text.split(" ");
  const cut = words.findIndex((w) => /['"(\d#@]/.test(w));
  return (
    words.slice(0, Math.min(cut === -1 ? 4 : cut, 4)).join(" ") ||
    text.slice(0, 20)
  );
}

const ONE_LOCATED_LINE =
  // eslint-disable-next-line no-control-regex -- a diagnostic must hold no control character
  /^fuzz\.x:[1-9]\d*:[1-9]\d*: error: [^\n\x00-\x1f\x7f]*$/;

describe("parser fuzzing", () => {
  it.each(fuzzSeeds(0x5eed))(
    "seed %i: only models or one located diagnostic",
    (seed) => {
      const rng = new Rng(seed);
      const counts = new OutcomeCounts();
      const failures: string[] = [];
      const deadline = performance.now() + TIME_PER_SEED_MS;
      for (let i = 0; i < CASES_PER_SEED && performance.now() < deadline; i++) {
        const input: string | Uint8Array = rng.chance(0.05)
          ? rng.bytes(rng.int(0, 300))
          : mutate(rng, rng.pick(BASES));
        const where = `seed ${seed} case ${i}`;
        try {
          const model = loadProtocol("fuzz.x", {
            readFile: () => input,
            libvirtDefines: rng.chance(0.5),
          });
          emitStructsListing(model, { filter: /./ });
          emitCodecModule(model, {
            runtimeImport: "virt-rpcgen/runtime",
            importPathOf: (p) => `../${p.name}/codecs.js`,
          });
          counts.add("model and outputs");
        } catch (e) {
          if (e instanceof XdrDiagnosticError) {
            if (!ONE_LOCATED_LINE.test(e.message))
              failures.push(
                `${where}: malformed diagnostic ${JSON.stringify(e.message.slice(0, 300))}`,
              );
            counts.add(`diagnostic: ${messageClass(e.message)}`);
          } else {
            failures.push(
              `${where}: ${e instanceof Error ? e.stack?.split("\n").slice(0, 4).join(" | ") : String(e)}`,
            );
          }
        }
      }
      console.log(
        `parser fuzz, seed ${seed} (replay: FUZZ_SEED=${seed}), ${counts.total} cases:\n${counts.toString()}`,
      );
      expect(failures.slice(0, 5), `FUZZ_SEED=${seed}`).toEqual([]);
      expect(counts.total).toBeGreaterThan(20);
    },
    60_000,
  );
});
