#!/usr/bin/env node
/**
 * virt-rpcgen command line: option parsing and dispatch to one function per command.
 * User errors (bad input, bad options) print one clear message and exit 1, never a stack trace.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
// Only light modules load up front: an up-to-date `generate` must not pay for the parser,
// ts-morph or prettier.
import { printable, XdrDiagnosticError } from "./parser/diagnostics.js";
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
  generate <file.x>... --out DIR [--check] [--force] [--prune] [--emit KINDS] [--runtime-import SPEC]
      Write one folder per protocol with its typed codecs and structs listing.
      --check writes nothing and exits 1 listing stale, missing or orphaned files (output an
          earlier run wrote that these inputs no longer produce; generate warns about them).
      --emit codecs,structs,client,server,acl,api,reference chooses the outputs (default: all
          but reference, the static HTML protocol reference; client brings api, libvirt's
          enums, when the API data describes the protocol).
      --force regenerates even when the stamp says nothing changed.
      --prune deletes orphaned files the stamp shows an earlier run wrote, unmodified since.
      --runtime-import SPEC: the module generated code imports its runtime from (default:
          virt-rpcgen-runtime). -q, --quiet prints nothing but errors and warnings.
  decode <file.x>... [--type NAME] [--input FILE | --hex HEX] [--input-format raw|hex]
      Decode wire bytes into JSON with the protocols' types. Without --type the input is
      libvirt RPC messages (length, header, body), printed one JSON line each: program,
      version, procedure, type, serial and status by name, then the body decoded as the
      procedure's args, ret or msg (an error reply as virNetMessageError, stream data as
      "data"). Protocols with only rpcgen 'program' blocks get ONC RPC messages instead
      (record marking, rpc_msg header, replies matched to calls by xid); --framing
      libvirt|onc overrides the choice. --type decodes exactly one value of the named type.
      Hypers are decimal strings, opaque data base64 (--opaque hex), enums and union arms
      by name. Bad bytes: the XDR error with the field path, exit 1. Input: FILE, stdin or
      --hex. --pretty indents the JSON.
  encode <file.x>... [--type NAME] [--input FILE] [--output-format raw|hex]
      The reverse of decode: JSON (one value, or one message per line as decode prints
      them) to wire bytes on stdout. 'decode | encode' gives back the same bytes.
  trace <file.x>... --listen ADDR --connect ADDR [--procedure NAME]... [--output FILE]
        [--opaque base64|hex] [--framing libvirt|onc]
      A logging proxy: accepts clients on ADDR (a unix socket path, unix:PATH, or
      [HOST:]PORT / tcp:HOST:PORT), forwards every byte unchanged to the server at
      --connect, and prints each message, both ways, as one JSON line (time,
      direction, program, procedure, serial, status, decoded body; stream data as its
      size). --procedure (repeatable; a REMOTE_PROC_ name, a C API name or a method
      name) prints only those procedures. Messages it cannot decode are printed raw,
      with the reason; forwarding never stops for them. --output FILE appends the lines
      to FILE instead of stdout.

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
      return generateCommand(rest, HELP);
    }
    case "decode": {
      const { decodeCommand } = await import("./cli/wire-commands.js");
      return decodeCommand(rest, HELP);
    }
    case "encode": {
      const { encodeCommand } = await import("./cli/wire-commands.js");
      return encodeCommand(rest, HELP);
    }
    case "trace": {
      const { traceCommand } = await import("./cli/trace-command.js");
      return traceCommand(rest, HELP);
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

/** Errors from reading inputs or writing outputs: the user's environment, not a bug. */
const FILE_SYSTEM_ERRORS = new Set([
  "ENOENT",
  "EACCES",
  "EPERM",
  "EISDIR",
  "ENOTDIR",
  "EEXIST",
  "EROFS",
  "ENOSPC",
  "ELOOP",
  "ENAMETOOLONG",
]);

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.exitCode = 1;
    if (err instanceof XdrDiagnosticError) {
      process.stderr.write(err.message + "\n");
    } else if (
      err instanceof Error &&
      (err.name === "XdrError" || err.name === "FramingError")
    ) {
      // Bad wire bytes or JSON for decode/encode: the error names the field path.
      process.stderr.write(`virt-rpcgen: ${err.message}\n`);
    } else if (
      err instanceof UsageError ||
      (err instanceof TypeError &&
        "code" in err &&
        String(err.code).startsWith("ERR_PARSE_ARGS"))
    ) {
      process.stderr.write(`virt-rpcgen: ${printable(err.message)}\n`);
    } else if (
      err instanceof Error &&
      "code" in err &&
      FILE_SYSTEM_ERRORS.has(String(err.code))
    ) {
      process.stderr.write(`virt-rpcgen: ${printable(err.message)}\n`);
    } else {
      // A bug in virt-rpcgen, not a user error: keep the stack for the report.
      process.stderr.write(
        `virt-rpcgen: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exitCode = 2;
    }
  },
);
