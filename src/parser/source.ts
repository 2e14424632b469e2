/**
 * Turning input bytes into text. `.x` files must be UTF-8 (libvirt's are ASCII); a stray
 * Latin-1 byte is reported at its line and column instead of being silently replaced, so the
 * generated code never contains U+FFFD where the author wrote something else.
 */
import { readFileSync, statSync } from "node:fs";
import { LineMap, XdrDiagnosticError } from "./diagnostics.js";
import { MAX_INPUT_BYTES } from "./limits.js";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** The bytes of a .x file; one over the size limit is refused before it is read. */
export function readSource(path: string): Buffer {
  const size = statSync(path).size;
  checkSize(path, size, "bytes");
  return readFileSync(path);
}

export function decodeSource(file: string, bytes: Uint8Array): string {
  checkSize(file, bytes.length, "bytes");
  try {
    const text = strictUtf8.decode(bytes);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    const bad = firstInvalidUtf8(bytes);
    // Everything before the bad byte is valid, so its decoded length is the character offset.
    const before = new TextDecoder("utf-8").decode(bytes.subarray(0, bad));
    const loc = new LineMap(file, before).loc(before.length);
    const hex = bytes[bad]!.toString(16).padStart(2, "0");
    throw XdrDiagnosticError.at(
      loc,
      `invalid UTF-8 byte 0x${hex} (input must be UTF-8 text)`,
    );
  }
}

/** Index of the first byte that does not start or continue a well-formed UTF-8 sequence. */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    let n: number;
    if (c < 0x80) n = 0;
    else if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) n = 2;
    else if (c >= 0xf0 && c <= 0xf4) n = 3;
    else return i;
    if (i + n >= b.length && n > 0) return i;
    for (let k = 1; k <= n; k++) {
      if ((b[i + k]! & 0xc0) !== 0x80) return i;
    }
    // Overlong / surrogate / out-of-range forms: the strict decoder rejects them too.
    if (c === 0xe0 && b[i + 1]! < 0xa0) return i;
    if (c === 0xed && b[i + 1]! > 0x9f) return i;
    if (c === 0xf0 && b[i + 1]! < 0x90) return i;
    if (c === 0xf4 && b[i + 1]! > 0x8f) return i;
    i += n + 1;
  }
  return b.length - 1;
}

/**
 * Checks that every later stage can rely on: the text fits the input limit and holds no
 * control characters (NUL, ESC…) other than tab, newline, carriage return, vertical tab and
 * form feed. The check is one regular-expression scan, so a file of NUL bytes is
 * rejected at 1:1 at once instead of feeding the lexer's error recovery.
 */
export function checkSourceText(file: string, text: string): void {
  checkSize(file, text.length, "characters");
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  const bad = /[\x00-\x08\x0e-\x1f\x7f]/.exec(text);
  if (bad) {
    const code = bad[0].charCodeAt(0);
    const before = text.slice(0, bad.index);
    const loc = new LineMap(file, before).loc(bad.index);
    throw XdrDiagnosticError.at(
      loc,
      `control character U+${code.toString(16).toUpperCase().padStart(4, "0")} is not allowed in .x input`,
    );
  }
}

function checkSize(file: string, size: number, unit: string): void {
  if (size > MAX_INPUT_BYTES) {
    throw XdrDiagnosticError.at(
      { file, line: 1, col: 1, offset: 0 },
      `input is ${size} ${unit}, more than virt-rpcgen's limit of ${MAX_INPUT_BYTES} (${MAX_INPUT_BYTES / 1024 / 1024} MiB) for a .x file`,
    );
  }
}
