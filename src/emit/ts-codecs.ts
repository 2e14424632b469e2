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
 * Imports and interfaces are ts-morph structures printed with `printStructure`; codec objects
 * are printed as text in prettier's layout (ts-morph would give them a hanging indent), so most
 * chunks need no prettier pass (chunks.ts).
 */
import {
  printStructure,
  StructureKind,
  type InterfaceDeclarationStructure,
} from "ts-morph";
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
import { stableChunk, type Chunk } from "./chunks.js";
import {
  decodeField,
  encodeField,
  tsTypeOfField,
  type BodyContext,
} from "./ts-codec-bodies.js";
import { codecName, localName, prop, propKey, tsTypeName } from "./ts-names.js";
import {
  exportConstObject,
  jsDoc,
  objectEntry,
  unionTypeAlias,
} from "./ts-text.js";
import { namedImport, typeAlias } from "./ts-layout.js";

export interface CodecEmitOptions {
  /** Module specifier of the runtime (default `virt-rpcgen/runtime`). */
  readonly runtimeImport: string;
  /** How another protocol's codec module is imported from this one. */
  readonly importPathOf: (protocol: ProtocolModel) => string;
}

export interface CodecModule {
  readonly header: string;
  readonly chunks: readonly Chunk[];
}

const RUNTIME_SYMBOLS = [
  "checkFixedLength",
  "prependXdrPath",
  "XdrError",
  "type XdrCodec",
] as const;

export function emitCodecModule(
  p: ProtocolModel,
  options: CodecEmitOptions,
): CodecModule {
  const imports = new Map<ProtocolModel, Set<string>>();
  const inlineDecls: TypeDecl[] = [];
  let counter = 0;
  const ctx: BodyContext = {
    use(decl) {
      const owner = p.ownerOf(decl);
      if (owner === p) return;
      const set = imports.get(owner) ?? new Set<string>();
      set.add(tsTypeName(decl.name));
      set.add(codecName(decl.name));
      imports.set(owner, set);
    },
    inline(t) {
      // The resolver names inline bodies after their place (`outer_field`); emit each once.
      const body =
        t.kind === "inlineStruct"
          ? t.struct
          : t.kind === "inlineUnion"
            ? t.union
            : t.enumType;
      if (!inlineDecls.includes(body)) inlineDecls.push(body);
      return body.name;
    },
    fresh: () => counter++,
  };

  const body: Chunk[] = [];
  const consts = p.constants.filter((c) => c.origin !== "enum"); // enum members go with their enum
  if (consts.length > 0) {
    body.push(
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
  }
  if (p.stringConstants.length > 0) {
    body.push(
      stableChunk(
        p.stringConstants
          .map(
            (c) =>
              `export const ${tsTypeName(c.name)} = ${JSON.stringify(c.value)};`,
          )
          .join("\n"),
      ),
    );
  }
  const emitDecl = (d: TypeDecl) => {
    counter = 0;
    body.push(...declChunks(d, p, ctx));
  };
  p.types.forEach(emitDecl);
  for (let i = 0; i < inlineDecls.length; i++) emitDecl(inlineDecls[i]!);

  const all = [...p.types, ...inlineDecls];
  body.push(
    stableChunk(
      [
        ...jsDoc([
          `Every codec of ${p.name}.x by XDR type name, for tools that look codecs up by name.`,
        ]),
        all.length === 0
          ? "export const codecs = {};"
          : [
              "export const codecs = {",
              ...all.map((d) =>
                objectEntry(propKey(d.name), codecName(d.name), 1),
              ),
              "};",
            ].join("\n"),
      ].join("\n"),
    ),
  );

  // Only the runtime symbols the module uses, so projects with noUnusedLocals compile it.
  const text = body.map((c) => c.text).join("\n");
  const used = RUNTIME_SYMBOLS.filter(
    (n) => n === "type XdrCodec" || new RegExp(`\\b${n}\\(`).test(text),
  );
  const importLines = [
    namedImport([...used].sort(byName), options.runtimeImport),
  ];
  for (const [owner, names] of [...imports].sort((a, b) =>
    a[0].name.localeCompare(b[0].name),
  )) {
    importLines.push(
      namedImport(
        [...names]
          .sort(byName)
          .map((n) => (n.startsWith("xdr_") ? n : `type ${n}`)),
        options.importPathOf(owner),
      ),
    );
  }
  const importChunk = stableChunk(importLines.join("\n"));
  return {
    header: `// Generated by virt-rpcgen from ${p.name}.x. Do not edit: change the protocol and regenerate.\n`,
    chunks: [importChunk, ...body],
  };
}

const byName = (a: string, b: string) =>
  a.replace(/^type /, "").localeCompare(b.replace(/^type /, ""));

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
      return enumChunks(d, p);
    case "typedef":
      return typedefChunks(d, p, ctx);
  }
}

function codecChunk(
  name: string,
  typeName: string,
  encode: string[],
  decode: string[],
): Chunk {
  return stableChunk(
    exportConstObject(codecName(name), `XdrCodec<${typeName}>`, [
      `name: ${JSON.stringify(name)},`,
      `encode(w, v) {`,
      ...encode,
      `},`,
      `decode(r) {`,
      ...decode,
      `},`,
    ]),
  );
}

/** try/catch that adds the failing member's name to an XdrError's path. */
function withFieldPath(
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
      `throw prependXdrPath(e, ${JSON.stringify(fieldNames[0])});`,
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
    `throw prependXdrPath(e, f);`,
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
  const encode = withFieldPath(
    names,
    s.fields.map((f) => encodeField(f, prop("v", f.name), ctx)),
    [],
  );
  const decode = withFieldPath(
    names,
    s.fields.map((f) => decodeField(f, localName(f.name), ctx)),
    s.fields.length === 0
      ? [`return {};`]
      : [
          `return {`,
          ...s.fields.map((f) => `${propKey(f.name)}: ${localName(f.name)},`),
          `};`,
        ],
  );
  const iface: InterfaceDeclarationStructure = {
    kind: StructureKind.Interface,
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
      : printStructure(iface, { indentNumberOfSpaces: 2 }).trimEnd();
  return [stableChunk(ifaceText), codecChunk(s.name, typeName, encode, decode)];
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

function unionChunks(
  u: UnionType,
  p: ProtocolModel,
  ctx: BodyContext,
): Chunk[] {
  const typeName = tsTypeName(u.name);
  const disc = u.discriminant;
  const dKey = propKey(disc.name);
  const dRef = disc.type;
  const isBool = dRef.kind === "primitive" && dRef.name === "bool";
  const lit = (v: number) => (isBool ? String(v !== 0) : String(v));
  const discOp = discriminantOp(dRef);
  const discPath = JSON.stringify(disc.name);

  // Each arm's statements are wrapped so errors inside name the arm's member.
  const armEncode = (f: Field, x: string) =>
    withFieldPath([f.name], [encodeField(f, prop(x, f.name), ctx)], []);
  const armDecode = (f: Field) =>
    withFieldPath(
      [f.name],
      [decodeField(f, localName(f.name), ctx)],
      [`return { ${dKey}: d, ${propKey(f.name)}: ${localName(f.name)} };`],
    );

  const variants: { text: string; comment?: string }[] = [];
  const encodeCases: string[] = [];
  const decodeCases: string[] = [];
  for (const arm of u.arms) {
    const labels = arm.cases.map((c) => lit(c.value));
    const named = arm.cases
      .filter((c) => c.text !== String(c.value))
      .map((c) => c.text);
    const comment = named.length ? named.join(", ") : undefined;
    const heads = [
      ...labels.slice(0, -1).map((l) => `case ${l}:`),
      `case ${labels[labels.length - 1]!}: {`,
    ];
    if (arm.field) {
      const f = arm.field;
      // With a default arm TypeScript cannot narrow on the discriminant, so name the variant.
      const narrowed =
        u.defaultArm !== undefined
          ? `(v as Extract<${typeName}, { ${dKey}: ${labels[0]} }>)`
          : "v";
      variants.push({
        text: `{ ${dKey}: ${labels.join(" | ")}; ${propKey(f.name)}: ${tsTypeOfField(f, ctx)} }`,
        comment,
      });
      encodeCases.push(...heads, ...armEncode(f, narrowed), "break;", "}");
      decodeCases.push(...heads, ...armDecode(f), "}");
    } else {
      variants.push({ text: `{ ${dKey}: ${labels.join(" | ")} }`, comment });
      encodeCases.push(...labels.map((l) => `case ${l}:`), "break;");
      decodeCases.push(
        ...labels.map((l) => `case ${l}:`),
        `return { ${dKey}: d };`,
      );
    }
  }
  const def = u.defaultArm;
  if (def === undefined) {
    const bad = (offset: string, value: string) =>
      `throw new XdrError("bad-discriminant", ${offset}, \`invalid discriminant \${${value}} for ${u.name}\`, [${discPath}]);`;
    encodeCases.push(
      `default:`,
      bad("w.length", `String((v as { ${dKey}: unknown }).${dKey})`),
    );
    decodeCases.push(`default:`, bad("r.offset - 4", "d"));
  } else if (def === null) {
    variants.push({ text: `{ ${dKey}: ${discTsType(dRef, ctx)} }` });
    encodeCases.push(`default:`, "break;");
    decodeCases.push(`default:`, `return { ${dKey}: d };`);
  } else {
    const defType = `{ ${dKey}: ${discTsType(dRef, ctx)}; ${propKey(def.name)}: ${tsTypeOfField(def, ctx)} }`;
    variants.push({ text: defType });
    encodeCases.push(`default: {`, ...armEncode(def, `(v as ${defType})`), "}");
    decodeCases.push(`default: {`, ...armDecode(def), "}");
  }
  const encode = [
    ...withFieldPath([disc.name], [[discOp.encode(prop("v", disc.name))]], []),
    `switch (${prop("v", disc.name)}) {`,
    ...encodeCases,
    `}`,
  ];
  const decode = [
    `const d = ${discOp.decode};`,
    `switch (d) {`,
    ...decodeCases,
    `}`,
  ];
  const doc = jsDoc([
    `\`union ${u.name} switch (${disc.name})\` (${where(p)})`,
  ]);
  return [
    stableChunk([...doc, unionTypeAlias(typeName, variants)].join("\n")),
    codecChunk(u.name, typeName, encode, decode),
  ];
}

function discriminantOp(t: TypeRef): {
  encode: (x: string) => string;
  decode: string;
} {
  if (t.kind === "primitive") {
    if (t.name === "bool")
      return { encode: (x) => `w.bool(${x});`, decode: "r.bool()" };
    if (t.name === "unsigned int")
      return { encode: (x) => `w.uint(${x});`, decode: "r.uint()" };
    return { encode: (x) => `w.int(${x});`, decode: "r.int()" };
  }
  // Enum discriminants are sent as int; the switch below rejects values with no arm.
  return { encode: (x) => `w.int(${x});`, decode: "r.int()" };
}

function discTsType(t: TypeRef, ctx: BodyContext): string {
  if (t.kind === "primitive") return t.name === "bool" ? "boolean" : "number";
  if (t.kind === "named") {
    ctx.use(t.decl);
    return tsTypeName(t.name);
  }
  return "number";
}

function enumChunks(e: EnumType, p: ProtocolModel): Chunk[] {
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
    ...e.members.map((m) => objectEntry(propKey(m.name), String(m.value), 1)),
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
      e.name,
      typeName,
      [`w.int(v);`],
      [
        ...check,
        `throw new XdrError("bad-enum", r.offset - 4, \`invalid value \${d} for enum ${e.name}\`);`,
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
    codecChunk(t.name, typeName, encodeField(f, "v", ctx), decode),
  ];
}
