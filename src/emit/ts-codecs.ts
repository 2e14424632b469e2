/**
 * The codec module of one protocol: constants, enums, TypeScript types and one
 * `xdr_<name>: XdrCodec<name>` per XDR type, plus a name → codec map.
 *
 * ```
 * struct remote_domain_migrate_start_post_copy_args {       export interface remote_domain_migrate_start_post_copy_args {
 *     remote_nonnull_domain dom;                     →        dom: remote_nonnull_domain;
 *     unsigned int flags;                                      flags: number;
 * };                                                         }
 *                                                            export const xdr_remote_domain_migrate_start_post_copy_args: XdrCodec<…> =
 *                                                              { name: "…", encode(w, v) {…}, decode(r) {…} };
 * ```
 * Interfaces are ts-morph structures printed with its CodeBlockWriter (ts-interface.ts); codec
 * objects are printed as text in prettier's layout, so most chunks need no prettier pass
 * (chunks.ts); imports are the GeneratedFile's.
 */
import { printInterface, type PrintableInterface } from "./ts-interface.js";
import type {
  EnumType,
  Field,
  ProtocolModel,
  StructType,
  TypeDecl,
  TypeRef,
  TypedefType,
  UnionType,
} from "../model/types.js";
import { listTailOf, recursiveTypes } from "../model/type-graph.js";
import { rawChunk, stableChunk, type Chunk } from "./chunks.js";
import {
  decodeField,
  encodeField,
  tsTypeOfField,
  type BodyContext,
} from "./ts-codec-bodies.js";
import {
  codecName,
  literalKey,
  localName,
  prop,
  propKey,
  tsTypeName,
} from "./ts-names.js";
import { GeneratedFile } from "./generated-file.js";
import {
  exportConstObject,
  jsDoc,
  objectEntry,
  unionTypeAlias,
} from "./ts-text.js";
import { typeAlias } from "./ts-layout.js";
import { depthLimited, listCodecBodies } from "./ts-list-codec.js";
import { inlineBody } from "./ts-types.js";
import { generatedHeader } from "./generated-header.js";

export interface CodecEmitOptions {
  /** Module specifier of the runtime (default `virt-rpcgen-runtime`). */
  readonly runtimeImport: string;
  /** How another protocol's codec module is imported from this one. */
  readonly importPathOf: (protocol: ProtocolModel) => string;
}

export interface CodecModule {
  readonly header: string;
  readonly chunks: readonly Chunk[];
}

export function emitCodecModule(
  p: ProtocolModel,
  options: CodecEmitOptions,
): CodecModule {
  const all = [...p.types, ...inlineBodiesOf(p.types)];
  // Everything the module declares, known before any import is named: imports never shadow it.
  const file = new GeneratedFile(options.runtimeImport, [
    ...p.constants.map((c) => tsTypeName(c.name)),
    ...p.stringConstants.map((c) => tsTypeName(c.name)),
    ...all.flatMap((d) => [tsTypeName(d.name), codecName(d.name)]),
    "codecs",
  ]);
  // Other protocols' types and codecs keep their names here: no runtime import may take them.
  for (const owner of p.imports)
    for (const d of owner.types)
      file.declare(tsTypeName(d.name), codecName(d.name));
  const recursive = recursiveTypes(p.types);
  const body: Chunk[] = [
    ...constantChunks(p),
    ...all.flatMap((d) =>
      declChunks(d, p, bodyContext(p, file, options, recursive)),
    ),
    codecMapChunk(p, all),
  ];
  const owners = [...p.imports].sort((a, b) => a.name.localeCompare(b.name));
  const imports = file.imports(owners.map((o) => options.importPathOf(o)));
  // A protocol of constants alone imports nothing: no empty chunk (a blank line) either.
  const importChunks =
    imports.length > 0 ? [stableChunk(imports.join("\n"))] : [];
  return {
    header: generatedHeader(`${p.name}.x`),
    chunks: [...importChunks, ...body],
  };
}

/**
 * How one declaration's bodies name things in this module: the protocol's own types by their
 * names, other protocols' imported under theirs; loop variables numbered from 0 per declaration.
 */
function bodyContext(
  p: ProtocolModel,
  file: GeneratedFile,
  options: CodecEmitOptions,
  recursive: ReadonlySet<TypeDecl>,
): BodyContext {
  let counter = 0;
  return {
    recursive: (decl) => recursive.has(decl),
    use(decl, as) {
      const owner = p.ownerOf(decl);
      if (owner === p) return;
      const from = options.importPathOf(owner);
      if (as === "type") file.importDeclared(from, tsTypeName(decl.name), true);
      else file.importDeclared(from, codecName(decl.name));
    },
    inline(t) {
      // The resolver names inline bodies after their place (`outer_field`).
      return inlineBody(t).name;
    },
    fresh: () => counter++,
    runtime: (symbol) => file.runtime(symbol),
  };
}

/** The numeric constants (enum members go with their enum), then the string constants. */
function constantChunks(p: ProtocolModel): Chunk[] {
  const chunks: Chunk[] = [];
  const consts = p.constants.filter((c) => c.origin !== "enum");
  if (consts.length > 0)
    chunks.push(
      stableChunk(
        consts
          .map((c) =>
            [
              ...jsDoc(
                c.origin === "define" ? [`From \`#define ${c.name}\`.`] : [],
              ),
              `export const ${tsTypeName(c.name)} = ${c.value};`,
            ].join("\n"),
          )
          .join("\n"),
      ),
    );
  if (p.stringConstants.length > 0)
    chunks.push(
      stableChunk(
        p.stringConstants
          .map(
            (c) =>
              `export const ${tsTypeName(c.name)} = ${JSON.stringify(c.value)};`,
          )
          .join("\n"),
      ),
    );
  return chunks;
}

/** `export const codecs = { name: xdr_name, … };`, for tools that look codecs up by name. */
function codecMapChunk(p: ProtocolModel, all: readonly TypeDecl[]): Chunk {
  return stableChunk(
    [
      ...jsDoc([
        `Every codec of ${p.name}.x by XDR type name, for tools that look codecs up by name.`,
      ]),
      all.length === 0
        ? "export const codecs = {};"
        : [
            "export const codecs = {",
            ...all.map((d) =>
              objectEntry(literalKey(d.name), codecName(d.name), 1),
            ),
            "};",
          ].join("\n"),
    ].join("\n"),
  );
}

/**
 * The inline struct, union and enum bodies of `decls` (and of the bodies inside them), in the
 * order their codecs are declared: after the named types, each once.
 */
function inlineBodiesOf(decls: readonly TypeDecl[]): TypeDecl[] {
  const out: TypeDecl[] = [];
  const visitRef = (t: TypeRef) => {
    const body =
      t.kind === "inlineStruct"
        ? t.struct
        : t.kind === "inlineUnion"
          ? t.union
          : t.kind === "inlineEnum"
            ? t.enumType
            : null;
    if (body && !out.includes(body)) out.push(body);
  };
  const visitField = (f: Field | null | undefined) => {
    if (f && "type" in f) visitRef(f.type);
  };
  const visit = (d: TypeDecl) => {
    switch (d.kind) {
      case "struct":
        d.fields.forEach(visitField);
        break;
      case "union":
        visitField(d.discriminant);
        d.arms.forEach((a) => visitField(a.field));
        visitField(d.defaultArm);
        break;
      case "typedef":
        visitField(d.field);
        break;
      case "enum":
        break;
    }
  };
  decls.forEach(visit);
  for (let i = 0; i < out.length; i++) visit(out[i]!);
  return out;
}

/** Where a declaration comes from. No line number: adding a procedure must not touch other declarations. */
function where(p: ProtocolModel): string {
  return `${p.name}.x`;
}

function declChunks(d: TypeDecl, p: ProtocolModel, ctx: BodyContext): Chunk[] {
  switch (d.kind) {
    case "struct":
      return structChunks(d, p, ctx);
    case "union":
      return unionChunks(d, p, ctx);
    case "enum":
      return enumChunks(d, p, ctx);
    case "typedef":
      return typedefChunks(d, p, ctx);
  }
}

function codecChunk(
  ctx: BodyContext,
  name: string,
  typeName: string,
  encode: string[],
  decode: string[],
  recursive = false,
  irregular = false,
): Chunk {
  const body = recursive
    ? depthLimited({ encode, decode })
    : { encode, decode };
  const text = exportConstObject(
    codecName(name),
    `${ctx.runtime("XdrCodec")}<${typeName}>`,
    [
      `name: ${JSON.stringify(name)},`,
      `encode(w, v) {`,
      ...body.encode,
      `},`,
      `decode(r) {`,
      ...body.decode,
      `},`,
    ],
  );
  // Recursive types and list loops are rare (libvirt has none): prettier lays them out.
  return recursive || irregular ? rawChunk(text) : stableChunk(text);
}

/** try/catch that adds the failing member's name to an XdrError's path. */
function withFieldPath(
  ctx: BodyContext,
  fieldNames: readonly string[],
  perField: string[][],
  tail: string[],
): string[] {
  if (fieldNames.length === 0) return [...perField.flat(), ...tail];
  if (fieldNames.length === 1) {
    return [
      `try {`,
      ...perField[0]!,
      ...tail,
      `} catch (e) {`,
      `throw ${ctx.runtime("prependXdrPath")}(e, ${JSON.stringify(fieldNames[0])});`,
      `}`,
    ];
  }
  // The member being processed, as a string constant: as cheap to assign as an index.
  const steps = perField.flatMap((stmts, i) =>
    i === 0 ? stmts : [`f = ${JSON.stringify(fieldNames[i])};`, ...stmts],
  );
  return [
    `let f = ${JSON.stringify(fieldNames[0])};`,
    `try {`,
    ...steps,
    ...tail,
    `} catch (e) {`,
    `throw ${ctx.runtime("prependXdrPath")}(e, f);`,
    `}`,
  ];
}

function structChunks(
  s: StructType,
  p: ProtocolModel,
  ctx: BodyContext,
): Chunk[] {
  const typeName = tsTypeName(s.name);
  const names = s.fields.map((f) => f.name);
  const tail = listTailOf(s);
  const list = tail ? listCodecBodies(s, tail, ctx) : null;
  const encode =
    list?.encode ??
    withFieldPath(
      ctx,
      names,
      s.fields.map((f) => encodeField(f, prop("v", f.name), ctx)),
      [],
    );
  const decode =
    list?.decode ??
    withFieldPath(
      ctx,
      names,
      s.fields.map((f) => decodeField(f, localName(f.name), ctx)),
      s.fields.length === 0
        ? [`return {};`]
        : [
            `return {`,
            ...s.fields.map(
              (f) => `${literalKey(f.name)}: ${localName(f.name)},`,
            ),
            `};`,
          ],
    );
  const iface: PrintableInterface = {
    name: typeName,
    isExported: true,
    docs: [`\`struct ${s.name}\` (${where(p)})`],
    properties: s.fields.map((f) => ({
      name: propKey(f.name),
      type: tsTypeOfField(f, ctx),
      docs: fieldDocs(f),
    })),
  };
  const ifaceText =
    s.fields.length === 0
      ? `${jsDoc([`\`struct ${s.name}\` (${where(p)})`]).join("\n")}\nexport interface ${typeName} {}`
      : printInterface(iface).trimEnd();
  return [
    stableChunk(ifaceText),
    codecChunk(
      ctx,
      s.name,
      typeName,
      encode,
      decode,
      ctx.recursive(s),
      list !== null,
    ),
  ];
}

function fieldDocs(f: Field): string[] {
  const bits: string[] = [];
  const show = (v: { text: string; value: number }) =>
    v.text === String(v.value) ? v.text : `${v.text} (${v.value})`;
  if (
    (f.shape === "varArray" ||
      f.shape === "varOpaque" ||
      f.shape === "string") &&
    f.max
  )
    bits.push(`At most ${show(f.max)}.`);
  if (f.shape === "fixedArray" || f.shape === "fixedOpaque")
    bits.push(`Exactly ${show(f.size)}.`);
  return bits.length ? [bits.join(" ")] : [];
}

/**
 * A union's type and codec. Checking the discriminant narrows the type for every shape:
 *
 * ```
 * enum st { OK = 0, ERR = 1, BUSY = 2 };          export type res =
 * union res switch (st s) {                →       | { s: 0; v: number } // OK
 *   case OK: int v;                                | { s: 1 | 2 }; // default: ERR, BUSY
 *   default: void;
 * };
 * ```
 * A `default:` arm over an enum or bool stands for the values no case names, listed as such.
 * Over an int, the values it stands for cannot be written as a TypeScript type, so its
 * discriminant is wrapped (`{ d: { default: 7 } }`, runtime type `DefaultCase`): a plain
 * `number` there would match every case and stop `u.d === 1` from narrowing.
 * Unions without a `default:` arm print as they always did (libvirt's outputs do not move).
 */
function unionChunks(
  u: UnionType,
  p: ProtocolModel,
  ctx: BodyContext,
): Chunk[] {
  const typeName = tsTypeName(u.name);
  const disc = u.discriminant;
  const dKey = propKey(disc.name);
  const dLiteral = literalKey(disc.name);
  const kind = discriminantKind(disc.type);
  const isBool = kind.kind === "bool";
  const lit = (v: number) => (isBool ? String(v !== 0) : String(v));
  const discPath = JSON.stringify(disc.name);

  // Each arm's statements are wrapped so errors inside name the arm's member.
  const armEncode = (f: Field) =>
    withFieldPath(ctx, [f.name], [encodeField(f, prop("v", f.name), ctx)], []);
  const armDecode = (f: Field, discValue: string) =>
    withFieldPath(
      ctx,
      [f.name],
      [decodeField(f, localName(f.name), ctx)],
      [
        `return { ${dLiteral}: ${discValue}, ${literalKey(f.name)}: ${localName(f.name)} };`,
      ],
    );

  const { arms, openDefault } = unionArms(u, kind);
  const variants: { text: string; comment?: string }[] = [];
  const encodeCases: string[] = [];
  const decodeCases: string[] = [];
  for (const arm of arms) {
    const labels = arm.values.map(lit);
    const heads = [
      ...labels.slice(0, -1).map((l) => `case ${l}:`),
      `case ${labels[labels.length - 1]!}: {`,
    ];
    if (arm.field) {
      const f = arm.field;
      variants.push({
        text: `{ ${dKey}: ${labels.join(" | ")}; ${propKey(f.name)}: ${tsTypeOfField(f, ctx)} }`,
        comment: arm.comment,
      });
      encodeCases.push(...heads, ...armEncode(f), "break;", "}");
      decodeCases.push(...heads, ...armDecode(f, "d"), "}");
    } else {
      variants.push({
        text: `{ ${dKey}: ${labels.join(" | ")} }`,
        comment: arm.comment,
      });
      encodeCases.push(...labels.map((l) => `case ${l}:`), "break;");
      decodeCases.push(
        ...labels.map((l) => `case ${l}:`),
        `return { ${dLiteral}: d };`,
      );
    }
  }
  let discValue = prop("v", disc.name);
  if (openDefault === undefined) {
    const bad = (offset: string, value: string) =>
      `throw new ${ctx.runtime("XdrError")}("bad-discriminant", ${offset}, \`invalid discriminant \${${value}} for ${u.name}\`, [${discPath}]);`;
    encodeCases.push(
      `default:`,
      bad("w.length", `String((v as { ${dKey}: unknown }).${dKey})`),
    );
    decodeCases.push(`default:`, bad("r.offset - 4", "d"));
  } else {
    discValue = `typeof ${discValue} === "number" ? ${discValue} : ${discValue}.default`;
    const wrapped = `{ default: d }`;
    if (openDefault === null) {
      variants.push({
        text: `{ ${dKey}: ${ctx.runtime("DefaultCase")} }`,
        comment: "default",
      });
      encodeCases.push(`default:`, "break;");
      decodeCases.push(`default:`, `return { ${dLiteral}: ${wrapped} };`);
    } else {
      const f = openDefault;
      variants.push({
        text: `{ ${dKey}: ${ctx.runtime("DefaultCase")}; ${propKey(f.name)}: ${tsTypeOfField(f, ctx)} }`,
        comment: "default",
      });
      encodeCases.push(`default: {`, ...armEncode(f), "}");
      decodeCases.push(`default: {`, ...armDecode(f, wrapped), "}");
    }
  }
  const encode = [
    ...withFieldPath(ctx, [disc.name], [[kind.encode(discValue)]], []),
    `switch (${prop("v", disc.name)}) {`,
    ...encodeCases,
    `}`,
  ];
  const decode = [
    `const d = ${kind.decode};`,
    `switch (d) {`,
    ...decodeCases,
    `}`,
  ];
  const doc = jsDoc([
    `\`union ${u.name} switch (${disc.name})\` (${where(p)})`,
  ]);
  return [
    stableChunk([...doc, unionTypeAlias(typeName, variants)].join("\n")),
    codecChunk(ctx, u.name, typeName, encode, decode, ctx.recursive(u)),
  ];
}

/** One arm of a union's switch: its discriminant values and member (null: void). */
interface UnionArm {
  readonly values: readonly number[];
  /** The cases' names, when they are not plain numbers. */
  readonly comment?: string | undefined;
  readonly field: Field | null;
}

/**
 * The union's arms. A default arm over a closed set of values (enum members, true/false)
 * becomes one more arm listing the values no case names; over an int it stays open
 * (`openDefault`: its member, null for void; undefined when there is no open default).
 */
function unionArms(
  u: UnionType,
  kind: DiscriminantKind,
): { arms: UnionArm[]; openDefault: Field | null | undefined } {
  const isBool = kind.kind === "bool";
  const arms: UnionArm[] = u.arms.map((arm) => {
    const named = arm.cases
      .filter((c) => c.text !== String(c.value))
      .map((c) => c.text);
    return {
      values: arm.cases.map((c) => c.value),
      comment: named.length ? named.join(", ") : undefined,
      field: arm.field,
    };
  });
  if (u.defaultArm === undefined) return { arms, openDefault: undefined };
  const closed =
    kind.kind === "bool"
      ? [
          { value: 0, name: "FALSE" },
          { value: 1, name: "TRUE" },
        ]
      : kind.kind === "enum"
        ? kind.enumType.members.map((m) => ({ value: m.value, name: m.name }))
        : null;
  if (closed === null) return { arms, openDefault: u.defaultArm };
  const listed = new Set(u.arms.flatMap((a) => a.cases.map((c) => c.value)));
  const rest = closed.filter(
    (m, i) =>
      !listed.has(m.value) &&
      closed.findIndex((x) => x.value === m.value) === i,
  );
  if (rest.length > 0)
    arms.push({
      values: rest.map((m) => m.value),
      comment: `default: ${rest.map((m) => (isBool ? String(m.value !== 0) : m.name)).join(", ")}`,
      field: u.defaultArm,
    });
  return { arms, openDefault: undefined };
}

type DiscriminantKind = {
  encode: (x: string) => string;
  decode: string;
} & ({ kind: "bool" } | { kind: "enum"; enumType: EnumType } | { kind: "int" });

/** How a discriminant travels, looking through typedefs to its primitive or enum. */
function discriminantKind(t: TypeRef): DiscriminantKind {
  if (
    t.kind === "named" &&
    t.decl.kind === "typedef" &&
    t.decl.field.shape === "scalar"
  )
    return discriminantKind(t.decl.field.type);
  const asInt = { encode: (x: string) => `w.int(${x});`, decode: "r.int()" };
  if (t.kind === "primitive") {
    if (t.name === "bool")
      return {
        kind: "bool",
        encode: (x) => `w.bool(${x});`,
        decode: "r.bool()",
      };
    if (t.name.startsWith("unsigned"))
      return {
        kind: "int",
        encode: (x) => `w.uint(${x});`,
        decode: "r.uint()",
      };
    return { kind: "int", ...asInt };
  }
  // Enum discriminants are sent as int; the switch rejects values with no arm.
  if (t.kind === "inlineEnum")
    return { kind: "enum", enumType: t.enumType, ...asInt };
  if (t.kind === "named" && t.decl.kind === "enum")
    return { kind: "enum", enumType: t.decl, ...asInt };
  return { kind: "int", ...asInt };
}

function enumChunks(e: EnumType, p: ProtocolModel, ctx: BodyContext): Chunk[] {
  const typeName = tsTypeName(e.name);
  const values = [...new Set(e.members.map((m) => m.value))].sort(
    (a, b) => a - b,
  );
  // One case per value (not a range check): adding a member must only add lines.
  const check = [
    `const d = r.int();`,
    `switch (d) {`,
    ...values.map((v) => `case ${v}:`),
    `return d;`,
    `}`,
  ];
  const consts = e.members
    .map((m) => `export const ${tsTypeName(m.name)} = ${m.value};`)
    .join("\n");
  const valuesObject = [
    ...jsDoc([`\`enum ${e.name}\` (${where(p)}): member names to values.`]),
    `export const ${typeName} = {`,
    ...e.members.map((m) =>
      objectEntry(literalKey(m.name), String(m.value), 1),
    ),
    `} as const;`,
  ].join("\n");
  const aliasText = typeAlias(
    typeName,
    `(typeof ${typeName})[keyof typeof ${typeName}]`,
  );
  return [
    stableChunk(consts),
    stableChunk(valuesObject),
    stableChunk(aliasText),
    codecChunk(
      ctx,
      e.name,
      typeName,
      [`w.int(v);`],
      [
        ...check,
        `throw new ${ctx.runtime("XdrError")}("bad-enum", r.offset - 4, \`invalid value \${d} for enum ${e.name}\`);`,
      ],
    ),
  ];
}

function typedefChunks(
  t: TypedefType,
  p: ProtocolModel,
  ctx: BodyContext,
): Chunk[] {
  const typeName = tsTypeName(t.name);
  const f = t.field;
  const local = localName(f.name);
  const decodeStmts = decodeField(f, local, ctx);
  // A single `const _x = expr;` becomes `return expr;`.
  const single =
    decodeStmts.length === 1 && decodeStmts[0]!.startsWith(`const ${local} = `);
  const decode = single
    ? [`return ${decodeStmts[0]!.slice(`const ${local} = `.length)}`]
    : [...decodeStmts, `return ${local};`];
  const doc = jsDoc([`\`typedef … ${t.name}\` (${where(p)})`]);
  return [
    stableChunk(
      [...doc, typeAlias(typeName, tsTypeOfField(f, ctx))].join("\n"),
    ),
    codecChunk(
      ctx,
      t.name,
      typeName,
      encodeField(f, "v", ctx),
      decode,
      ctx.recursive(t),
    ),
  ];
}
