/**
 * Syntax tree → resolved `ProtocolModel`: every name bound, every constant evaluated, every
 * union checked against its discriminant, and comments turned into hints.
 */
import {
  LineMap,
  XdrDiagnosticError,
  type Declaration,
  type EnumBody,
  type SourceLocation,
  type StructBody,
  type TypeSpec,
  type UnionBody,
  type Value,
  type XdrFile,
} from "../parser/index.js";
import { C_INTEGER_TYPES, libtirpcType } from "./builtins.js";
import { CommentIndex } from "./comment-index.js";
import { ConstantTable, type CDefine } from "./constants.js";
import { ProgramResolver } from "./programs.js";
import { linkProcedures } from "./procedures.js";
import { checkTypeGraph } from "./type-graph.js";
import type {
  Constant,
  EnumMember,
  EnumType,
  Field,
  ProtocolModel,
  SizeValue,
  StringConstant,
  StructType,
  TypeDecl,
  TypeRef,
  UnionArm,
  UnionType,
} from "./types.js";

export interface ResolveOptions {
  readonly imports?: readonly ProtocolModel[];
  readonly external?: ReadonlyMap<string, number>;
  /** Source text, for turning comment offsets into lines. */
  readonly text: string;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const UINT32_MAX = 0xffffffff;

export function protocolNameOf(file: string): string {
  return file.replace(/^.*[\\/]/, "").replace(/\.x$/, "");
}

export function resolveProtocol(
  ast: XdrFile,
  options: ResolveOptions,
): ProtocolModel {
  const name = protocolNameOf(ast.file);
  const imports = options.imports ?? [];
  const lines = new LineMap(ast.file, options.text);
  const comments = new CommentIndex(ast.comments, lines);

  const importedConstants = new Map<string, Constant>();
  const importedTypes = new Map<
    string,
    { decl: TypeDecl; owner: ProtocolModel }
  >();
  for (const imp of allImports(imports)) {
    for (const c of imp.constants) importedConstants.set(c.name, c);
    for (const t of imp.types)
      importedTypes.set(t.name, { decl: t, owner: imp });
  }
  const consts = new ConstantTable(
    importedConstants,
    options.external ?? new Map(),
    cDefinesOf(ast),
  );

  // Pass 1: declare every constant and type name so bodies may refer forward.
  const types = new Map<string, TypeDecl>();
  const declareType = (decl: TypeDecl): void => {
    const prev = types.get(decl.name);
    if (prev) {
      throw XdrDiagnosticError.at(
        decl.loc,
        `duplicate definition of type '${decl.name}' (first defined at ${where(prev.loc)})`,
      );
    }
    const imp = importedTypes.get(decl.name);
    if (imp) {
      throw XdrDiagnosticError.at(
        decl.loc,
        `duplicate definition of type '${decl.name}' (already defined by ${imp.owner.name} at ${where(imp.decl.loc)})`,
      );
    }
    types.set(decl.name, decl);
  };
  const declareEnumConstants = (body: EnumBody): void => {
    let previous: string | null = null;
    for (const m of body.members) {
      consts.declare({
        name: m.name,
        origin: "enum",
        loc: m.loc,
        source: { kind: "enumMember", value: m.value, previous },
      });
      previous = m.name;
    }
  };
  const declareInlineEnums = (decl: Declaration): void => {
    if ("type" in decl && decl.type.kind === "enum")
      declareEnumConstants(decl.type.body);
    if ("type" in decl && decl.type.kind === "struct")
      decl.type.body.fields.forEach(declareInlineEnums);
    if ("type" in decl && decl.type.kind === "union")
      declareUnionEnums(decl.type.body);
  };
  const declareUnionEnums = (body: UnionBody): void => {
    declareInlineEnums(body.discriminant);
    body.arms.forEach((a) => declareInlineEnums(a.decl));
    if (body.defaultArm) declareInlineEnums(body.defaultArm);
  };

  for (const [defName, text] of ast.defines) {
    if (/^[A-Za-z_]\w*$/.test(defName) && text !== "") {
      const loc: SourceLocation = ast.defineLocs?.get(defName) ?? {
        file: ast.file,
        line: 1,
        col: 1,
        offset: 0,
      };
      // Only integer-valued defines become constants; others (e.g. include guards) are skipped.
      if (
        /^\(?\s*-?(0[xX][0-9a-fA-F]+|\d+|[A-Za-z_]\w*)[uUlL]*\s*\)?$/.test(text)
      ) {
        consts.declare({
          name: defName,
          origin: "define",
          loc,
          source: { kind: "define", text },
        });
      }
    }
  }

  const pendingBodies: (() => void)[] = [];
  // A union's discriminant may name a typedef declared further down: resolved on demand.
  const typedefBodies = new Map<TypeDecl, () => void>();
  const stringConstants: StringConstant[] = [];
  const programs = new ProgramResolver({
    consts,
    resolveTypeSpec: (spec, context) => resolveTypeSpec(spec, context),
    uint32: (v, what) => size(v, what),
  });
  for (const def of ast.definitions) {
    switch (def.kind) {
      case "stringConst":
        consts.declare({
          name: def.name,
          origin: "const",
          loc: def.loc,
          source: { kind: "string", text: def.value },
        });
        stringConstants.push({
          name: def.name,
          value: def.value,
          loc: def.loc,
        });
        break;
      case "const":
        consts.declare({
          name: def.name,
          origin: "const",
          loc: def.loc,
          source: { kind: "value", value: def.value },
        });
        break;
      case "enum": {
        declareEnumConstants(def.body);
        const decl: Mutable<EnumType> = {
          kind: "enum",
          name: def.name,
          members: [],
          loc: def.loc,
        };
        declareType(decl);
        pendingBodies.push(() => {
          decl.members = resolveEnumMembers(def.body);
        });
        break;
      }
      case "struct": {
        def.body.fields.forEach(declareInlineEnums);
        const decl: Mutable<StructType> = {
          kind: "struct",
          name: def.name,
          fields: [],
          loc: def.loc,
          hints: [],
        };
        declareType(decl);
        pendingBodies.push(() => {
          Object.assign(decl, resolveStructBody(def.name, def.body, def.loc));
        });
        break;
      }
      case "union": {
        declareUnionEnums(def.body);
        const decl = {
          kind: "union",
          name: def.name,
          loc: def.loc,
        } as Mutable<UnionType>;
        declareType(decl);
        pendingBodies.push(() => {
          Object.assign(decl, resolveUnionBody(def.name, def.body, def.loc));
        });
        break;
      }
      case "typedef": {
        declareInlineEnums(def.decl);
        if (def.decl.kind === "void")
          throw XdrDiagnosticError.at(
            def.loc,
            "typedef of void is not allowed",
          );
        // `typedef struct X X;` is C's way of naming a struct; in XDR it already has that name.
        if (
          def.decl.kind === "scalar" &&
          def.decl.type.kind === "named" &&
          def.decl.type.name === def.decl.name
        ) {
          if (!types.has(def.decl.name))
            throw XdrDiagnosticError.at(
              def.decl.type.loc,
              `unknown type '${def.decl.name}'`,
            );
          break;
        }
        const decl = {
          kind: "typedef",
          name: def.decl.name,
          loc: def.decl.loc,
        } as Mutable<import("./types.js").TypedefType>;
        declareType(decl);
        const resolveBody = () => {
          decl.field ??= resolveField(def.decl, def.decl.name);
        };
        typedefBodies.set(decl, resolveBody);
        pendingBodies.push(resolveBody);
        break;
      }
      case "program":
        programs.declare(def);
        break;
    }
  }

  // Pass 2: bodies.
  for (const resolveBody of pendingBodies) resolveBody();
  const programList = programs.resolveAll();
  const constants = consts.resolveAll(name);

  function lookupType(typeName: string): TypeDecl | undefined {
    return types.get(typeName) ?? importedTypes.get(typeName)?.decl;
  }

  /** A type the file uses without declaring it, which libtirpc declares (`netobj`, `netbuf`). */
  function libtirpcTypeUsed(typeName: string): TypeDecl | undefined {
    const decl = libtirpcType(typeName);
    if (decl) types.set(typeName, decl);
    return decl;
  }

  function resolveTypeSpec(spec: TypeSpec, context: string): TypeRef {
    switch (spec.kind) {
      case "primitive":
        if (spec.name === "quadruple")
          throw XdrDiagnosticError.at(
            spec.loc,
            "quadruple is not supported (rpcgen has no C mapping for it)",
          );
        return { kind: "primitive", name: spec.name };
      case "named": {
        const decl = lookupType(spec.name);
        if (!decl) {
          const integer = C_INTEGER_TYPES.get(spec.name);
          if (integer) return { kind: "primitive", name: integer };
          const lib = libtirpcTypeUsed(spec.name);
          if (lib) return { kind: "named", name: spec.name, decl: lib };
          if (consts.has(spec.name))
            throw XdrDiagnosticError.at(
              spec.loc,
              `'${spec.name}' is a constant, not a type`,
            );
          throw XdrDiagnosticError.at(spec.loc, `unknown type '${spec.name}'`);
        }
        return { kind: "named", name: spec.name, decl };
      }
      case "enum":
        return {
          kind: "inlineEnum",
          enumType: {
            kind: "enum",
            name: context,
            members: resolveEnumMembers(spec.body),
            loc: spec.loc,
          },
        };
      case "struct":
        return {
          kind: "inlineStruct",
          struct: resolveStructBody(context, spec.body, spec.loc),
        };
      case "union":
        return {
          kind: "inlineUnion",
          union: resolveUnionBody(context, spec.body, spec.loc),
        };
    }
  }

  function resolveEnumMembers(body: EnumBody): EnumMember[] {
    return body.members.map((m) => ({
      name: m.name,
      value: consts.valueOf(m.name, m.loc),
      loc: m.loc,
    }));
  }

  /**
   * The one range check for unsigned 32-bit numbers written in the file: sizes, maxima, and
   * program, version and procedure numbers.
   */
  function size(v: Value, what: string): SizeValue {
    const value = consts.evaluateValue(v);
    if (value < 0 || value > UINT32_MAX) {
      throw XdrDiagnosticError.at(
        v.loc,
        `${what} ${value} is out of range (0 to ${UINT32_MAX})`,
      );
    }
    return { value, text: v.kind === "name" ? v.name : v.text };
  }

  function resolveField(d: Declaration, context: string): Field {
    if (d.kind === "void")
      throw XdrDiagnosticError.at(d.loc, `void is only allowed as a union arm`);
    const hints = comments.hintsAfter(d.end);
    const base = { name: d.name, loc: d.loc, hints };
    const sub = `${context}_${d.name}`;
    switch (d.kind) {
      case "scalar":
        return { ...base, shape: "scalar", type: resolveTypeSpec(d.type, sub) };
      case "optional":
        return {
          ...base,
          shape: "optional",
          type: resolveTypeSpec(d.type, sub),
        };
      case "fixedArray":
        return {
          ...base,
          shape: "fixedArray",
          type: resolveTypeSpec(d.type, sub),
          size: size(d.size, "array size"),
        };
      case "varArray":
        return {
          ...base,
          shape: "varArray",
          type: resolveTypeSpec(d.type, sub),
          max: d.max ? size(d.max, "array maximum") : null,
        };
      case "fixedOpaque":
        return {
          ...base,
          shape: "fixedOpaque",
          size: size(d.size, "opaque size"),
        };
      case "varOpaque":
        return {
          ...base,
          shape: "varOpaque",
          max: d.max ? size(d.max, "opaque maximum") : null,
        };
      case "string":
        return {
          ...base,
          shape: "string",
          max: d.max ? size(d.max, "string maximum") : null,
        };
    }
  }

  function resolveStructBody(
    structName: string,
    body: StructBody,
    loc: SourceLocation,
  ): StructType {
    const seen = new Map<string, SourceLocation>();
    const fields = body.fields.map((d) => {
      const f = resolveField(d, structName);
      const prev = seen.get(f.name);
      if (prev)
        throw XdrDiagnosticError.at(
          f.loc,
          `duplicate member '${f.name}' in struct '${structName}' (first at line ${prev.line})`,
        );
      seen.set(f.name, f.loc);
      return f;
    });
    return {
      kind: "struct",
      name: structName,
      fields,
      loc,
      hints: comments.hintsAfter(body.loc.offset + 1),
    };
  }

  function resolveUnionBody(
    unionName: string,
    body: UnionBody,
    loc: SourceLocation,
  ): UnionType {
    const disc = resolveField(body.discriminant, unionName);
    const discEnum =
      disc.shape === "scalar" ? discriminantEnum(disc.type) : undefined;
    if (disc.shape !== "scalar" || discEnum === undefined) {
      throw XdrDiagnosticError.at(
        disc.loc,
        `union '${unionName}' discriminant '${disc.name}' must be int, unsigned int, bool or an enum`,
      );
    }
    const seenCases = new Map<number, string>();
    const arms: UnionArm[] = body.arms.map((arm) => {
      const cases = arm.cases.map((c) => {
        const value = consts.evaluateValue(c);
        const text = c.kind === "name" ? c.name : c.text;
        if (discEnum && !discEnum.members.some((m) => m.value === value)) {
          throw XdrDiagnosticError.at(
            c.loc,
            `case '${text}' (${value}) is not a value of discriminant type '${discEnum.name}' in union '${unionName}'`,
          );
        }
        if (
          !discEnum &&
          disc.type.kind === "primitive" &&
          disc.type.name === "bool" &&
          value !== 0 &&
          value !== 1
        ) {
          throw XdrDiagnosticError.at(
            c.loc,
            `case '${text}' is not a bool value (0 or 1) in union '${unionName}'`,
          );
        }
        if (
          disc.type.kind === "primitive" &&
          disc.type.name === "unsigned int" &&
          value < 0
        ) {
          throw XdrDiagnosticError.at(
            c.loc,
            `case '${text}' (${value}) is negative but the discriminant is unsigned in union '${unionName}'`,
          );
        }
        const [lo, hi] =
          disc.type.kind === "primitive" && disc.type.name === "unsigned int"
            ? [0, UINT32_MAX]
            : [-0x80000000, 0x7fffffff];
        if (value < lo || value > hi) {
          throw XdrDiagnosticError.at(
            c.loc,
            `case '${text}' (${value}) is out of range for the discriminant (${lo} to ${hi}) in union '${unionName}'`,
          );
        }
        const dup = seenCases.get(value);
        if (dup !== undefined)
          throw XdrDiagnosticError.at(
            c.loc,
            `duplicate case value ${value} ('${text}', already used by '${dup}') in union '${unionName}'`,
          );
        seenCases.set(value, text);
        return { value, text };
      });
      return {
        cases,
        field:
          arm.decl.kind === "void" ? null : resolveField(arm.decl, unionName),
        loc: arm.loc,
      };
    });
    const defaultArm =
      body.defaultArm === null
        ? undefined
        : body.defaultArm.kind === "void"
          ? null
          : resolveField(body.defaultArm, unionName);
    return {
      kind: "union",
      name: unionName,
      discriminant: disc,
      arms,
      defaultArm,
      loc,
    };
  }

  /**
   * The enum constraining case labels, null for int-like discriminants, undefined if invalid.
   * Typedef chains are followed in a loop (a cycle among them is reported later, by the type
   * graph check, so here it only ends the walk); a typedef not resolved yet is resolved now.
   */
  function discriminantEnum(start: TypeRef): EnumType | null | undefined {
    const seen = new Set<TypeDecl>();
    for (let t = start; ;) {
      if (t.kind === "primitive")
        return ["int", "unsigned int", "bool"].includes(t.name)
          ? null
          : undefined;
      if (t.kind === "inlineEnum") return t.enumType;
      if (t.kind !== "named" || seen.has(t.decl)) return undefined;
      const d = t.decl;
      seen.add(d);
      if (d.kind === "enum") return d;
      if (d.kind !== "typedef") return undefined;
      typedefBodies.get(d)?.();
      if (d.field.shape !== "scalar") return undefined;
      t = d.field.type;
    }
  }

  const typeList = [...types.values()];
  checkTypeGraph(typeList);
  const self: ProtocolModel = {
    name,
    file: ast.file,
    types: typeList,
    constants,
    stringConstants,
    programs: programList,
    imports,
    procedureEnum: null,
    structPrefix: null,
    procPrefix: null,
    procedures: [],
    program: null,
    lookupType,
    ownerOf(decl: TypeDecl): ProtocolModel {
      if (types.get(decl.name) === decl) return self;
      return importedTypes.get(decl.name)?.owner ?? self;
    },
  };
  Object.assign(self, linkProcedures(self, ast, comments, constants));
  return self;
}

/** `%#define NAME value` lines: constants only C sees. */
function cDefinesOf(ast: XdrFile): Map<string, CDefine> {
  const out = new Map<string, CDefine>();
  for (const line of ast.passThrough) {
    const m = /^%\s*#\s*define\s+([A-Za-z_]\w*)(?:\s+(.*?))?\s*$/.exec(
      line.text,
    );
    if (m) out.set(m[1]!, { value: m[2] ?? "", loc: line.loc });
  }
  return out;
}

function where(loc: SourceLocation): string {
  return `${loc.file}:${loc.line}:${loc.col}`;
}

function allImports(imports: readonly ProtocolModel[]): ProtocolModel[] {
  const out: ProtocolModel[] = [];
  const visit = (p: ProtocolModel) => {
    if (out.includes(p)) return;
    p.imports.forEach(visit);
    out.push(p);
  };
  imports.forEach(visit);
  return out;
}
