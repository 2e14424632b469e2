/**
 * Prints data literals (objects, arrays, strings, numbers, names) the way prettier does, so
 * tables such as `remoteProcedures` need no prettier pass (chunks.ts).
 *
 * The rules followed, from prettier's printer for object and array expressions:
 * - an object stays on one line when it fits, unless it is marked `expanded` (prettier keeps an
 *   object expanded when the source has a line break after `{`);
 * - an array stays on one line when it fits, except that an array of two or more objects with
 *   more than one property each is always broken;
 * - broken objects and arrays put each entry on its own line with a trailing comma;
 * - "fits" counts the rest of the line after the literal (the `,` or `;` that follows);
 * - a `key: value` whose unbreakable value does not fit moves to the next line when the key
 *   is 5 columns or longer, and stays long after a shorter key or when the value is a number,
 *   boolean or template literal.
 * Deviations are caught by test/generate/prettier-stable.test.ts on every generated file.
 */

export type Literal =
  | { readonly kind: "raw"; readonly text: string }
  | {
      readonly kind: "object";
      readonly entries: readonly ObjectEntry[];
      readonly expanded: boolean;
      readonly typeLiteral?: boolean;
    }
  | { readonly kind: "array"; readonly items: readonly Literal[] };

export interface ObjectEntry {
  readonly key: string;
  readonly value: Literal;
  /** A `/** … *\/` line printed above the entry; forces the object to break. */
  readonly doc?: string;
  /** Printed as `key` alone (`{ dom }`); `value` is then the same name. */
  readonly shorthand?: boolean;
}

export const raw = (text: string): Literal => ({ kind: "raw", text });
export const str = (s: string): Literal => raw(JSON.stringify(s));
export const obj = (
  entries: readonly ObjectEntry[],
  expanded = false,
): Literal => ({ kind: "object", entries, expanded });
export const arr = (items: readonly Literal[]): Literal => ({
  kind: "array",
  items,
});
/** An object type `{ a: A; b: B }` (members end with `;` when broken). */
export const typeObj = (entries: readonly ObjectEntry[]): Literal => ({
  kind: "object",
  entries,
  expanded: false,
  typeLiteral: true,
});

const WIDTH = 80;

/**
 * Values prettier keeps on the line of their key (its "never-break-after-operator" layout):
 * number literals (not negative ones: `-1` is a unary expression), booleans, template literals.
 */
export const NEVER_BREAKS_AFTER_KEY =
  /^(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|\d+(\.\d*)?([eE][+-]?\d+)?|true|false|`[^`]*`)$/;

/** The literal on one line, or null when it can never be on one line (expanded, documented). */
export function flat(l: Literal): string | null {
  switch (l.kind) {
    case "raw":
      return l.text.includes("\n") ? null : l.text;
    case "object": {
      if (l.expanded || l.entries.some((e) => e.doc)) return null;
      if (l.entries.length === 0) return "{}";
      const parts: string[] = [];
      for (const e of l.entries) {
        const v = flat(e.value);
        if (v === null) return null;
        parts.push(e.shorthand ? e.key : `${e.key}: ${v}`);
      }
      return `{ ${parts.join(l.typeLiteral ? "; " : ", ")} }`;
    }
    case "array": {
      if (l.items.length === 0) return "[]";
      if (alwaysBreaks(l)) return null;
      const parts: string[] = [];
      for (const i of l.items) {
        const v = flat(i);
        if (v === null) return null;
        parts.push(v);
      }
      return `[${parts.join(", ")}]`;
    }
  }
}

function alwaysBreaks(l: Literal & { kind: "array" }): boolean {
  return (
    l.items.length > 1 &&
    l.items.every((i) => i.kind === "object" && i.entries.length > 1)
  );
}

/**
 * Lines of `prefix + literal + suffix` at `indent` spaces, where `prefix` is what precedes the
 * literal on its first line (e.g. `acl: `) and `suffix` what follows it (e.g. `,`).
 */
export function printLiteral(
  l: Literal,
  indent: number,
  prefix = "",
  suffix = "",
  typeMember = false,
): string[] {
  const pad = " ".repeat(indent);
  const f = flat(l);
  if (
    f !== null &&
    pad.length + prefix.length + f.length + suffix.length <= WIDTH
  )
    return [`${pad}${prefix}${f}${suffix}`];
  // An empty `{}` or `[]` cannot break inside: after `const x = ` prettier moves it (with what
  // follows it) below the `=`; after a key it stays as a long value would.
  if ((f === "{}" || f === "[]") && prefix.endsWith(" = "))
    return [`${pad}${prefix.slice(0, -1)}`, `${pad}  ${f}${suffix}`];
  if (f === "{}" || f === "[]")
    return printLiteral(raw(f), indent, prefix, suffix, typeMember);
  if (l.kind === "raw") {
    // prettier's layouts for `key: value` that does not fit: a key shorter than 5 columns
    // (tabWidth + 3) never breaks after the colon; a longer key moves the value to the next line.
    // A type annotation (`key: Type;` in an object type) never breaks after the colon.
    // A number, boolean or template literal never moves below its key, however long the line.
    const key =
      prefix.endsWith(": ") && !typeMember ? prefix.slice(0, -2) : null;
    if (key !== null && key.length >= 5 && !NEVER_BREAKS_AFTER_KEY.test(l.text))
      return [`${pad}${key}:`, `${pad}  ${l.text}${suffix}`];
    return [`${pad}${prefix}${l.text}${suffix}`];
  }
  const open = l.kind === "object" ? "{" : "[";
  // A key too long to open its value on the same line: prettier moves the value below it.
  if (
    !typeMember &&
    prefix.endsWith(": ") &&
    prefix.length >= 7 &&
    pad.length + prefix.length + 1 > WIDTH
  ) {
    return [
      `${pad}${prefix.slice(0, -1)}`,
      ...printLiteral(l, indent + 2, "", suffix),
    ];
  }
  const inner = indent + 2;
  const lines = [`${pad}${prefix}${open}`];
  if (l.kind === "object") {
    for (const e of l.entries) {
      if (e.doc) lines.push(`${" ".repeat(inner)}/** ${e.doc} */`);
      const sep = l.typeLiteral ? ";" : ",";
      lines.push(
        ...(e.shorthand
          ? [`${" ".repeat(inner)}${e.key}${sep}`]
          : printLiteral(
              e.value,
              inner,
              `${e.key}: `,
              sep,
              l.typeLiteral === true,
            )),
      );
    }
  } else {
    for (const i of l.items) lines.push(...printLiteral(i, inner, "", ","));
  }
  lines.push(`${pad}${l.kind === "object" ? "}" : "]"}${suffix}`);
  return lines;
}
