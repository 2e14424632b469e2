/**
 * Chevrotain, loaded synchronously from its single-file bundle when the package ships one.
 *
 * The package's main entry is ~100 ES modules; loading them took ~0.3 s of every cold CLI run
 * here, against ~0.02 s for `lib/chevrotain.min.mjs`, the same library bundled. The bundle is
 * not in the package's `exports`, so it is located next to the resolved entry point.
 *
 * `require` rather than `await import`: a top-level await here would make every module that
 * reaches the parser (the package's main entry included) impossible to `require()` from
 * CommonJS. Node ≥ 20.19 loads an ES module without top-level await through `require`.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type * as ChevrotainApi from "chevrotain";

function load(): typeof ChevrotainApi {
  const require = createRequire(import.meta.url);
  try {
    const entry = require.resolve("chevrotain");
    const bundle = join(dirname(entry), "..", "chevrotain.min.mjs");
    if (existsSync(bundle)) return require(bundle) as typeof ChevrotainApi;
  } catch {
    // Fall back to the package entry below.
  }
  return require("chevrotain") as typeof ChevrotainApi;
}

const chevrotain = load();
export const { createToken, Lexer, EmbeddedActionsParser, EOF } = chevrotain;
