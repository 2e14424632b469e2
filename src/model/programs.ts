/**
 * `program` / `version` blocks (RFC 5531 §12, with rpcgen's `-N` multi-argument procedures)
 * → `RpcProgram`s.
 *
 * ```
 * program RPCBPROG {                                  { name: "RPCBPROG", number: 100000, versions: [
 *   version RPCBVERS {                                  { name: "RPCBVERS", number: 3, procedures: [
 *     bool RPCBPROC_SET(rpcb) = 1;           →            { name: "RPCBPROC_SET", number: 1,
 *     ...                                                   args: [arg1: rpcb], result: bool }, …
 *   } = 3;
 * } = 100000;
 * ```
 */
import {
  XdrDiagnosticError,
  type Definition,
  type Procedure,
  type ProcedureArg,
  type ProcedureType,
  type SourceLocation,
  type TypeSpec,
  type Value,
} from "../parser/index.js";
import type { ConstantTable } from "./constants.js";
import type {
  Field,
  RpcProcedure,
  RpcProgram,
  RpcVersion,
  SizeValue,
  TypeRef,
} from "./types.js";

type ProgramDef = Extract<Definition, { kind: "program" }>;
type NonVoid = Exclude<ProcedureType, { kind: "void" }>;

export interface ProgramContext {
  readonly consts: ConstantTable;
  resolveTypeSpec(spec: TypeSpec, context: string): TypeRef;
  /** The one unsigned 32-bit range check of the resolver (sizes, maxima, numbers). */
  uint32(v: Value, what: string): SizeValue;
}

export class ProgramResolver {
  /** Procedure names already #defined, with their first declaration. */
  private readonly procedureConstants = new Map<string, Procedure>();
  private readonly pending: ProgramDef[] = [];

  constructor(private readonly ctx: ProgramContext) {}

  /**
   * Declares the program, version and procedure names as constants: rpcgen `#define`s them,
   * and a number may name another procedure (`RPCBPROC_BCAST(…) = RPCBPROC_CALLIT`).
   */
  declare(def: ProgramDef): void {
    const { consts } = this.ctx;
    consts.declare({
      name: def.name,
      origin: "program",
      loc: def.loc,
      source: { kind: "value", value: def.number },
    });
    for (const v of def.versions) {
      consts.declare({
        name: v.name,
        origin: "version",
        loc: v.loc,
        source: { kind: "value", value: v.number },
      });
      for (const proc of v.procedures) {
        // The same procedure in several versions is one C #define (checked in resolveAll).
        if (this.procedureConstants.has(proc.name)) continue;
        this.procedureConstants.set(proc.name, proc);
        consts.declare({
          name: proc.name,
          origin: "procedure",
          loc: proc.loc,
          source: { kind: "value", value: proc.number },
        });
      }
    }
    this.pending.push(def);
  }

  /** Every declared program, resolved; call once every type is declared. */
  resolveAll(): RpcProgram[] {
    return this.pending.map((def) => this.resolveProgram(def));
  }

  private resolveProgram(def: ProgramDef): RpcProgram {
    const versions = unique(
      def.versions.map((v): RpcVersion => ({
        name: v.name,
        number: this.number(v.number, `version number of '${v.name}'`),
        loc: v.loc,
        procedures: unique(
          v.procedures.map((proc) => this.resolveProcedure(proc)),
          "procedure",
          `version '${v.name}'`,
        ),
      })),
      "version",
      `program '${def.name}'`,
    );
    return {
      name: def.name,
      number: this.number(def.number, `program number of '${def.name}'`),
      versions,
      loc: def.loc,
    };
  }

  private resolveProcedure(proc: Procedure): RpcProcedure {
    const number = this.number(
      proc.number,
      `procedure number of '${proc.name}'`,
    );
    const first = this.procedureConstants.get(proc.name)!;
    if (first !== proc) {
      const firstNumber = this.ctx.consts.evaluateValue(first.number);
      if (firstNumber !== number)
        throw XdrDiagnosticError.at(
          proc.number.loc,
          `procedure '${proc.name}' is numbered ${number} here but ${firstNumber} at ${where(first.loc)}: rpcgen #defines one '${proc.name}' for both`,
        );
    }
    return {
      name: proc.name,
      number,
      args: this.args(proc),
      result:
        proc.result.kind === "void"
          ? null
          : this.valueField(proc.result, "result", null, false),
      loc: proc.loc,
    };
  }

  private args(proc: Procedure): Field[] {
    const args = proc.args;
    if (args.length === 1 && args[0]!.type.kind === "void") {
      const a = args[0]!;
      if (a.pointer || a.angle)
        throw XdrDiagnosticError.at(a.loc, "void cannot be a pointer or array");
      return [];
    }
    const voidArg = args.find((a) => a.type.kind === "void");
    if (voidArg)
      throw XdrDiagnosticError.at(
        voidArg.loc,
        `void is only allowed as the only argument of procedure '${proc.name}'`,
      );
    const seen = new Map<string, SourceLocation>();
    return args.map((a, i) => {
      // rpcgen names unnamed arguments arg1, arg2… in its -N argument structs.
      const name = a.name ?? `arg${i + 1}`;
      const prev = seen.get(name);
      if (prev)
        throw XdrDiagnosticError.at(
          a.loc,
          `duplicate argument name '${name}' in procedure '${proc.name}' (first at ${where(prev)})`,
        );
      seen.set(name, a.loc);
      return this.valueField(a.type as NonVoid, name, a.angle, a.pointer);
    });
  }

  /** An argument or result as a field, so emitters encode it like a struct member. */
  private valueField(
    t: NonVoid,
    name: string,
    angle: ProcedureArg["angle"],
    pointer: boolean,
  ): Field {
    const base = { name, loc: t.loc, hints: [] };
    if (angle && t.kind !== "string")
      throw XdrDiagnosticError.at(
        angle.loc,
        "arrays cannot be procedure arguments (rpcgen: use a typedef)",
      );
    if (t.kind === "string") {
      if (pointer)
        throw XdrDiagnosticError.at(
          t.loc,
          "a pointer to string cannot be a procedure argument",
        );
      return {
        ...base,
        shape: "string",
        max: angle?.max ? this.ctx.uint32(angle.max, "string maximum") : null,
      };
    }
    const type = this.ctx.resolveTypeSpec(t.type, name);
    // rpcgen sends a pointer argument with xdr_pointer: optional data.
    return pointer
      ? { ...base, shape: "optional", type }
      : { ...base, shape: "scalar", type };
  }

  private number(v: Value, what: string): number {
    return this.ctx.uint32(v, what).value;
  }
}

/** The items, checked for unique names and numbers (rpcgen's C would not compile otherwise). */
function unique<
  T extends { name: string; number: number; loc: SourceLocation },
>(items: T[], what: string, within: string): T[] {
  const byName = new Map<string, T>();
  const byNumber = new Map<number, T>();
  for (const item of items) {
    const sameName = byName.get(item.name);
    if (sameName)
      throw XdrDiagnosticError.at(
        item.loc,
        `duplicate ${what} '${item.name}' in ${within} (first at ${where(sameName.loc)})`,
      );
    const sameNumber = byNumber.get(item.number);
    if (sameNumber)
      throw XdrDiagnosticError.at(
        item.loc,
        `duplicate ${what} number ${item.number}: '${item.name}' and '${sameNumber.name}' in ${within}`,
      );
    byName.set(item.name, item);
    byNumber.set(item.number, item);
  }
  return items;
}

function where(loc: SourceLocation): string {
  return `${loc.file}:${loc.line}:${loc.col}`;
}
