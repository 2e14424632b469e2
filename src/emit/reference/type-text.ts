/**
 * Declarations spelled as in the .x file, with every named type a link to its entry:
 * `remote_nonnull_domain dom;`, `opaque cookie<REMOTE_MIGRATE_COOKIE_MAX>;`.
 */
import type {
  EnumType,
  Field,
  StructType,
  TypeDecl,
  TypeRef,
  UnionType,
} from "../../model/index.js";
import { esc, link, typeId } from "./html.js";

export function refHtml(t: TypeRef, indent: string): string {
  switch (t.kind) {
    case "primitive":
      return esc(t.name);
    case "named":
      return link(typeId(t.name), t.name);
    case "inlineStruct":
      return `struct ${structBody(t.struct, indent)}`;
    case "inlineUnion":
      return `union ${unionBody(t.union, indent)}`;
    case "inlineEnum":
      return `enum ${enumBody(t.enumType, indent)}`;
  }
}

export function fieldHtml(f: Field, indent = ""): string {
  const name = esc(f.name);
  const max = (m: { text: string } | null) => (m ? esc(m.text) : "");
  switch (f.shape) {
    case "scalar":
      return `${refHtml(f.type, indent)} ${name};`;
    case "optional":
      return `${refHtml(f.type, indent)} *${name};`;
    case "fixedArray":
      return `${refHtml(f.type, indent)} ${name}[${esc(f.size.text)}];`;
    case "varArray":
      return `${refHtml(f.type, indent)} ${name}&lt;${max(f.max)}&gt;;`;
    case "fixedOpaque":
      return `opaque ${name}[${esc(f.size.text)}];`;
    case "varOpaque":
      return `opaque ${name}&lt;${max(f.max)}&gt;;`;
    case "string":
      return `string ${name}&lt;${max(f.max)}&gt;;`;
  }
}

function structBody(s: StructType, indent: string): string {
  const inner = indent + "    ";
  const lines = s.fields.map((f) => `${inner}${fieldHtml(f, inner)}`);
  return `{\n${lines.join("\n")}\n${indent}}`;
}

function unionBody(u: UnionType, indent: string): string {
  const inner = indent + "    ";
  const lines: string[] = [];
  for (const arm of u.arms) {
    for (const c of arm.cases) lines.push(`${inner}case ${esc(c.text)}:`);
    lines.push(
      `${inner}    ${arm.field ? fieldHtml(arm.field, inner + "    ") : "void;"}`,
    );
  }
  if (u.defaultArm !== undefined) {
    lines.push(`${inner}default:`);
    lines.push(
      `${inner}    ${u.defaultArm ? fieldHtml(u.defaultArm, inner + "    ") : "void;"}`,
    );
  }
  return `switch (${fieldHtml(u.discriminant, inner).replace(/;$/, "")}) {\n${lines.join("\n")}\n${indent}}`;
}

function enumBody(e: EnumType, indent: string): string {
  const inner = indent + "    ";
  const lines = e.members.map(
    (m, i) =>
      `${inner}${esc(m.name)} = ${m.value}${i < e.members.length - 1 ? "," : ""}`,
  );
  return `{\n${lines.join("\n")}\n${indent}}`;
}

/** A whole declaration: `struct name { … };`, `typedef … name;`. */
export function declHtml(d: TypeDecl): string {
  switch (d.kind) {
    case "struct":
      return `struct ${esc(d.name)} ${structBody(d, "")};`;
    case "union":
      return `union ${esc(d.name)} ${unionBody(d, "")};`;
    case "enum":
      return `enum ${esc(d.name)} ${enumBody(d, "")};`;
    case "typedef":
      return `typedef ${fieldHtml(d.field)}`;
  }
}
