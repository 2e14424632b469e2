/**
 * Names a `.x` file may use without declaring them, because rpcgen passes them through to C
 * where libtirpc defines them: integer type names (rpcgen emits `xdr_<name>`, and libtirpc's
 * `xdr_uint32_t`, `xdr_u_long`, `xdr_quad_t`… fix their wire format), the `netobj`, `netbuf`
 * and `des_block` types, and the constants `TRUE` and `FALSE` from <rpc/types.h>.
 *
 * A file's own declaration of any of these names wins: they are looked up last.
 */
import type { SourceLocation } from "../parser/index.js";
import type { PrimitiveName, StructType, TypedefType } from "./types.js";

/**
 * C integer type names and the XDR primitive whose encoding libtirpc's `xdr_<name>` shares:
 * 8- and 16-bit types travel as 4-byte ints like `char` and `short` (xdr_int8_t, xdr_u_int16_t…),
 * 64-bit types as hypers (xdr_int64_t, xdr_quad_t, xdr_u_quad_t…).
 */
export const C_INTEGER_TYPES: ReadonlyMap<string, PrimitiveName> = new Map<
  string,
  PrimitiveName
>([
  ["int8_t", "char"],
  ["uint8_t", "unsigned char"],
  ["u_int8_t", "unsigned char"],
  ["u_char", "unsigned char"],
  ["int16_t", "short"],
  ["uint16_t", "unsigned short"],
  ["u_int16_t", "unsigned short"],
  ["u_short", "unsigned short"],
  ["int32_t", "int"],
  ["uint32_t", "unsigned int"],
  ["u_int32_t", "unsigned int"],
  ["u_int", "unsigned int"],
  ["u_long", "unsigned long"],
  ["int64_t", "hyper"],
  ["quad_t", "hyper"],
  ["uint64_t", "unsigned hyper"],
  ["u_int64_t", "unsigned hyper"],
  ["u_quad_t", "unsigned hyper"],
  // <rpc/types.h>: the numbers of RPC messages (rpcb_prot.x uses them).
  ["rpcprog_t", "unsigned int"],
  ["rpcvers_t", "unsigned int"],
  ["rpcproc_t", "unsigned int"],
  ["rpcprot_t", "unsigned int"],
  ["rpcport_t", "unsigned int"],
  ["rpc_inline_t", "int"],
  ["bool_t", "bool"],
  ["enum_t", "int"],
]);

/** `TRUE` and `FALSE` as <rpc/types.h> defines them (yp.x uses them as `bool` case labels). */
export const C_CONSTANTS: ReadonlyMap<string, number> = new Map([
  ["TRUE", 1],
  ["FALSE", 0],
]);

const builtinLoc = (name: string): SourceLocation => ({
  file: `<libtirpc ${name}>`,
  line: 0,
  col: 0,
  offset: 0,
});

/** libtirpc's MAX_NETOBJ_SZ: the bound `xdr_netobj` passes to `xdr_bytes`. */
export const MAX_NETOBJ_SZ = 1024;

/**
 * A fresh declaration of a libtirpc type, or undefined. Fresh per protocol, so each protocol
 * that uses one emits its own codec for it.
 */
export function libtirpcType(
  name: string,
): StructType | TypedefType | undefined {
  if (name === "netobj") {
    const loc = builtinLoc(name);
    // `struct netobj { u_int n_len; char *n_bytes; }` sent by xdr_bytes(…, MAX_NETOBJ_SZ).
    return {
      kind: "typedef",
      name,
      loc,
      field: {
        name,
        loc,
        hints: [],
        shape: "varOpaque",
        max: { value: MAX_NETOBJ_SZ, text: "MAX_NETOBJ_SZ" },
      },
    };
  }
  if (name === "des_block") {
    const loc = builtinLoc(name);
    // <rpc/auth.h>: xdr_des_block sends the 8-byte block as fixed opaque data.
    return {
      kind: "typedef",
      name,
      loc,
      field: {
        name,
        loc,
        hints: [],
        shape: "fixedOpaque",
        size: { value: 8, text: "8" },
      },
    };
  }
  if (name === "netbuf") {
    const loc = builtinLoc(name);
    // libtirpc's hand-written xdr_netbuf: u_int32 maxlen, then the bytes (xdr_bytes bounded
    // by that maxlen; the bound is not expressible in XDR, so it is not checked here).
    return {
      kind: "struct",
      name,
      loc,
      hints: [],
      fields: [
        {
          name: "maxlen",
          loc,
          hints: [],
          shape: "scalar",
          type: { kind: "primitive", name: "unsigned int" },
        },
        { name: "buf", loc, hints: [], shape: "varOpaque", max: null },
      ],
    };
  }
  return undefined;
}
