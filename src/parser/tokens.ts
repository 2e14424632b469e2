/**
 * Tokens of the XDR language (RFC 4506 §6), RPC language (RFC 5531 §12) and rpcgen's extras.
 *
 * Comments are not skipped: they go to the "comments" group so that annotations
 * (`@generate`, `insert@N`, cast hints) can be read from them after parsing. `%` lines, which
 * rpcgen copies verbatim into C output, go to their own group for the same reason.
 */
import type { CustomPatternMatcherFunc, TokenType } from "chevrotain";
import { createToken, Lexer } from "./chevrotain.js";

export const Identifier = createToken({
  name: "Identifier",
  pattern: /[A-Za-z_][A-Za-z0-9_]*/,
  label: "a name",
});

const keyword = (word: string): TokenType =>
  createToken({
    name: word[0]!.toUpperCase() + word.slice(1),
    pattern: new RegExp(word),
    longer_alt: Identifier,
    label: `'${word}'`,
  });

export const Bool = keyword("bool");
export const Case = keyword("case");
export const Const = keyword("const");
export const Default = keyword("default");
export const Double = keyword("double");
export const Quadruple = keyword("quadruple");
export const Enum = keyword("enum");
export const Float = keyword("float");
export const Hyper = keyword("hyper");
export const Int = keyword("int");
export const Opaque = keyword("opaque");
export const StringKw = createToken({
  name: "String",
  pattern: /string/,
  longer_alt: Identifier,
  label: "'string'",
});
export const Struct = keyword("struct");
export const Switch = keyword("switch");
export const Typedef = keyword("typedef");
export const Union = keyword("union");
export const Unsigned = keyword("unsigned");
export const Void = keyword("void");
export const Program = keyword("program");
export const Version = keyword("version");
// C types rpcgen accepts (libvirt uses `unsigned char` and `unsigned short`).
export const Char = keyword("char");
export const Short = keyword("short");
export const Long = keyword("long");

export const Number = createToken({
  name: "Number",
  pattern: /-?(?:0[xX][0-9a-fA-F]+|[0-9]+)/,
  label: "a number",
});

/** `"text"` as rpcgen reads it: no escapes, ends at the next quote on the same line. */
export const StringLiteral = createToken({
  name: "StringLiteral",
  pattern: /"[^"\n]*"/,
  label: "a string",
});

/** A `"` with no closing quote on its line: matched so the error can say so. */
export const UnterminatedString = createToken({
  name: "UnterminatedString",
  pattern: /"[^"\n]*/,
  label: "an unterminated string",
});

const punct = (name: string, ch: string): TokenType =>
  createToken({
    name,
    pattern: new RegExp(ch.replace(/[[\](){}*]/g, "\\$&")),
    label: `'${ch}'`,
  });

export const LCurly = punct("LCurly", "{");
export const RCurly = punct("RCurly", "}");
export const LSquare = punct("LSquare", "[");
export const RSquare = punct("RSquare", "]");
export const LAngle = punct("LAngle", "<");
export const RAngle = punct("RAngle", ">");
export const LParen = punct("LParen", "(");
export const RParen = punct("RParen", ")");
export const Comma = punct("Comma", ",");
export const Semicolon = punct("Semicolon", ";");
export const Colon = punct("Colon", ":");
export const Equals = punct("Equals", "=");
export const Star = punct("Star", "*");

export const BlockComment = createToken({
  name: "BlockComment",
  pattern: /\/\*[\s\S]*?\*\//,
  group: "comments",
  line_breaks: true,
});

export const LineComment = createToken({
  name: "LineComment",
  pattern: /\/\/[^\n]*/,
  group: "comments",
});

/** A `/*` with no closing `*\/`: matched so the error names the comment, not a stray '/'. */
export const UnterminatedComment = createToken({
  name: "UnterminatedComment",
  pattern: /\/\*[\s\S]*/,
  line_breaks: true,
});

const percentAtLineStart: CustomPatternMatcherFunc = (text, offset) => {
  if (text.charCodeAt(offset) !== 37 /* % */) return null;
  if (offset > 0 && text.charCodeAt(offset - 1) !== 10) return null;
  const end = text.indexOf("\n", offset);
  const m = [
    text.slice(offset, end === -1 ? text.length : end),
  ] as unknown as RegExpExecArray;
  return m;
};

export const PassThrough = createToken({
  name: "PassThrough",
  pattern: percentAtLineStart,
  start_chars_hint: ["%"],
  line_breaks: false,
  group: "passthrough",
});

export const WhiteSpace = createToken({
  name: "WhiteSpace",
  pattern: /[ \t\r\n\f\v]+/,
  group: Lexer.SKIPPED,
});

export const allTokens: TokenType[] = [
  WhiteSpace,
  BlockComment,
  UnterminatedComment,
  LineComment,
  PassThrough,
  Bool,
  Case,
  Const,
  Default,
  Double,
  Quadruple,
  Enum,
  Float,
  Hyper,
  Int,
  Opaque,
  StringKw,
  Struct,
  Switch,
  Typedef,
  Union,
  Unsigned,
  Void,
  Program,
  Version,
  Char,
  Short,
  Long,
  Identifier,
  Number,
  StringLiteral,
  UnterminatedString,
  LCurly,
  RCurly,
  LSquare,
  RSquare,
  LAngle,
  RAngle,
  LParen,
  RParen,
  Comma,
  Semicolon,
  Colon,
  Equals,
  Star,
];

/** Built once at module load and reused for every file. */
export const xdrLexer = new Lexer(allTokens, {
  ensureOptimizations: false,
  positionTracking: "full",
});
