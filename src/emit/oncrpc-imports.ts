/**
 * The import side of the ONC-RPC modules (programs, client, server): a GeneratedFile whose
 * every type and codec comes from a protocol's `codecs.ts` under its own name, and whose
 * runtime symbols take another name when the protocol declares theirs.
 */
import { recursiveTypes } from "../model/type-graph.js";
import type { ProtocolModel, TypeDecl } from "../model/types.js";
import { GeneratedFile } from "./generated-file.js";
import type { BodyContext } from "./ts-codec-bodies.js";
import { codecName, tsTypeName } from "./ts-names.js";
import { inlineBody } from "./ts-types.js";

export interface ImportCollector {
  readonly file: GeneratedFile;
  readonly ctx: BodyContext;
  /** A constant of the protocol's own codecs module (program numbers). */
  useConstant(name: string): string;
  /** The import statements: the runtime's, then each codec module's by protocol name, then `extra`. */
  lines(extra?: readonly string[]): string;
}

export function importCollector(
  p: ProtocolModel,
  importPathOf: (o: ProtocolModel) => string,
  runtimeImport: string,
  declared: Iterable<string>,
): ImportCollector {
  // The protocols' names stay theirs: runtime imports step aside.
  const file = new GeneratedFile(runtimeImport, declared);
  const owners = [p, ...p.imports];
  for (const owner of owners) {
    for (const d of owner.types)
      file.declare(tsTypeName(d.name), codecName(d.name));
    for (const c of owner.constants) file.declare(tsTypeName(c.name));
  }
  let counter = 0;
  const recursive = recursiveTypes(p.types);
  const ctx: BodyContext = {
    recursive: (decl) => recursive.has(decl),
    use(decl: TypeDecl, as) {
      const from = importPathOf(p.ownerOf(decl));
      if (as === "type") file.importDeclared(from, tsTypeName(decl.name), true);
      else file.importDeclared(from, codecName(decl.name));
    },
    inline(t, as) {
      const body = inlineBody(t);
      // The codecs module declares inline bodies under these names.
      ctx.use(body, as);
      return body.name;
    },
    fresh: () => counter++,
    runtime: (symbol) => file.runtime(symbol),
  };
  return {
    file,
    ctx,
    useConstant(name) {
      return file.importDeclared(importPathOf(p), tsTypeName(name));
    },
    lines(extra = []) {
      const byName = [...owners].sort((a, b) => a.name.localeCompare(b.name));
      return file.imports([...byName.map(importPathOf), ...extra]).join("\n");
    },
  };
}
