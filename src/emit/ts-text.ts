/**
 * Small printers for the statement shapes generated code uses, in prettier's layout, so most
 * chunks need no formatting pass (see chunks.ts). Anything they cannot lay out within the
 * print width is left long on purpose: the chunk then goes through prettier.
 */
import { PRINT_WIDTH } from "./chunks.js";
import { reindent } from "./indent.js";
import { NEVER_BREAKS_AFTER_KEY } from "./literal-printer.js";
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
  // prettier never breaks after a key shorter than 5 columns, nor before a number literal.
  return line.length <= PRINT_WIDTH ||
    key.length < 5 ||
    NEVER_BREAKS_AFTER_KEY.test(value)
    ? line
    : `${pad}${key}:\n${pad}  ${value},`;
}

/**
 * A type alias of object-type variants, each with an optional trailing comment. A comment on
 * the last variant trails the statement (prettier does not count it towards the width); one on
 * any other variant breaks the union into one `| variant` per line. Without those: one line
 * when it fits, else the union on one indented line after the `=`, else one variant per line.
 */
export function unionTypeAlias(
  name: string,
  variants: readonly { text: string; comment?: string }[],
): string {
  const flat = `export type ${name} = ${variants.map((v) => v.text).join(" | ")};`;
  const innerComment = variants.slice(0, -1).some((v) => v.comment);
  const lastComment = variants[variants.length - 1]?.comment;
  const tail = lastComment ? ` // ${lastComment}` : "";
  if (!innerComment) {
    if (flat.length <= PRINT_WIDTH) return flat + tail;
    // One variant is no union; too long, it breaks the object type: prettier's turn.
    if (variants.length === 1) return flat + tail;
    const joined = `  ${variants.map((v) => v.text).join(" | ")};`;
    if (joined.length <= PRINT_WIDTH)
      return `export type ${name} =\n${joined}${tail}`;
  }
  return [
    `export type ${name} =`,
    ...variants.map((v, i) => {
      const semi = i === variants.length - 1 ? ";" : "";
      return `  | ${v.text}${semi}${v.comment ? ` // ${v.comment}` : ""}`;
    }),
  ].join("\n");
}
