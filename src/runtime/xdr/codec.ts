import { XdrError } from "./errors.js";
import { XdrReader } from "./reader.js";
import { XdrWriter } from "./writer.js";

/** A generated (or hand-written) codec for one XDR type. */
export interface XdrCodec<T> {
  /** The XDR type name; used as the first path segment in errors. */
  readonly name: string;
  encode(w: XdrWriter, v: T): void;
  decode(r: XdrReader): T;
}

/**
 * The discriminant of a value that takes the `default:` arm of a union switched on an int or
 * unsigned int: the number on the wire, wrapped (`{ d: { default: 7 }, … }`). Wrapped because a
 * plain `number` would also match every `case`, and comparing the discriminant with a case
 * value (`u.d === 1`) could no longer narrow the union to that case's arm.
 */
export interface DefaultCase {
  /** A discriminant value no `case` of the union names. */
  readonly default: number;
}

function attachName(e: unknown, name: string): void {
  if (e instanceof XdrError && e.path[0] !== name) e.prependPath(name);
}

/**
 * The depth limit (MAX_XDR_DEPTH) keeps recursion well inside the stack; should a caller
 * already be deep in its own stack, an overflow still ends as a typed error, not a RangeError.
 */
function stackOverflowAsXdrError(e: unknown, offset: number): unknown {
  return e instanceof RangeError && /call stack/i.test(e.message)
    ? new XdrError("too-deep", offset, "nested too deeply for the call stack")
    : e;
}

/**
 * Encode `value` and return a fresh copy of the bytes. If `writer` is given it
 * is reset first and reused (its buffer is not retained by the result).
 */
export function encodeToBytes<T>(
  codec: XdrCodec<T>,
  value: T,
  writer?: XdrWriter,
): Uint8Array {
  const w = writer ?? new XdrWriter();
  w.reset();
  try {
    codec.encode(w, value);
  } catch (caught) {
    const e = stackOverflowAsXdrError(caught, w.length);
    attachName(e, codec.name);
    throw e;
  }
  return w.toBytes();
}

/**
 * Decode exactly one value from `bytes` (trailing bytes are an error). On
 * XdrError the codec name is prepended to the path unless already present.
 */
export function decodeFromBytes<T>(codec: XdrCodec<T>, bytes: Uint8Array): T {
  const r = new XdrReader(bytes);
  try {
    const v = codec.decode(r);
    r.done();
    return v;
  } catch (caught) {
    const e = stackOverflowAsXdrError(caught, r.pos);
    attachName(e, codec.name);
    throw e;
  }
}
