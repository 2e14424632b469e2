/**
 * Trace lines decoded with the model (for `virt-rpcgen trace`): the same lines the runtime's
 * tracer prints, with the CLI's lossless JSON bodies (enums and union arms by name).
 */
import { FrameReader } from "virt-rpcgen-runtime/rpc";
import {
  procedureFilter,
  formatTraceLine,
  rawHex,
  type TraceDirection,
  type TraceRecord,
  type WireTracer,
} from "virt-rpcgen-runtime/trace";
import type { Json, JsonCodecOptions } from "./json-codec.js";
import { decodeMessage, type WireProtocols } from "./message.js";

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
  const readers = new Map<TraceDirection, FrameReader | null>();

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

  /** One line; the message's keys come in trace-line order, so it is spliced in as it is. */
  const describe = (
    direction: TraceDirection,
    frame: Uint8Array,
  ): string | null => {
    const time = new Date();
    head = undefined;
    try {
      const m = decodeMessage(protocols, frame, decodeOptions);
      return `{"time":"${time.toISOString()}","direction":"${direction}"${conn},${JSON.stringify(m).slice(1)}`;
    } catch (e) {
      if (e === FILTERED) return null;
      return formatTraceLine({
        ...(head as Partial<TraceRecord> | undefined),
        time,
        direction,
        connection,
        error: e instanceof Error ? e.message : String(e),
        raw: rawHex(frame),
      });
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
      let frames: readonly Uint8Array[];
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
        const line = describe(direction, f);
        if (line !== null) options.write(line);
      }
    },
  };
}
