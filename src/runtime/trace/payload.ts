/**
 * Which payload a libvirt message carries, from its header alone. Shared by the runtime's
 * tracer (generated codecs) and the CLI's decode/encode/trace (the model), so both read a
 * message the same way.
 */
/** libvirt's virNetMessageType and virNetMessageStatus values (virnetprotocol.x). */
export const VIR_NET_CALL = 0;
export const VIR_NET_REPLY = 1;
export const VIR_NET_MESSAGE = 2;
export const VIR_NET_STREAM = 3;
export const VIR_NET_CALL_WITH_FDS = 4;
export const VIR_NET_REPLY_WITH_FDS = 5;
export const VIR_NET_STREAM_HOLE = 6;
export const VIR_NET_ERROR = 1;

export const MESSAGE_TYPE_NAMES: readonly string[] = [
  "VIR_NET_CALL",
  "VIR_NET_REPLY",
  "VIR_NET_MESSAGE",
  "VIR_NET_STREAM",
  "VIR_NET_CALL_WITH_FDS",
  "VIR_NET_REPLY_WITH_FDS",
  "VIR_NET_STREAM_HOLE",
];
export const MESSAGE_STATUS_NAMES: readonly string[] = [
  "VIR_NET_OK",
  "VIR_NET_ERROR",
  "VIR_NET_CONTINUE",
];

/**
 * - `args`/`ret`/`msg`: the procedure's struct of that role (the caller knows whether it has one);
 * - `error`: a `virNetMessageError` (laid out as `remote_error`);
 * - `hole`: a `virNetStreamHole`; `data`: raw stream bytes; `none`: an empty payload.
 */
export type PayloadRole =
  "args" | "ret" | "msg" | "error" | "hole" | "data" | "none";

/** The role of a payload of `payloadLength` bytes (after any fd count), or null for an unknown type. */
export function payloadRoleOf(
  h: { readonly type: number; readonly status: number },
  payloadLength: number,
): PayloadRole | null {
  switch (h.type) {
    case VIR_NET_STREAM:
      if (payloadLength === 0) return "none";
      return h.status === VIR_NET_ERROR ? "error" : "data";
    case VIR_NET_STREAM_HOLE:
      return "hole";
    case VIR_NET_CALL:
    case VIR_NET_CALL_WITH_FDS:
      return "args";
    case VIR_NET_REPLY:
    case VIR_NET_REPLY_WITH_FDS:
      return h.status === VIR_NET_ERROR ? "error" : "ret";
    case VIR_NET_MESSAGE:
      return "msg";
    default:
      return null;
  }
}

/** `*_WITH_FDS` messages put the number of passed descriptors before the payload. */
export const carriesFds = (type: number): boolean =>
  type === VIR_NET_CALL_WITH_FDS || type === VIR_NET_REPLY_WITH_FDS;
