/**
 * Parser entry point: bytes or text of one .x file → `XdrFile` (syntax tree + comments).
 * The lexer and parser are built once per process and reused.
 */
import { readFileSync } from "node:fs";
import type { IToken } from "chevrotain";
import type { Comment, PassThroughLine, XdrFile } from "./ast.js";
import {
  LineMap,
  XdrDiagnosticError,
  type SourceLocation,
} from "./diagnostics.js";
import { XdrGrammar } from "./grammar.js";
import { parseIntegerLiteral } from "./integer.js";
import { preprocess } from "./preprocess.js";
import { decodeSource } from "./source.js";
import * as T from "./tokens.js";

export type * from "./ast.js";
export {
  XdrDiagnosticError,
  formatDiagnostic,
  LineMap,
} from "./diagnostics.js";
export type { Diagnostic, SourceLocation } from "./diagnostics.js";

export interface ParseOptions {
  /** Macros defined before preprocessing, as `-D` would (e.g. RPC_HDR). */
  readonly defines?: ReadonlyMap<string, string>;
}

let grammar: XdrGrammar | undefined;

export function parseXdrFile(
  path: string,
  options: ParseOptions = {},
): XdrFile {
  return parseXdr(path, readFileSync(path), options);
}

export function parseXdr(
  file: string,
  input: string | Uint8Array,
  options: ParseOptions = {},
): XdrFile {
  const raw = typeof input === "string" ? input : decodeSource(file, input);
  const pre = preprocess(file, raw, options.defines);
  const lexed = T.xdrLexer.tokenize(pre.text);
  const lines = new LineMap(file, pre.text);

  if (lexed.errors.length > 0) {
    const e = lexed.errors[0]!;
    const ch = pre.text.slice(e.offset, e.offset + 1);
    const shown = ch === "\\" ? "\\\\" : ch;
    throw XdrDiagnosticError.at(
      lines.loc(e.offset),
      `unexpected character '${shown}'`,
    );
  }
  for (const tok of lexed.tokens) {
    if (tok.tokenType === T.UnterminatedComment) {
      throw XdrDiagnosticError.at(
        locOf(file, tok),
        "unterminated comment: '/*' has no matching '*/'",
      );
    }
    if (tok.tokenType === T.UnterminatedString) {
      throw XdrDiagnosticError.at(
        locOf(file, tok),
        "unterminated string: '\"' has no matching '\"' on its line",
      );
    }
    if (tok.tokenType === T.Number && parseIntegerLiteral(tok.image) === null) {
      throw XdrDiagnosticError.at(
        locOf(file, tok),
        `invalid integer literal '${tok.image}'`,
      );
    }
  }

  grammar ??= new XdrGrammar();
  grammar.file = file;
  grammar.input = lexed.tokens;
  const definitions = grammar.specification();
  if (grammar.errors.length > 0) {
    const err = grammar.errors[0]!;
    const tok = err.token;
    const loc =
      Number.isNaN(tok.startOffset) || tok.tokenType.name === "EOF"
        ? lines.loc(endOfText(pre.text))
        : locOf(file, tok);
    throw XdrDiagnosticError.at(loc, err.message);
  }

  const comments: Comment[] = (lexed.groups["comments"] ?? []).map((tok) => ({
    text: tok.image,
    offset: tok.startOffset,
    end: tok.startOffset + tok.image.length,
    loc: locOf(file, tok),
  }));
  const passThrough: PassThroughLine[] = (
    lexed.groups["passthrough"] ?? []
  ).map((tok) => ({
    text: tok.image,
    loc: locOf(file, tok),
  }));
  return {
    file,
    definitions,
    comments,
    passThrough,
    defines: pre.defines,
    includes: pre.includes,
  };
}

function locOf(file: string, tok: IToken): SourceLocation {
  return {
    file,
    line: tok.startLine ?? 1,
    col: tok.startColumn ?? 1,
    offset: tok.startOffset,
  };
}

/** Where "end of file" errors point: just after the last non-blank character. */
function endOfText(text: string): number {
  return text.trimEnd().length;
}
