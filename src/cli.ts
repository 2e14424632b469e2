#!/usr/bin/env node
/**
 * virt-rpcgen command line: option parsing and dispatch to one function per command.
 * User errors (bad input, bad options) print one clear message and exit 1, never a stack trace.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
// Only light modules load up front: an up-to-date `generate` must not pay for the parser,
// ts-morph or prettier.
import { XdrDiagnosticError } from "./parser/diagnostics.js";
import {
  loadOptionsFrom,
  MODEL_OPTIONS,
  MODEL_OPTIONS_HELP,
  UsageError,
} from "./cli/options.js";

const HELP = `Usage: virt-rpcgen <command> [options]

Commands:
  structs <file.x> [--expect FILE]
      Print the *-structs ABI listing (as libvirt's check-remote-protocol makes it).
      --structs-filter REGEX keeps the types whose names match (default: libvirt's
      remote_|qemu_|lxc_|admin_|keepalive|virNet|virLockSpace|virLXCMonitor prefixes).
      With --expect, compare with FILE (whitespace runs compared as 'diff -b'):
      exit 0 when equal, else print a unified diff and exit 1.
  generate <file.x>... --out DIR [--check] [--force] [--emit KINDS] [--runtime-import SPEC]
      Write one folder per protocol with its typed codecs and structs listing.
      --check writes nothing and exits 1 listing stale or missing files.
      --emit codecs,structs,client,server,acl,reference chooses the outputs (default: all but
          reference, the static HTML protocol reference).
      --force regenerates even when the stamp says nothing changed.

Options for every command:
${MODEL_OPTIONS_HELP}
  -h, --help             show this help
  -v, --version          show the version
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (
    command === undefined ||
    command === "-h" ||
    command === "--help" ||
    command === "help"
  ) {
    process.stdout.write(HELP);
    return command === undefined ? 1 : 0;
  }
  if (command === "-v" || command === "--version") {
    const pkg = JSON.parse(
      readFileSync(new URL("../package.json", import.meta.url), "utf8"),
    ) as { version: string };
    process.stdout.write(pkg.version + "\n");
    return 0;
  }
  switch (command) {
    case "structs":
      return await structsCommand(rest);
    case "generate": {
      const { generateCommand } = await import("./cli/generate-command.js");
      return generateCommand(rest);
    }
    default:
      throw new UsageError(`unknown command '${command}' (try --help)`);
  }
}

async function structsCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...MODEL_OPTIONS,
      expect: { type: "string" },
      "structs-filter": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length !== 1)
    throw new UsageError("structs takes exactly one .x file");
  const file = positionals[0]!;
  const [{ loadProtocol }, { emitStructsListing }, { unifiedDiff }] =
    await Promise.all([
      import("./model/index.js"),
      import("./emit/structs.js"),
      import("./cli/unified-diff.js"),
    ]);
  const listing = emitStructsListing(
    loadProtocol(file, loadOptionsFrom(values)),
    { filter: structsFilterOf(values["structs-filter"]) },
  );
  if (values.expect === undefined) {
    process.stdout.write(listing);
    return 0;
  }
  const expected = readFileSync(values.expect, "utf8");
  const diff = unifiedDiff(
    values.expect,
    `${file} (generated)`,
    expected,
    listing,
  );
  if (diff === "") return 0;
  process.stdout.write(diff);
  return 1;
}

/** `--structs-filter REGEX`: which type names the listing keeps (default: libvirt's prefixes). */
function structsFilterOf(text: string | undefined): RegExp | undefined {
  if (text === undefined) return undefined;
  try {
    return new RegExp(text);
  } catch (e) {
    throw new UsageError(`--structs-filter: ${(e as Error).message}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.exitCode = 1;
    if (err instanceof XdrDiagnosticError) {
      process.stderr.write(err.message + "\n");
    } else if (
      err instanceof UsageError ||
      (err instanceof TypeError &&
        "code" in err &&
        String(err.code).startsWith("ERR_PARSE_ARGS"))
    ) {
      process.stderr.write(`virt-rpcgen: ${err.message}\n`);
    } else if (
      err instanceof Error &&
      "code" in err &&
      (err.code === "ENOENT" || err.code === "EACCES" || err.code === "EISDIR")
    ) {
      process.stderr.write(`virt-rpcgen: ${err.message}\n`);
    } else {
      // A bug in virt-rpcgen, not a user error: keep the stack for the report.
      process.stderr.write(
        `virt-rpcgen: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exitCode = 2;
    }
  },
);
