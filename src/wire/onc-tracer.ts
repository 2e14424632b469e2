/**
 * Trace lines for plain ONC RPC (RFC 5531, record marking): the libvirt tracer's line, with the
 * ONC message's own fields (xid, program, version, procedure, type, status, rpc_msg header,
 * body). Replies are named after their call (matched by xid within the connection).
 */
import {
  procedureFilter,
  formatTraceLine,
  rawHex,
  type TraceDirection,
  type WireTracer,
} from "virt-rpcgen-runtime/trace";
import type { ModelTracerOptions } from "./model-tracer.js";
import {
  decodeOncMessage,
  OncSession,
  RecordReader,
  type OncProtocols,
} from "./onc-message.js";

/** rpcgen's default maximum record size is far smaller; this only bounds memory. */
const MAX_RECORD = 64 * 1024 * 1024;

export function createOncTracer(
  protocols: OncProtocols,
  options: ModelTracerOptions,
  connection?: number,
): WireTracer {
  const wanted = procedureFilter(options.procedures);
  const session = new OncSession(protocols);
  const readers = new Map<TraceDirection, RecordReader | null>();
  const conn = connection === undefined ? "" : `,"connection":${connection}`;

  const describe = (
    direction: TraceDirection,
    message: Uint8Array,
    fragments: number[],
  ): string | null => {
    const time = new Date();
    try {
      const m = decodeOncMessage(session, message, fragments, options);
      if (wanted && !(typeof m.procedure === "string" && wanted(m.procedure)))
        return null;
      return `{"time":"${time.toISOString()}","direction":"${direction}"${conn},${JSON.stringify(m).slice(1)}`;
    } catch (e) {
      return formatTraceLine({
        time,
        direction,
        connection,
        error: e instanceof Error ? e.message : String(e),
        raw: rawHex(message),
      });
    }
  };

  return {
    observe(direction, chunk) {
      let reader = readers.get(direction);
      if (reader === null) return;
      if (reader === undefined) {
        reader = new RecordReader(MAX_RECORD);
        readers.set(direction, reader);
      }
      let records: { message: Uint8Array; fragments: number[] }[];
      try {
        records = reader.push(chunk.slice());
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
      for (const r of records) {
        const line = describe(direction, r.message, r.fragments);
        if (line !== null) options.write(line);
      }
    },
  };
}
