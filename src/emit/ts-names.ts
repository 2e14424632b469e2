/**
 * TypeScript spellings of .x names, decided in one place. Types keep their .x names
 * (`remote_nonnull_domain`) so a reader can grep the protocol; codecs take rpcgen's
 * `xdr_` prefix (`xdr_remote_nonnull_domain`), which libvirt developers already know.
 */
import type { ProtocolModel } from "../model/types.js";

/** Words that cannot name a type or a local binding in TypeScript. */
const RESERVED = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally for " +
    "function if import in instanceof new null return super switch this throw true try typeof var void while with " +
    "as implements interface let package private protected public static yield any boolean constructor declare get " +
    "module require number set string symbol type from of bigint unknown never object undefined " +
    // Globals a generated declaration must not shadow.
    "Array Object String Number Boolean Uint8Array Map Set Promise Error Symbol BigInt Date RegExp"
  ).split(" "),
);

/** A name safe to declare at module scope. */
export function tsTypeName(xName: string): string {
  return RESERVED.has(xName) ? `${xName}_` : xName;
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

const IDENT = /^[A-Za-z_$][\w$]*$/;

/** A property key as written in an object type or literal. */
export function propKey(name: string): string {
  return IDENT.test(name) ? name : JSON.stringify(name);
}

/** Property access expression. */
export function prop(obj: string, name: string): string {
  return IDENT.test(name)
    ? `${obj}.${name}`
    : `${obj}[${JSON.stringify(name)}]`;
}
