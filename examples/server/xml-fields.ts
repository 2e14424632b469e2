/**
 * The few fields the example reads from a domain's XML (`<name>`, `<uuid>`, `<memory
 * unit='…'>`…), found with `indexOf` scans: linear in the document's length, whatever it holds.
 * (Regular expressions with nested optional groups, as before, took 60 s on 8 KB of crafted
 * input and stalled every client of the server.) This is not an XML parser: it takes the first
 * element of that name, anywhere, as the example always did; a real driver parses the document.
 */

export interface XmlElement {
  /** Text between the start and end tags, trimmed. */
  readonly text: string;
  /** Value of the `unit` attribute, if any. */
  readonly unit: string | undefined;
}

/** The first `<tag …>text</tag>`, or null when there is none. */
export function firstElement(xml: string, tag: string): XmlElement | null {
  const open = `<${tag}`;
  for (let at = xml.indexOf(open); at !== -1; at = xml.indexOf(open, at + 1)) {
    const after = xml.charCodeAt(at + open.length);
    // `<tag>` or `<tag attr…>`, not `<tagged>`.
    if (after !== 0x3e /* > */ && !isSpace(after)) continue;
    const startEnd = xml.indexOf(">", at + open.length);
    if (startEnd === -1) return null;
    const close = xml.indexOf(`</${tag}>`, startEnd + 1);
    if (close === -1) return null;
    return {
      text: xml.slice(startEnd + 1, close).trim(),
      unit: attribute(xml.slice(at + open.length, startEnd), "unit"),
    };
  }
  return null;
}

/** `name='value'` or `name="value"` within a start tag's attribute text. */
function attribute(attrs: string, name: string): string | undefined {
  for (
    let at = attrs.indexOf(name);
    at !== -1;
    at = attrs.indexOf(name, at + 1)
  ) {
    if (at > 0 && !isSpace(attrs.charCodeAt(at - 1))) continue;
    let i = at + name.length;
    while (isSpace(attrs.charCodeAt(i))) i++;
    if (attrs[i] !== "=") continue;
    i++;
    while (isSpace(attrs.charCodeAt(i))) i++;
    const quote = attrs[i];
    if (quote !== "'" && quote !== '"') return undefined;
    const end = attrs.indexOf(quote, i + 1);
    return end === -1 ? undefined : attrs.slice(i + 1, end);
  }
  return undefined;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}
