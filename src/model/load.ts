/**
 * Loading a set of protocols: parse each file once, follow cross-protocol references, resolve.
 *
 * `qemu_protocol.x` starts with `%#include "remote_protocol.h"` and uses remote's types; that
 * line (or an explicit `--import`) makes `remote_protocol.x` from the same folder an import.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve as resolvePath } from "node:path";
import { XdrDiagnosticError, parseXdr, type XdrFile } from "../parser/index.js";
import { decodeSource, readSource } from "../parser/source.js";
import { parseDefinesFile } from "./constants.js";
import { protocolNameOf, resolveProtocol } from "./resolve.js";
import {
  includedProtocols,
  LIBVIRT_DEFINES_FILE,
  type LoadOptions,
} from "./load-options.js";

export { LIBVIRT_DEFINES_FILE, type LoadOptions };
import type { ProtocolModel } from "./types.js";

export function externalDefines(options: LoadOptions): Map<string, number> {
  const out = new Map<string, number>();
  const files = [
    ...(options.libvirtDefines === false ? [] : [LIBVIRT_DEFINES_FILE]),
    ...(options.definesFiles ?? []),
  ];
  for (const f of files)
    for (const [k, v] of parseDefinesFile(f, readFileSync(f, "utf8")))
      out.set(k, v);
  // -D macros with integer values are usable as constants, as cpp would substitute them.
  for (const [k, v] of options.macros ?? [])
    if (/^-?\d+$/.test(v)) out.set(k, Number(v));
  for (const [k, v] of options.defines ?? []) out.set(k, v);
  return out;
}

/** Loads protocols; returns them in the order of `files`. Imports are shared, never parsed twice. */
export function loadProtocols(
  files: readonly string[],
  options: LoadOptions = {},
): ProtocolModel[] {
  const external = externalDefines(options);
  const read = options.readFile ?? readSource;
  const byPath = new Map<string, ProtocolModel>();
  const importByName = new Map<string, string>();
  for (const f of [...(options.importFiles ?? []), ...files])
    importByName.set(protocolNameOf(f), resolvePath(f));
  const loading: string[] = [];

  const load = (path: string): ProtocolModel => {
    const abs = resolvePath(path);
    const done = byPath.get(abs);
    if (done) return done;
    if (loading.includes(abs)) {
      throw new XdrDiagnosticError([
        {
          loc: { file: path, line: 1, col: 1, offset: 0 },
          message: `import cycle: ${[...loading, abs].map(protocolNameOf).join(" -> ")}`,
        },
      ]);
    }
    loading.push(abs);
    const raw = read(path);
    const text = typeof raw === "string" ? raw : decodeSource(path, raw);
    const ast = parseXdr(path, text, { defines: options.macros });
    const imports = importsOf(ast, path).map(load);
    const model = resolveProtocol(ast, { imports, external, text });
    loading.pop();
    byPath.set(abs, model);
    return model;
  };

  function importsOf(ast: XdrFile, path: string): string[] {
    const out: string[] = [];
    for (const name of ast.passThrough.flatMap((line) =>
      includedProtocols(line.text),
    )) {
      const explicit = importByName.get(name);
      const sibling = join(dirname(path), `${name}.x`);
      if (explicit && resolvePath(explicit) !== resolvePath(path))
        out.push(explicit);
      else if (
        existsSync(sibling) &&
        resolvePath(sibling) !== resolvePath(path)
      )
        out.push(sibling);
      // Other headers (internal.h, virxdrdefs.h…) are C-only and carry no XDR types.
    }
    // `#include "nis_object.x"`: cpp pastes the file in for rpcgen; here it is an import.
    for (const target of ast.includes.filter((t) => t.endsWith(".x"))) {
      const included = resolvePath(dirname(path), target);
      if (!existsSync(included) && !importByName.has(protocolNameOf(target)))
        throw new XdrDiagnosticError([
          {
            loc: { file: path, line: 1, col: 1, offset: 0 },
            message: `cannot find included file '${target}' next to ${path}`,
          },
        ]);
      const file = existsSync(included)
        ? included
        : importByName.get(protocolNameOf(target))!;
      if (!out.includes(file)) out.push(file);
    }
    return out;
  }

  return files.map(load);
}

export function loadProtocol(
  file: string,
  options: LoadOptions = {},
): ProtocolModel {
  return loadProtocols([file], options)[0]!;
}
