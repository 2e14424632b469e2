/**
 * Small printers for the statement shapes generated code uses, in prettier's layout, so most
 * chunks need no formatting pass (see chunks.ts). Anything they cannot lay out within the
 * print width is left long on purpose: the chunk then goes through prettier.
 */
import { PRINT_WIDTH } from "./chunks.js";
import { reindent } from "./indent.js";
import { breakLine } from "./ts-layout.js";

export function jsDoc(lines: readonly string[], indent = ""): string[] {
  if (lines.length === 0) return [];
  if (lines.length === 1) return [`${indent}/** ${lines[0]} */`];
  return [
    `${indent}/**`,
    ...lines.map((l) => (l === "" ? `${indent} *` : `${indent} * ${l}`)),
    `${indent} */`,
  ];
}

/**
 * `export const NAME: TYPE = { …body… };` where body lines are given unindented (reindent
 * nests them). Prettier moves the object to the next line when the head is too long:
 * ```
 * export const xdr_long_name: XdrCodec<long_name> =
 *   {
 *     …
 *   };
 * ```
 */
export function exportConstObject(
  name: string,
  type: string | null,
  bodyLines: readonly string[],
  suffix = "",
): string {
  const head = `export const ${name}${type ? `: ${type}` : ""} =`;
  if (`${head} {`.length <= PRINT_WIDTH) {
    return [
      `${head} {`,
      ...reindent(bodyLines, 1).flatMap(breakLine),
      `}${suffix};`,
    ].join("\n");
  }
  return [
    head,
    "  {",
    ...reindent(bodyLines, 2).flatMap(breakLine),
    `  }${suffix};`,
  ].join("\n");
}

/** `key: value,` inside an object literal at `depth`, breaking after the colon when too long. */
export function objectEntry(key: string, value: string, depth: number): string {
  const pad = "  ".repeat(depth);
  const line = `${pad}${key}: ${value},`;
  return line.length <= PRINT_WIDTH ? line : `${pad}${key}:\n${pad}  ${value},`;
}

/**
 * A type alias of object-type variants, each with an optional trailing comment:
 * one line when it fits and has no comments, else one `| variant` per line.
 */
export function unionTypeAlias(
  name: string,
  variants: readonly { text: string; comment?: string }[],
): string {
  const flat = `export type ${name} = ${variants.map((v) => v.text).join(" | ")};`;
  if (variants.every((v) => !v.comment) && flat.length <= PRINT_WIDTH)
    return flat;
  if (variants.length === 1 && !variants[0]!.comment) return flat; // too long: prettier's turn
  // prettier's next try: the whole union on one indented line after the `=`.
  const joined = `  ${variants.map((v) => v.text).join(" | ")};`;
  if (variants.every((v) => !v.comment) && joined.length <= PRINT_WIDTH)
    return `export type ${name} =\n${joined}`;
  return [
    `export type ${name} =`,
    ...variants.map((v, i) => {
      const semi = i === variants.length - 1 ? ";" : "";
      return `  | ${v.text}${semi}${v.comment ? ` // ${v.comment}` : ""}`;
    }),
  ].join("\n");
}
