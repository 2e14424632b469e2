/**
 * Error type thrown by the XDR runtime (reader, writer and generated codecs).
 *
 * Generated codecs attach location information by catching an XdrError and
 * calling `prependPath(...)` while the exception propagates outwards, so the
 * innermost segment is added first and the type name (added last, by
 * `decodeFromBytes` / `encodeToBytes`) ends up at the front.
 */

export type XdrErrorCode =
  | "truncated"
  | "length-exceeds-max"
  | "length-exceeds-buffer"
  | "bad-bool"
  | "bad-discriminant"
  | "bad-enum"
  | "bad-padding"
  | "trailing-bytes"
  | "bad-utf8"
  | "value-out-of-range"
  | "message-too-large"
  | "too-deep";

export type XdrPathSegment = string | number;

/** Render path segments: strings joined with '.', numbers as `[n]`. */
export function formatXdrPath(path: readonly XdrPathSegment[]): string {
  let out = "";
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    if (typeof seg === "number") out += "[" + seg + "]";
    else out += i === 0 ? seg : "." + seg;
  }
  return out;
}

export class XdrError extends Error {
  readonly code: XdrErrorCode;
  /** Byte offset at which the problem was detected (reader: absolute index into the
   * buffer given to the reader; writer: number of bytes written so far). */
  readonly offset: number;
  /** Location segments, outermost first. Mutated by `prependPath`. */
  readonly path: XdrPathSegment[];
  /** The message without offset / path decoration. */
  readonly detail: string;

  constructor(
    code: XdrErrorCode,
    offset: number,
    detail?: string,
    path?: XdrPathSegment[],
  ) {
    const p = path ? path.slice() : [];
    const d = detail ?? code;
    super(XdrError.compose(code, offset, d, p));
    this.code = code;
    this.offset = offset;
    this.detail = d;
    this.path = p;
  }

  private static compose(
    code: XdrErrorCode,
    offset: number,
    detail: string,
    path: readonly XdrPathSegment[],
  ): string {
    let m = `XDR ${code}: ${detail} at byte offset ${offset}`;
    if (path.length > 0) m += ` (at ${formatXdrPath(path)})`;
    return m;
  }

  /** Path rendered as e.g. `type.field[3].inner`. Empty string when no path. */
  get pathString(): string {
    return formatXdrPath(this.path);
  }

  /**
   * Prepend segments to the path (they keep their given order, in front of the
   * existing ones). Rebuilds `message` (and the first line of `stack`).
   * Returns `this` so generated code can write `throw e.prependPath('field')`.
   */
  prependPath(...segments: XdrPathSegment[]): this {
    if (segments.length === 0) return this;
    const oldMessage = this.message;
    this.path.unshift(...segments);
    this.message = XdrError.compose(
      this.code,
      this.offset,
      this.detail,
      this.path,
    );
    const stack = this.stack;
    if (typeof stack === "string") {
      const oldHeader = `${this.name}: ${oldMessage}`;
      if (stack.startsWith(oldHeader)) {
        this.stack =
          `${this.name}: ${this.message}` + stack.slice(oldHeader.length);
      }
    }
    return this;
  }
}

// Set on the prototype (not as an instance field) so the name is already in
// place when Error's constructor captures the stack header.
Object.defineProperty(XdrError.prototype, "name", {
  value: "XdrError",
  writable: true,
  enumerable: false,
  configurable: true,
});

export function isXdrError(e: unknown): e is XdrError {
  return e instanceof XdrError;
}

/**
 * Helper for the loops of generated list codecs: the path of the `count`-th node is `segment`
 * repeated `count` times (written once with its count past a few), then `rest`.
 */
export function prependXdrRepeat(
  e: unknown,
  segment: string,
  count: number,
  ...rest: XdrPathSegment[]
): unknown {
  if (!(e instanceof XdrError)) return e;
  const links: string[] =
    count <= 8
      ? new Array<string>(count).fill(segment)
      : [`${segment}(×${count})`];
  e.prependPath(...links, ...rest);
  return e;
}

/**
 * Helper for generated code: if `e` is an XdrError, prepend `segments` to its
 * path; returns `e` unchanged otherwise. Usage: `catch (e) { throw prependXdrPath(e, 'field'); }`
 */
export function prependXdrPath(
  e: unknown,
  ...segments: XdrPathSegment[]
): unknown {
  if (e instanceof XdrError) e.prependPath(...segments);
  return e;
}
