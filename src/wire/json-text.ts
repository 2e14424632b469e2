/**
 * The trace's fast path: XDR bytes straight to JSON text, with one decoder compiled per type
 * from the model (closures made once, reused for every message), instead of interpreting the
 * model into objects and then stringifying them.
 *
 * The text is exactly `JSON.stringify(decodeDecl(r, decl, options))` (json-codec.ts) for every
 * input the interpreter accepts. On bad bytes a compiled decoder just throws; its caller then
 * decodes the message again with the interpreter, whose error carries the field path — bad
 * messages are rare, and one implementation of the error paths is enough.
 */
import type { XdrReader } from "virt-rpcgen-runtime/xdr";
import type {
  EnumType,
  Field,
  PrimitiveName,
  TypeDecl,
  TypeRef,
  UnionType,
} from "../model/index.js";
import { minWireSizeOfRef } from "../model/wire-size.js";
import {
  discriminantToJson,
  primitiveOf,
  readPrimitive,
  type JsonCodecOptions,
} from "./json-codec.js";

/** Reads one value and returns it as JSON text. */
export type TextDecoder = (r: XdrReader) => string;

const MAX_UINT32 = 0xffffffff;
const TWO_32 = 4294967296;
/** |hi| below this: hi * 2^32 + lo is exact in a double (below 2^53). */
const SAFE_HI = 0x200000;

/** Per-type decoders of one options setting, made on first use. */
export class JsonTextCompiler {
  private readonly decls = new Map<TypeDecl, TextDecoder>();
  private readonly hex: boolean;

  constructor(options: JsonCodecOptions = {}) {
    this.hex = options.bytes === "hex";
  }

  decl(d: TypeDecl): TextDecoder {
    const known = this.decls.get(d);
    if (known) return known;
    // Recursive types reach themselves while being compiled: they get a forwarder first.
    this.decls.set(d, (r) => compiled(r));
    const compiled = this.compileDecl(d);
    this.decls.set(d, compiled);
    return compiled;
  }

  private compileDecl(d: TypeDecl): TextDecoder {
    switch (d.kind) {
      case "struct":
        return this.fields(d.fields);
      case "union":
        return this.union(d);
      case "enum":
        return enumText(d);
      case "typedef":
        return this.field(d.field);
    }
  }

  /** A run of fields as one object. */
  fields(fields: readonly Field[]): TextDecoder {
    if (fields.length === 0) return () => "{}";
    const parts = fields.map((f) => this.field(f));
    // Keys are .x identifiers (no escaping needed, but stringify keeps it exact).
    const keys = fields.map(
      (f, i) => (i === 0 ? "{" : ",") + JSON.stringify(f.name) + ":",
    );
    if (parts.length === 1) {
      const [k0] = keys as [string];
      const [p0] = parts as [TextDecoder];
      return (r) => k0 + p0(r) + "}";
    }
    return (r) => {
      let s = "";
      for (let i = 0; i < parts.length; i++) s += keys[i]! + parts[i]!(r);
      return s + "}";
    };
  }

  private union(u: UnionType): TextDecoder {
    const op = primitiveOf(u.discriminant.type) ?? "int";
    const discKey = "{" + JSON.stringify(u.discriminant.name) + ":";
    const arms = new Map<number, string | TextDecoder | null>();
    const armOf = (field: Field | null, d: number, label?: string) => {
      const head =
        discKey + JSON.stringify(discriminantToJson(u, d, label) ?? null);
      if (field === null) return head + "}";
      const body = this.field(field);
      // An arm named like the discriminant replaces its value (as in an object).
      const key =
        field.name === u.discriminant.name
          ? discKey
          : head + "," + JSON.stringify(field.name) + ":";
      return (r: XdrReader) => key + body(r) + "}";
    };
    for (const a of u.arms)
      for (const c of a.cases)
        if (!arms.has(c.value))
          arms.set(c.value, armOf(a.field, c.value, c.text));
    const def = u.defaultArm;
    const readDisc: (r: XdrReader) => number =
      op === "bool"
        ? (r) => (r.bool() ? 1 : 0)
        : op === "unsigned int" ||
            op === "unsigned char" ||
            op === "unsigned short" ||
            op === "unsigned long"
          ? (r) => r.uint()
          : (r) => r.int();
    return (r) => {
      const d = readDisc(r);
      let arm = arms.get(d);
      if (arm === undefined) {
        if (def === undefined) throw new Error("bad discriminant");
        // The default arm's text depends on the value: made per value seen (bounded by use).
        arm = armOf(def, d);
        if (arms.size < 1024) arms.set(d, arm);
      }
      return typeof arm === "string" ? arm : arm!(r);
    };
  }

  private ref(t: TypeRef): TextDecoder {
    switch (t.kind) {
      case "primitive":
        return primitiveText(t.name);
      case "named":
        return this.decl(t.decl);
      case "inlineStruct":
        return this.fields(t.struct.fields);
      case "inlineUnion":
        return this.union(t.union);
      case "inlineEnum":
        return enumText(t.enumType);
    }
  }

  private items(item: TextDecoder, r: XdrReader, n: number): string {
    if (n === 0) return "[]";
    let s = "[" + item(r);
    for (let i = 1; i < n; i++) s += "," + item(r);
    return s + "]";
  }

  private field(f: Field): TextDecoder {
    const hex = this.hex;
    switch (f.shape) {
      case "scalar":
        return this.ref(f.type);
      case "optional": {
        const item = this.ref(f.type);
        return (r) => (r.presence() ? item(r) : "null");
      }
      case "fixedArray": {
        const item = this.ref(f.type);
        const n = f.size.value;
        return (r) => this.items(item, r, n);
      }
      case "varArray": {
        const item = this.ref(f.type);
        const max = f.max?.value ?? MAX_UINT32;
        const min = minWireSizeOfRef(f.type);
        return (r) => this.items(item, r, r.count(max, min));
      }
      case "fixedOpaque": {
        const n = f.size.value;
        return (r) => bytesText(r.fixedOpaqueView(n), hex);
      }
      case "varOpaque": {
        const max = f.max?.value ?? MAX_UINT32;
        return (r) => bytesText(r.varOpaqueView(max), hex);
      }
      case "string": {
        const max = f.max?.value ?? MAX_UINT32;
        return (r) => JSON.stringify(r.string(max));
      }
    }
  }
}

function enumText(e: EnumType): TextDecoder {
  const names = new Map<number, string>();
  for (const m of e.members)
    if (!names.has(m.value)) names.set(m.value, JSON.stringify(m.name));
  return (r) => {
    const name = names.get(r.int());
    if (name === undefined) throw new Error("bad enum");
    return name;
  };
}

function primitiveText(p: PrimitiveName): TextDecoder {
  switch (p) {
    case "int":
    case "char":
    case "short":
    case "long":
      return (r) => String(r.int());
    case "unsigned int":
    case "unsigned char":
    case "unsigned short":
    case "unsigned long":
      return (r) => String(r.uint());
    case "bool":
      return (r) => (r.bool() ? "true" : "false");
    // Hypers are decimal strings; doubles are exact below 2^53, bigints are slow.
    case "hyper":
      return (r) => {
        r.need(8);
        const hi = r.int();
        const lo = r.uint();
        if (hi < SAFE_HI && hi >= -SAFE_HI) return `"${hi * TWO_32 + lo}"`;
        return `"${(BigInt(hi) * BigInt(TWO_32) + BigInt(lo)).toString()}"`;
      };
    case "unsigned hyper":
      return (r) => {
        r.need(8);
        const hi = r.uint();
        const lo = r.uint();
        if (hi < SAFE_HI) return `"${hi * TWO_32 + lo}"`;
        return `"${(BigInt(hi) * BigInt(TWO_32) + BigInt(lo)).toString()}"`;
      };
    case "float":
    case "double":
    case "quadruple":
      return (r) =>
        JSON.stringify(readPrimitive(r, p === "float" ? "float" : "double"));
  }
}

const BASE64 =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Opaque data as a quoted string: short data (UUIDs) by hand, the rest by Buffer. */
function bytesText(b: Uint8Array, hex: boolean): string {
  if (hex || b.length > 48)
    return `"${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString(hex ? "hex" : "base64")}"`;
  let s = '"';
  const n = b.length;
  let i = 0;
  for (; i + 3 <= n; i += 3) {
    const v = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
    s +=
      BASE64[v >>> 18]! +
      BASE64[(v >>> 12) & 63]! +
      BASE64[(v >>> 6) & 63]! +
      BASE64[v & 63]!;
  }
  if (n - i === 1) {
    const v = b[i]! << 16;
    s += BASE64[v >>> 18]! + BASE64[(v >>> 12) & 63]! + "==";
  } else if (n - i === 2) {
    const v = (b[i]! << 16) | (b[i + 1]! << 8);
    s +=
      BASE64[v >>> 18]! +
      BASE64[(v >>> 12) & 63]! +
      BASE64[(v >>> 6) & 63]! +
      "=";
  }
  return s + '"';
}
