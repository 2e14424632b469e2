/**
 * One generated module's imports, owned by the module: emitters declare the names the module
 * itself defines, then ask for every imported symbol (a runtime symbol, another module's type
 * or codec, a namespace) through the file and write the local name it answers. The file
 * imports exactly what was asked for (type-only when only types were), picks an alias when an
 * imported name would collide with a declaration or another import, and prints the import
 * statements once, at the end. No emitter scans its own text for names.
 */
import {
  GENERATED_CODE_SYMBOLS,
  type RuntimeEntry,
  type RuntimeSymbol,
} from "virt-rpcgen-runtime/symbols";
import { DEFAULT_RUNTIME_IMPORT } from "../runtime-package.js";
import { PRINT_WIDTH } from "./chunks.js";
import { namedImport, namespaceImport } from "./ts-layout.js";
import { isReservedWord } from "./ts-names.js";

/**
 * Whether runtime symbols are imported one entry at a time (`virt-rpcgen-runtime/xdr`,
 * `…/client`), so a codec-only module never loads the client or `node:net`. Only the runtime
 * package itself is known to publish those entries: any other `--runtime-import` (a relative
 * path to the sources, `virt-rpcgen/runtime`, a user's own re-export) is one module.
 */
export function importsByEntry(runtimeImport: string): boolean {
  return runtimeImport === DEFAULT_RUNTIME_IMPORT;
}

/** The module specifier a runtime symbol of `entry` is imported from. */
export function runtimeSpecifier(
  runtimeImport: string,
  entry: RuntimeEntry,
  byEntry: boolean = importsByEntry(runtimeImport),
): string {
  return byEntry ? `${runtimeImport}/${entry}` : runtimeImport;
}

/** An order of imported names within one import statement. */
export type NameOrder = (a: string, b: string) => number;

const byLocale: NameOrder = (a, b) => a.localeCompare(b);

/** By UTF-16 code units (`Array.prototype.sort`'s default). */
export const byCodeUnits: NameOrder = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/** Case-insensitively by first letter, then by code units (the server module's historical order). */
export const byInitialThenCodeUnits: NameOrder = (a, b) =>
  a[0]!.toLowerCase().localeCompare(b[0]!.toLowerCase()) || byCodeUnits(a, b);

interface NamedImport {
  readonly local: string;
  typeOnly: boolean;
}

export class GeneratedFile {
  /** Module-scope names: the module's own declarations and every import's local name. */
  private readonly taken = new Set<string>();
  private readonly named = new Map<string, Map<string, NamedImport>>();
  /** Namespace imports by specifier; imported once `used`. */
  private readonly namespaces = new Map<
    string,
    { readonly alias: string; used: boolean }
  >();

  constructor(
    private readonly runtimeImport: string,
    declared: Iterable<string> = [],
    private readonly byEntry: boolean = importsByEntry(runtimeImport),
  ) {
    for (const name of declared) this.taken.add(name);
  }

  /** Names the module declares itself: imports take other local names. */
  declare(...names: readonly string[]): void {
    for (const name of names) this.taken.add(name);
  }

  /** Whether `name` is declared or imported at module scope. */
  has(name: string): boolean {
    return this.taken.has(name);
  }

  /** The local name of a runtime symbol, imported from the runtime entry it belongs to. */
  runtime(symbol: RuntimeSymbol): string {
    const info = GENERATED_CODE_SYMBOLS.get(symbol);
    if (!info)
      throw new Error(`internal error: ${symbol} is no runtime symbol`);
    return this.import(
      runtimeSpecifier(this.runtimeImport, info.entry, this.byEntry),
      symbol,
      info.typeOnly,
    );
  }

  /** The local name of `name` exported by `from`; `typeOnly` when only types use it. */
  import(from: string, name: string, typeOnly = false): string {
    let names = this.named.get(from);
    if (!names) this.named.set(from, (names = new Map<string, NamedImport>()));
    const known = names.get(name);
    if (known) {
      known.typeOnly &&= typeOnly;
      return known.local;
    }
    const local = this.fresh(name);
    names.set(name, { local, typeOnly });
    return local;
  }

  /**
   * Imports `name` from `from` under its own name, which the caller declared (the module's
   * text refers to it by that name).
   */
  importDeclared(from: string, name: string, typeOnly = false): string {
    let names = this.named.get(from);
    if (!names) this.named.set(from, (names = new Map<string, NamedImport>()));
    const known = names.get(name);
    if (known) known.typeOnly &&= typeOnly;
    else names.set(name, { local: name, typeOnly });
    this.taken.add(name);
    return name;
  }

  /** `import * as alias from "from"`: the alias, `preferred` unless that name is taken. */
  namespace(from: string, preferred: string): string {
    const ns = this.reserve(from, preferred);
    ns.used = true;
    return ns.alias;
  }

  /**
   * The alias `namespace(from, preferred)` will answer, without importing anything yet: for
   * names that must avoid the aliases of namespaces the module may not use.
   */
  reserveNamespace(from: string, preferred: string): string {
    return this.reserve(from, preferred).alias;
  }

  private reserve(from: string, preferred: string) {
    let ns = this.namespaces.get(from);
    if (ns === undefined) {
      ns = { alias: this.fresh(preferred), used: false };
      this.namespaces.set(from, ns);
    }
    return ns;
  }

  /** A module-scope name not taken yet, `name` when it is free: `name$`, `name$1`, … otherwise. */
  private fresh(name: string): string {
    let local = name;
    for (let i = 0; this.taken.has(local) || isReservedWord(local); i++)
      local = `${name}$${i === 0 ? "" : i}`;
    this.taken.add(local);
    return local;
  }

  /**
   * The import statements, one per module: the runtime's first, then the others in `order`
   * (specifiers not listed follow in the order they were first used). Names are sorted by
   * `localeCompare`, or by `compare` for the specifiers it has.
   */
  imports(
    order: readonly string[] = [],
    {
      compare = new Map(),
      typeOnlyStatements = false,
    }: {
      readonly compare?: ReadonlyMap<string, NameOrder>;
      /** `import type { A, B }` when every name of a module is a type (else `{ type A, … }`). */
      readonly typeOnlyStatements?: boolean;
    } = {},
  ): string[] {
    const specifiers = [
      ...new Set([
        ...[...this.named.keys(), ...this.namespaces.keys()].filter((s) =>
          this.isRuntime(s),
        ),
        ...order,
        ...this.named.keys(),
        ...this.namespaces.keys(),
      ]),
    ];
    const lines: string[] = [];
    for (const from of specifiers) {
      const names = this.named.get(from);
      const allTypes = [...(names?.values() ?? [])].every((n) => n.typeOnly);
      if (names && names.size > 0 && typeOnlyStatements && allTypes)
        lines.push(
          importTypeStatement(
            [...names]
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([name, { local }]) =>
                local === name ? name : `${name} as ${local}`,
              ),
            from,
          ),
        );
      else if (names && names.size > 0)
        lines.push(
          namedImport(
            [...names]
              .sort(([a], [b]) => (compare.get(from) ?? byLocale)(a, b))
              .map(
                ([name, { local, typeOnly }]) =>
                  `${typeOnly ? "type " : ""}${name}${local === name ? "" : ` as ${local}`}`,
              ),
            from,
          ),
        );
      const ns = this.namespaces.get(from);
      if (ns?.used) lines.push(namespaceImport(ns.alias, from));
    }
    return lines;
  }

  private isRuntime(specifier: string): boolean {
    return (
      specifier === this.runtimeImport ||
      specifier.startsWith(`${this.runtimeImport}/`)
    );
  }
}

/** `import type { a, b } from "x";`, one name per line when too long (as namedImport). */
function importTypeStatement(names: readonly string[], from: string): string {
  const flat = `import type { ${names.join(", ")} } from ${JSON.stringify(from)};`;
  if (flat.length <= PRINT_WIDTH) return flat;
  return [
    "import type {",
    ...names.map((n) => `  ${n},`),
    `} from ${JSON.stringify(from)};`,
  ].join("\n");
}
