/** `virt-rpcgen generate <file.x>... --out DIR [--check] [--runtime-import SPEC]` */
import { existsSync, statSync } from "node:fs";
import { parseArgs } from "node:util";
import { DEFAULT_RUNTIME_IMPORT, displayPath, generate } from "../generate.js";
import { loadOptionsFrom, MODEL_OPTIONS, UsageError } from "./options.js";
import { OUTPUT_KINDS, type OutputKind } from "../output-kinds.js";

export async function generateCommand(
  args: string[],
  help: string,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...MODEL_OPTIONS,
      out: { type: "string", short: "o" },
      check: { type: "boolean" },
      "runtime-import": { type: "string" },
      quiet: { type: "boolean", short: "q" },
      force: { type: "boolean" },
      prune: { type: "boolean" },
      emit: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  if (positionals.length === 0)
    throw new UsageError("generate needs at least one .x file");
  if (values.out === undefined)
    throw new UsageError("generate needs --out DIR");
  if (existsSync(values.out) && !statSync(values.out).isDirectory())
    throw new UsageError(`--out ${values.out}: not a directory`);
  const outDir = values.out;
  const result = await generate({
    ...loadOptionsFrom(values),
    files: positionals,
    outDir: values.out,
    runtimeImport: values["runtime-import"] ?? DEFAULT_RUNTIME_IMPORT,
    check: values.check ?? false,
    force: values.force ?? false,
    prune: values.prune ?? false,
    ...(values.emit === undefined ? {} : { emit: parseEmit(values.emit) }),
  });
  const orphanLines = result.orphans.map(
    (f) => `  ${displayPath(outDir, f)}\n`,
  );
  if (values.check) {
    if (
      result.stale.length === 0 &&
      !result.staleReason &&
      result.orphans.length === 0
    )
      return 0;
    if (result.staleReason)
      process.stderr.write(
        `virt-rpcgen: ${values.out} is stale: ${result.staleReason}; run generate\n`,
      );
    if (result.stale.length > 0) {
      process.stderr.write(
        `virt-rpcgen: ${result.stale.length} generated file(s) are stale or missing; run generate:\n`,
      );
      for (const f of result.stale)
        process.stderr.write(`  ${displayPath(values.out, f)}\n`);
    }
    if (result.orphans.length > 0) {
      process.stderr.write(
        `virt-rpcgen: ${result.orphans.length} orphaned output(s), generated before but no longer produced by these inputs; delete them (generate --prune deletes the ones it wrote and nobody edited):\n${orphanLines.join("")}`,
      );
    }
    return 1;
  }
  for (const f of result.removed) {
    if (!values.quiet)
      process.stdout.write(
        `virt-rpcgen: removed ${displayPath(values.out, f)} (no longer generated)\n`,
      );
  }
  if (result.orphans.length > 0) {
    process.stderr.write(
      `virt-rpcgen: warning: ${result.orphans.length} orphaned output(s), generated before but no longer produced by these inputs; delete them (--prune deletes those the stamp shows it wrote and nobody edited):\n${orphanLines.join("")}`,
    );
  }
  if (!values.quiet && result.upToDate) {
    process.stdout.write(`virt-rpcgen: ${values.out} is up to date\n`);
  } else if (!values.quiet) {
    process.stdout.write(
      `virt-rpcgen: ${result.files.length} files, ${result.written.length} written to ${values.out}\n`,
    );
  }
  return 0;
}

/** `--emit codecs,structs`: a subset of the outputs. */
function parseEmit(text: string): OutputKind[] {
  const kinds = text.split(",").map((s) => s.trim());
  for (const k of kinds) {
    if (!(OUTPUT_KINDS as readonly string[]).includes(k))
      throw new UsageError(
        `--emit: unknown output '${k}' (known: ${OUTPUT_KINDS.join(", ")})`,
      );
  }
  return kinds as OutputKind[];
}
