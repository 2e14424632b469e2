/**
 * A decoded value (what the generated codecs return) as JSON-ready data: bigints as decimal
 * strings, byte arrays as base64; the rest is JSON already.
 */
export function toJsonValue(v: unknown): unknown {
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Uint8Array)
    return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64");
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toJsonValue(x);
    return out;
  }
  return v;
}
