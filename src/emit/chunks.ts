/**
 * Generated files are built from top-level chunks (one declaration, or a run of one-line
 * constants). An emitter marks a chunk `stable` when it printed it the way prettier would;
 * `formatChunks` then runs prettier only on the chunks that are not, or that have a line
 * longer than the print width (where prettier's line breaking takes over), in one batch.
 *
 * The printers are unsure exactly where prettier's line breaking decides: they lay out the
 * shapes whose rules they know (ts-text.ts, ts-layout.ts, literal-printer.ts) and leave anything
 * else long, so a line over the width that prettier would not keep long (`UNBREAKABLE`; a
 * trailing line comment does not count) sends its chunk to prettier.
 *
 * Formatting top-level statements one by one gives the same text as formatting the file, so
 * the result is exactly prettier's: test/generate/prettier-stable.test.ts checks every file of
 * generated/, test/generate/prettier-random.test.ts every output of 500+ random protocols.
 * Under a prettier config other than the defaults (or with plugins) prettier formats the whole
 * file.
 * `VIRT_RPCGEN_DEBUG_CHUNKS=1` reports per file how many chunks needed prettier (and keeps the
 * batch in /tmp/virt-rpcgen-batch.ts when prettier rejects it).
 */
import { createRequire } from "node:module";
import { isAbsolute } from "node:path";
import * as prettier from "prettier";

export interface Chunk {
  readonly text: string;
  /** Printed in prettier's style by the emitter (still re-checked for line width). */
  readonly stable: boolean;
  /**
   * Lines around `text` that make it a whole statement for prettier and are removed again after
   * formatting: a class member is formatted as `class _ {` member `}`.
   */
  readonly wrap?: { readonly before: string; readonly after: string };
  /** What joins this chunk to the previous one (default: one blank line). */
  readonly join?: string;
  /** A fragment that reads the same under any prettier config (a class's closing `}`): never formatted. */
  readonly verbatim?: boolean;
}

/** A generated module: a leading comment line and its chunks. */
export interface CodeModule {
  readonly header: string;
  readonly chunks: readonly Chunk[];
}

export const stableChunk = (text: string): Chunk => ({ text, stable: true });
export const rawChunk = (text: string): Chunk => ({ text, stable: false });

export const PRINT_WIDTH = 80;

/**
 * The prettier options our printers follow, with every other option that can change how
 * TypeScript is printed at its default. A resolved config with any other value, any option not
 * listed here (a newer prettier's, or a plugin's) or any plugin is not the layout our printers
 * know: the file is then formatted by prettier as a whole.
 */
const PRINTER_DEFAULTS: Readonly<Record<string, unknown>> = {
  printWidth: PRINT_WIDTH,
  tabWidth: 2,
  useTabs: false,
  semi: true,
  singleQuote: false,
  jsxSingleQuote: false,
  quoteProps: "as-needed",
  trailingComma: "all",
  bracketSpacing: true,
  bracketSameLine: false,
  objectWrap: "preserve",
  arrowParens: "always",
  endOfLine: "lf",
  experimentalTernaries: false,
  experimentalOperatorPosition: "end",
  embeddedLanguageFormatting: "auto",
  singleAttributePerLine: false,
  insertPragma: false,
  requirePragma: false,
  checkIgnorePragma: false,
  proseWrap: "preserve",
  htmlWhitespaceSensitivity: "css",
  vueIndentScriptAndStyle: false,
};

const BOUNDARY = "// @virt-rpcgen-chunk-boundary@";

function followsDefaults(config: Readonly<Record<string, unknown>>): boolean {
  return Object.entries(config).every(([k, v]) =>
    k === "plugins"
      ? !Array.isArray(v) || v.length === 0
      : k in PRINTER_DEFAULTS && PRINTER_DEFAULTS[k] === v,
  );
}

/**
 * The prettier config for `filepath`, as the prettier CLI would use it for that file, with
 * plugins named by package resolved from the config file's folder (prettier itself resolves
 * them from the process's working directory, which need not be the project's).
 */
export async function prettierConfigFor(
  filepath: string,
): Promise<Record<string, unknown>> {
  const config = ((await prettier.resolveConfig(filepath, {
    editorconfig: false,
  })) ?? {}) as Record<string, unknown>;
  const plugins = config["plugins"];
  if (!Array.isArray(plugins) || plugins.length === 0) return config;
  const configFile = await prettier.resolveConfigFile(filepath);
  if (!configFile) return config;
  const require = createRequire(configFile);
  return {
    ...config,
    plugins: plugins.map((p: unknown) => {
      if (typeof p !== "string" || p.startsWith(".") || isAbsolute(p)) return p;
      try {
        return require.resolve(p);
      } catch {
        return p; // an ESM-only package: prettier's own lookup
      }
    }),
  };
}

/**
 * Long lines prettier leaves alone: comments, including the ` * ` lines of a JSDoc block (never
 * reflowed; generated code has no line starting with `*` otherwise), and the head of an exported
 * const whose annotation is a single generic type (`export const xdr_x: XdrCodec<x> =`), which
 * prettier keeps on one line however long it is, a `key: "string",` or `key: ns.name,` entry that fits on
 * neither line (the literal printer has already tried the next line), a `key: 12,` entry (a number
 * or boolean never leaves its key's line), a template-literal
 * argument on its own line, a type member `key: ns.Type;` or `[ns.NAME]: {` opening an object
 * type, and an indexed access type
 * `(typeof X)[keyof typeof X];`.
 */
const UNBREAKABLE =
  /^\s*(\/\/.*|\/\*\*.*\*\/|\* .*|export const [\w$]+: [\w$]+<[\w$]+> =|([\w$]{1,4}: )?("[^"]*"|[\w$]+\.[\w$]+),|[\w$]+: (0[xX][0-9a-fA-F]+|\d+|true|false),|`[^`]*`,|(\[[\w$.]+\]|[\w$]+): [\w$]+(\.[\w$]+)*;|\[[\w$.]+\]: \{|\[[\w$.]+\]:|\(typeof [\w$]+\)\[keyof typeof [\w$]+\];)$/;

/** `code; // comment` with no quote in the comment (so the `//` is not inside a string). */
const TRAILING_COMMENT = /^(\s*\S.*[;,{]) \/\/ [^"'`]*$/;

function fits(text: string): boolean {
  let start = 0;
  for (;;) {
    const end = text.indexOf("\n", start);
    const stop = end === -1 ? text.length : end;
    if (stop - start > PRINT_WIDTH) {
      const line = text.slice(start, stop);
      // A trailing line comment does not count towards the width (prettier prints it as a
      // line suffix), as long as the code before it fits.
      const code = TRAILING_COMMENT.exec(line)?.[1] ?? line;
      if (code.length > PRINT_WIDTH && !UNBREAKABLE.test(code)) return false;
    }
    if (end === -1) return true;
    start = end + 1;
  }
}

/**
 * Joins chunks with one blank line between them, after `header` (a leading comment line that
 * belongs to the first chunk), formatting what needs formatting.
 */
export async function formatChunks(
  header: string,
  chunks: readonly Chunk[],
  filepath: string,
): Promise<string> {
  const config = await prettierConfigFor(filepath);
  if (!followsDefaults(config)) {
    // Not the layout our printers know: exact over fast, prettier formats the whole file.
    return prettier.format(
      join(
        header,
        chunks,
        chunks.map((c) => c.text),
      ),
      {
        ...config,
        parser: "typescript",
        filepath,
      },
    );
  }
  const texts = chunks.map((c) => c.text);
  const todo = chunks
    .map((c, i) => i)
    .filter(
      (i) =>
        !chunks[i]!.verbatim && (!chunks[i]!.stable || !fits(chunks[i]!.text)),
    );
  if (process.env.VIRT_RPCGEN_DEBUG_CHUNKS)
    process.stderr.write(
      `${filepath}: ${todo.length} of ${chunks.length} chunks need prettier\n`,
    );
  if (todo.length > 0) {
    const wrapped = (i: number) => {
      const w = chunks[i]!.wrap;
      return w
        ? `${w.before ? `${w.before}\n` : ""}${texts[i]}${w.after ? `\n${w.after}` : ""}`
        : texts[i];
    };
    const batch = todo.map(wrapped).join(`\n\n${BOUNDARY}\n\n`);
    let formatted: string;
    try {
      formatted = await prettier.format(batch, {
        ...config,
        parser: "typescript",
        filepath,
      });
    } catch (e) {
      if (process.env.VIRT_RPCGEN_DEBUG_CHUNKS)
        (await import("node:fs")).writeFileSync(
          "/tmp/virt-rpcgen-batch.ts",
          batch,
        );
      throw e;
    }
    const parts = formatted.split(new RegExp(`\\n*${BOUNDARY}\\n*`));
    if (parts.length !== todo.length)
      throw new Error(
        `internal error: prettier merged generated chunks in ${filepath}`,
      );
    todo.forEach((i, k) => {
      let text = parts[k]!.replace(/\n+$/, "");
      const w = chunks[i]!.wrap;
      if (w) {
        const lines = text.split("\n");
        const before = w.before === "" ? 0 : w.before.split("\n").length;
        const after = w.after === "" ? 0 : w.after.split("\n").length;
        text = lines.slice(before, lines.length - after).join("\n");
      }
      texts[i] = text;
    });
  }
  return join(header, chunks, texts);
}

function join(
  header: string,
  chunks: readonly Chunk[],
  texts: readonly string[],
): string {
  return (
    header +
    texts
      .map((t, i) => (i === 0 ? t : (chunks[i]!.join ?? "\n\n") + t))
      .join("") +
    "\n"
  );
}
