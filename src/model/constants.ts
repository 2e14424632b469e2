/**
 * Constant resolution: `const`, enum members (usable as constants, as in C), `#define`s and
 * external defines, evaluated on demand with cycle detection so `const A = B; const B = A;`
 * is reported with the whole cycle instead of overflowing the stack.
 */
import {
  XdrDiagnosticError,
  type SourceLocation,
  type Value,
} from "../parser/index.js";
import { parseIntegerLiteral } from "../parser/integer.js";
import { C_CONSTANTS } from "./builtins.js";
import type { Constant } from "./types.js";

/** How a not-yet-evaluated constant is defined. */
export type ConstantSource =
  | { readonly kind: "value"; readonly value: Value }
  /** An enum member: explicit value, or the previous member + 1 (first: 0). */
  | {
      readonly kind: "enumMember";
      readonly value: Value | null;
      readonly previous: string | null;
    }
  | { readonly kind: "define"; readonly text: string }
  /** `const NAME = "text";`: a name that is taken but has no integer value. */
  | { readonly kind: "string"; readonly text: string };

export interface PendingConstant {
  readonly name: string;
  readonly origin: Constant["origin"];
  readonly loc: SourceLocation;
  readonly source: ConstantSource;
}

/** A `%#define NAME value` line: C sees it, the XDR model does not. */
export interface CDefine {
  readonly value: string;
  readonly loc: SourceLocation;
}

export class ConstantTable {
  private readonly pending = new Map<string, PendingConstant>();
  private readonly values = new Map<string, number>();

  constructor(
    /** Constants of imported protocols. */
    private readonly imported: ReadonlyMap<string, Constant>,
    /** Defines file and --define values. */
    private readonly external: ReadonlyMap<string, number>,
    /** `%#define`s of the file, named in the error when one of them is used. */
    private readonly cDefines: ReadonlyMap<string, CDefine> = new Map(),
  ) {}

  declare(c: PendingConstant): void {
    const prev = this.pending.get(c.name);
    if (prev) {
      throw XdrDiagnosticError.at(
        c.loc,
        `duplicate definition of '${c.name}' (first defined at ${prev.loc.file}:${prev.loc.line}:${prev.loc.col})`,
      );
    }
    const imported = this.imported.get(c.name);
    if (imported) {
      const where = imported.loc
        ? ` at ${imported.loc.file}:${imported.loc.line}:${imported.loc.col}`
        : "";
      throw XdrDiagnosticError.at(
        c.loc,
        `duplicate definition of '${c.name}' (already defined by ${imported.protocol}${where})`,
      );
    }
    this.pending.set(c.name, c);
  }

  has(name: string): boolean {
    return (
      this.pending.has(name) ||
      this.imported.has(name) ||
      this.external.has(name) ||
      C_CONSTANTS.has(name)
    );
  }

  /**
   * The value of a constant used at `loc`; unknown names and cycles are located errors.
   * Every constant depends on at most one other name, so evaluation follows the chain of
   * dependencies in a loop and then computes back along it: a chain of a million constants
   * needs no deeper call stack than one.
   */
  valueOf(name: string, loc: SourceLocation): number {
    const chain: PendingConstant[] = [];
    const onChain = new Map<string, number>();
    let need: { readonly name: string; readonly loc: SourceLocation } | null = {
      name,
      loc,
    };
    let v = 0;
    while (need !== null) {
      const known = this.values.get(need.name);
      if (known !== undefined) {
        v = known;
        break;
      }
      const p = this.pending.get(need.name);
      if (!p) {
        v = this.outsideValue(need.name, need.loc);
        break;
      }
      if (p.source.kind === "string") {
        throw XdrDiagnosticError.at(
          need.loc,
          `'${p.name}' is a string constant ("${p.source.text}"), not an integer`,
        );
      }
      const cycleStart = onChain.get(p.name);
      if (cycleStart !== undefined) {
        const cycle = [...chain.slice(cycleStart), p]
          .map((c) => c.name)
          .join(" -> ");
        throw XdrDiagnosticError.at(p.loc, `constant cycle: ${cycle}`);
      }
      onChain.set(p.name, chain.length);
      chain.push(p);
      need = dependencyOf(p);
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const p = chain[i]!;
      v = this.compute(p, v);
      this.values.set(p.name, v);
    }
    return v;
  }

  private outsideValue(name: string, loc: SourceLocation): number {
    const imp = this.imported.get(name);
    if (imp) return imp.value;
    const ext = this.external.get(name);
    if (ext !== undefined) return ext;
    const c = C_CONSTANTS.get(name);
    if (c !== undefined) return c;
    throw XdrDiagnosticError.at(loc, this.unknownMessage(name));
  }

  /**
   * rpcgen copies unknown names into C, where a header or a `%#define` may define them; the
   * model cannot see C, so the message says how to give the value.
   */
  private unknownMessage(name: string): string {
    const c = this.cDefines.get(name);
    const value = c && /^-?\w+$/.test(c.value) ? c.value : "VALUE";
    const fix = `give its value with --define ${name}=${value} or in a defines file (--defines FILE, lines 'NAME = VALUE')`;
    if (c)
      return `unknown constant '${name}': it is defined only for C, by '%#define ${name} ${c.value}' at ${c.loc.file}:${c.loc.line}:${c.loc.col}, which virt-rpcgen does not read; ${fix}`;
    return `unknown constant '${name}'; if a C header defines it, ${fix}`;
  }

  evaluateValue(v: Value): number {
    if (v.kind === "name") return this.valueOf(v.name, v.loc);
    return literalValue(v);
  }

  /** The value of `p`, given the value of the one it depends on (if any). */
  private compute(p: PendingConstant, dependency: number): number {
    const s = p.source;
    switch (s.kind) {
      case "value":
        return s.value.kind === "name" ? dependency : literalValue(s.value);
      case "enumMember": {
        const v = s.value
          ? s.value.kind === "name"
            ? dependency
            : literalValue(s.value)
          : s.previous === null
            ? 0
            : dependency + 1;
        if (v < -0x80000000 || v > 0x7fffffff) {
          throw XdrDiagnosticError.at(
            p.loc,
            `enum value ${v} of '${p.name}' does not fit in a signed 32-bit int`,
          );
        }
        return v;
      }
      case "define": {
        const lit = defineLiteral(s.text);
        return lit ?? dependency;
      }
      case "string": // refused by valueOf before it gets here
        throw XdrDiagnosticError.at(
          p.loc,
          `'${p.name}' is a string constant ("${s.text}"), not an integer`,
        );
    }
  }

  /** All constants declared here, evaluated, in declaration order. */
  resolveAll(protocol: string): Constant[] {
    return [...this.pending.values()]
      .filter((p) => p.source.kind !== "string")
      .map((p) => ({
        name: p.name,
        value: this.valueOf(p.name, p.loc),
        origin: p.origin,
        loc: p.loc,
        protocol,
      }));
  }
}

function literalValue(v: Value & { kind: "number" }): number {
  if (
    v.value > BigInt(Number.MAX_SAFE_INTEGER) ||
    v.value < BigInt(Number.MIN_SAFE_INTEGER)
  ) {
    throw XdrDiagnosticError.at(v.loc, `integer ${v.text} is too large`);
  }
  return Number(v.value);
}

function defineText(text: string): string {
  return text.replace(/^\((.*)\)$/, "$1").trim();
}

function defineLiteral(text: string): number | null {
  const lit = parseIntegerLiteral(defineText(text).replace(/[uUlL]+$/, ""));
  return lit === null ? null : Number(lit);
}

/** The name `p`'s value is computed from, if any. */
function dependencyOf(
  p: PendingConstant,
): { readonly name: string; readonly loc: SourceLocation } | null {
  const s = p.source;
  switch (s.kind) {
    case "value":
      return s.value.kind === "name" ? s.value : null;
    case "enumMember":
      if (s.value) return s.value.kind === "name" ? s.value : null;
      return s.previous === null ? null : { name: s.previous, loc: p.loc };
    case "string":
      return null;
    case "define": {
      if (defineLiteral(s.text) !== null) return null;
      const text = defineText(s.text);
      if (/^[A-Za-z_]\w*$/.test(text)) return { name: text, loc: p.loc };
      throw XdrDiagnosticError.at(
        p.loc,
        `#define ${p.name} '${s.text}' is not an integer constant`,
      );
    }
  }
}

/** Parses a defines file (`NAME = VALUE`, `#` comments). Errors name the file and line. */
export function parseDefinesFile(
  path: string,
  text: string,
): Map<string, number> {
  const out = new Map<string, number>();
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/#.*$/, "").trim();
    if (line === "") return;
    const m = /^([A-Za-z_]\w*)\s*=\s*(-?\w+)$/.exec(line);
    const v = m ? parseIntegerLiteral(m[2]!) : null;
    if (!m || v === null) {
      throw XdrDiagnosticError.at(
        { file: path, line: i + 1, col: 1, offset: 0 },
        `expected 'NAME = integer' but found '${line}'`,
      );
    }
    out.set(m[1]!, Number(v));
  });
  return out;
}
