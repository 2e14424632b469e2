/**
 * The `*-structs` ABI listing, byte-for-byte what libvirt's check-remote-protocol.py prints
 * from pdwtags' view of the rpcgen-compiled object.
 *
 * ```
 * struct remote_domain_migrate_start_post_copy_args {      struct remote_domain_migrate_start_post_copy_args {
 *     remote_nonnull_domain dom;                     →             remote_nonnull_domain      dom;
 *     unsigned int flags;                                          u_int                      flags;
 * };                                                       };
 * ```
 * What makes it match: rpcgen's C mapping (u_int, int64_t, `char *` strings, `{ x_len; x_val }`
 * for variable arrays, unions as a struct holding `<name>_u`), pahole's column layout (the type
 * padded to 26 columns at the first level, 8 fewer per nesting level, then one space), the
 * order of the object's debug info (types the file uses from an imported protocol first, then
 * the file's own, in declaration order), and the script's filter on name prefixes.
 */
import type {
  Field,
  ProtocolModel,
  TypeDecl,
  TypeRef,
  UnionType,
  StructType,
  EnumType,
} from "../model/types.js";

/** check-remote-protocol.py's filter: `^(struct|enum)\s+(remote_|qemu_|lxc_|admin_|keepalive|vir(Net|LockSpace|LXCMonitor))`. */
export const LIBVIRT_STRUCTS_FILTER =
  /^(remote_|qemu_|lxc_|admin_|keepalive|vir(Net|LockSpace|LXCMonitor))/;

export interface StructsOptions {
  /** Which type names are listed (default: libvirt's filter). */
  readonly filter?: RegExp;
}

const C_PRIMITIVES: Record<string, string> = {
  int: "int",
  "unsigned int": "u_int",
  hyper: "int64_t",
  "unsigned hyper": "uint64_t",
  float: "float",
  double: "double",
  bool: "bool_t",
  char: "char",
  "unsigned char": "u_char",
  // DWARF names the base types, not the C spelling: `short` is "short int".
  short: "short int",
  "unsigned short": "u_short",
  long: "long int",
  "unsigned long": "u_long",
};

const TYPE_COLUMN = 26;
const TAB = "        ";

export function emitStructsListing(
  p: ProtocolModel,
  options: StructsOptions = {},
): string {
  const filter = options.filter ?? LIBVIRT_STRUCTS_FILTER;
  const blocks = ["/* -*- c -*- */"];
  for (const decl of [...importedTypesUsed(p), ...p.types]) {
    if (!filter.test(decl.name)) continue;
    if (decl.kind === "struct") blocks.push(structBlock(decl));
    else if (decl.kind === "union") blocks.push(unionBlock(decl));
    else if (decl.kind === "enum") blocks.push(enumBlock(decl));
  }
  return blocks.join("\n") + "\n";
}

function structBlock(s: StructType): string {
  return [
    `struct ${s.name} {`,
    ...s.fields.flatMap((f) => fieldLines(f, 1, s.name)),
    "};",
  ].join("\n");
}

function unionBlock(u: UnionType): string {
  return [`struct ${u.name} {`, ...unionBody(u, 1, `${u.name}_u`), "};"].join(
    "\n",
  );
}

function unionBody(u: UnionType, depth: number, member: string): string[] {
  const arms = [...u.arms.map((a) => a.field), u.defaultArm ?? null].filter(
    (f): f is Field => f !== null,
  );
  return [
    ...fieldLines(u.discriminant, depth),
    indent(depth) + "union {",
    ...arms.flatMap((f) => fieldLines(f, depth + 1)),
    `${indent(depth)}} ${member};`,
  ];
}

function enumBlock(e: EnumType): string {
  return [
    `enum ${e.name} {`,
    ...e.members.map((m) => `${TAB}${m.name} = ${m.value},`),
    "};",
  ].join("\n");
}

function indent(depth: number): string {
  return TAB.repeat(depth);
}

function member(depth: number, type: string, name: string): string {
  return `${indent(depth)}${type.padEnd(TYPE_COLUMN - 8 * (depth - 1))} ${name};`;
}

function fieldLines(f: Field, depth: number, enclosing?: string): string[] {
  switch (f.shape) {
    case "scalar":
      return typeLines(f.type, depth, f.name, "");
    case "optional": {
      // rpcgen declares a pointer to the struct being defined as `struct X *` (the typedef
      // does not exist yet at that point in the header).
      const self = f.type.kind === "named" && f.type.name === enclosing;
      return [
        member(depth, `${self ? "struct " : ""}${cType(f.type)} *`, f.name),
      ];
    }
    case "fixedArray":
      return typeLines(f.type, depth, f.name, `[${f.size.value}]`);
    case "varArray":
      return counted(depth, f.name, cType(f.type));
    case "fixedOpaque":
      return [member(depth, "char", `${f.name}[${f.size.value}]`)];
    case "varOpaque":
      return counted(depth, f.name, "char");
    case "string":
      return [member(depth, "char *", f.name)];
  }
}

/** rpcgen turns `T x<N>` into `struct { u_int x_len; T *x_val; } x;`. */
function counted(depth: number, name: string, elem: string): string[] {
  return [
    indent(depth) + "struct {",
    member(depth + 1, "u_int", `${name}_len`),
    member(depth + 1, `${elem} *`, `${name}_val`),
    `${indent(depth)}} ${name};`,
  ];
}

/** A member of type `t`; anonymous inline bodies are printed in place, as pahole does. */
function typeLines(
  t: TypeRef,
  depth: number,
  name: string,
  suffix: string,
): string[] {
  if (t.kind === "inlineStruct") {
    return [
      indent(depth) + "struct {",
      ...t.struct.fields.flatMap((f) => fieldLines(f, depth + 1)),
      `${indent(depth)}} ${name}${suffix};`,
    ];
  }
  if (t.kind === "inlineUnion") {
    return [
      indent(depth) + "struct {",
      ...unionBody(t.union, depth + 1, `${name}_u`),
      `${indent(depth)}} ${name}${suffix};`,
    ];
  }
  if (t.kind === "inlineEnum") {
    return [
      indent(depth) + "enum {",
      ...t.enumType.members.map(
        (m) => `${indent(depth + 1)}${m.name} = ${m.value},`,
      ),
      `${indent(depth)}} ${name}${suffix};`,
    ];
  }
  return [member(depth, cType(t), name + suffix)];
}

function cType(t: TypeRef): string {
  switch (t.kind) {
    case "primitive":
      return C_PRIMITIVES[t.name]!;
    case "named":
      return t.name;
    default:
      return "struct"; // anonymous bodies as array elements do not occur in rpcgen-compatible input
  }
}

/** Types from imported protocols that this protocol's types reach, in their declaration order. */
function importedTypesUsed(p: ProtocolModel): TypeDecl[] {
  const used = new Set<TypeDecl>();
  // An explicit work list, not recursion: a long chain of types must not exhaust the stack.
  const visited = new Set<TypeDecl>();
  const pending: (TypeRef | TypeDecl)[] = [...p.types];
  const pushField = (f: Field | null | undefined): void => {
    if (f && "type" in f) pending.push(f.type);
  };
  const pushUnion = (u: UnionType): void => {
    pushField(u.discriminant);
    u.arms.forEach((a) => pushField(a.field));
    pushField(u.defaultArm);
  };
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    switch (item.kind) {
      case "named":
        pending.push(item.decl);
        break;
      case "inlineStruct":
        item.struct.fields.forEach(pushField);
        break;
      case "inlineUnion":
        pushUnion(item.union);
        break;
      case "struct":
      case "union":
      case "typedef":
      case "enum":
        if (visited.has(item)) break;
        visited.add(item);
        if (p.ownerOf(item) !== p) used.add(item);
        if (item.kind === "struct") item.fields.forEach(pushField);
        else if (item.kind === "union") pushUnion(item);
        else if (item.kind === "typedef") pushField(item.field);
        break;
    }
  }
  const order: TypeDecl[] = [];
  const walkImports = (imp: ProtocolModel, seen: Set<ProtocolModel>): void => {
    if (seen.has(imp)) return;
    seen.add(imp);
    imp.imports.forEach((i) => walkImports(i, seen));
    for (const d of imp.types) if (used.has(d)) order.push(d);
  };
  const seen = new Set<ProtocolModel>();
  p.imports.forEach((i) => walkImports(i, seen));
  return order;
}
