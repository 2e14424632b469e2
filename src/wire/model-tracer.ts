/**
 * Trace lines decoded with the model (for `virt-rpcgen trace`): the same lines the runtime's
 * tracer prints, with the CLI's lossless JSON bodies (enums and union arms by name).
 */
import { FrameReader } from "virt-rpcgen-runtime/rpc";
import { procedureFilter } from "virt-rpcgen-runtime/trace";
import { observeLoop, type WireTracer } from "virt-rpcgen-runtime/trace";
import {
  formatTraceLine,
  isoTime,
  rawHex,
  type TraceRecord,
} from "virt-rpcgen-runtime/trace";
import type { Json, JsonCodecOptions } from "./json-codec.js";
import { decodeMessage, type WireProtocols } from "./message.js";
import { MessageTextDecoder } from "./message-text.js";

/** libvirt's limit (VIR_NET_MESSAGE_MAX plus the length word). */
const MAX_FRAME = 33554432 + 4;

/** Thrown to skip a message the filter does not want (made once: no stack per message). */
const FILTERED = new Error("filtered out");

export interface ModelTracerOptions extends JsonCodecOptions {
  readonly write: (line: string) => void;
  readonly procedures?: readonly string[] | undefined;
}

export function createModelTracer(
  protocols: WireProtocols,
  options: ModelTracerOptions,
  connection?: number,
): WireTracer {
  const wanted = procedureFilter(options.procedures);

  let head: { [key: string]: Json } | undefined;
  const decodeOptions = {
    ...options,
    summarizeData: true,
    onHeader: (h: { [key: string]: Json }) => {
      head = h;
      if (
        wanted &&
        !(
          typeof h.procedure === "string" &&
          wanted(h.procedure, h.api as string | undefined)
        )
      )
        throw FILTERED;
    },
  };
  const conn = connection === undefined ? "" : `,"connection":${connection}`;
  const fast = textDecoders(protocols, options);

  return observeLoop({
    split: () => new FrameReader(MAX_FRAME),
    // One line; the message's keys come in trace-line order, so it is spliced in as it is.
    describe: (direction, frame: Uint8Array, time) => {
      try {
        const text = fast.text(frame, wanted);
        return text === null
          ? null
          : `{"time":"${isoTime(time)}","direction":"${direction}"${conn},${text}`;
      } catch {
        // Bad bytes (or something the fast path does not know): the interpreter says why.
      }
      head = undefined;
      try {
        const m = decodeMessage(protocols, frame, decodeOptions);
        return `{"time":"${isoTime(time)}","direction":"${direction}"${conn},${JSON.stringify(m).slice(1)}`;
      } catch (e) {
        if (e === FILTERED) return null;
        return formatTraceLine({
          ...(head as Partial<TraceRecord> | undefined),
          time: new Date(time),
          direction,
          connection,
          error: e instanceof Error ? e.message : String(e),
          raw: rawHex(frame),
        });
      }
    },
    write: options.write,
    connection,
  });
}

/** One compiled decoder per protocol set and bytes option, shared by all connections. */
const compiled = new WeakMap<WireProtocols, Map<string, MessageTextDecoder>>();
function textDecoders(
  protocols: WireProtocols,
  options: JsonCodecOptions,
): MessageTextDecoder {
  let byOption = compiled.get(protocols);
  if (!byOption)
    compiled.set(protocols, (byOption = new Map<string, MessageTextDecoder>()));
  const key = options.bytes ?? "base64";
  let d = byOption.get(key);
  if (!d) byOption.set(key, (d = new MessageTextDecoder(protocols, options)));
  return d;
}
