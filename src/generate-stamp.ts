/**
 * Makes a `generate` run with unchanged inputs near-instant.
 *
 * After writing, `generate` records in `<out>/.virt-rpcgen-stamp.json` a fingerprint of
 * everything the output depends on (input .x files and the protocols they import, options,
 * defines files, the generator's own code and the prettier version) and a hash of every file
 * it wrote. A later run whose fingerprint matches and whose files on disk still have those
 * hashes has nothing to do: no parsing, no emitting, no prettier. Any edit of a generated file
 * changes its hash, so `--check` still reports it. The stamp also records the prettier config
 * files that apply to the outputs (found without loading prettier, see prettier-config-files.ts)
 * with their hashes, prettier's version and the config they resolve to: a changed, added or
 * removed config makes the outputs stale, and `--check` names it.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import {
  includedProtocols,
  includedXFiles,
  type LoadOptions,
} from "./model/load-options.js";
import { readSource } from "./parser/source.js";
import { prettierConfigHashes } from "./prettier-config-files.js";

export const STAMP_FILE = ".virt-rpcgen-stamp.json";

/** What formatted the outputs: prettier's version and its config files (relative to outDir). */
export interface PrettierRecord {
  readonly version: string;
  /** Config file (relative to outDir, `/`-separated) → sha256 of its content. */
  readonly configFiles: Record<string, string>;
  /** What each config file resolves to for the outputs (informative; written after rendering). */
  readonly configs?: Record<string, unknown>;
}

export interface Stamp {
  readonly fingerprint: string;
  readonly prettier?: PrettierRecord;
  readonly files: Record<string, string>;
}

const sha256 = (data: string | Uint8Array) =>
  createHash("sha256").update(data).digest("hex");

let generatorId: string | undefined;

/**
 * Built next to the generator but not part of it: the compiled examples (`npm run example:*`, and
 * the tests that run them). Hashing them made `generate` rewrite its stamps after any example ran.
 */
const NOT_GENERATOR = new Set(["examples-build"]);

/** Hash of the generator's compiled code (this package's dist/, or src/ under a TS loader). */
function generatorFingerprint(): string {
  if (generatorId) return generatorId;
  const h = createHash("sha256");
  const root = dirname(fileURLToPath(import.meta.url));
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (!NOT_GENERATOR.has(e.name)) walk(p);
      } else if (/\.(js|ts)$/.test(e.name) && !e.name.endsWith(".d.ts"))
        h.update(e.name).update(readFileSync(p));
    }
  };
  walk(root);
  h.update(prettierPackageJson() ?? "prettier:unknown");
  return (generatorId = h.digest("hex"));
}

let prettierPackage: Buffer | null | undefined;

/** prettier's package.json, read once (resolving it costs ~20 ms). */
function prettierPackageJson(): Buffer | null {
  if (prettierPackage !== undefined) return prettierPackage;
  try {
    const require = createRequire(import.meta.url);
    prettierPackage = readFileSync(require.resolve("prettier/package.json"));
  } catch {
    prettierPackage = null;
  }
  return prettierPackage;
}

function prettierVersion(): string {
  const json = prettierPackageJson();
  if (!json) return "unknown";
  try {
    return (
      (JSON.parse(json.toString("utf8")) as { version?: string }).version ??
      "unknown"
    );
  } catch {
    return "unknown";
  }
}

const outputDirName = (f: string) =>
  f.replace(/^.*[\\/]/, "").replace(/\.x$/, "");

/** prettier's version and the config files that apply to the output folders of `files`. */
export function prettierRecordOf(
  outDir: string,
  files: readonly string[],
): PrettierRecord {
  const dirs = files.map((f) => resolve(outDir, outputDirName(f)));
  const configFiles: Record<string, string> = {};
  for (const [file, hash] of prettierConfigHashes(dirs))
    configFiles[relative(resolve(outDir), file).split(sep).join("/")] = hash;
  return { version: prettierVersion(), configFiles };
}

/** Why outputs formatted under `was` are stale under `now`, or null when they are not. */
export function prettierChange(
  was: PrettierRecord,
  now: PrettierRecord,
): string | null {
  if (was.version !== now.version)
    return `prettier ${now.version} is not the prettier ${was.version} that formatted them`;
  const names = new Set([
    ...Object.keys(was.configFiles),
    ...Object.keys(now.configFiles),
  ]);
  const changed = [...names].filter(
    (n) => was.configFiles[n] !== now.configFiles[n],
  );
  if (changed.length === 0) return null;
  return `prettier config changed: ${changed
    .map(
      (n) =>
        `${n} (${
          !(n in was.configFiles)
            ? "added"
            : !(n in now.configFiles)
              ? "removed"
              : "edited"
        })`,
    )
    .join(", ")}`;
}

/** Input files plus the protocols their `%#include "x.h"` and `#include "x.x"` lines import. */
function inputClosure(
  files: readonly string[],
  importFiles: readonly string[],
): string[] {
  const seen = new Set<string>();
  const visit = (f: string) => {
    const abs = resolve(f);
    if (seen.has(abs) || !existsSync(abs)) return;
    seen.add(abs);
    // Over the size limit: refused here, before a large file is read.
    const text = readSource(abs).toString("latin1");
    for (const name of includedProtocols(text))
      visit(join(dirname(abs), `${name}.x`));
    for (const file of includedXFiles(text)) visit(join(dirname(abs), file));
  };
  [...importFiles, ...files].forEach(visit);
  // Ordered by file name (what the fingerprint hashes with each file), not by absolute path:
  // that made the fingerprint depend on where the checkout is (a fresh clone in /tmp ordered a
  // system .x under /usr differently than one in /work).
  const name = (f: string) => f.replace(/^.*[\\/]/, "");
  return [...seen].sort((a, b) =>
    name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : a < b ? -1 : a > b ? 1 : 0,
  );
}

export function fingerprintOf(
  options: LoadOptions & {
    files: readonly string[];
    runtimeImport: string;
    emit: readonly string[];
  },
  definesFiles: readonly string[],
  prettierRecord: PrettierRecord,
): string {
  const h = createHash("sha256");
  h.update(generatorFingerprint());
  h.update(JSON.stringify(prettierRecord));
  h.update(
    JSON.stringify({
      runtimeImport: options.runtimeImport,
      emit: options.emit,
      libvirtDefines: options.libvirtDefines !== false,
      libvirtApi: options.libvirtApi !== false,
      defines: [...(options.defines ?? [])],
      macros: [...(options.macros ?? [])],
      files: options.files.map((f) => f.replace(/^.*[\\/]/, "")),
    }),
  );
  for (const f of [
    ...inputClosure(options.files, options.importFiles ?? []),
    ...definesFiles,
  ]) {
    h.update(f.replace(/^.*[\\/]/, "")).update(readFileSync(f));
  }
  return h.digest("hex");
}

/** The stamp a previous run left in `outDir`, or null (none, or unreadable). */
export function readStamp(outDir: string): Stamp | null {
  const path = join(outDir, STAMP_FILE);
  if (!existsSync(path)) return null;
  try {
    const stamp = JSON.parse(readFileSync(path, "utf8")) as Partial<Stamp>;
    if (
      typeof stamp.fingerprint !== "string" ||
      typeof stamp.files !== "object"
    )
      return null;
    return stamp as Stamp;
  } catch {
    return null;
  }
}

/** True when the stamp matches and every recorded file is on disk with its recorded hash. */
export function isFresh(
  stamp: Stamp | null,
  outDir: string,
  fingerprint: string,
): boolean {
  if (stamp?.fingerprint !== fingerprint) return false;
  for (const [rel, hash] of Object.entries(stamp.files)) {
    const p = join(outDir, rel);
    if (!existsSync(p) || sha256(readFileSync(p)) !== hash) return false;
  }
  return true;
}

export function stampContent(
  fingerprint: string,
  files: readonly { path: string; content: string }[],
  prettierRecord: PrettierRecord,
): string {
  const stamp: Stamp = {
    fingerprint,
    prettier: prettierRecord,
    files: Object.fromEntries(files.map((f) => [f.path, sha256(f.content)])),
  };
  return JSON.stringify(stamp, null, 2) + "\n";
}

export function writeStamp(outDir: string, content: string): void {
  writeFileSync(join(outDir, STAMP_FILE), content);
}
