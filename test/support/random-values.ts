// Seeded random values for any XDR type of a resolved model, respecting declared maxima and
// the C ranges rpcgen's types have (char, short…), so C and TypeScript must agree on them.
import type {
  Field,
  PrimitiveName,
  TypeDecl,
  TypeRef,
  UnionType,
} from "../../src/model/index.js";
import { Rng } from "./prng.js";

export { Rng };

const STRING_CHARS = [
  "a",
  "b",
  "z",
  "0",
  "_",
  " ",
  "é",
  "€",
  "\u{1F600}",
  "/",
  "%",
];
const MAX_ITEMS = 3;
const MAX_DEPTH = 4;

export function randomValue(rng: Rng, decl: TypeDecl, depth = 0): unknown {
  switch (decl.kind) {
    case "struct":
      return Object.fromEntries(
        decl.fields.map((f) => [f.name, randomField(rng, f, depth + 1)]),
      );
    case "union":
      return randomUnion(rng, decl, depth + 1);
    case "enum":
      return rng.pick(decl.members).value;
    case "typedef":
      return randomField(rng, decl.field, depth);
  }
}

function randomUnion(rng: Rng, u: UnionType, depth: number): unknown {
  const choices = u.arms.length + (u.defaultArm !== undefined ? 1 : 0);
  const k = rng.int(0, choices - 1);
  const d = u.discriminant;
  const closed = closedValues(d.type);
  const isBool = closed !== null && closed.length === 2 && isBoolRef(d.type);
  const disc = (value: number) => (isBool ? value !== 0 : value);
  const used = new Set(u.arms.flatMap((a) => a.cases.map((c) => c.value)));
  const rest = closed?.filter((v) => !used.has(v)) ?? null;
  if (k < u.arms.length || (rest !== null && rest.length === 0)) {
    const arm = u.arms[Math.min(k, u.arms.length - 1)]!;
    const value = rng.pick(arm.cases).value;
    return arm.field
      ? {
          [d.name]: disc(value),
          [arm.field.name]: randomField(rng, arm.field, depth),
        }
      : { [d.name]: disc(value) };
  }
  // Default arm: a discriminant value no case uses. Over an enum or bool it is one of the
  // remaining values; over an int it is wrapped as the runtime's DefaultCase.
  let v: number | boolean | { default: number };
  if (rest !== null) v = disc(rng.pick(rest));
  else {
    let n = rng.int(0, 1000);
    while (used.has(n)) n++;
    v = { default: n };
  }
  return u.defaultArm
    ? {
        [d.name]: v,
        [u.defaultArm.name]: randomField(rng, u.defaultArm, depth),
      }
    : { [d.name]: v };
}

/** The values an enum or bool discriminant can take; null for ints. Looks through typedefs. */
function closedValues(t: TypeRef): number[] | null {
  if (t.kind === "primitive") return t.name === "bool" ? [0, 1] : null;
  if (t.kind === "inlineEnum") return t.enumType.members.map((m) => m.value);
  if (t.kind !== "named") return null;
  if (t.decl.kind === "enum") return t.decl.members.map((m) => m.value);
  if (t.decl.kind === "typedef" && t.decl.field.shape === "scalar")
    return closedValues(t.decl.field.type);
  return null;
}

function isBoolRef(t: TypeRef): boolean {
  if (t.kind === "primitive") return t.name === "bool";
  return (
    t.kind === "named" &&
    t.decl.kind === "typedef" &&
    t.decl.field.shape === "scalar" &&
    isBoolRef(t.decl.field.type)
  );
}

function randomString(rng: Rng, max: number): string {
  // Lengths are in UTF-8 bytes; build up to the limit without exceeding it. No NUL: C strings.
  const target = rng.int(0, Math.min(max, 12));
  let s = "";
  let bytes = 0;
  while (bytes < target) {
    const c = rng.pick(STRING_CHARS);
    const n = Buffer.byteLength(c);
    if (bytes + n > max) break;
    s += c;
    bytes += n;
  }
  return s;
}

function randomBytes(rng: Rng, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => rng.int(0, 255));
}

function randomField(rng: Rng, f: Field, depth: number): unknown {
  const max = (m: { value: number } | null) =>
    m === null ? 0xffffffff : m.value;
  switch (f.shape) {
    case "scalar":
      return randomRef(rng, f.type, depth);
    case "optional":
      return depth > MAX_DEPTH || rng.next() < 0.4
        ? null
        : randomRef(rng, f.type, depth + 1);
    case "fixedArray":
      return Array.from({ length: f.size.value }, () =>
        randomRef(rng, f.type, depth),
      );
    case "varArray": {
      const n =
        depth > MAX_DEPTH ? 0 : rng.int(0, Math.min(max(f.max), MAX_ITEMS));
      return Array.from({ length: n }, () => randomRef(rng, f.type, depth + 1));
    }
    case "fixedOpaque":
      return randomBytes(rng, f.size.value);
    case "varOpaque":
      return randomBytes(rng, rng.int(0, Math.min(max(f.max), 9)));
    case "string":
      return randomString(rng, max(f.max));
  }
}

function randomRef(rng: Rng, t: TypeRef, depth: number): unknown {
  switch (t.kind) {
    case "primitive":
      return randomPrimitive(rng, t.name);
    case "named":
      return randomValue(rng, t.decl, depth);
    case "inlineStruct":
      return randomValue(rng, t.struct, depth);
    case "inlineUnion":
      return randomValue(rng, t.union, depth);
    case "inlineEnum":
      return randomValue(rng, t.enumType, depth);
  }
}

function randomPrimitive(rng: Rng, name: PrimitiveName): unknown {
  switch (name) {
    case "int":
    case "long":
      return rng.uint32() | 0;
    case "unsigned int":
    case "unsigned long":
      return rng.uint32();
    case "hyper":
      return BigInt.asIntN(
        64,
        (BigInt(rng.uint32()) << 32n) | BigInt(rng.uint32()),
      );
    case "unsigned hyper":
      return (BigInt(rng.uint32()) << 32n) | BigInt(rng.uint32());
    case "float":
      return Math.fround((rng.next() - 0.5) * 1e6);
    case "double":
    case "quadruple":
      return (rng.next() - 0.5) * 1e12;
    case "bool":
      return rng.next() < 0.5;
    case "char":
      return rng.int(-128, 127);
    case "unsigned char":
      return rng.int(0, 255);
    case "short":
      return rng.int(-32768, 32767);
    case "unsigned short":
      return rng.int(0, 65535);
  }
}
