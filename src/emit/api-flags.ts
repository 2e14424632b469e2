/**
 * Which libvirt enum a public API's `flags` argument takes, from libvirt's API description
 * (`/usr/share/libvirt/api/libvirt-*-api.xml`), extracted once into the bundled
 * `defines/libvirt-api-flags.json` by scripts/extract-api-data.mjs so generation never depends
 * on what is installed.
 *
 * ```
 * <function name='virDomainMigrate3'> … <arg name='flags' info='bitwise-OR of virDomainMigrateFlags'/>
 *   → flagsEnumsOf("virDomainMigrate3") = ["virDomainMigrateFlags"]
 * ```
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const LIBVIRT_API_FLAGS_FILE = fileURLToPath(
  new URL("../../defines/libvirt-api-flags.json", import.meta.url),
);

export interface ApiFlags {
  /** Public API name → the enums its `flags` argument combines. */
  readonly functions: Readonly<Record<string, readonly string[]>>;
  /** Enum name → member name → value. */
  readonly enums: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

let bundled: ApiFlags | null = null;

export function libvirtApiFlags(): ApiFlags {
  bundled ??= JSON.parse(
    readFileSync(LIBVIRT_API_FLAGS_FILE, "utf8"),
  ) as ApiFlags;
  return bundled;
}

/**
 * The enums of `apiName`'s flags. The admin protocol's API names (`adminConnectOpen`) are the
 * description's `virAdm…` functions.
 */
export function flagsEnumsOf(
  data: ApiFlags,
  apiName: string,
): readonly string[] {
  const names = [apiName, apiName.replace(/^admin/, "virAdm")];
  for (const n of names) {
    const found = data.functions[n];
    if (found) return found.filter((e) => data.enums[e] !== undefined);
  }
  return [];
}

/** The value of an enum member by name (`VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM` → 1). */
export function enumMemberValue(
  data: ApiFlags,
  member: string,
): number | undefined {
  for (const members of Object.values(data.enums)) {
    const v = members[member];
    if (v !== undefined) return v;
  }
  return undefined;
}
