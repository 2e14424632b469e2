/**
 * The `api.ts` module of a libvirt protocol: what libvirt's API description names and the `.x`
 * leaves as plain integers and strings — every enum of the protocol's API file as a TypeScript
 * `enum` (named members, names back from values, and nominal: a member of another enum is a
 * compile error where this one is expected), the string constants naming typed parameters,
 * one interface per typed-parameter family with each field's documented type, and the
 * documented keys of `virConnectGetAllDomainStats`.
 *
 * ```
 * <enum name='VIR_DOMAIN_RUNNING' value='1' type='virDomainState'/>   →   export enum virDomainState {
 *                                                                             VIR_DOMAIN_NOSTATE = 0,
 *                                                                             VIR_DOMAIN_RUNNING = 1, …
 * <macro name='VIR_DOMAIN_SCHEDULER_CPU_SHARES' string='cpu_shares'>   →   export interface virDomainSchedulerParameters {
 *   … as a ullong                                                             cpu_shares?: bigint; …
 * ```
 * Protocols the data does not describe, and protocols generated without it, get no api module.
 * The typed-parameter interfaces are ts-libvirt-api-params.ts'.
 */
import { stableChunk, type Chunk, type CodeModule } from "./chunks.js";
import { GeneratedFile } from "./generated-file.js";
import { jsDoc } from "./ts-text.js";
import type { ProtocolModel } from "../model/types.js";
import {
  apiFileOf,
  argumentEnumOf,
  flagsEnumsOf,
  type LibvirtApiData,
} from "./libvirt-api-data.js";
import { generatedHeader } from "./generated-header.js";
import { domainStatsChunk, paramSetChunks } from "./ts-libvirt-api-params.js";

/** Enum typedefs `virDomainEvent<X>DetailType`, by the lower-cased `<X>` (`pmsuspended`). */
function lifecycleDetailEnums(data: LibvirtApiData): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of Object.keys(data.enums)) {
    const m = /^virDomainEvent(\w+)DetailType$/.exec(name);
    if (m) out.set(m[1]!.toLowerCase(), name);
  }
  return out;
}

/**
 * `virDomainEventType` member → the detail enum of its events
 * (`VIR_DOMAIN_EVENT_DEFINED` → `virDomainEventDefinedDetailType`), matched by name.
 */
export function lifecycleDetails(
  data: LibvirtApiData,
): { member: string; value: number; detail: string }[] {
  const types = data.enums["virDomainEventType"];
  if (!types) return [];
  const details = lifecycleDetailEnums(data);
  const out: { member: string; value: number; detail: string }[] = [];
  for (const [member, value] of Object.entries(types)) {
    const x = member.replace(/^VIR_DOMAIN_EVENT_/, "").replace(/_/g, "");
    const detail = details.get(x.toLowerCase());
    if (detail) out.push({ member, value, detail });
  }
  return out;
}

/** The enums the protocol's api module declares: its API file's, plus those its calls name. */
export function apiEnumsOf(p: ProtocolModel, data: LibvirtApiData): string[] {
  const file = apiFileOf(data, p.name);
  const names = new Set<string>(file ? (data.enumFiles?.[file] ?? []) : []);
  for (const x of p.procedures) {
    if (x.msg || !x.apiName) continue;
    flagsEnumsOf(data, x.apiName).forEach((e) => names.add(e));
    for (const s of [x.args, x.ret])
      for (const f of s?.fields ?? []) {
        const a = argumentEnumOf(data, x.apiName, f.name);
        if (a) names.add(a.enum);
      }
  }
  if (names.has("virDomainEventType"))
    lifecycleDetails(data).forEach((d) => names.add(d.detail));
  return [...names].filter((n) => data.enums[n] !== undefined).sort();
}

/** A protocol gets an api module when the data names something for it. */
export function hasApiModule(p: ProtocolModel, data: LibvirtApiData): boolean {
  const file = apiFileOf(data, p.name);
  return (
    apiEnumsOf(p, data).length > 0 ||
    (file !== null && Object.keys(data.strings?.[file] ?? {}).length > 0)
  );
}

export function emitApiModule(
  p: ProtocolModel,
  data: LibvirtApiData,
  runtimeImport: string,
): CodeModule {
  const apiFile = apiFileOf(data, p.name);
  const source = apiFile ? `libvirt's ${apiFile}` : "libvirt's API description";
  const enumNames = apiEnumsOf(p, data);
  // libvirt's enum names are all `vir…`: the runtime's TypedParamValue never collides.
  const file = new GeneratedFile(runtimeImport, enumNames);
  const details = lifecycleDetails(data);
  const strings = apiFile ? (data.strings?.[apiFile] ?? {}) : {};
  const chunks: Chunk[] = [
    ...enumNames.map((name) => enumChunk(name, data.enums[name]!, source)),
    ...(details.length && enumNames.includes("virDomainEventType")
      ? lifecycleChunks(details)
      : []),
    ...(Object.keys(strings).length ? [stringsChunk(strings, source)] : []),
    ...paramSetChunks(data, strings, source, file),
    ...(apiFile &&
    data.domainStats &&
    data.enumFiles?.[apiFile]?.includes("virDomainStatsTypes")
      ? [domainStatsChunk(data.domainStats, file)]
      : []),
  ];
  return {
    header: generatedHeader(
      `${source} for ${p.name}.x`,
      "change the API data and regenerate",
    ),
    chunks: [
      ...file
        .imports([], { typeOnlyStatements: true })
        .map((line) => stableChunk(line)),
      ...chunks,
    ],
  };
}

/** `export enum virX { A = 0, … }`: nominal, and names back from values. */
function enumChunk(
  name: string,
  members: Readonly<Record<string, number>>,
  source: string,
): Chunk {
  const entries = Object.entries(members);
  return stableChunk(
    [
      ...jsDoc([`\`${name}\`, from ${source}.`]),
      entries.length === 0
        ? `export enum ${name} {}`
        : [
            `export enum ${name} {`,
            ...entries.map(([k, v]) => `  ${k} = ${v},`),
            "}",
          ].join("\n"),
    ].join("\n"),
  );
}

/** Which detail enum goes with which lifecycle event type, as a value and as a type. */
function lifecycleChunks(
  details: ReturnType<typeof lifecycleDetails>,
): Chunk[] {
  return [
    stableChunk(
      [
        ...jsDoc([
          "The detail enum of each lifecycle event type: `virDomainEventDetailType[event][detail]` is the detail's name.",
        ]),
        "export const virDomainEventDetailType = {",
        ...details.map(
          (d) => `  [virDomainEventType.${d.member}]: ${d.detail},`,
        ),
        "} as const;",
      ].join("\n"),
    ),
    stableChunk(
      [
        ...jsDoc([
          "A lifecycle event's `event` and `detail`: the detail's enum follows from the event type.",
        ]),
        "export type virDomainEventLifecycleKind =",
        ...details.map(
          (d, i) =>
            `  | { event: virDomainEventType.${d.member}; detail: ${d.detail} }${i === details.length - 1 ? ";" : ""}`,
        ),
      ].join("\n"),
    ),
  ];
}

/** The API file's string constants (typed parameter names and others). */
function stringsChunk(
  strings: Readonly<Record<string, string>>,
  source: string,
): Chunk {
  return stableChunk(
    [
      ...jsDoc([
        `Typed parameter names and other string constants, from ${source}.`,
      ]),
      ...Object.entries(strings).map(
        ([k, v]) => `export const ${k} = ${JSON.stringify(v)};`,
      ),
    ].join("\n"),
  );
}
