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

export interface PreprocessResult {
  /** Same length and line structure as the input; inactive and directive lines are spaces. */
  readonly text: string;
  /** Every `#define` the file itself made while active, in order (value: the raw replacement text). Macros given by the caller are not included. */
  readonly defines: ReadonlyMap<string, string>;
  /** `#include` targets seen while active. */
  readonly includes: readonly string[];
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
  const includes: string[] = [];
  const stack: Frame[] = [];
  const lines = new LineMap(file, text);
  const out: string[] = [];
  let inComment = false;
  let offset = 0;

  const active = () => stack.length === 0 || stack[stack.length - 1]!.active;
  const fail = (at: number, message: string): never => {
    throw XdrDiagnosticError.at(lines.loc(at), message);
  };

  for (const line of text.split("\n")) {
    const lineStart = offset;
    offset += line.length + 1;
    const trimmed = line.trimStart();
    if (inComment || !trimmed.startsWith("#")) {
      if (!active()) {
        out.push(blank(line));
        continue;
      }
      if (!line.startsWith("%")) inComment = commentStateAfter(line, inComment);
      out.push(line);
      continue;
    }
    out.push(blank(line));
    const at = lineStart + (line.length - trimmed.length);
    const m = /^#\s*([A-Za-z_]\w*)?\s*(.*?)\s*$/.exec(
      stripLineComments(trimmed),
    )!;
    const directive = m[1] ?? "";
    const rest = m[2] ?? "";
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
  return { text: out.join("\n"), defines: own, includes };

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

function blank(line: string): string {
  return line.replace(/[^\t]/g, " ");
}

function stripLineComments(s: string): string {
  return s.replace(/\/\*.*?\*\//g, " ").replace(/\/\/.*$/, "");
}

function commentStateAfter(line: string, inComment: boolean): boolean {
  let i = 0;
  while (i < line.length) {
    if (inComment) {
      const end = line.indexOf("*/", i);
      if (end === -1) return true;
      inComment = false;
      i = end + 2;
    } else {
      const start = line.indexOf("/*", i);
      const lineComment = line.indexOf("//", i);
      if (start === -1 || (lineComment !== -1 && lineComment < start))
        return false;
      inComment = true;
      i = start + 2;
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
    fail(at, `cannot evaluate #if expression '${expr}'`);
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
  const primary = (): number => {
    const t = next();
    if (t === undefined)
      return fail(at, `unexpected end of #if expression '${expr}'`);
    if (t === "!") return primary() ? 0 : 1;
    if (t === "(") {
      const v = or();
      if (next() !== ")") fail(at, `missing ')' in #if expression '${expr}'`);
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
