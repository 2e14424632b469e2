/** The little HTML the reference page needs: escaping, and links to declarations by id. */

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Text or attribute value, escaped. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Anchor ids: `t-` for types, `p-` for procedures, `c-` for constants (names are .x identifiers). */
export const typeId = (name: string) => `t-${name}`;
export const procId = (name: string) => `p-${name}`;

export function link(id: string, text: string): string {
  return `<a href="#${esc(id)}">${esc(text)}</a>`;
}

/** A definition list from label/HTML pairs, skipping empty values. */
export function defs(
  rows: readonly (readonly [string, string | null])[],
): string {
  const items = rows
    .filter((r): r is readonly [string, string] => r[1] !== null && r[1] !== "")
    .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`);
  return `<dl>${items.join("")}</dl>`;
}

export function bytes(n: number | null): string {
  return n === null ? "unbounded" : `${n.toLocaleString("en-US")} B`;
}
