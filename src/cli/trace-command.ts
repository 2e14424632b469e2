/**
 * `virt-rpcgen trace <file.x>... --listen ADDR --connect ADDR`: a logging proxy printing every
 * message both ways as one JSON line (see src/wire/trace-proxy.ts and model-tracer.ts).
 */
import { createWriteStream } from "node:fs";
import { parseArgs } from "node:util";
import { loadOptionsFrom, MODEL_OPTIONS, UsageError } from "./options.js";

export async function traceCommand(
  args: string[],
  help: string,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...MODEL_OPTIONS,
      listen: { type: "string", short: "l" },
      connect: { type: "string", short: "c" },
      procedure: { type: "string", short: "p", multiple: true },
      output: { type: "string", short: "o" },
      opaque: { type: "string" },
      framing: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  if (positionals.length === 0)
    throw new UsageError("give the protocol's .x file(s)");
  if (values.listen === undefined || values.connect === undefined)
    throw new UsageError("trace needs --listen ADDR and --connect ADDR");
  if (values.opaque !== undefined && !["base64", "hex"].includes(values.opaque))
    throw new UsageError("--opaque must be base64 or hex");
  const [
    { loadProtocols },
    { WireProtocols },
    { OncProtocols },
    tracer,
    oncTracer,
    proxy,
    address,
    { framingOf },
  ] = await Promise.all([
    import("../model/index.js"),
    import("../wire/message.js"),
    import("../wire/onc-message.js"),
    import("../wire/model-tracer.js"),
    import("../wire/onc-tracer.js"),
    import("../wire/trace-proxy.js"),
    import("../wire/address.js"),
    import("./wire-commands.js"),
  ]);
  const listen = address.parseAddress(values.listen, "--listen");
  const upstream = address.parseAddress(values.connect, "--connect");
  const models = loadProtocols(positionals, loadOptionsFrom(values));
  const framing = framingOf(values.framing, models);
  const protocols = new WireProtocols(models);
  const onc = new OncProtocols(models);
  const out =
    values.output === undefined || values.output === "-"
      ? process.stdout
      : createWriteStream(values.output, { flags: "a" });
  // Lines are gathered and written once per turn of the event loop: one write for a burst.
  let pending: string[] = [];
  const flush = () => {
    const text = pending.join("");
    pending = [];
    out.write(text);
  };
  const write = (line: string) => {
    if (pending.length === 0) setImmediate(flush);
    pending.push(line + "\n");
  };
  const bytes = values.opaque as "base64" | "hex" | undefined;
  const running = await proxy.startTraceProxy({
    listen,
    upstream,
    tracerFor: (n) =>
      framing === "onc"
        ? oncTracer.createOncTracer(
            onc,
            { write, procedures: values.procedure, bytes },
            n,
          )
        : tracer.createModelTracer(
            protocols,
            { write, procedures: values.procedure, bytes },
            n,
          ),
    log: (m) => process.stderr.write(`virt-rpcgen trace: ${m}\n`),
  });
  process.stderr.write(
    `virt-rpcgen trace: listening on ${running.address}, forwarding to ${address.describeAddress(upstream)}\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await running.close();
  if (pending.length > 0) flush();
  if (out !== process.stdout)
    await new Promise<void>((r) => (out as NodeJS.WritableStream).end(r));
  return 0;
}
