/**
 * The library side of tracing: watch a connection's bytes both ways and print every message as
 * one JSON line (trace-line.ts), decoded with the generated codecs of the programs given.
 * Watching never changes what is sent or received, and a message that cannot be decoded is
 * printed raw with the reason.
 */
import type { Duplex } from "node:stream";
import { FrameReader, parseFrame } from "../rpc/framing.js";
import { observeLoop, type WireTracer } from "./observe-loop.js";
import type { XdrCodec } from "../xdr/codec.js";
import {
  VIR_NET_MESSAGE_MAX,
  VIR_NET_MESSAGE_LEN_MAX,
  xdr_virNetMessageError,
  xdr_virNetStreamHole,
} from "../generated/virnetprotocol/codecs.js";
import {
  KEEPALIVE_PROC_PING,
  KEEPALIVE_PROC_PONG,
  KEEPALIVE_PROGRAM,
  KEEPALIVE_PROTOCOL_VERSION,
} from "../generated/virkeepaliveprotocol/codecs.js";
import { procedureFilter } from "./filter.js";
import { toJsonValue } from "./json-value.js";
import {
  carriesFds,
  MESSAGE_STATUS_NAMES,
  MESSAGE_TYPE_NAMES,
  payloadRoleOf,
} from "./payload.js";
import {
  formatTraceLine,
  rawHex,
  type TraceDirection,
  type TraceRecord,
} from "./trace-line.js";

/** One procedure: constant name, C API name, and its args, ret and msg codecs. */
export type TraceProcedure = readonly [
  name: string,
  api: string,
  args: XdrCodec<unknown> | null,
  ret: XdrCodec<unknown> | null,
  msg: XdrCodec<unknown> | null,
];

/** What the tracer needs of a program (the generated `client.ts` exports one per program). */
export interface TraceProgram {
  /** The program constant: `REMOTE_PROGRAM`. */
  readonly name: string;
  readonly program: number;
  readonly version: number;
  readonly procedures: Readonly<Record<number, TraceProcedure>>;
}

export type TraceSink = (line: string) => void;

export interface TraceOptions {
  /** Where lines go (default: stderr, one per line). */
  readonly write?: TraceSink | undefined;
  /** Only these procedures (constant, C API or method names); default: all. */
  readonly procedures?: readonly string[] | undefined;
}

/** `true` (stderr), a function taking each line, or options. */
export type TraceOption = boolean | TraceSink | TraceOptions;

export const KEEPALIVE_TRACE_PROGRAM: TraceProgram = {
  name: "KEEPALIVE_PROGRAM",
  program: KEEPALIVE_PROGRAM,
  version: KEEPALIVE_PROTOCOL_VERSION,
  procedures: {
    [KEEPALIVE_PROC_PING]: ["KEEPALIVE_PROC_PING", "ping", null, null, null],
    [KEEPALIVE_PROC_PONG]: ["KEEPALIVE_PROC_PONG", "pong", null, null, null],
  },
};

const MAX_FRAME = VIR_NET_MESSAGE_MAX + VIR_NET_MESSAGE_LEN_MAX;

export type { WireTracer };

export function traceOptionsOf(option: TraceOption): TraceOptions {
  if (option === true) return {};
  if (option === false) return { write: () => {} };
  if (typeof option === "function") return { write: option };
  return option;
}

const stderrSink: TraceSink = (line) => process.stderr.write(line + "\n");

/** A tracer for one connection carrying `programs` (keepalive is always known). */
export function createWireTracer(
  programs: readonly TraceProgram[],
  option: TraceOption,
  connection?: number,
): WireTracer {
  const { write = stderrSink, procedures } = traceOptionsOf(option);
  const wanted = procedureFilter(procedures);
  const byNumber = new Map<number, TraceProgram>();
  for (const p of [...programs, KEEPALIVE_TRACE_PROGRAM])
    if (!byNumber.has(p.program)) byNumber.set(p.program, p);
  const describe = (
    direction: TraceDirection,
    frame: Uint8Array,
    ms: number,
  ): TraceRecord | null => {
    const time = new Date(ms);
    let record: TraceRecord = { time, direction, connection };
    try {
      const { header: h, body: r } = parseFrame(frame);
      const program = byNumber.get(h.prog);
      const entry = program?.procedures[h.proc];
      if (wanted && !(entry && wanted(entry[0], entry[1]))) return null;
      record = {
        ...record,
        program: program?.name ?? h.prog,
        version: h.vers,
        procedure: entry?.[0] ?? h.proc,
        api: entry?.[1],
        type: MESSAGE_TYPE_NAMES[h.type] ?? h.type,
        serial: h.serial,
        status: MESSAGE_STATUS_NAMES[h.status] ?? h.status,
      };
      const fds = carriesFds(h.type) ? r.uint() : undefined;
      const role = payloadRoleOf(h, r.remaining);
      let codec: XdrCodec<unknown> | null = null;
      switch (role) {
        case null:
          throw new Error(`unknown message type ${h.type}`);
        case "data":
          return { ...record, fds, data: { bytes: r.remaining } };
        case "none":
          return { ...record, fds };
        case "error":
          codec = xdr_virNetMessageError;
          break;
        case "hole":
          codec = xdr_virNetStreamHole;
          break;
        default:
          if (!program) throw new Error(`unknown program ${h.prog}`);
          if (!entry)
            throw new Error(`unknown procedure ${h.proc} of ${program.name}`);
          codec = entry[role === "args" ? 2 : role === "ret" ? 3 : 4];
      }
      const body = codec ? toJsonValue(codec.decode(r)) : undefined;
      r.done();
      return { ...record, fds, body };
    } catch (e) {
      return {
        ...record,
        error: e instanceof Error ? e.message : String(e),
        raw: rawHex(frame),
      };
    }
  };

  return observeLoop({
    split: () => new FrameReader(MAX_FRAME),
    describe: (direction, frame, ms) => {
      const r = describe(direction, frame, ms);
      return r && formatTraceLine(r);
    },
    write,
    connection,
  });
}

/**
 * Traces a socket: what arrives on it goes `incoming`, what is written to it the other way.
 * Adds a 'data' listener and wraps the socket's `write`; the bytes are never changed.
 */
export function traceSocket(
  socket: Duplex,
  tracer: WireTracer,
  incoming: TraceDirection,
): void {
  const outgoing: TraceDirection =
    incoming === "client->server" ? "server->client" : "client->server";
  socket.on("data", (chunk: Uint8Array) => tracer.observe(incoming, chunk));
  const write = socket.write.bind(socket) as (...a: unknown[]) => boolean;
  socket.write = function (chunk: unknown, ...rest: unknown[]) {
    if (chunk instanceof Uint8Array) tracer.observe(outgoing, chunk);
    return write(chunk, ...rest);
  } as typeof socket.write;
}
