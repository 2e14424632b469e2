/**
 * `virt-rpcgen decode` and `encode`: wire bytes <-> JSON, from the .x files' model.
 *
 *   decode remote_protocol.x < capture.bin            one JSON line per libvirt message
 *   decode remote_protocol.x --type remote_domain_get_info_ret --hex '00 00 00 01 …'
 *   encode remote_protocol.x < messages.jsonl > capture.bin
 */
import { writeSync } from "node:fs";
import { parseArgs } from "node:util";
import { loadOptionsFrom, MODEL_OPTIONS, UsageError } from "./options.js";

const WIRE_OPTIONS = {
  ...MODEL_OPTIONS,
  type: { type: "string" },
  input: { type: "string", short: "i" },
  hex: { type: "string" },
  "input-format": { type: "string" },
  "output-format": { type: "string" },
  opaque: { type: "string" },
  pretty: { type: "boolean" },
  framing: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

function formatOption(
  v: string | undefined,
  option: string,
  choices: readonly string[],
): string {
  const f = v ?? choices[0]!;
  if (!choices.includes(f))
    throw new UsageError(`--${option} must be one of ${choices.join(", ")}`);
  return f;
}

/**
 * Which messages the protocols speak: libvirt's (a procedure enum and a `<P>_PROGRAM`
 * constant) or plain ONC RPC with record marking (`program` blocks only).
 */
export function framingOf(
  option: string | undefined,
  models: readonly import("../model/index.js").ProtocolModel[],
): "libvirt" | "onc" {
  if (option !== undefined) {
    if (option !== "libvirt" && option !== "onc")
      throw new UsageError("--framing must be libvirt or onc");
    return option;
  }
  const libvirt = models.some(
    (m) => m.program !== null && m.procedures.length > 0,
  );
  const onc = models.some((m) => m.programs.length > 0);
  return onc && !libvirt ? "onc" : "libvirt";
}

async function setUp(args: string[], help: string) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: WIRE_OPTIONS,
  });
  if (values.help) {
    process.stdout.write(help);
    return null;
  }
  if (positionals.length === 0)
    throw new UsageError("give the protocol's .x file(s)");
  const [{ loadProtocols }, { WireProtocols }, { OncProtocols }] =
    await Promise.all([
      import("../model/index.js"),
      import("../wire/message.js"),
      import("../wire/onc-message.js"),
    ]);
  const models = loadProtocols(positionals, loadOptionsFrom(values));
  const framing = framingOf(values.framing, models);
  const opaque = formatOption(values.opaque, "opaque", ["base64", "hex"]) as
    "base64" | "hex";
  const typeDecl =
    values.type === undefined
      ? null
      : (models.map((m) => m.lookupType(values.type!)).find(Boolean) ??
        (() => {
          throw new UsageError(
            `no type '${values.type}' in ${positionals.join(", ")}`,
          );
        })());
  return {
    values,
    models,
    protocols: new WireProtocols(models),
    onc: new OncProtocols(models),
    framing,
    codecOptions: { bytes: opaque },
    typeDecl,
  };
}

function writeOut(data: string | Uint8Array): void {
  // Synchronous, so large outputs to a pipe are complete before the process exits.
  const bytes = typeof data === "string" ? Buffer.from(data) : data;
  for (let off = 0; off < bytes.length;)
    off += writeSync(1, bytes, off, bytes.length - off);
}

export async function decodeCommand(
  args: string[],
  help: string,
): Promise<number> {
  const ctx = await setUp(args, help);
  if (!ctx) return 0;
  const [
    { parseHex, readInput },
    { XdrReader, prependXdrPath },
    { decodeDecl },
    msg,
    fr,
    onc,
    rpcOnc,
  ] = await Promise.all([
    import("../wire/input.js"),
    import("virt-rpcgen-runtime/xdr"),
    import("../wire/json-codec.js"),
    import("../wire/message.js"),
    import("virt-rpcgen-runtime/rpc"),
    import("../wire/onc-message.js"),
    // The ONC runtime (client, server…) is loaded only when its record splitter is needed.
    ctx.framing === "onc" ? import("virt-rpcgen-runtime/oncrpc") : null,
  ]);
  const bytes = ((): Uint8Array => {
    if (ctx.values.hex !== undefined) return parseHex(ctx.values.hex);
    const format = formatOption(ctx.values["input-format"], "input-format", [
      "raw",
      "hex",
    ]);
    const data = readInput(ctx.values.input);
    return format === "hex" ? parseHex(data.toString("latin1")) : data;
  })();
  const indent = ctx.values.pretty ? 2 : undefined;
  if (ctx.typeDecl) {
    const r = new XdrReader(bytes);
    const json = decodeDecl(r, ctx.typeDecl, ctx.codecOptions);
    try {
      r.done();
    } catch (e) {
      throw prependXdrPath(e, ctx.typeDecl.name);
    }
    writeOut(JSON.stringify(json, null, indent) + "\n");
    return 0;
  }
  // A stream of messages, one JSON line each.
  const { messages, rest } =
    ctx.framing === "onc" ? oncMessagesOf(bytes) : libvirtMessagesOf(bytes);
  const lines: string[] = [];
  const session = new onc.OncSession(ctx.onc);
  let used = 0;
  for (const m of messages) {
    try {
      const json =
        ctx.framing === "onc"
          ? onc.decodeOncMessage(
              session,
              m.bytes,
              m.fragments,
              ctx.codecOptions,
            )
          : msg.decodeMessage(ctx.protocols, m.bytes, ctx.codecOptions);
      lines.push(JSON.stringify(json, null, indent));
    } catch (e) {
      writeOut(lines.map((l) => l + "\n").join(""));
      if (e instanceof Error)
        e.message = `message ${lines.length + 1} (at byte ${used}): ${e.message}`;
      throw e;
    }
    used += m.size;
  }
  writeOut(lines.map((l) => l + "\n").join(""));
  if (rest !== 0)
    throw new UsageError(
      `the input ends inside a message: ${rest} bytes after message ${lines.length}`,
    );
  return 0;

  function libvirtMessagesOf(input: Uint8Array) {
    const frames = new fr.FrameReader(Number.MAX_SAFE_INTEGER);
    const messages = frames
      .push(input)
      .map((f) => ({ bytes: f, fragments: [], size: f.length }));
    return { messages, rest: frames.pending };
  }

  function oncMessagesOf(input: Uint8Array) {
    const records = new rpcOnc!.RecordReader({
      maxFragment: Number.MAX_SAFE_INTEGER,
      maxRecord: Number.MAX_SAFE_INTEGER,
    });
    const messages = records.pushFragmented(input).map((m) => ({
      bytes: m.bytes,
      fragments: m.fragments,
      size: m.bytes.length + 4 * m.fragments.length,
    }));
    return { messages, rest: records.pending };
  }
}

export async function encodeCommand(
  args: string[],
  help: string,
): Promise<number> {
  const ctx = await setUp(args, help);
  if (!ctx) return 0;
  const [
    { parseJsonValues, readInput },
    { XdrWriter },
    { encodeDecl },
    msg,
    onc,
  ] = await Promise.all([
    import("../wire/input.js"),
    import("virt-rpcgen-runtime/xdr"),
    import("../wire/json-codec.js"),
    import("../wire/message.js"),
    import("../wire/onc-message.js"),
  ]);
  const outputFormat = formatOption(
    ctx.values["output-format"],
    "output-format",
    ["raw", "hex"],
  );
  const values = parseJsonValues(readInput(ctx.values.input).toString("utf8"));
  const parts: Uint8Array[] = [];
  if (ctx.typeDecl) {
    if (values.length !== 1)
      throw new UsageError(`--type takes exactly one JSON value`);
    const w = new XdrWriter();
    encodeDecl(w, ctx.typeDecl, values[0]!, ctx.codecOptions);
    parts.push(w.toBytes());
  } else {
    const messages =
      values.length === 1 && Array.isArray(values[0]) ? values[0] : values;
    const session = new onc.OncSession(ctx.onc);
    messages.forEach((m, i) => {
      try {
        parts.push(
          ctx.framing === "onc"
            ? onc.encodeOncMessage(session, m, ctx.codecOptions)
            : msg.encodeMessage(ctx.protocols, m, ctx.codecOptions),
        );
      } catch (e) {
        if (e instanceof Error) e.message = `message ${i + 1}: ${e.message}`;
        throw e;
      }
    });
  }
  const bytes = Buffer.concat(parts);
  writeOut(outputFormat === "hex" ? bytes.toString("hex") + "\n" : bytes);
  return 0;
}
