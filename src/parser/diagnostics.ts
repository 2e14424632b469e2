/**
 * Located diagnostics for user errors in .x input.
 *
 * Every problem a user can cause (syntax, unknown names, bad annotations…) becomes an
 * `XdrDiagnosticError` rendered as `file:line:col: error: message`, the format compilers and
 * editors understand. The CLI prints `.message` and exits 1; no stack trace is shown.
 */

export interface SourceLocation {
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column, counted in characters. */
  readonly col: number;
  /** 0-based character offset into the (decoded) text. */
  readonly offset: number;
}

export interface Diagnostic {
  readonly loc: SourceLocation;
  readonly message: string;
}

/**
 * One line per diagnostic. File names and messages can echo input (a stray character, a
 * name), so control characters are shown escaped: a NUL, an ESC sequence or a newline in
 * the input never reaches the terminal raw.
 */
export function formatDiagnostic(d: Diagnostic): string {
  return printable(
    `${d.loc.file}:${d.loc.line}:${d.loc.col}: error: ${d.message}`,
  );
}

/** `s` with C0 and C1 control characters (and DEL) written as `\xNN`. */
export function printable(s: string): string {
  return s.replace(
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    /[\x00-\x1f\x7f-\x9f]/g,
    (c) => "\\x" + c.charCodeAt(0).toString(16).padStart(2, "0"),
  );
}

export class XdrDiagnosticError extends Error {
  readonly diagnostics: readonly Diagnostic[];

  constructor(diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join("\n"));
    this.name = "XdrDiagnosticError";
    this.diagnostics = diagnostics;
  }

  static at(loc: SourceLocation, message: string): XdrDiagnosticError {
    return new XdrDiagnosticError([{ loc, message }]);
  }
}

/** Maps character offsets of one text to line/column pairs (binary search over line starts). */
export class LineMap {
  private readonly starts: number[] = [0];

  constructor(
    readonly file: string,
    text: string,
  ) {
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) {
      this.starts.push(i + 1);
    }
  }

  loc(offset: number): SourceLocation {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return {
      file: this.file,
      line: lo + 1,
      col: offset - this.starts[lo]! + 1,
      offset,
    };
  }

  lineOf(offset: number): number {
    return this.loc(offset).line;
  }
}
