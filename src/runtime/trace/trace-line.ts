/**
 * One traced message as one JSON line: the same keys in the same order whether the line comes
 * from `virt-rpcgen trace` or from the library hook (`connect(uri, { trace })`, the server's
 * `trace` option).
 */

export type TraceDirection = "client->server" | "server->client";

export interface TraceRecord {
  readonly time: Date;
  readonly direction: TraceDirection;
  /** Which connection, when a proxy or server carries several (numbered from 1). */
  readonly connection?: number | undefined;
  readonly program?: string | number | undefined;
  readonly version?: number | undefined;
  readonly procedure?: string | number | undefined;
  /** The C API name (`virDomainGetInfo`), when known. */
  readonly api?: string | undefined;
  readonly type?: string | number | undefined;
  readonly serial?: number | undefined;
  readonly status?: string | number | undefined;
  readonly fds?: number | undefined;
  /** The decoded payload, as JSON-ready data. */
  readonly body?: unknown;
  /** Stream data: its size only. */
  readonly data?: { readonly bytes: number } | undefined;
  /** Why the message could not be decoded (then `raw` holds it). */
  readonly error?: string | undefined;
  /** The undecodable frame (or bytes), hex. */
  readonly raw?: string | undefined;
}

const ORDER: readonly (keyof TraceRecord)[] = [
  "direction",
  "connection",
  "program",
  "version",
  "procedure",
  "api",
  "type",
  "serial",
  "status",
  "fds",
  "body",
  "data",
  "error",
  "raw",
];

/** The second `isoTime` formatted last, and its text up to the milliseconds. */
let cachedSecond = NaN;
let cachedPrefix = "";

/**
 * `new Date(ms).toISOString()`, cheaply: messages come many per second, so the text up to the
 * second is reused and only the milliseconds are formatted.
 */
export function isoTime(time: number): string {
  const ms = Math.floor(time);
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    const full = new Date(second * 1000).toISOString();
    // Years beyond 9999 have a longer prefix; the format always ends in ".mmmZ".
    cachedPrefix = full.slice(0, full.length - 4);
    cachedSecond = second;
  }
  const milli = ms - second * 1000;
  return `${cachedPrefix}${milli < 10 ? "00" : milli < 100 ? "0" : ""}${milli}Z`;
}

/** The record as one line of JSON (no newline). `body` must already be JSON-ready. */
export function formatTraceLine(r: TraceRecord): string {
  const out: Record<string, unknown> = { time: r.time.toISOString() };
  for (const k of ORDER) if (r[k] !== undefined) out[k] = r[k];
  return JSON.stringify(out);
}

/** A raw frame for a line: at most `max` bytes in hex, with the total when cut. */
export function rawHex(bytes: Uint8Array, max = 4096): string {
  const shown = bytes.subarray(0, max);
  const hex = Buffer.from(
    shown.buffer,
    shown.byteOffset,
    shown.length,
  ).toString("hex");
  return bytes.length > max ? `${hex}… (${bytes.length} bytes)` : hex;
}
