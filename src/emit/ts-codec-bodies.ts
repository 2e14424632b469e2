/**
 * Statements that encode and decode one field, inlined into each type's codec so the hot path
 * has no per-field closures, no intermediate arrays and monomorphic calls.
 *
 * `unsigned int flags;`            → encode `w.uint(v.flags);`  decode `const _flags = r.uint();`
 * `remote_typed_param params<64>;` → a length-checked loop calling `xdr_remote_typed_param`.
 */
import type { RuntimeSymbol } from "virt-rpcgen-runtime/symbols";
import { minWireSizeOfRef } from "../model/wire-size.js";
import type {
  EnumType,
  Field,
  PrimitiveName,
  StructType,
  TypeDecl,
  TypeRef,
  UnionType,
} from "../model/types.js";
import { codecName, tsTypeName } from "./ts-names.js";
import {
  tsTypeOfField as fieldType,
  tsTypeOfRef as refType,
  type TypeNaming,
} from "./ts-types.js";

/** What a codec body needs from the file it is emitted into. */
export interface BodyContext {
  /**
   * Makes `decl`'s TypeScript type or its codec usable in this file (importing it when another
   * module declares it). Only what is used is imported: an unused import fails
   * `noUnusedLocals` in the user's build.
   */
  use(decl: TypeDecl, as: "type" | "codec"): void;
  /** Name for an anonymous inline body (its type or its codec, as `use`). */
  inline(
    t: TypeRef & { kind: "inlineStruct" | "inlineUnion" | "inlineEnum" },
    as: "type" | "codec",
  ): string;
  /** Fresh suffix for loop variables. */
  fresh(): number;
  /** Whether a type can recur at run time, so its codec must count its nesting. */
  recursive(decl: TypeDecl): boolean;
  /** The local name of a runtime symbol, imported by the module. */
  runtime(symbol: RuntimeSymbol): string;
}

const UINT32_MAX = 0xffffffff;

/** The XdrWriter/XdrReader method of each primitive. */
const PRIMITIVE_OPS: Record<PrimitiveName, { op: string }> = {
  int: { op: "int" },
  "unsigned int": { op: "uint" },
  hyper: { op: "hyper" },
  "unsigned hyper": { op: "uhyper" },
  float: { op: "float" },
  double: { op: "double" },
  quadruple: { op: "double" },
  bool: { op: "bool" },
  // rpcgen sends char/short/long as 4-byte ints (xdr_char, xdr_short, xdr_long).
  char: { op: "int" },
  "unsigned char": { op: "uint" },
  short: { op: "int" },
  "unsigned short": { op: "uint" },
  long: { op: "int" },
  "unsigned long": { op: "uint" },
};

/** How a codecs-like module names types: bare, importing other protocols' as it goes. */
function namingOf(ctx: BodyContext): TypeNaming {
  return {
    named(decl) {
      ctx.use(decl, "type");
      return tsTypeName(decl.name);
    },
    inline(body) {
      return tsTypeName(ctx.inline(inlineRefOf(body), "type"));
    },
  };
}

function inlineRefOf(
  body: StructType | UnionType | EnumType,
): TypeRef & { kind: "inlineStruct" | "inlineUnion" | "inlineEnum" } {
  return body.kind === "struct"
    ? { kind: "inlineStruct", struct: body }
    : body.kind === "union"
      ? { kind: "inlineUnion", union: body }
      : { kind: "inlineEnum", enumType: body };
}

export function tsTypeOfRef(t: TypeRef, ctx: BodyContext): string {
  return refType(t, namingOf(ctx));
}

export function tsTypeOfField(f: Field, ctx: BodyContext): string {
  return fieldType(f, namingOf(ctx));
}

function codecOf(t: TypeRef, ctx: BodyContext): string {
  if (t.kind === "named") {
    ctx.use(t.decl, "codec");
    return codecName(t.name);
  }
  return codecName(
    ctx.inline(
      t as TypeRef & { kind: "inlineStruct" | "inlineUnion" | "inlineEnum" },
      "codec",
    ),
  );
}

function encodeScalar(t: TypeRef, x: string, ctx: BodyContext): string {
  if (t.kind === "primitive") return `w.${PRIMITIVE_OPS[t.name].op}(${x});`;
  return `${codecOf(t, ctx)}.encode(w, ${x});`;
}

function decodeScalar(t: TypeRef, ctx: BodyContext): string {
  if (t.kind === "primitive") return `r.${PRIMITIVE_OPS[t.name].op}()`;
  return `${codecOf(t, ctx)}.decode(r)`;
}

const maxOf = (m: { value: number } | null): number =>
  m === null ? UINT32_MAX : m.value;

/** Statements writing field `f` whose value is the expression `x`. */
export function encodeField(f: Field, x: string, ctx: BodyContext): string[] {
  switch (f.shape) {
    case "scalar":
      return [encodeScalar(f.type, x, ctx)];
    case "optional":
      return [
        `if (${x} === null) {`,
        `w.presence(false);`,
        `} else {`,
        `w.presence(true);`,
        encodeScalar(f.type, x, ctx),
        `}`,
      ];
    case "fixedOpaque":
      return [`w.fixedOpaque(${x}, ${f.size.value});`];
    case "varOpaque":
      return [`w.varOpaque(${x}, ${maxOf(f.max)});`];
    case "string":
      return [`w.string(${x}, ${maxOf(f.max)});`];
    case "fixedArray":
    case "varArray": {
      const k = ctx.fresh();
      const arr = `a${k}`;
      const i = `i${k}`;
      const head =
        f.shape === "varArray"
          ? [`const ${arr} = ${x};`, `w.count(${arr}.length, ${maxOf(f.max)});`]
          : [
              `const ${arr} = ${x};`,
              `${ctx.runtime("checkFixedLength")}(${arr}, ${f.size.value});`,
            ];
      return [
        ...head,
        `let ${i} = 0;`,
        `try {`,
        `for (; ${i} < ${arr}.length; ${i}++) {`,
        encodeScalar(f.type, `${arr}[${i}]!`, ctx),
        `}`,
        `} catch (e) {`,
        `throw ${ctx.runtime("prependXdrPath")}(e, ${i});`,
        `}`,
      ];
    }
  }
}

/** Statements declaring `const <local>` with the decoded value of field `f`. */
export function decodeField(
  f: Field,
  local: string,
  ctx: BodyContext,
): string[] {
  switch (f.shape) {
    case "scalar":
      return [`const ${local} = ${decodeScalar(f.type, ctx)};`];
    case "optional":
      return [
        `const ${local} = r.presence() ? ${decodeScalar(f.type, ctx)} : null;`,
      ];
    case "fixedOpaque":
      return [`const ${local} = r.fixedOpaque(${f.size.value});`];
    case "varOpaque":
      return [`const ${local} = r.varOpaque(${maxOf(f.max)});`];
    case "string":
      return [`const ${local} = r.string(${maxOf(f.max)});`];
    case "fixedArray":
    case "varArray": {
      const k = ctx.fresh();
      const n = `n${k}`;
      const i = `i${k}`;
      const elemType = tsTypeOfRef(f.type, ctx);
      const count =
        f.shape === "varArray"
          ? [
              `const ${n} = r.count(${maxOf(f.max)}, ${minWireSizeOfRef(f.type)});`,
            ]
          : [
              `const ${n} = ${f.size.value};`,
              `r.need(${f.size.value * minWireSizeOfRef(f.type)});`,
            ];
      return [
        ...count,
        `const ${local} = new Array<${elemType}>(${n});`,
        `let ${i} = 0;`,
        `try {`,
        `for (; ${i} < ${n}; ${i}++) {`,
        `${local}[${i}] = ${decodeScalar(f.type, ctx)};`,
        `}`,
        `} catch (e) {`,
        `throw ${ctx.runtime("prependXdrPath")}(e, ${i});`,
        `}`,
      ];
    }
  }
}
