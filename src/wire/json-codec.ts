/**
 * XDR bytes <-> JSON, driven by the resolved model: what `virt-rpcgen decode` and `encode` use
 * for any type of any .x file, with no generated code.
 *
 * The mapping is lossless, so `decode | encode` gives back the same bytes:
 * - structs are objects with the .x field names, in order; optional data (`*`) is null or the value;
 * - enums are member names (a value with no member is a `bad-enum` error, as in the codecs);
 * - unions are objects holding the discriminant under its .x name and the arm's member: the
 *   discriminant is the enum member name, or for an int the case label when the .x names one
 *   (`VIR_TYPED_PARAM_INT`), else the number; `bool` discriminants are true/false;
 * - hypers are decimal strings (JSON numbers lose precision above 2^53);
 * - opaque data is base64 (or hex, `bytes: "hex"`); strings are JSON strings (UTF-8 on the wire);
 * - float/double are JSON numbers, except -0, NaN and the infinities, which JSON lacks:
 *   "-0", "Infinity", "-Infinity", "NaN" (and "NaN:<hex bits>" for a NaN with another payload).
 *
 * Errors are the runtime's `XdrError`s with the field path, as the generated codecs give them.
 */
import {
  XdrError,
  type XdrPathSegment,
  type XdrReader,
  type XdrWriter,
} from "virt-rpcgen-runtime/xdr";
import type {
  EnumType,
  Field,
  PrimitiveName,
  StructType,
  TypeDecl,
  TypeRef,
  UnionType,
} from "../model/index.js";
import { minWireSizeOfRef } from "../model/wire-size.js";

export type Json =
  null | boolean | number | string | Json[] | { [key: string]: Json };

export interface JsonCodecOptions {
  /** How opaque data is written (both are read back by encode when unambiguous). */
  readonly bytes?: "base64" | "hex";
}

const MAX_UINT32 = 0xffffffff;

type Op = "int" | "uint" | "hyper" | "uhyper" | "float" | "double" | "bool";
/** rpcgen sends char/short/long as 4-byte ints, quadruple as the codecs do (double). */
const PRIMITIVE_OP: Record<PrimitiveName, Op> = {
  int: "int",
  "unsigned int": "uint",
  hyper: "hyper",
  "unsigned hyper": "uhyper",
  float: "float",
  double: "double",
  quadruple: "double",
  bool: "bool",
  char: "int",
  "unsigned char": "uint",
  short: "int",
  "unsigned short": "uint",
  long: "int",
  "unsigned long": "uint",
};

/** Adds `segments` to the front of an XdrError's path as it propagates. */
function within<T>(segments: XdrPathSegment[], run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof XdrError) e.prependPath(...segments);
    throw e;
  }
}

function shapeError(what: string, got: unknown, offset = 0): XdrError {
  const shown = JSON.stringify(got, (_k, v: unknown) =>
    typeof v === "bigint" ? v.toString() : v,
  );
  return new XdrError(
    "value-out-of-range",
    offset,
    `expected ${what}, got ${shown === undefined ? String(got) : shown.length > 60 ? shown.slice(0, 57) + "..." : shown}`,
  );
}

// ---------------------------------------------------------------------------
// Names of enum members and union case labels

const enumNames = new WeakMap<EnumType, Map<number, string>>();
function enumNameOf(e: EnumType, v: number): string | undefined {
  let m = enumNames.get(e);
  if (!m) {
    m = new Map();
    for (const x of e.members) if (!m.has(x.value)) m.set(x.value, x.name);
    enumNames.set(e, m);
  }
  return m.get(v);
}

function enumValueOf(e: EnumType, v: Json): number {
  if (typeof v === "string") {
    const hit = e.members.find((x) => x.name === v);
    if (hit) return hit.value;
  }
  if (typeof v === "number" && e.members.some((x) => x.value === v)) return v;
  throw shapeError(`a member of enum ${e.name}`, v);
}

/** The enum a type reference ends at (through typedefs), if any. */
export function enumOf(t: TypeRef): EnumType | null {
  if (t.kind === "inlineEnum") return t.enumType;
  if (t.kind !== "named") return null;
  const d: TypeDecl = t.decl;
  if (d.kind === "enum") return d;
  if (d.kind === "typedef" && d.field.shape === "scalar")
    return enumOf(d.field.type);
  return null;
}

/** The primitive a type reference ends at (through typedefs), if any. */
export function primitiveOf(t: TypeRef): PrimitiveName | null {
  if (t.kind === "primitive") return t.name;
  if (
    t.kind === "named" &&
    t.decl.kind === "typedef" &&
    t.decl.field.shape === "scalar"
  )
    return primitiveOf(t.decl.field.type);
  return null;
}

// ---------------------------------------------------------------------------
// Scalars

function floatToJson(v: number, bits: () => string, canonical: string): Json {
  if (Number.isNaN(v)) {
    const b = bits();
    return b === canonical ? "NaN" : `NaN:${b}`;
  }
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "-Infinity";
  if (Object.is(v, -0)) return "-0";
  return v;
}

export function readPrimitive(r: XdrReader, op: Op): Json {
  switch (op) {
    case "int":
      return r.int();
    case "uint":
      return r.uint();
    case "hyper":
      return r.hyper().toString();
    case "uhyper":
      return r.uhyper().toString();
    case "bool":
      return r.bool();
    case "float": {
      const at = r.pos;
      const v = r.float();
      return floatToJson(
        v,
        () => r.view.getUint32(at).toString(16).padStart(8, "0"),
        "7fc00000",
      );
    }
    case "double": {
      const at = r.pos;
      const v = r.double();
      return floatToJson(
        v,
        () => r.view.getBigUint64(at).toString(16).padStart(16, "0"),
        "7ff8000000000000",
      );
    }
  }
}

function jsonToFloat(v: Json, w: XdrWriter, op: "float" | "double"): void {
  if (typeof v === "number") return w[op](v);
  if (typeof v === "string") {
    const special: Record<string, number> = {
      "-0": -0,
      Infinity: Infinity,
      "-Infinity": -Infinity,
      NaN: NaN,
    };
    if (v in special) return w[op](special[v]!);
    const m = /^NaN:([0-9a-f]+)$/.exec(v);
    if (m && m[1]!.length === (op === "float" ? 8 : 16)) {
      if (op === "float") return w.uint(Number.parseInt(m[1]!, 16));
      return w.uhyper(BigInt("0x" + m[1]!));
    }
  }
  throw shapeError(`a ${op}`, v);
}

function writePrimitive(w: XdrWriter, op: Op, v: Json): void {
  switch (op) {
    case "int":
    case "uint":
      if (typeof v !== "number" || !Number.isInteger(v))
        throw shapeError(`an integer`, v);
      return w[op](v);
    case "hyper":
    case "uhyper": {
      let b: bigint;
      if (typeof v === "string" && /^-?\d+$/.test(v)) b = BigInt(v);
      else if (typeof v === "number" && Number.isSafeInteger(v)) b = BigInt(v);
      else throw shapeError("a decimal integer string", v);
      return w[op](b);
    }
    case "bool":
      if (typeof v !== "boolean") throw shapeError("true or false", v);
      return w.bool(v);
    case "float":
    case "double":
      return jsonToFloat(v, w, op);
  }
}

// ---------------------------------------------------------------------------
// Opaque data

function bytesToJson(b: Uint8Array, options: JsonCodecOptions): string {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  return buf.toString(options.bytes === "hex" ? "hex" : "base64");
}

function jsonToBytes(v: Json, options: JsonCodecOptions): Uint8Array {
  if (typeof v !== "string")
    throw shapeError(options.bytes === "hex" ? "hex" : "base64", v);
  if (options.bytes === "hex") {
    if (!/^(?:[0-9a-fA-F]{2})*$/.test(v)) throw shapeError("hex", v);
    return Buffer.from(v, "hex");
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0)
    throw shapeError("base64", v);
  return Buffer.from(v, "base64");
}

// ---------------------------------------------------------------------------
// Decoding

/**
 * Decodes one value of `decl` (a named type) from `r`; errors name the type first.
 *
 * The decoder keeps the path to the value it is reading on a stack (no closure or try block
 * per field, which cost more than the decoding itself); an error takes the stack as it was
 * when the error was thrown.
 */
export function decodeDecl(
  r: XdrReader,
  decl: TypeDecl,
  options: JsonCodecOptions = {},
): Json {
  const d = new Decoder(r, options);
  try {
    return d.decl(decl);
  } catch (e) {
    throw withPath(e, decl.name, d.path);
  }
}

/** Decodes a run of fields (a procedure's arguments) into one object, named `name` in errors. */
export function decodeFields(
  r: XdrReader,
  fields: readonly Field[],
  name: string,
  options: JsonCodecOptions = {},
): Json {
  const d = new Decoder(r, options);
  try {
    return d.fields(fields);
  } catch (e) {
    throw withPath(e, name, d.path);
  }
}

function withPath(
  e: unknown,
  name: string,
  path: readonly XdrPathSegment[],
): unknown {
  if (e instanceof XdrError) e.prependPath(name, ...path);
  return e;
}

class Decoder {
  readonly path: XdrPathSegment[] = [];

  constructor(
    private readonly r: XdrReader,
    private readonly options: JsonCodecOptions,
  ) {}

  decl(d: TypeDecl): Json {
    switch (d.kind) {
      case "struct":
        return this.fields(d.fields);
      case "union":
        return this.union(d);
      case "enum":
        return this.enumValue(d);
      case "typedef":
        return this.field(d.field);
    }
  }

  ref(t: TypeRef): Json {
    switch (t.kind) {
      case "primitive":
        return readPrimitive(this.r, PRIMITIVE_OP[t.name]);
      case "named":
        return this.decl(t.decl);
      case "inlineStruct":
        return this.fields(t.struct.fields);
      case "inlineUnion":
        return this.union(t.union);
      case "inlineEnum":
        return this.enumValue(t.enumType);
    }
  }

  enumValue(e: EnumType): Json {
    const at = this.r.pos;
    const v = this.r.int();
    const name = enumNameOf(e, v);
    if (name === undefined)
      throw new XdrError(
        "bad-enum",
        at,
        `invalid value ${v} for enum ${e.name}`,
      );
    return name;
  }

  fields(fields: readonly Field[]): Json {
    const out: { [key: string]: Json } = {};
    const path = this.path;
    for (const f of fields) {
      path.push(f.name);
      out[f.name] = this.field(f);
      path.pop();
    }
    return out;
  }

  union(u: UnionType): Json {
    const disc = u.discriminant;
    const at = this.r.pos;
    this.path.push(disc.name);
    const op = PRIMITIVE_OP[primitiveOf(disc.type) ?? "int"];
    const d =
      op === "bool"
        ? this.r.bool()
          ? 1
          : 0
        : op === "uint"
          ? this.r.uint()
          : this.r.int();
    const arm = u.arms.find((a) => a.cases.some((c) => c.value === d));
    const field = arm ? arm.field : u.defaultArm;
    if (field === undefined)
      throw new XdrError(
        "bad-discriminant",
        at,
        `invalid discriminant ${d} for ${u.name}`,
      );
    this.path.pop();
    const out: { [key: string]: Json } = {
      [disc.name]: discriminantToJson(
        u,
        d,
        arm?.cases.find((c) => c.value === d)?.text,
      ),
    };
    if (field !== null) {
      this.path.push(field.name);
      out[field.name] = this.field(field);
      this.path.pop();
    }
    return out;
  }

  private items(t: TypeRef, n: number): Json[] {
    const out: Json[] = [];
    const path = this.path;
    for (let i = 0; i < n; i++) {
      path.push(i);
      out.push(this.ref(t));
      path.pop();
    }
    return out;
  }

  field(f: Field): Json {
    const r = this.r;
    switch (f.shape) {
      case "scalar":
        return this.ref(f.type);
      case "optional":
        return r.presence() ? this.ref(f.type) : null;
      case "fixedArray":
        return this.items(f.type, f.size.value);
      case "varArray":
        return this.items(
          f.type,
          r.count(f.max?.value ?? MAX_UINT32, minWireSizeOfRef(f.type)),
        );
      case "fixedOpaque":
        return bytesToJson(r.fixedOpaqueView(f.size.value), this.options);
      case "varOpaque":
        return bytesToJson(
          r.varOpaqueView(f.max?.value ?? MAX_UINT32),
          this.options,
        );
      case "string":
        return r.string(f.max?.value ?? MAX_UINT32);
    }
  }
}

/** The discriminant as JSON: enum member name, named case label, bool, or number. */
export function discriminantToJson(
  u: UnionType,
  d: number,
  label: string | undefined,
): Json {
  const t = u.discriminant.type;
  const e = enumOf(t);
  if (e) return enumNameOf(e, d) ?? d;
  if (primitiveOf(t) === "bool") return d !== 0;
  if (label !== undefined && /^[A-Za-z_]/.test(label)) return label;
  return d;
}

function discriminantFromJson(u: UnionType, v: Json): number {
  const t = u.discriminant.type;
  const e = enumOf(t);
  if (e) return enumValueOf(e, v);
  if (primitiveOf(t) === "bool") {
    if (typeof v !== "boolean") throw shapeError("true or false", v);
    return v ? 1 : 0;
  }
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string")
    for (const a of u.arms)
      for (const c of a.cases) if (c.text === v) return c.value;
  throw shapeError(`a discriminant of ${u.name}`, v);
}

// ---------------------------------------------------------------------------
// Encoding

/** Encodes `value` as one `decl` into `w`; errors name the type and the JSON path. */
export function encodeDecl(
  w: XdrWriter,
  decl: TypeDecl,
  value: Json,
  options: JsonCodecOptions = {},
): void {
  within([decl.name], () => new Encoder(w, options).decl(decl, value));
}

/** Encodes a run of fields (a procedure's arguments) from one object, named `name` in errors. */
export function encodeFields(
  w: XdrWriter,
  fields: readonly Field[],
  value: Json,
  name: string,
  options: JsonCodecOptions = {},
): void {
  within([name], () => new Encoder(w, options).fields(fields, value, name));
}

function isObject(v: Json): v is { [key: string]: Json } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

class Encoder {
  constructor(
    private readonly w: XdrWriter,
    private readonly options: JsonCodecOptions,
  ) {}

  decl(d: TypeDecl, v: Json): void {
    switch (d.kind) {
      case "struct":
        return this.struct(d, v);
      case "union":
        return this.union(d, v);
      case "enum":
        return this.w.int(enumValueOf(d, v));
      case "typedef":
        return this.field(d.field, v);
    }
  }

  ref(t: TypeRef, v: Json): void {
    switch (t.kind) {
      case "primitive":
        return writePrimitive(this.w, PRIMITIVE_OP[t.name], v);
      case "named":
        return this.decl(t.decl, v);
      case "inlineStruct":
        return this.struct(t.struct, v);
      case "inlineUnion":
        return this.union(t.union, v);
      case "inlineEnum":
        return this.w.int(enumValueOf(t.enumType, v));
    }
  }

  struct(s: StructType, v: Json): void {
    this.fields(s.fields, v, `struct ${s.name}`);
  }

  fields(fields: readonly Field[], v: Json, what: string): void {
    if (!isObject(v)) throw shapeError(`an object (${what})`, v);
    for (const f of fields) {
      if (!(f.name in v))
        throw new XdrError("value-out-of-range", 0, `missing field`, [f.name]);
      within([f.name], () => this.field(f, v[f.name]!));
    }
  }

  union(u: UnionType, v: Json): void {
    if (!isObject(v)) throw shapeError(`an object (union ${u.name})`, v);
    const disc = u.discriminant;
    const d = within([disc.name], () => {
      const d = discriminantFromJson(u, v[disc.name] ?? null);
      if (primitiveOf(disc.type) === "bool") this.w.bool(d !== 0);
      else if (primitiveOf(disc.type) === "unsigned int") this.w.uint(d);
      else this.w.int(d);
      return d;
    });
    const arm = u.arms.find((a) => a.cases.some((c) => c.value === d));
    const field = arm ? arm.field : u.defaultArm;
    if (field === undefined)
      throw new XdrError(
        "bad-discriminant",
        0,
        `invalid discriminant ${d} for ${u.name}`,
        [disc.name],
      );
    if (field === null) return;
    if (!(field.name in v))
      throw new XdrError("value-out-of-range", 0, `missing arm`, [field.name]);
    within([field.name], () => this.field(field, v[field.name]!));
  }

  field(f: Field, v: Json): void {
    const w = this.w;
    switch (f.shape) {
      case "scalar":
        return this.ref(f.type, v);
      case "optional":
        w.presence(v !== null);
        if (v !== null) this.ref(f.type, v);
        return;
      case "fixedArray":
        if (!Array.isArray(v) || v.length !== f.size.value)
          throw shapeError(`an array of ${f.size.value}`, v);
        v.forEach((x, i) => within([i], () => this.ref(f.type, x)));
        return;
      case "varArray":
        if (!Array.isArray(v)) throw shapeError("an array", v);
        w.count(v.length, f.max?.value ?? MAX_UINT32);
        v.forEach((x, i) => within([i], () => this.ref(f.type, x)));
        return;
      case "fixedOpaque":
        return w.fixedOpaque(jsonToBytes(v, this.options), f.size.value);
      case "varOpaque":
        return w.varOpaque(
          jsonToBytes(v, this.options),
          f.max?.value ?? MAX_UINT32,
        );
      case "string":
        if (typeof v !== "string") throw shapeError("a string", v);
        return w.string(v, f.max?.value ?? MAX_UINT32);
    }
  }
}
