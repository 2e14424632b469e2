/**
 * TypeScript spellings of .x names, decided in one place. Types keep their .x names
 * (`remote_nonnull_domain`) so a reader can grep the protocol; codecs take rpcgen's
 * `xdr_` prefix (`xdr_remote_nonnull_domain`), which libvirt developers already know.
 */
import type { ProtocolModel } from "../model/types.js";

const IDENT = /^[A-Za-z_$][\w$]*$/;

/**
 * The one list of words generated code must not use as it is, by what they cannot name.
 * JavaScript's reserved words (and those of strict mode and modules) name no binding at all.
 */
const RESERVED_WORDS = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally for " +
    "function if import in instanceof new null return super switch this throw true try typeof var void while with " +
    // Strict mode and ES modules (generated files are modules).
    "implements interface let package private protected public static yield await arguments eval"
  ).split(" "),
);

/** TypeScript's predefined type names and contextual keywords: no declared type takes them. */
const TYPE_WORDS = new Set(
  (
    "as any boolean constructor declare get module require number set string symbol type from of bigint " +
    "unknown never object undefined " +
    // Globals a generated declaration must not shadow.
    "Array Object String Number Boolean Uint8Array Map Set Promise Error Symbol BigInt Date RegExp"
  ).split(" "),
);

/** Keys every object inherits: a class member or a literal key by these names changes behaviour. */
export const OBJECT_PROTOTYPE_KEYS: ReadonlySet<string> = new Set(
  Object.getOwnPropertyNames(Object.prototype),
);

/** Whether `name` can be a parameter or local variable as it is. */
export function isReservedWord(name: string): boolean {
  return RESERVED_WORDS.has(name);
}

/** A name safe to declare at module scope. */
export function tsTypeName(xName: string): string {
  return RESERVED_WORDS.has(xName) || TYPE_WORDS.has(xName)
    ? `${xName}_`
    : xName;
}

/** A parameter or local binding: `${name}_` when `name` is a reserved word, `taken` or no identifier. */
export function bindingName(
  name: string,
  taken: ReadonlySet<string> = new Set(),
): string {
  return RESERVED_WORDS.has(name) || taken.has(name) || !IDENT.test(name)
    ? `${name.replace(/\W/g, "_")}_`
    : name;
}

/**
 * A class member named after a procedure: `${name}_` when the class (or its base, `inherited`)
 * has a member by that name, or Object.prototype does (`constructor`, `toString`…).
 */
export function memberName(
  name: string,
  inherited: ReadonlySet<string>,
): string {
  return inherited.has(name) || OBJECT_PROTOTYPE_KEYS.has(name)
    ? `${name}_`
    : name;
}

export function codecName(xName: string): string {
  return `xdr_${xName}`;
}

/** A local variable holding a decoded field, never clashing with `r`, `w`, `v`, `f`, `e`. */
export function localName(field: string): string {
  return `_${field}`;
}

/**
 * The prefix of a protocol's program-level declarations (server tables, ACL table, client
 * class): `remote_procedure` → `remote`/`Remote`, `virLockSpaceProtocolProcedure` →
 * `virLockSpaceProtocol`/`VirLockSpaceProtocol`; protocols without a procedure enum are named
 * after their file (`virnetprotocol` → `virnet`).
 */
export function programPrefix(p: ProtocolModel): {
  value: string;
  type: string;
} {
  const base = p.structPrefix ?? p.name.replace(/_?protocol$/, "");
  const camel = base
    .split("_")
    .filter(Boolean)
    .map((w, i) => (i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1)))
    .join("");
  return {
    value: camel.charAt(0).toLowerCase() + camel.slice(1),
    type: camel.charAt(0).toUpperCase() + camel.slice(1),
  };
}

/** A property key as written in an object type or literal. */
export function propKey(name: string): string {
  return IDENT.test(name) ? name : JSON.stringify(name);
}

/**
 * A property key as written in an object literal: `__proto__: x` there would set the object's
 * prototype instead of making a property, so that key is computed (`["__proto__"]: x`).
 */
export function literalKey(name: string): string {
  return name === "__proto__" ? `["__proto__"]` : propKey(name);
}

/** Property access expression. */
export function prop(obj: string, name: string): string {
  return IDENT.test(name)
    ? `${obj}.${name}`
    : `${obj}[${JSON.stringify(name)}]`;
}
