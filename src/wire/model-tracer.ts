/**
 * Trace lines decoded with the model (for `virt-rpcgen trace`): the same lines the runtime's
 * tracer prints, with the CLI's lossless JSON bodies (enums and union arms by name).
 */
import { FrameReader } from "../runtime/rpc/framing.js";
import { procedureFilter } from "../runtime/trace/filter.js";
import {
  formatTraceLine,
  rawHex,
  type TraceDirection,
  type TraceRecord,
} from "../runtime/trace/trace-line.js";
import type { WireTracer } from "../runtime/trace/tracer.js";
import type { Json, JsonCodecOptions } from "./json-codec.js";
import { decodeMessage, headerToJson, type WireProtocols } from "./message.js";

/** libvirt's limit (VIR_NET_MESSAGE_MAX plus the length word). */
const MAX_FRAME = 33554432 + 4;

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
  const readers = new Map<TraceDirection, FrameReader | null>();

  const describe = (
    direction: TraceDirection,
    frame: Uint8Array,
  ): TraceRecord | null => {
    const base: TraceRecord = { time: new Date(), direction, connection };
    let head: { [key: string]: Json } | undefined;
    try {
      head = headerToJson(protocols, frame).json;
      if (
        wanted &&
        !(
          typeof head.procedure === "string" &&
          wanted(head.procedure, head.api as string | undefined)
        )
      )
        return null;
      const m = decodeMessage(protocols, frame, {
        ...options,
        summarizeData: true,
      });
      return { ...base, ...(m as Partial<TraceRecord>), time: base.time };
    } catch (e) {
      return {
        ...base,
        ...(head as Partial<TraceRecord> | undefined),
        time: base.time,
        error: e instanceof Error ? e.message : String(e),
        raw: rawHex(frame),
      };
    }
  };

  return {
    observe(direction, chunk) {
      let reader = readers.get(direction);
      if (reader === null) return;
      if (reader === undefined) {
        reader = new FrameReader(MAX_FRAME);
        readers.set(direction, reader);
      }
      let frames: Uint8Array[];
      try {
        frames = reader.push(chunk.slice());
      } catch (e) {
        readers.set(direction, null);
        options.write(
          formatTraceLine({
            time: new Date(),
            direction,
            connection,
            error: `${(e as Error).message}; not decoding this direction any more`,
            raw: rawHex(chunk),
          }),
        );
        return;
      }
      for (const f of frames) {
        const r = describe(direction, f);
        if (r) options.write(formatTraceLine(r));
      }
    },
  };
}
