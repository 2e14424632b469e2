/** Options for loading protocols; dependency-free so light callers need not load the parser. */
import { fileURLToPath } from "node:url";

export interface LoadOptions {
  /** Extra protocol files to resolve imports from (by base name), like `--import`. */
  readonly importFiles?: readonly string[];
  /** Load the bundled libvirt defines file (default true). */
  readonly libvirtDefines?: boolean;
  /**
   * Load libvirt's API data (enums, typed parameter names, event IDs) for the protocols it
   * describes (default true): the bundled defines/libvirt-api.json, or `libvirtApiFile`.
   */
  readonly libvirtApi?: boolean;
  /** Another extraction of libvirt's API description (scripts/extract-api-data.mjs). */
  readonly libvirtApiFile?: string;
  /** Extra defines files. */
  readonly definesFiles?: readonly string[];
  /** `--define NAME=VALUE`: wins over defines files. */
  readonly defines?: ReadonlyMap<string, number>;
  /** Preprocessor macros (`-D` style), e.g. RPC_HDR. */
  readonly macros?: ReadonlyMap<string, string>;
  /** Replace the text of a file (tests use this to edit a protocol in memory). */
  readonly readFile?: (path: string) => Uint8Array | string;
}

export const LIBVIRT_DEFINES_FILE = fileURLToPath(
  new URL("../../defines/libvirt.defines", import.meta.url),
);

export const LIBVIRT_API_FILE = fileURLToPath(
  new URL("../../defines/libvirt-api.json", import.meta.url),
);

/** The API data file a run uses, or null without one. */
export function libvirtApiFileOf(options: LoadOptions): string | null {
  return options.libvirtApi === false
    ? null
    : (options.libvirtApiFile ?? LIBVIRT_API_FILE);
}

/**
 * The protocols a `.x` text imports: `%#include "remote_protocol.h"` → `remote_protocol`.
 * Shared by the loader and the generate stamp, so both follow the same imports.
 */
export function includedProtocols(text: string): string[] {
  return [...text.matchAll(/^%\s*#\s*include\s+[<"]([^">]+)\.h[">]/gm)].map(
    (m) => m[1]!.replace(/^.*\//, ""),
  );
}

/**
 * The `.x` files a `.x` text pastes in with cpp (`#include "nis_object.x"`); the loader makes
 * them imports. For the generate stamp, which must notice when they change.
 */
export function includedXFiles(text: string): string[] {
  return [...text.matchAll(/^\s*#\s*include\s+"([^"]+\.x)"/gm)].map(
    (m) => m[1]!,
  );
}
