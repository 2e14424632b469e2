/**
 * Indents generated statement lines the way prettier does, from their braces and `case`
 * labels, so emitters can produce flat lists of statements and nest them freely.
 */
export function reindent(
  lines: readonly string[],
  base = 0,
  unit = "  ",
): string[] {
  const out: string[] = [];
  let depth = base;
  // One entry per open brace: whether a `case` label's body is currently indented inside it.
  const caseOpen: boolean[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (line.startsWith("}")) {
      if (caseOpen.pop()) depth--;
      depth--;
    }
    const isCase = /^(case\b.*|default):( \{)?$/.test(line);
    if (isCase && caseOpen[caseOpen.length - 1]) {
      depth--;
      caseOpen[caseOpen.length - 1] = false;
    }
    out.push(line === "" ? "" : unit.repeat(depth) + line);
    if (isCase && !line.endsWith("{")) {
      depth++;
      caseOpen[caseOpen.length - 1] = true;
    }
    if (line.endsWith("{")) {
      depth++;
      caseOpen.push(false);
    }
  }
  return out;
}
