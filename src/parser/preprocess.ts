/**
 * The part of rpcgen's C preprocessing that plain .x inputs rely on.
 *
 * rpcgen pipes its input through cpp with one of RPC_HDR/RPC_XDR/RPC_SVC/RPC_CLNT defined. We
 * do the same job in-process: `#define NAME value` records a constant, `#ifdef`/`#ifndef`/
 * `#if`/`#elif`/`#else`/`#endif` select lines against the set of defines, and `#include`
 * contributes the `#define`s of a header found next to the input. Directive lines and
 * de-selected lines are blanked with spaces, never removed, so every offset, line and column
 * reported later still points into the file the user wrote.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { LineMap, XdrDiagnosticError } from "./diagnostics.js";
import { MAX_IF_NESTING } from "./limits.js";

export interface PreprocessResult {
  /** Same length and line structure as the input; inactive and directive lines are spaces. */
  readonly text: string;
  /** Every `#define` the file itself made while active, in order (value: the raw replacement text). Macros given by the caller are not included. */
  readonly defines: ReadonlyMap<string, string>;
  /** `#include` targets seen while active. */
  readonly includes: readonly string[];
  /** Where each of the file's own `#define`s is (offset of its `#`), for located errors. */
  readonly defineOffsets: ReadonlyMap<string, number>;
}

interface Frame {
  /** Whether the enclosing region is active. */
  readonly parentActive: boolean;
  /** Whether some branch of this #if chain was already taken. */
  taken: boolean;
  active: boolean;
  sawElse: boolean;
  readonly offset: number;
}

export function preprocess(
  file: string,
  text: string,
  initialDefines: ReadonlyMap<string, string> = new Map(),
): PreprocessResult {
  const defines = new Map(initialDefines);
  const definedHere = new Set<string>();
  const defineOffsets = new Map<string, number>();
  const includes: string[] = [];
  const stack: Frame[] = [];
  let lines: LineMap | undefined; // only needed to report an error
  // The output is the input with some lines blanked: copied in slices, so a file of millions
  // of ordinary lines costs no string per line.
  const pieces: string[] = [];
  let copied = 0; // text[0, copied) is in `pieces` or in the pending blank run
  let blankFrom = -1; // start of the pending run of blanked lines
  const blankLine = (start: number, end: number): void => {
    if (blankFrom === -1) {
      pieces.push(text.slice(copied, start));
      blankFrom = start;
    }
    copied = end;
  };
  const keepLine = (): void => {
    if (blankFrom === -1) return;
    pieces.push(blank(text.slice(blankFrom, copied)));
    blankFrom = -1;
  };
  let inComment = false;

  const active = () => stack.length === 0 || stack[stack.length - 1]!.active;
  const fail = (at: number, message: string): never => {
    lines ??= new LineMap(file, text);
    throw XdrDiagnosticError.at(lines.loc(at), message);
  };

  for (let lineStart = 0; lineStart <= text.length;) {
    let lineEnd = text.indexOf("\n", lineStart);
    if (lineEnd === -1) lineEnd = text.length;
    const start = lineStart;
    lineStart = lineEnd + 1;
    const first = firstNonSpace(text, start, lineEnd);
    if (inComment || text.charCodeAt(first) !== 35 /* # */) {
      if (!active()) {
        blankLine(start, lineEnd);
        continue;
      }
      keepLine();
      if (text.charCodeAt(start) !== 37 /* % */)
        inComment = commentStateAfter(text, start, lineEnd, inComment);
      continue;
    }
    blankLine(start, lineEnd);
    const at = first;
    const trimmed = text.slice(first, lineEnd);
    // No `(.*?)\s*$`: on a long line of spaces that backtracks quadratically.
    const stripped = stripLineComments(trimmed);
    const m = /^#\s*([A-Za-z_]\w*)?/.exec(stripped)!;
    const directive = m[1] ?? "";
    const rest = stripped.slice(m[0].length).trim();
    switch (directive) {
      case "ifdef":
      case "ifndef": {
        const name = expectName(rest, directive, at, fail);
        const cond = defines.has(name) === (directive === "ifdef");
        const parentActive = active();
        stack.push({
          parentActive,
          taken: cond,
          active: parentActive && cond,
          sawElse: false,
          offset: at,
        });
        break;
      }
      case "if": {
        const parentActive = active();
        const cond = parentActive
          ? evaluateCondition(rest, defines, at, fail)
          : false;
        stack.push({
          parentActive,
          taken: cond,
          active: parentActive && cond,
          sawElse: false,
          offset: at,
        });
        break;
      }
      case "elif": {
        const top = stack[stack.length - 1] ?? fail(at, "#elif without #if");
        if (top.sawElse) fail(at, "#elif after #else");
        const cond =
          top.parentActive && !top.taken
            ? evaluateCondition(rest, defines, at, fail)
            : false;
        top.active = top.parentActive && !top.taken && cond;
        top.taken ||= cond;
        break;
      }
      case "else": {
        const top = stack[stack.length - 1] ?? fail(at, "#else without #if");
        if (top.sawElse) fail(at, "#else after #else");
        top.sawElse = true;
        top.active = top.parentActive && !top.taken;
        top.taken = true;
        break;
      }
      case "endif":
        if (stack.pop() === undefined) fail(at, "#endif without #if");
        break;
      default:
        if (!active()) break;
        handleActiveDirective(directive, rest, at);
    }
  }
  keepLine();
  pieces.push(text.slice(copied));
  if (stack.length > 0) {
    fail(
      stack[stack.length - 1]!.offset,
      "unterminated conditional: missing #endif",
    );
  }
  const own = new Map(
    [...defines].filter(
      ([k, v]) => initialDefines.get(k) !== v || definedHere.has(k),
    ),
  );
  return { text: pieces.join(""), defines: own, includes, defineOffsets };

  function handleActiveDirective(
    directive: string,
    rest: string,
    at: number,
  ): void {
    switch (directive) {
      case "define": {
        const d = /^([A-Za-z_]\w*)(\(.*)?(?:\s+(.*))?$/.exec(rest);
        if (!d) fail(at, "#define needs a name");
        if (d![2] !== undefined)
          fail(at, `function-like macro '${d![1]}' is not supported`);
        defines.set(d![1]!, (d![3] ?? "").trim());
        definedHere.add(d![1]!);
        defineOffsets.set(d![1]!, at);
        break;
      }
      case "undef":
        defines.delete(expectName(rest, "undef", at, fail));
        break;
      case "include": {
        const inc = /^(?:"([^"]+)"|<([^>]+)>)$/.exec(rest);
        if (!inc) fail(at, '#include expects "file" or <file>');
        const target = inc![1] ?? inc![2]!;
        includes.push(target);
        // Only a quoted header next to the input can be read; its #defines become visible,
        // which is what plain constant headers are used for in .x files.
        const path = resolve(dirname(file), target);
        if (inc![1] !== undefined && existsSync(path)) {
          for (const [k, v] of preprocess(
            path,
            readFileSync(path, "utf8"),
            defines,
          ).defines) {
            defines.set(k, v);
          }
        }
        break;
      }
      case "pragma":
      case "line":
      case "ident":
      case "":
        break; // cpp line markers (`# 12 "file"`), pragmas and idents carry nothing for us
      case "error":
        fail(at, `#error ${rest}`);
        break;
      case "warning":
        break;
      default:
        fail(at, `unknown preprocessor directive '#${directive}'`);
    }
  }
}

/** Spaces for every character of `lines` but tabs and newlines, so columns stay where they were. */
function blank(lines: string): string {
  return lines.replace(/[^\t\n]/g, " ");
}

function firstNonSpace(text: string, from: number, end: number): number {
  let i = from;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13 && c !== 11 && c !== 12) break;
  }
  return i;
}

/** The line without its comments (a block comment left open runs to the end of the line). */
function stripLineComments(s: string): string {
  let out = "";
  let i = 0;
  let line = s.indexOf("//");
  for (;;) {
    // Searches only move forward, so a line of many comments is still read once.
    if (line !== -1 && line < i) line = s.indexOf("//", i);
    const block = s.indexOf("/*", i);
    if (line !== -1 && (block === -1 || line < block))
      return out + s.slice(i, line);
    if (block === -1) return out + s.slice(i);
    const end = s.indexOf("*/", block + 2);
    if (end === -1) {
      const rest = s.slice(i);
      const cut = rest.indexOf("//");
      return out + (cut === -1 ? rest : rest.slice(0, cut));
    }
    out += s.slice(i, block) + " ";
    i = end + 2;
  }
}

/** Whether a block comment is open at the end of text[from, end), given whether one was at `from`. */
function commentStateAfter(
  text: string,
  from: number,
  end: number,
  inComment: boolean,
): boolean {
  for (let i = from; i < end - 1; i++) {
    const c = text.charCodeAt(i);
    if (inComment) {
      if (c === 42 /* * */ && text.charCodeAt(i + 1) === 47 /* / */) {
        inComment = false;
        i++;
      }
    } else if (c === 47 /* / */) {
      const d = text.charCodeAt(i + 1);
      if (d === 42) {
        inComment = true;
        i++;
      } else if (d === 47) return false;
    }
  }
  return inComment;
}

function expectName(
  rest: string,
  directive: string,
  at: number,
  fail: (at: number, message: string) => never,
): string {
  const m = /^([A-Za-z_]\w*)$/.exec(rest);
  return m ? m[1]! : fail(at, `#${directive} expects a single macro name`);
}

/**
 * `#if` expressions: integers, macro names (their numeric value, 0 when undefined, as cpp
 * does), `defined NAME`, `defined(NAME)`, `!`, `&&`, `||`, comparisons and parentheses.
 */
function evaluateCondition(
  expr: string,
  defines: ReadonlyMap<string, string>,
  at: number,
  fail: (at: number, message: string) => never,
): boolean {
  const tokens = expr.match(
    /\s*(defined|[A-Za-z_]\w*|0[xX][0-9a-fA-F]+|\d+|&&|\|\||==|!=|<=|>=|[!()<>])/gy,
  );
  const joined = (tokens ?? []).join("");
  if (tokens === null || joined.length !== expr.length || expr.trim() === "") {
    fail(at, `cannot evaluate #if expression '${excerpt(expr)}'`);
  }
  const toks = tokens.map((t) => t.trim());
  let pos = 0;
  const peek = () => toks[pos];
  const next = () => toks[pos++];
  const macroValue = (name: string, depth: number): number => {
    const v = defines.get(name);
    if (v === undefined) return 0;
    if (/^-?(0[xX][0-9a-fA-F]+|\d+)$/.test(v)) return Number(v);
    if (depth < 16 && /^[A-Za-z_]\w*$/.test(v)) return macroValue(v, depth + 1);
    return v === ""
      ? 0
      : fail(at, `macro '${name}' does not expand to an integer in #if`);
  };
  // Parentheses recurse (depth-limited); a chain of `!` is counted in a loop.
  let depth = 0;
  const primary = (): number => {
    let negations = 0;
    while (peek() === "!") {
      next();
      negations++;
    }
    const v = operand();
    return negations === 0 ? v : (negations % 2 === 1) === (v === 0) ? 1 : 0;
  };
  const operand = (): number => {
    const t = next();
    if (t === undefined)
      return fail(at, `unexpected end of #if expression '${excerpt(expr)}'`);
    if (t === "(") {
      if (++depth > MAX_IF_NESTING)
        fail(
          at,
          `#if expression nests parentheses deeper than ${MAX_IF_NESTING} levels`,
        );
      const v = or();
      if (next() !== ")")
        fail(at, `missing ')' in #if expression '${excerpt(expr)}'`);
      depth--;
      return v;
    }
    if (t === "defined") {
      const paren = peek() === "(";
      if (paren) next();
      const name = next();
      if (name === undefined || !/^[A-Za-z_]\w*$/.test(name))
        fail(at, "'defined' expects a macro name");
      if (paren && next() !== ")")
        fail(at, `missing ')' after defined(${name}`);
      return defines.has(name) ? 1 : 0;
    }
    if (/^\d|^0[xX]/.test(t)) return Number(t);
    if (/^[A-Za-z_]/.test(t)) return macroValue(t, 0);
    return fail(at, `unexpected '${t}' in #if expression`);
  };
  const compare = (): number => {
    let v = primary();
    for (
      let op = peek();
      op !== undefined && /^(==|!=|<=|>=|<|>)$/.test(op);
      op = peek()
    ) {
      next();
      const r = primary();
      v = Number(
        op === "=="
          ? v === r
          : op === "!="
            ? v !== r
            : op === "<="
              ? v <= r
              : op === ">="
                ? v >= r
                : op === "<"
                  ? v < r
                  : v > r,
      );
    }
    return v;
  };
  const and = (): number => {
    let v = compare();
    while (peek() === "&&") {
      next();
      const r = compare();
      v = v && r ? 1 : 0;
    }
    return v;
  };
  const or = (): number => {
    let v = and();
    while (peek() === "||") {
      next();
      const r = and();
      v = v || r ? 1 : 0;
    }
    return v;
  };
  const result = or();
  if (pos !== toks.length)
    fail(at, `unexpected '${toks[pos]}' in #if expression`);
  return result !== 0;
}

/** Input echoed in a message: long enough to recognise, short enough for one line. */
function excerpt(s: string): string {
  return s.length > 60 ? s.slice(0, 60) + "…" : s;
}
