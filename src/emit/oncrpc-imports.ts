/**
 * Imports of the ONC-RPC modules (programs, client, server): every type and codec they name
 * comes from a protocol's `codecs.ts`; only the names the module text really uses are imported,
 * so projects with `noUnusedLocals` compile it.
 */
import { recursiveTypes } from "../model/type-graph.js";
import type { ProtocolModel, TypeDecl } from "../model/types.js";
import type { BodyContext } from "./ts-codec-bodies.js";
import { namedImport } from "./ts-layout.js";
import { codecName, tsTypeName } from "./ts-names.js";

export interface ImportCollector {
  readonly ctx: BodyContext;
  /** A constant of the protocol's own codecs module (program numbers). */
  useConstant(name: string): string;
  /** Import lines for the names `text` uses: the runtime's, then each codec module's. */
  lines(
    text: string,
    runtimeImport: string,
    runtime: readonly string[],
    extra?: readonly { from: string; names: readonly string[] }[],
  ): string;
}

const uses = (text: string, name: string) =>
  new RegExp(`(?<![\\w$.])${name.replace(/\$/g, "\\$")}(?![\\w$])`).test(text);

export function importCollector(
  p: ProtocolModel,
  importPathOf: (o: ProtocolModel) => string,
): ImportCollector {
  const byOwner = new Map<ProtocolModel, Set<string>>();
  let counter = 0;
  const recursive = recursiveTypes(p.types);
  const ctx: BodyContext = {
    recursive: (decl) => recursive.has(decl),
    use(decl: TypeDecl) {
      const owner = p.ownerOf(decl);
      const set = byOwner.get(owner) ?? new Set<string>();
      set.add(`type ${tsTypeName(decl.name)}`);
      set.add(codecName(decl.name));
      byOwner.set(owner, set);
    },
    inline(t) {
      const body =
        t.kind === "inlineStruct"
          ? t.struct
          : t.kind === "inlineUnion"
            ? t.union
            : t.enumType;
      // The codecs module declares inline bodies under these names.
      ctx.use(body);
      return body.name;
    },
    fresh: () => counter++,
  };
  return {
    ctx,
    useConstant(name) {
      const set = byOwner.get(p) ?? new Set<string>();
      const ts = tsTypeName(name);
      set.add(ts);
      byOwner.set(p, set);
      return ts;
    },
    lines(text, runtimeImport, runtime, extra = []) {
      const bare = (n: string) => n.replace(/^type /, "");
      const byName = (a: string, b: string) => bare(a).localeCompare(bare(b));
      const out: string[] = [];
      const rt = runtime.filter((n) => uses(text, bare(n)));
      if (rt.length > 0)
        out.push(namedImport([...rt].sort(byName), runtimeImport));
      for (const [owner, names] of [...byOwner].sort((a, b) =>
        a[0].name.localeCompare(b[0].name),
      )) {
        const used = [...names].filter((n) => uses(text, bare(n)));
        if (used.length > 0)
          out.push(namedImport(used.sort(byName), importPathOf(owner)));
      }
      for (const e of extra) {
        const used = e.names.filter((n) => uses(text, bare(n)));
        if (used.length > 0)
          out.push(namedImport([...used].sort(byName), e.from));
      }
      return out.join("\n");
    },
  };
}
