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

/**
 * The most bytes a value of a type can take on the wire, or null when nothing bounds it (`<>`
 * without a maximum, or recursion through an optional member). For the protocol reference.
 */
export function maxWireSizeOfDecl(d: TypeDecl): number | null {
  return maxOfDecl(d, new Set());
}

function maxOfDecl(d: TypeDecl, open: Set<TypeDecl>): number | null {
  if (open.has(d)) return null; // recursive: a list can be as long as the message
  open.add(d);
  let n: number | null;
  switch (d.kind) {
    case "enum":
      n = 4;
      break;
    case "typedef":
      n = maxOfField(d.field, open);
      break;
    case "struct":
      n = sumOrNull(d.fields.map((f) => maxOfField(f, open)));
      break;
    case "union":
      n = maxOfUnion(d, open);
      break;
  }
  open.delete(d);
  return n;
}

function maxOfRef(t: TypeRef, open: Set<TypeDecl>): number | null {
  switch (t.kind) {
    case "primitive":
      return minWireSizeOfRef(t);
    case "named":
      return maxOfDecl(t.decl, open);
    case "inlineStruct":
      return sumOrNull(t.struct.fields.map((f) => maxOfField(f, open)));
    case "inlineUnion":
      return maxOfUnion(t.union, open);
    case "inlineEnum":
      return 4;
  }
}

function maxOfField(f: Field, open: Set<TypeDecl>): number | null {
  const pad = (n: number) => (n + 3) & ~3;
  switch (f.shape) {
    case "scalar":
      return maxOfRef(f.type, open);
    case "optional": {
      const inner = maxOfRef(f.type, open);
      return inner === null ? null : 4 + inner;
    }
    case "fixedArray": {
      const inner = maxOfRef(f.type, open);
      return inner === null ? null : f.size.value * inner;
    }
    case "varArray": {
      const inner = maxOfRef(f.type, open);
      return inner === null || f.max === null ? null : 4 + f.max.value * inner;
    }
    case "fixedOpaque":
      return pad(f.size.value);
    case "varOpaque":
    case "string":
      return f.max === null ? null : 4 + pad(f.max.value);
  }
}

function maxOfUnion(u: UnionType, open: Set<TypeDecl>): number | null {
  const arms = [
    ...u.arms.map((a) => a.field),
    ...(u.defaultArm === undefined ? [] : [u.defaultArm]),
  ];
  const sizes = arms.map((f) => (f === null ? 0 : maxOfField(f, open)));
  if (sizes.includes(null)) return null;
  return 4 + Math.max(0, ...(sizes as number[]));
}

function sumOrNull(sizes: readonly (number | null)[]): number | null {
  let total = 0;
  for (const s of sizes) {
    if (s === null) return null;
    total += s;
  }
  return total;
}
