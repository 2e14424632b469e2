/**
 * Trace lines for plain ONC RPC (RFC 5531, record marking): the libvirt tracer's line, with the
 * ONC message's own fields (xid, program, version, procedure, type, status, rpc_msg header,
 * body). Replies are named after their call (matched by xid within the connection).
 */
import { RecordReader } from "virt-rpcgen-runtime/oncrpc";
import { procedureFilter } from "virt-rpcgen-runtime/trace";
import { observeLoop, type WireTracer } from "virt-rpcgen-runtime/trace";
import { formatTraceLine, isoTime, rawHex } from "virt-rpcgen-runtime/trace";
import type { ModelTracerOptions } from "./model-tracer.js";
import {
  decodeOncMessage,
  OncSession,
  type OncProtocols,
} from "./onc-message.js";

/** rpcgen's default maximum record size is far smaller; this only bounds memory. */
const MAX_RECORD = 64 * 1024 * 1024;
const LIMITS = { maxFragment: MAX_RECORD, maxRecord: MAX_RECORD };

export function createOncTracer(
  protocols: OncProtocols,
  options: ModelTracerOptions,
  connection?: number,
): WireTracer {
  const wanted = procedureFilter(options.procedures);
  const session = new OncSession(protocols);
  const conn = connection === undefined ? "" : `,"connection":${connection}`;

  return observeLoop({
    split: () => {
      const reader = new RecordReader(LIMITS);
      return { push: (chunk) => reader.pushFragmented(chunk) };
    },
    describe: (direction, record, time) => {
      try {
        const m = decodeOncMessage(
          session,
          record.bytes,
          record.fragments,
          options,
        );
        if (wanted && !(typeof m.procedure === "string" && wanted(m.procedure)))
          return null;
        return `{"time":"${isoTime(time)}","direction":"${direction}"${conn},${JSON.stringify(m).slice(1)}`;
      } catch (e) {
        return formatTraceLine({
          time: new Date(time),
          direction,
          connection,
          error: e instanceof Error ? e.message : String(e),
          raw: rawHex(record.bytes),
        });
      }
    },
    write: options.write,
    connection,
  });
}
