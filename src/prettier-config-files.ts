/**
 * The prettier config files that apply to generated files, found without loading prettier (an
 * up-to-date `generate` must stay near-instant): for each output folder, the nearest of the
 * files prettier's own search looks for, walking up to the root, as prettier does. The stamp
 * records them with a hash of their content, so a changed, added or removed config makes the
 * outputs stale.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";

/** prettier 3's search list, in its order (src/config/prettier-config/config-searcher.js). */
const CONFIG_FILES = [
  "package.json",
  "package.yaml",
  ".prettierrc",
  ".prettierrc.json",
  ".prettierrc.yml",
  ".prettierrc.yaml",
  ".prettierrc.json5",
  ".prettierrc.js",
  "prettier.config.js",
  ".prettierrc.ts",
  "prettier.config.ts",
  ".prettierrc.mjs",
  "prettier.config.mjs",
  ".prettierrc.mts",
  "prettier.config.mts",
  ".prettierrc.cjs",
  "prettier.config.cjs",
  ".prettierrc.cts",
  "prettier.config.cts",
  ".prettierrc.toml",
];

/** package.json and package.yaml count only with a `prettier` key, as in prettier's search. */
function isConfig(path: string, name: string): boolean {
  if (!statSync(path, { throwIfNoEntry: false })?.isFile()) return false;
  if (name === "package.json") {
    try {
      const pkg = JSON.parse(readFileSync(path, "utf8")) as unknown;
      return typeof pkg === "object" && pkg !== null && "prettier" in pkg;
    } catch {
      return false;
    }
  }
  if (name === "package.yaml")
    return /^prettier\s*:/m.test(readFileSync(path, "utf8"));
  return true;
}

/** Config file by folder (null: none in that folder), for one search over several folders. */
type SearchCache = Map<string, string | null>;

/** The config file in `dir` itself, or null: one directory listing per folder. */
function configFileIn(dir: string, configIn: SearchCache): string | null {
  let found = configIn.get(dir);
  if (found !== undefined) return found;
  let names: Set<string>;
  try {
    names = new Set(readdirSync(dir));
  } catch {
    names = new Set(); // an output folder not written yet
  }
  found = null;
  for (const name of CONFIG_FILES) {
    if (names.has(name) && isConfig(join(dir, name), name)) {
      found = join(dir, name);
      break;
    }
  }
  configIn.set(dir, found);
  return found;
}

/** The config file prettier would use for a file in `dir`, or null. */
export function nearestPrettierConfig(
  dir: string,
  cache: SearchCache = new Map(),
): string | null {
  for (let d = dir; ; d = dirname(d)) {
    const found = configFileIn(d, cache);
    if (found) return found;
    if (dirname(d) === d) return null;
  }
}

/** Config file → sha256 of its content, for the config files of the given output folders. */
export function prettierConfigHashes(
  dirs: readonly string[],
): Map<string, string> {
  const out = new Map<string, string>();
  const cache: SearchCache = new Map();
  for (const dir of dirs) {
    const file = nearestPrettierConfig(dir, cache);
    if (file && !out.has(file))
      out.set(
        file,
        createHash("sha256").update(readFileSync(file)).digest("hex"),
      );
  }
  return out;
}
