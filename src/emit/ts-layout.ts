/**
 * Prettier's layout for the few statement shapes generated code uses besides data literals
 * (imports, type aliases, signatures, calls and conditionals that do not fit on a line), so no
 * generated chunk needs prettier's TypeScript parser at generation time (chunks.ts). A shape
 * these helpers do not know is left long on purpose; the chunk then goes through prettier.
 */
import { PRINT_WIDTH } from "./chunks.js";

const fitsIn = (line: string) => line.length <= PRINT_WIDTH;

/** `import { a, type B } from "x";`, one name per line when too long. */
export function namedImport(names: readonly string[], from: string): string {
  const flat = `import { ${names.join(", ")} } from ${JSON.stringify(from)};`;
  if (fitsIn(flat)) return flat;
  return [
    "import {",
    ...names.map((n) => `  ${n},`),
    `} from ${JSON.stringify(from)};`,
  ].join("\n");
}

export function namespaceImport(alias: string, from: string): string {
  return `import * as ${alias} from ${JSON.stringify(from)};`;
}

/** Splits `text` at top-level occurrences of `sep` (outside brackets, strings and templates). */
export function splitTopLevel(text: string, sep: string): string[] | null {
  const out: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = null;
      else if (quote === "`" && c === "$" && text[i + 1] === "{") {
        // Skip the interpolation, counting its braces.
        let d = 0;
        for (i++; i < text.length; i++) {
          if (text[i] === "{") d++;
          else if (text[i] === "}" && --d === 0) break;
        }
      }
      continue;
    }
    if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") {
      if (--depth < 0) return null; // the text closes a bracket it did not open: not one expression list
    } else if (depth === 0 && text.startsWith(sep, i)) {
      out.push(text.slice(start, i).trim());
      start = i + sep.length;
      i += sep.length - 1;
    }
  }
  if (quote || depth !== 0) return null;
  out.push(text.slice(start).trim());
  return out;
}

/**
 * One indented statement line, laid out as prettier would when it is too long:
 * - `return t ? a : b;` and `const x = t ? a : b;` → `?` and `:` branches on their own lines;
 * - `throw new X(a, b, c);`, `return f(a);` → the arguments one per line.
 * Returns the line unchanged when it fits or has no known shape.
 */
export function breakLine(line: string): string[] {
  if (fitsIn(line)) return [line];
  const indent = /^\s*/.exec(line)![0];
  const body = line.slice(indent.length);
  const ternary = /^((?:return|const [\w$]+ =) )(.+);$/.exec(body);
  if (ternary) {
    const parts = splitTopLevel(ternary[2]!, " ? ");
    const branches =
      parts?.length === 2 ? splitTopLevel(parts[1]!, " : ") : null;
    if (parts && branches?.length === 2) {
      const lines = [
        `${indent}${ternary[1]}${parts[0]}`,
        `${indent}  ? ${branches[0]}`,
        `${indent}  : ${branches[1]};`,
      ];
      if (lines.every(fitsIn)) return lines;
    }
  }
  const call =
    /^((?:throw |return )(?:new )?(?:[\w$]+\.)*[\w$]+\()(.*)(\);)$/.exec(body);
  if (call) {
    const args = splitTopLevel(call[2]!, ",");
    if (args && args.every((a) => a !== "")) {
      return [
        `${indent}${call[1]}`,
        ...args.map((a) => `${indent}  ${a},`),
        `${indent}${call[3]}`,
      ];
    }
  }
  return [line];
}

/**
 * `export type NAME = RHS;`: prettier breaks a too-long generic's single type argument onto its
 * own line (`G<\n  A\n>`), and otherwise moves the type to the next line.
 */
export function typeAlias(name: string, rhs: string): string {
  const head = `export type ${name} =`;
  const flat = `${head} ${rhs};`;
  if (fitsIn(flat)) return flat;
  const generic = /^([\w$.]+)<(.+)>$/.exec(rhs);
  if (generic && splitTopLevel(generic[2]!, ",")?.length === 1) {
    return [`${head} ${generic[1]}<`, `  ${generic[2]}`, `>;`].join("\n");
  }
  return [head, `  ${rhs};`].join("\n");
}

/** A function or method signature `prefix(params): ret {`, one parameter per line when too long. */
export function signature(
  indent: string,
  prefix: string,
  params: readonly string[],
  ret: string,
): string[] {
  const flat = `${indent}${prefix}(${params.join(", ")}): ${ret} {`;
  if (fitsIn(flat)) return [flat];
  return [
    `${indent}${prefix}(`,
    ...params.map((p) => `${indent}  ${p},`),
    `${indent}): ${ret} {`,
  ];
}

/** `before` + `G<A, B>` + `after` on one line, or with the type arguments one per line. */
export function genericHead(
  before: string,
  generic: string,
  args: readonly string[],
  after: string,
): string[] {
  const flat = `${before}${generic}<${args.join(", ")}>${after}`;
  if (fitsIn(flat)) return [flat];
  return [
    `${before}${generic}<`,
    ...args.map((a, i) => `  ${a}${i < args.length - 1 ? "," : ""}`),
    `>${after}`,
  ];
}
