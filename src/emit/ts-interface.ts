/**
 * Interfaces of the codecs module, printed from ts-morph's InterfaceDeclarationStructure with
 * ts-morph's own writer (code-block-writer): the structure types cost nothing at run time
 * (`import type`), and the writer loads without TypeScript, where ts-morph's `printStructure`
 * would load the compiler (about a third of a cold `generate`).
 */
import CodeBlockWriter from "code-block-writer";
import type {
  InterfaceDeclarationStructure,
  JSDocStructure,
  OptionalKind,
  WriterFunction,
} from "ts-morph";

/** The shape of interface the generator writes: exported, documented, with typed properties. */
export type PrintableInterface = Pick<
  InterfaceDeclarationStructure,
  "name" | "isExported" | "docs" | "properties"
>;

/** `/** text *\/` on one line, or one ` * ` line per line of a longer text. */
function writeDocs(
  writer: CodeBlockWriter,
  docs: readonly (string | OptionalKind<JSDocStructure>)[] | undefined,
): void {
  for (const doc of docs ?? []) {
    const text = typeof doc === "string" ? doc : String(doc.description ?? "");
    const lines = text.split("\n");
    if (lines.length === 1) writer.writeLine(`/** ${text} */`);
    else {
      writer.writeLine("/**");
      for (const line of lines)
        writer.writeLine(line === "" ? " *" : ` * ${line}`);
      writer.writeLine(" */");
    }
  }
}

function typeText(type: string | WriterFunction | undefined): string {
  if (typeof type === "string") return type;
  throw new Error("internal error: interface property types are text");
}

export function printInterface(s: PrintableInterface): string {
  const writer = new CodeBlockWriter({ indentNumberOfSpaces: 2 });
  writeDocs(writer, s.docs);
  writer.write(`${s.isExported ? "export " : ""}interface ${s.name} `);
  writer.inlineBlock(() => {
    for (const p of s.properties ?? []) {
      writeDocs(writer, p.docs);
      writer.writeLine(
        `${p.name}${p.hasQuestionToken ? "?" : ""}: ${typeText(p.type)};`,
      );
    }
  });
  return writer.toString();
}
