/**
 * The one mapping from XDR types to TypeScript types, for every emitter: primitives, arrays,
 * optionals, opaques and strings are written the same everywhere; only how a named or inline
 * type is referred to differs (bare in its codecs module, through a namespace in the client),
 * and that is the caller's TypeNaming.
 */
import type {
  EnumType,
  Field,
  PrimitiveName,
  StructType,
  TypeDecl,
  TypeRef,
  UnionType,
} from "../model/types.js";

const PRIMITIVE_TS: Record<PrimitiveName, "number" | "bigint" | "boolean"> = {
  int: "number",
  "unsigned int": "number",
  hyper: "bigint",
  "unsigned hyper": "bigint",
  float: "number",
  double: "number",
  quadruple: "number",
  bool: "boolean",
  char: "number",
  "unsigned char": "number",
  short: "number",
  "unsigned short": "number",
  long: "number",
  "unsigned long": "number",
};

/** How a module refers to named and inline types (importing them as it needs). */
export interface TypeNaming {
  named(decl: TypeDecl): string;
  inline(body: StructType | UnionType | EnumType): string;
}

export function tsPrimitive(
  name: PrimitiveName,
): "number" | "bigint" | "boolean" {
  return PRIMITIVE_TS[name];
}

/** The body an inline type reference declares. */
export function inlineBody(
  t: TypeRef & { kind: "inlineStruct" | "inlineUnion" | "inlineEnum" },
): StructType | UnionType | EnumType {
  return t.kind === "inlineStruct"
    ? t.struct
    : t.kind === "inlineUnion"
      ? t.union
      : t.enumType;
}

export function tsTypeOfRef(t: TypeRef, naming: TypeNaming): string {
  switch (t.kind) {
    case "primitive":
      return PRIMITIVE_TS[t.name];
    case "named":
      return naming.named(t.decl);
    default:
      return naming.inline(inlineBody(t));
  }
}

export function tsTypeOfField(f: Field, naming: TypeNaming): string {
  switch (f.shape) {
    case "scalar":
      return tsTypeOfRef(f.type, naming);
    case "optional":
      return `${tsTypeOfRef(f.type, naming)} | null`;
    case "fixedArray":
    case "varArray": {
      const el = tsTypeOfRef(f.type, naming);
      return /[ |&]/.test(el) ? `(${el})[]` : `${el}[]`;
    }
    case "fixedOpaque":
    case "varOpaque":
      return "Uint8Array";
    case "string":
      return "string";
  }
}
