/**
 * libvirt's API description (`/usr/share/libvirt/api/libvirt-*-api.xml`, Debian's libvirt-dev),
 * extracted once by scripts/extract-api-data.mjs into the bundled `defines/libvirt-api.json`, so
 * generation never depends on what is installed. It is an optional input, like
 * defines/libvirt.defines: it names what the `.x` files leave as plain integers.
 *
 * ```
 * <enum name='VIR_DOMAIN_RUNNING' value='1' type='virDomainState'/>      → enums.virDomainState
 * <function name='virDomainMigrate3'> <arg name='flags' info='bitwise-OR of virDomainMigrateFlags'/>
 *                                                                          → functions.virDomainMigrate3
 * <arg name='state' type='int *' info='returned state (one of virDomainState)'/>
 *                                                                          → arguments.virDomainGetState.state
 * <macro name='VIR_DOMAIN_SCHEDULER_CPU_SHARES' string='cpu_shares'> … as a ullong
 *                                                                          → paramSets, strings
 * ```
 */
import { readFileSync } from "node:fs";
import { LIBVIRT_API_FILE } from "../model/load-options.js";

/** A typed parameter's type as libvirt's documentation names it. */
export type ParamTypeName =
  "int" | "uint" | "llong" | "ullong" | "double" | "boolean" | "string";

export interface ApiFlags {
  /** Public API name → the enums its `flags` argument combines. */
  readonly functions: Readonly<Record<string, readonly string[]>>;
  /** Enum name → member name → value. */
  readonly enums: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export interface LibvirtApiData extends ApiFlags {
  /** Protocol (file name without `.x`) → the API description file describing it. */
  readonly protocols?: Readonly<Record<string, string>>;
  /** Public API name → argument → the one enum its description names (`bits`: an OR of them). */
  readonly arguments?: Readonly<
    Record<string, Readonly<Record<string, { enum: string; bits?: boolean }>>>
  >;
  /** API description file → the enums it declares. */
  readonly enumFiles?: Readonly<Record<string, readonly string[]>>;
  /** API description file → string constant → value. */
  readonly strings?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Typed parameter family → string constant naming a field → the field's documented type. */
  readonly paramSets?: Readonly<
    Record<string, Readonly<Record<string, ParamTypeName | null>>>
  >;
  /** Event ID member (`VIR_DOMAIN_EVENT_ID_BLOCK_JOB`) → the callback type its events go to. */
  readonly eventCallbacks?: Readonly<Record<string, string>>;
  /** virConnectGetAllDomainStats's documented keys (`block.<num>.name`) → type (and enum). */
  readonly domainStats?: Readonly<
    Record<string, { type: ParamTypeName | null; enum?: string }>
  >;
}

let bundled: LibvirtApiData | null = null;

export function libvirtApiData(file?: string): LibvirtApiData {
  if (file) return JSON.parse(readFileSync(file, "utf8")) as LibvirtApiData;
  bundled ??= JSON.parse(
    readFileSync(LIBVIRT_API_FILE, "utf8"),
  ) as LibvirtApiData;
  return bundled;
}

/** No API description: generation from the `.x` files alone. */
export const NO_LIBVIRT_API: LibvirtApiData = { functions: {}, enums: {} };

/** The API function names a procedure's API name stands for (admin's are `virAdm…`). */
function apiNamesOf(apiName: string): string[] {
  return [apiName, apiName.replace(/^admin/, "virAdm")];
}

/**
 * The enums of `apiName`'s flags. The admin protocol's API names (`adminConnectOpen`) are the
 * description's `virAdm…` functions.
 */
export function flagsEnumsOf(
  data: ApiFlags,
  apiName: string,
): readonly string[] {
  for (const n of apiNamesOf(apiName)) {
    const found = data.functions[n];
    if (found) return found.filter((e) => data.enums[e] !== undefined);
  }
  return [];
}

/** The enum an argument (or returned value) of `apiName` named `arg` holds, if documented. */
export function argumentEnumOf(
  data: LibvirtApiData,
  apiName: string,
  arg: string,
): { enum: string; bits: boolean } | null {
  for (const n of apiNamesOf(apiName)) {
    const found = data.arguments?.[n]?.[arg];
    if (found && data.enums[found.enum])
      return { enum: found.enum, bits: found.bits === true };
  }
  return null;
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

/** The API description file of a protocol, when the data describes it. */
export function apiFileOf(
  data: LibvirtApiData,
  protocolName: string,
): string | null {
  return data.protocols?.[protocolName] ?? null;
}
