/**
 * Chevrotain, loaded from its single-file bundle when the package ships one.
 *
 * The package's main entry is ~100 ES modules; loading them took ~0.3 s of every cold CLI run
 * here, against ~0.02 s for `lib/chevrotain.min.mjs`, the same library bundled. The bundle is
 * not in the package's `exports`, so it is located next to the resolved entry point.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type * as ChevrotainApi from "chevrotain";

async function load(): Promise<typeof ChevrotainApi> {
  try {
    const entry = createRequire(import.meta.url).resolve("chevrotain");
    const bundle = join(dirname(entry), "..", "chevrotain.min.mjs");
    if (existsSync(bundle))
      return (await import(pathToFileURL(bundle).href)) as typeof ChevrotainApi;
  } catch {
    // Fall back to the package entry below.
  }
  return import("chevrotain");
}

const chevrotain = await load();
export const { createToken, Lexer, EmbeddedActionsParser, EOF } = chevrotain;
