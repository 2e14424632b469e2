/**
 * `virt-rpcgen trace <file.x>... --listen ADDR --connect ADDR`: a logging proxy printing every
 * message both ways as one JSON line (see src/wire/trace-proxy.ts and model-tracer.ts).
 */
import { closeSync, openSync, writeSync } from "node:fs";
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
  const out = traceOutput(values.output);
  const write = out.line;
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
    traced: out.batchDone,
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
  out.close();
  return 0;
}

/** Lines gathered before a write: bursts of messages cost one write, not one per line. */
const FLUSH_BYTES = 64 * 1024;
/** …and a line waits at most this long for its write. */
const FLUSH_MS = 20;

/**
 * Where the lines go: stdout, or a file appended to with plain synchronous writes of whole
 * batches (a WriteStream would hand every batch to a thread-pool thread, a thread switch per
 * batch on the proxy's CPU). Lines are encoded into one reused buffer as they come: joining
 * them into a string first cost a rope flattening and a UTF-8 encoding per batch on top.
 */
function traceOutput(path: string | undefined): {
  line: (line: string) => void;
  batchDone: () => void;
  close: () => void;
} {
  const fd = path === undefined || path === "-" ? null : openSync(path, "a");
  let buf = Buffer.allocUnsafe(2 * FLUSH_BYTES);
  let used = 0;
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (used === 0) return;
    // stdout may keep what it is given until it is written: it gets a copy.
    if (fd === null) process.stdout.write(Buffer.from(buf.subarray(0, used)));
    else
      for (let off = 0; off < used;) off += writeSync(fd, buf, off, used - off);
    used = 0;
    // A line too long for the usual buffer grew it: do not keep that much for ever.
    if (buf.length > 2 * FLUSH_BYTES) buf = Buffer.allocUnsafe(2 * FLUSH_BYTES);
  };
  return {
    line: (line) => {
      // At most 3 bytes of UTF-8 per UTF-16 unit, and the newline.
      const most = line.length * 3 + 1;
      if (used + most > buf.length) {
        flush();
        if (most > buf.length) buf = Buffer.allocUnsafe(most);
      }
      used += buf.write(line, used);
      buf[used++] = 0x0a;
    },
    batchDone: () => {
      if (used >= FLUSH_BYTES) flush();
      else if (timer === null && used > 0) timer = setTimeout(flush, FLUSH_MS);
    },
    close: () => {
      flush();
      if (fd !== null) closeSync(fd);
    },
  };
}
