/** Bytes and JSON for `decode`/`encode`: from a file, stdin or the command line; raw or hex. */
import { readFileSync } from "node:fs";
import { UsageError } from "../cli/options.js";
import type { Json } from "./json-codec.js";

/** Reads FILE, or stdin for undefined/"-". */
export function readInput(file: string | undefined): Buffer {
  return readFileSync(file === undefined || file === "-" ? 0 : file);
}

/** Hex text to bytes; whitespace, `0x` prefixes and `:` separators (tshark, xxd -p) are allowed. */
export function parseHex(text: string): Uint8Array {
  const clean = text.replace(/0x/gi, "").replace(/[\s:]/g, "");
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(clean))
    throw new UsageError(
      "the input is not hex (pairs of 0-9a-f, whitespace allowed)",
    );
  return Buffer.from(clean, "hex");
}

/**
 * JSON input for `encode`: one JSON value, or several (one per line, as `decode` prints
 * messages). An array at the top level is a list of messages.
 */
export function parseJsonValues(text: string): Json[] {
  const trimmed = text.trim();
  if (trimmed === "") return [];
  try {
    return [JSON.parse(trimmed) as Json];
  } catch {
    // Not one value: JSON lines.
  }
  const out: Json[] = [];
  const lines = trimmed.split("\n");
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    try {
      out.push(JSON.parse(line) as Json);
    } catch (e) {
      throw new UsageError(
        `input line ${i + 1}: not JSON (${(e as Error).message})`,
      );
    }
  });
  return out;
}
