/**
 * The typed-parameter side of `api.ts`: per typed-parameter family of libvirt's API description
 * an interface with each field's documented type (and, where every type is known, the wire type
 * of each field), and the documented keys of `virConnectGetAllDomainStats`.
 *
 * ```
 * <macro name='VIR_DOMAIN_SCHEDULER_CPU_SHARES' string='cpu_shares'>   →   export interface virDomainSchedulerParameters {
 *   … as a ullong                                                             cpu_shares?: bigint; …
 * ```
 */
import { stableChunk, type Chunk } from "./chunks.js";
import type { GeneratedFile } from "./generated-file.js";
import type { LibvirtApiData, ParamTypeName } from "./libvirt-api-data.js";
import { propKey } from "./ts-names.js";
import { jsDoc } from "./ts-text.js";

const TS_OF_PARAM: Record<ParamTypeName, string> = {
  int: "number",
  uint: "number",
  llong: "bigint",
  ullong: "bigint",
  double: "number",
  boolean: "boolean",
  string: "string",
};

/** `block.<num>.name` → `` `block.${number}.name` ``; null when the key has no placeholder. */
function keyPattern(key: string): string | null {
  const t = key.replace(/<[^>]+>|%z?[ud]/g, "${number}");
  return t === key ? null : `\`${t}\``;
}

/** `  key?: T;`, or an index signature when the key has a placeholder. */
function paramProperty(key: string, ts: string): string {
  const pattern = keyPattern(key);
  return pattern ? `  [key: ${pattern}]: ${ts};` : `  ${propKey(key)}?: ${ts};`;
}

/**
 * Per family of `paramSets` whose macros the API file defines (`strings`): its interface, and
 * `<set>Types` when some of its fields have a documented type.
 */
export function paramSetChunks(
  data: LibvirtApiData,
  strings: Readonly<Record<string, string>>,
  source: string,
  file: GeneratedFile,
): Chunk[] {
  const chunks: Chunk[] = [];
  for (const [set, fields] of Object.entries(data.paramSets ?? {})) {
    const entries = Object.entries(fields).filter(([m]) =>
      Object.hasOwn(strings, m),
    );
    if (entries.length === 0) continue;
    const props: string[] = [];
    const types: string[] = [];
    for (const [macro, type] of entries) {
      const field = strings[macro]!;
      const ts = type ? TS_OF_PARAM[type] : file.runtime("TypedParamValue");
      props.push(
        `  /** \`${macro}\`${type ? ` (${type})` : ""} */`,
        paramProperty(field, ts),
      );
      if (type && !keyPattern(field))
        types.push(`  ${propKey(field)}: "${type}",`);
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
  return chunks;
}

/** `virDomainStatsRecordParameters`: the statistics `virConnectGetAllDomainStats` documents. */
export function domainStatsChunk(
  stats: NonNullable<LibvirtApiData["domainStats"]>,
  file: GeneratedFile,
): Chunk {
  const props = Object.entries(stats).map(([key, d]) =>
    paramProperty(
      key,
      d.enum
        ? d.enum
        : d.type
          ? TS_OF_PARAM[d.type]
          : file.runtime("TypedParamValue"),
    ),
  );
  return stableChunk(
    [
      ...jsDoc([
        "The statistics `virConnectGetAllDomainStats` documents, typed as it documents them (for `typedParamsToObject`).",
      ]),
      "export interface virDomainStatsRecordParameters {",
      ...props,
      "}",
    ].join("\n"),
  );
}

function commonPrefix(names: readonly string[]): string {
  let prefix = names[0] ?? "";
  for (const n of names)
    while (!n.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix.replace(/[^_]*$/, "");
}
