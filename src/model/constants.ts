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

export class ConstantTable {
  private readonly pending = new Map<string, PendingConstant>();
  private readonly values = new Map<string, number>();
  private readonly inProgress: string[] = [];

  constructor(
    /** Constants of imported protocols. */
    private readonly imported: ReadonlyMap<string, Constant>,
    /** Defines file and --define values. */
    private readonly external: ReadonlyMap<string, number>,
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

  /** The value of a constant used at `loc`; unknown names and cycles are located errors. */
  valueOf(name: string, loc: SourceLocation): number {
    const known = this.values.get(name);
    if (known !== undefined) return known;
    const p = this.pending.get(name);
    if (!p) {
      const imp = this.imported.get(name);
      if (imp) return imp.value;
      const ext = this.external.get(name);
      if (ext !== undefined) return ext;
      const c = C_CONSTANTS.get(name);
      if (c !== undefined) return c;
      throw XdrDiagnosticError.at(loc, `unknown constant '${name}'`);
    }
    if (p.source.kind === "string") {
      throw XdrDiagnosticError.at(
        loc,
        `'${name}' is a string constant ("${p.source.text}"), not an integer`,
      );
    }
    const cycleStart = this.inProgress.indexOf(name);
    if (cycleStart !== -1) {
      const cycle = [...this.inProgress.slice(cycleStart), name].join(" -> ");
      throw XdrDiagnosticError.at(p.loc, `constant cycle: ${cycle}`);
    }
    this.inProgress.push(name);
    const v = this.evaluate(p);
    this.inProgress.pop();
    this.values.set(name, v);
    return v;
  }

  evaluateValue(v: Value): number {
    if (v.kind === "name") return this.valueOf(v.name, v.loc);
    if (
      v.value > BigInt(Number.MAX_SAFE_INTEGER) ||
      v.value < BigInt(Number.MIN_SAFE_INTEGER)
    ) {
      throw XdrDiagnosticError.at(v.loc, `integer ${v.text} is too large`);
    }
    return Number(v.value);
  }

  private evaluate(p: PendingConstant): number {
    const s = p.source;
    switch (s.kind) {
      case "value":
        return this.evaluateValue(s.value);
      case "enumMember": {
        const v = s.value
          ? this.evaluateValue(s.value)
          : s.previous === null
            ? 0
            : this.valueOf(s.previous, p.loc) + 1;
        if (v < -0x80000000 || v > 0x7fffffff) {
          throw XdrDiagnosticError.at(
            p.loc,
            `enum value ${v} of '${p.name}' does not fit in a signed 32-bit int`,
          );
        }
        return v;
      }
      case "define": {
        const text = s.text.replace(/^\((.*)\)$/, "$1").trim();
        const lit = parseIntegerLiteral(text.replace(/[uUlL]+$/, ""));
        if (lit !== null) return Number(lit);
        if (/^[A-Za-z_]\w*$/.test(text)) return this.valueOf(text, p.loc);
        throw XdrDiagnosticError.at(
          p.loc,
          `#define ${p.name} '${s.text}' is not an integer constant`,
        );
      }
      case "string":
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
