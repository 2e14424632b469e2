/**
 * Output that a previous `generate` wrote and the current one no longer produces: a protocol
 * dropped from the inputs leaves its folder behind, an output kind dropped from `--emit`
 * leaves its file. Left alone, such files keep compiling against a protocol that no longer
 * says so, and a golden-file check of the tree never notices. `--check` fails on them;
 * `generate` warns, and with `--prune` removes what it can prove it wrote itself (never by
 * default: two runs that share an output folder would delete each other's files).
 */
import { createHash } from "node:crypto";
import {
  existsSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  statSync,
  unlinkSync,
} from "node:fs";
import { join } from "node:path";
import { GENERATED_MARK } from "./emit/generated-header.js";

export interface OrphanReport {
  /** Relative paths; a folder ends with "/". */
  readonly orphans: readonly string[];
  /** Orphaned files removed (with `remove`): recorded in the stamp and unmodified since. */
  readonly removed: readonly string[];
}

const sha256 = (data: Uint8Array) =>
  createHash("sha256").update(data).digest("hex");

/**
 * @param produced paths (relative to `outDir`) the current run renders
 * @param recorded the previous stamp's files and their hashes (empty without a stamp)
 */
export function findOrphans(
  outDir: string,
  produced: readonly string[],
  recorded: Readonly<Record<string, string>>,
  remove: boolean,
): OrphanReport {
  const producedSet = new Set(produced);
  const producedFolders = new Set(produced.map(topFolder));
  const orphans: string[] = [];
  const removed: string[] = [];
  const touchedFolders = new Set<string>();
  // Files this generator wrote last time, by the stamp.
  for (const [rel, hash] of Object.entries(recorded)) {
    if (producedSet.has(rel)) continue;
    const path = join(outDir, rel);
    if (!existsSync(path)) continue;
    if (remove && sha256(readFileSync(path)) === hash) {
      unlinkSync(path);
      removed.push(rel);
      touchedFolders.add(topFolder(rel));
    } else {
      orphans.push(rel);
    }
  }
  for (const folder of touchedFolders) removeIfEmpty(join(outDir, folder));
  // Folders that hold generated files but belong to no current protocol (written before
  // stamps existed, copied in, or edited after writing so the stamp cannot vouch for them).
  const reported = new Set(orphans.map(topFolder));
  for (const folder of subfolders(outDir)) {
    if (producedFolders.has(folder) || reported.has(folder)) continue;
    if (holdsGeneratedFile(join(outDir, folder))) orphans.push(`${folder}/`);
  }
  return { orphans: orphans.sort(), removed: removed.sort() };
}

function topFolder(rel: string): string {
  const slash = rel.indexOf("/");
  return slash < 0 ? "" : rel.slice(0, slash);
}

function subfolders(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
}

function holdsGeneratedFile(dir: string): boolean {
  return readdirSync(dir, { withFileTypes: true }).some((e) => {
    if (!e.isFile() || !e.name.endsWith(".ts")) return false;
    const head = readFileSync(join(dir, e.name)).subarray(
      0,
      GENERATED_MARK.length,
    );
    return head.toString("utf8") === GENERATED_MARK;
  });
}

function removeIfEmpty(dir: string): void {
  if (dir && existsSync(dir) && statSync(dir).isDirectory()) {
    if (readdirSync(dir).length === 0) rmdirSync(dir);
  }
}
