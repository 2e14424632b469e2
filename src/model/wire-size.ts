/**
 * The fewest bytes a value of a type can take on the wire. Decoders check
 * `count * minWireSize <= bytes left` before allocating an array, so a forged count cannot make
 * them allocate more than the message could possibly hold.
 */
import type { Field, TypeDecl, TypeRef, UnionType } from "./types.js";

const cache = new WeakMap<object, number>();

export function minWireSizeOfRef(t: TypeRef): number {
  switch (t.kind) {
    case "primitive":
      return t.name === "hyper" ||
        t.name === "unsigned hyper" ||
        t.name === "double"
        ? 8
        : 4;
    case "named":
      return minWireSizeOfDecl(t.decl);
    case "inlineStruct":
      return t.struct.fields.reduce((n, f) => n + minWireSizeOfField(f), 0);
    case "inlineUnion":
      return minOfUnion(t.union);
    case "inlineEnum":
      return 4;
  }
}

export function minWireSizeOfField(f: Field): number {
  switch (f.shape) {
    case "scalar":
      return minWireSizeOfRef(f.type);
    case "optional":
    case "varArray":
    case "varOpaque":
    case "string":
      return 4;
    case "fixedArray":
      return f.size.value * minWireSizeOfRef(f.type);
    case "fixedOpaque":
      return (f.size.value + 3) & ~3;
  }
}

export function minWireSizeOfDecl(d: TypeDecl): number {
  const hit = cache.get(d);
  if (hit !== undefined) return hit;
  // Guard against recursion through non-optional members (rejected elsewhere, but never loop).
  cache.set(d, 0);
  let n: number;
  switch (d.kind) {
    case "enum":
      n = 4;
      break;
    case "typedef":
      n = minWireSizeOfField(d.field);
      break;
    case "struct":
      n = d.fields.reduce((s, f) => s + minWireSizeOfField(f), 0);
      break;
    case "union":
      n = minOfUnion(d);
      break;
  }
  cache.set(d, n);
  return n;
}

function minOfUnion(u: UnionType): number {
  const arms = [
    ...u.arms.map((a) => a.field),
    ...(u.defaultArm === undefined ? [] : [u.defaultArm]),
  ];
  const armMin = Math.min(
    ...arms.map((f) => (f === null ? 0 : minWireSizeOfField(f))),
  );
  return 4 + (Number.isFinite(armMin) ? armMin : 0);
}
