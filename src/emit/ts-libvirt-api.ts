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
 */
import { stableChunk, type Chunk, type CodeModule } from "./chunks.js";
import { GeneratedFile } from "./generated-file.js";
import { jsDoc } from "./ts-text.js";
import { propKey } from "./ts-names.js";
import type { ProtocolModel } from "../model/types.js";
import {
  apiFileOf,
  argumentEnumOf,
  flagsEnumsOf,
  type LibvirtApiData,
  type ParamTypeName,
} from "./libvirt-api-data.js";
import { generatedHeader } from "./generated-header.js";

const TS_OF_PARAM: Record<ParamTypeName, string> = {
  int: "number",
  uint: "number",
  llong: "bigint",
  ullong: "bigint",
  double: "number",
  boolean: "boolean",
  string: "string",
};

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

/** `block.<num>.name` → `` `block.${number}.name` ``; null when the key has no placeholder. */
function keyPattern(key: string): string | null {
  const t = key.replace(/<[^>]+>|%z?[ud]/g, "${number}");
  return t === key ? null : `\`${t}\``;
}

export function emitApiModule(
  p: ProtocolModel,
  data: LibvirtApiData,
  runtimeImport: string,
): CodeModule {
  const chunks: Chunk[] = [];
  const apiFile = apiFileOf(data, p.name);
  const source = apiFile ? `libvirt's ${apiFile}` : "libvirt's API description";
  const enumNames = apiEnumsOf(p, data);
  // libvirt's enum names are all `vir…`: the runtime's TypedParamValue never collides.
  const file = new GeneratedFile(runtimeImport, enumNames);
  for (const name of enumNames) {
    const members = Object.entries(data.enums[name]!);
    chunks.push(
      stableChunk(
        [
          ...jsDoc([`\`${name}\`, from ${source}.`]),
          members.length === 0
            ? `export enum ${name} {}`
            : [
                `export enum ${name} {`,
                ...members.map(([k, v]) => `  ${k} = ${v},`),
                "}",
              ].join("\n"),
        ].join("\n"),
      ),
    );
  }
  const details = lifecycleDetails(data);
  if (details.length && enumNames.includes("virDomainEventType")) {
    chunks.push(
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
    );
  }
  const strings = apiFile ? (data.strings?.[apiFile] ?? {}) : {};
  const own = new Set(Object.keys(strings));
  if (own.size) {
    chunks.push(
      stableChunk(
        [
          ...jsDoc([
            `Typed parameter names and other string constants, from ${source}.`,
          ]),
          ...Object.entries(strings).map(
            ([k, v]) => `export const ${k} = ${JSON.stringify(v)};`,
          ),
        ].join("\n"),
      ),
    );
  }
  for (const [set, fields] of Object.entries(data.paramSets ?? {})) {
    const entries = Object.entries(fields).filter(([m]) => own.has(m));
    if (entries.length === 0) continue;
    const props: string[] = [];
    const types: string[] = [];
    for (const [macro, type] of entries) {
      const field = strings[macro]!;
      const ts = type ? TS_OF_PARAM[type] : file.runtime("TypedParamValue");
      const pattern = keyPattern(field);
      props.push(
        `  /** \`${macro}\`${type ? ` (${type})` : ""} */`,
        pattern
          ? `  [key: ${pattern}]: ${ts};`
          : `  ${propKey(field)}?: ${ts};`,
      );
      if (type && !pattern) types.push(`  ${propKey(field)}: "${type}",`);
    }
    const prefix = commonPrefix(entries.map(([m]) => m));
    chunks.push(
      stableChunk(
        [
          ...jsDoc([
            `Typed parameters named by \`${prefix}*\`, typed as ${source} documents them (for \`typedParamsToObject\`).`,
          ]),
          `export interface ${set} {`,
          ...props,
          "}",
        ].join("\n"),
      ),
    );
    if (types.length)
      chunks.push(
        stableChunk(
          [
            ...jsDoc([
              `The wire type of each \`${set}\` field (for \`typedParamsFromObject\`).`,
            ]),
            `export const ${set}Types = {`,
            ...types,
            "} as const;",
          ].join("\n"),
        ),
      );
  }
  if (
    apiFile &&
    data.domainStats &&
    data.enumFiles?.[apiFile]?.includes("virDomainStatsTypes")
  ) {
    const props: string[] = [];
    for (const [key, d] of Object.entries(data.domainStats)) {
      const ts = d.enum
        ? d.enum
        : d.type
          ? TS_OF_PARAM[d.type]
          : file.runtime("TypedParamValue");
      const pattern = keyPattern(key);
      props.push(
        pattern ? `  [key: ${pattern}]: ${ts};` : `  ${propKey(key)}?: ${ts};`,
      );
    }
    chunks.push(
      stableChunk(
        [
          ...jsDoc([
            "The statistics `virConnectGetAllDomainStats` documents, typed as it documents them (for `typedParamsToObject`).",
          ]),
          "export interface virDomainStatsRecordParameters {",
          ...props,
          "}",
        ].join("\n"),
      ),
    );
  }
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

function commonPrefix(names: readonly string[]): string {
  let prefix = names[0] ?? "";
  for (const n of names)
    while (!n.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix.replace(/[^_]*$/, "");
}
