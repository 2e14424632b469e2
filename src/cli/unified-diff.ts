/**
 * A line diff (Myers' O(ND) algorithm) printed in unified format, for `structs --expect`.
 * Lines are compared after collapsing whitespace runs, as `diff -b` (which libvirt's own
 * check uses) does, so hand-indented lines in libvirt's listings do not count as changes.
 */

type Op = { kind: " " | "-" | "+"; line: string };

export function normalizeBlanks(line: string): string {
  return line.replace(/[ \t]+/g, " ").replace(/ $/, "");
}

export function diffLines(
  a: readonly string[],
  b: readonly string[],
  key: (s: string) => string = normalizeBlanks,
): Op[] {
  const ak = a.map(key);
  const bk = b.map(key);
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const v = new Int32Array(2 * max + 2);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && v[max + k - 1]! < v[max + k + 1]!)
          ? v[max + k + 1]!
          : v[max + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && ak[x] === bk[y]) {
        x++;
        y++;
      }
      v[max + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  // Backtrack through the saved frontiers.
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0 && (x > 0 || y > 0); d--) {
    const vd = trace[d]!;
    const k = x - y;
    const prevK =
      k === -d || (k !== d && vd[max + k - 1]! < vd[max + k + 1]!)
        ? k + 1
        : k - 1;
    const prevX = d === 0 ? 0 : vd[max + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push({ kind: " ", line: a[--x]! });
      y--;
    }
    if (d > 0) {
      if (x === prevX) ops.push({ kind: "+", line: b[--y]! });
      else ops.push({ kind: "-", line: a[--x]! });
    }
  }
  return ops.reverse();
}

/** Unified diff text, or "" when equal. */
export interface UnifiedDiffOptions {
  readonly context?: number;
  /** Print hunk positions (`@@ -l,s +l,s @@`); golden files omit them so unrelated edits do not churn them. */
  readonly positions?: boolean;
}

export function unifiedDiff(
  aName: string,
  bName: string,
  aText: string,
  bText: string,
  options: UnifiedDiffOptions = {},
): string {
  const context = options.context ?? 3;
  const split = (t: string) =>
    (t.endsWith("\n") ? t.slice(0, -1) : t).split("\n");
  const ops = diffLines(split(aText), split(bText));
  if (ops.every((o) => o.kind === " ")) return "";
  const out = [`--- ${aName}`, `+++ ${bName}`];
  let i = 0;
  const aLine = new Int32Array(ops.length + 1);
  const bLine = new Int32Array(ops.length + 1);
  for (let j = 0, al = 1, bl = 1; j < ops.length; j++) {
    aLine[j] = al;
    bLine[j] = bl;
    if (ops[j]!.kind !== "+") al++;
    if (ops[j]!.kind !== "-") bl++;
  }
  while (i < ops.length) {
    if (ops[i]!.kind === " ") {
      i++;
      continue;
    }
    let start = Math.max(0, i - context);
    let end = i;
    // Extend the hunk while changes are within 2*context lines of each other.
    for (;;) {
      while (end < ops.length && ops[end]!.kind !== " ") end++;
      let next = end;
      while (
        next < ops.length &&
        ops[next]!.kind === " " &&
        next - end < 2 * context
      )
        next++;
      if (next < ops.length && ops[next]!.kind !== " ") end = next;
      else break;
    }
    const stop = Math.min(ops.length, end + context);
    const hunk = ops.slice(start, stop);
    const aCount = hunk.filter((o) => o.kind !== "+").length;
    const bCount = hunk.filter((o) => o.kind !== "-").length;
    const aStart = aCount === 0 ? aLine[start]! - 1 : aLine[start]!;
    const bStart = bCount === 0 ? bLine[start]! - 1 : bLine[start]!;
    out.push(
      options.positions === false
        ? "@@"
        : `@@ -${aStart},${aCount} +${bStart},${bCount} @@`,
    );
    for (const o of hunk) out.push(o.kind + o.line);
    i = stop;
    start = stop;
  }
  return out.join("\n") + "\n";
}
