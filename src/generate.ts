/**
 * The `generate` pipeline: load protocols once, run every emitter, format, then write or check.
 *
 * Output layout, one folder per protocol named after its file:
 *   <out>/remote_protocol/codecs.ts              typed XDR codecs
 *   <out>/remote_protocol/remote_protocol-structs the ABI listing
 *   <out>/remote_protocol/server.ts              dispatch table and handler types (server side)
 *   <out>/remote_protocol/acl.ts                 ACL rules by C API
 *   <out>/remote_protocol/client.ts              typed client
 *   <out>/remote_protocol/api.ts                 libvirt's enums, typed parameter names (API data)
 *   <out>/remote_protocol/index.ts               re-exports
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import type { OutputKind } from "./output-kinds.js";
import type { OutputFile } from "./output-file.js";
import { findOrphans } from "./output-orphans.js";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import {
  fingerprintOf,
  isFresh,
  prettierChange,
  prettierRecordOf,
  readStamp,
  stampContent,
  writeStamp,
  type PrettierRecord,
} from "./generate-stamp.js";
import {
  LIBVIRT_DEFINES_FILE,
  libvirtApiFileOf,
  type LoadOptions,
} from "./model/load-options.js";

export interface GenerateOptions extends LoadOptions {
  readonly files: readonly string[];
  readonly outDir: string;
  /** Module specifier generated code imports the runtime from (default `virt-rpcgen-runtime`). */
  readonly runtimeImport?: string;
  /** Write nothing; report stale or missing files. */
  readonly check?: boolean;
  /**
   * Delete orphaned output: files an earlier run wrote (the stamp has their hashes), unmodified
   * since, that these inputs no longer produce. Off by default: two `generate` runs sharing an
   * output folder would delete each other's files.
   */
  readonly prune?: boolean;
  /** Regenerate even when the stamp says the outputs are up to date. */
  readonly force?: boolean;
  /** Which outputs to write (default: DEFAULT_OUTPUTS, everything but the HTML reference; client brings api). */
  readonly emit?: readonly OutputKind[];
}

export interface GenerateResult {
  readonly files: readonly OutputFile[];
  /** Files whose content on disk differs or that are missing (relative paths). */
  readonly stale: readonly string[];
  /** Files actually written (empty with check). */
  readonly written: readonly string[];
  /** True when the stamp showed nothing changed, so nothing was rendered. */
  readonly upToDate: boolean;
  /**
   * Generated output this run no longer produces (relative paths; folders end with "/"),
   * left in place (without `prune`, or modified since written, or unknown to the stamp).
   */
  readonly orphans: readonly string[];
  /** Orphaned files this run removed (`prune`: it wrote them before and they are unmodified). */
  readonly removed: readonly string[];
  /**
   * Why the outputs are stale as a whole, whatever their text: they were formatted under
   * another prettier config or version (names the config file). Set with and without check.
   */
  readonly staleReason?: string;
}

import { DEFAULT_RUNTIME_IMPORT } from "./runtime-package.js";

export { DEFAULT_RUNTIME_IMPORT };

export async function generate(
  options: GenerateOptions,
): Promise<GenerateResult> {
  const runtimeImport = options.runtimeImport ?? DEFAULT_RUNTIME_IMPORT;
  const apiFile = libvirtApiFileOf(options);
  const definesFiles = [
    ...(options.libvirtDefines === false ? [] : [LIBVIRT_DEFINES_FILE]),
    ...(options.definesFiles ?? []),
    ...(apiFile ? [apiFile] : []),
  ];
  const prettierNow = prettierRecordOf(options.outDir, options.files);
  const fingerprint = fingerprintOf(
    { ...options, runtimeImport, emit: options.emit ?? [] },
    definesFiles,
    prettierNow,
  );
  const previous = readStamp(options.outDir);
  if (!options.force && isFresh(previous, options.outDir, fingerprint)) {
    // Same inputs, same outputs: only a folder copied in since can be orphaned.
    const produced = Object.keys(previous?.files ?? {});
    const { orphans } = findOrphans(options.outDir, produced, {}, false);
    return {
      files: [],
      stale: [],
      written: [],
      upToDate: true,
      orphans,
      removed: [],
    };
  }
  // The heavy modules (parser, ts-morph, prettier) load only when there is work to do.
  const [
    { loadProtocols, externalDefines },
    { renderOutputs },
    { libvirtApiData, NO_LIBVIRT_API },
  ] = await Promise.all([
    import("./model/index.js"),
    import("./render-outputs.js"),
    import("./emit/libvirt-api-data.js"),
  ]);
  const protocols = loadProtocols(options.files, options);
  const emit = options.emit ? new Set(options.emit) : undefined;
  const files = await renderOutputs(
    protocols,
    options.outDir,
    runtimeImport,
    externalDefines(options),
    emit,
    apiFile ? libvirtApiData(apiFile) : NO_LIBVIRT_API,
  );
  const stale: string[] = [];
  const written: string[] = [];
  // Outputs formatted under another prettier config or version are stale even where the new
  // one happens to print the same text: the stamp no longer describes them.
  const recorded = previous?.prettier ?? null;
  const prettierChanged = recorded && prettierChange(recorded, prettierNow);
  for (const f of files) {
    const target = join(options.outDir, f.path);
    const current = existsSync(target) ? readFileSync(target, "utf8") : null;
    if (current === f.content) continue;
    stale.push(f.path);
    if (options.check) continue;
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, f.content);
    written.push(f.path);
  }
  const { orphans, removed } = findOrphans(
    options.outDir,
    files.map((f) => f.path),
    previous?.files ?? {},
    options.prune === true && !options.check,
  );
  if (!options.check) {
    mkdirSync(options.outDir, { recursive: true });
    writeStamp(
      options.outDir,
      stampContent(fingerprint, files, {
        ...prettierNow,
        configs: await resolvedConfigs(options.outDir, prettierNow, files),
      }),
    );
  }
  return {
    files,
    stale,
    written,
    upToDate: false,
    orphans,
    removed,
    ...(prettierChanged ? { staleReason: prettierChanged } : {}),
  };
}
/** What each recorded config file resolves to, for an output file it applies to. */
async function resolvedConfigs(
  outDir: string,
  record: PrettierRecord,
  files: readonly OutputFile[],
): Promise<Record<string, unknown>> {
  const names = Object.keys(record.configFiles);
  if (names.length === 0) return {};
  const { prettierConfigFor } = await import("./emit/chunks.js");
  const { nearestPrettierConfig } = await import("./prettier-config-files.js");
  const out: Record<string, unknown> = {};
  for (const f of files) {
    if (!f.path.endsWith(".ts")) continue;
    const target = join(outDir, f.path);
    const config = nearestPrettierConfig(dirname(target));
    if (!config) continue;
    const name = relative(resolve(outDir), config).split(sep).join("/");
    if (name in out) continue;
    const resolved = await prettierConfigFor(target);
    // Plugins resolved to absolute paths would tie the stamp to the checkout's location.
    out[name] = {
      ...resolved,
      ...(Array.isArray(resolved["plugins"])
        ? {
            plugins: (resolved["plugins"] as unknown[]).map((p) =>
              typeof p === "string" && isAbsolute(p)
                ? relative(resolve(outDir), p).split(sep).join("/")
                : p,
            ),
          }
        : {}),
    };
  }
  return out;
}

export function displayPath(outDir: string, rel: string): string {
  const shown = relative(process.cwd(), join(outDir, rel)) || rel;
  // A folder keeps its trailing slash, so it reads as one.
  return rel.endsWith("/") && !shown.endsWith("/") ? `${shown}/` : shown;
}
