/**
 * The XDR/RPC grammar as a Chevrotain embedded-actions parser that builds the AST directly.
 *
 * XDR is LL(1) apart from nothing at all, so lookahead stays at 1 and error recovery is off: a
 * build tool should stop at the first mistake and say exactly where it is.
 */
import type {
  IToken,
  TokenType,
  IParserErrorMessageProvider,
} from "chevrotain";
import { EmbeddedActionsParser, EOF } from "./chevrotain.js";
import type {
  Declaration,
  Definition,
  EnumBody,
  EnumMember,
  PrimitiveName,
  Procedure,
  ProcedureArg,
  ProcedureType,
  StructBody,
  TypeSpec,
  UnionArm,
  UnionBody,
  Value,
  VersionDef,
} from "./ast.js";
import type { SourceLocation } from "./diagnostics.js";
import * as T from "./tokens.js";

const RULE_CONTEXT: Record<string, string> = {
  specification: "at top level",
  definition: "at top level",
  typedefDef: "in typedef",
  constDef: "in const definition",
  enumDef: "in enum definition",
  structDef: "in struct definition",
  unionDef: "in union definition",
  declaration: "in declaration",
  typeSpecifier: "in type",
  enumBody: "in enum body",
  structBody: "in struct body",
  unionBody: "in union body",
  value: "in value",
  programDef: "in program definition",
  versionDef: "in version definition",
  procedureDef: "in procedure definition",
  procArg: "in procedure argument",
  procType: "in procedure type",
};

function describe(tok: IToken): string {
  if (tok.tokenType === EOF) return "end of file";
  if (tok.tokenType === T.UnterminatedComment) return "an unterminated comment";
  return `'${tok.image.length > 40 ? tok.image.slice(0, 40) + "…" : tok.image}'`;
}

function label(t: TokenType): string {
  return t.LABEL ?? t.name;
}

function pathsToText(paths: TokenType[][][]): string {
  const firsts = new Set<string>();
  for (const alt of paths)
    for (const path of alt) if (path[0]) firsts.add(label(path[0]));
  const list = [...firsts];
  if (list.length <= 1) return list[0] ?? "something else";
  return `one of ${list.slice(0, -1).join(", ")} or ${list[list.length - 1]}`;
}

const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, actual, ruleName }) =>
    `expected ${label(expected)} but found ${describe(actual)} ${RULE_CONTEXT[ruleName] ?? ""}`.trimEnd(),
  buildNotAllInputParsedMessage: ({ firstRedundant }) =>
    `expected a definition (const, typedef, enum, struct, union or program) but found ${describe(firstRedundant)}`,
  buildNoViableAltMessage: ({ expectedPathsPerAlt, actual, ruleName }) =>
    `expected ${pathsToText(expectedPathsPerAlt)} but found ${describe(actual[0]!)} ${RULE_CONTEXT[ruleName] ?? ""}`.trimEnd(),
  buildEarlyExitMessage: ({ expectedIterationPaths, actual, ruleName }) =>
    `expected ${pathsToText([expectedIterationPaths])} but found ${describe(actual[0]!)} ${RULE_CONTEXT[ruleName] ?? ""}`.trimEnd(),
};

export class XdrGrammar extends EmbeddedActionsParser {
  file = "<input>";

  constructor() {
    // Grammar validations cost ~25 ms per process; they cannot fail for a fixed grammar, so
    // they run under the test runner (which sets VITEST) and are skipped in production.
    super(T.allTokens, {
      maxLookahead: 2,
      recoveryEnabled: false,
      errorMessageProvider: messages,
      skipValidations: process.env["VITEST"] === undefined,
    });
    this.performSelfAnalysis();
  }

  private loc(tok: IToken): SourceLocation {
    return {
      file: this.file,
      line: tok.startLine ?? 0,
      col: tok.startColumn ?? 0,
      offset: tok.startOffset,
    };
  }

  private endOf(tok: IToken): number {
    return (tok.endOffset ?? tok.startOffset) + 1;
  }

  public specification = this.RULE("specification", (): Definition[] => {
    const defs: Definition[] = [];
    this.MANY(() => {
      defs.push(this.SUBRULE(this.definition));
    });
    return defs;
  });

  private definition = this.RULE("definition", (): Definition =>
    this.OR([
      { ALT: () => this.SUBRULE(this.typedefDef) },
      { ALT: () => this.SUBRULE(this.constDef) },
      { ALT: () => this.SUBRULE(this.enumDef) },
      { ALT: () => this.SUBRULE(this.structDef) },
      { ALT: () => this.SUBRULE(this.unionDef) },
      { ALT: () => this.SUBRULE(this.programDef) },
    ]),
  );

  private typedefDef = this.RULE("typedefDef", (): Definition => {
    const start = this.CONSUME(T.Typedef);
    const decl = this.SUBRULE(this.declaration);
    const end = this.CONSUME(T.Semicolon);
    return {
      kind: "typedef",
      decl: decl as Declaration & { name: string },
      loc: this.loc(start),
      end: this.endOf(end),
    };
  });

  private constDef = this.RULE("constDef", (): Definition => {
    this.CONSUME(T.Const);
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    return this.OR([
      {
        ALT: (): Definition => {
          const text = this.CONSUME(T.StringLiteral);
          const end = this.CONSUME(T.Semicolon);
          return {
            kind: "stringConst",
            name: name.image,
            value: text.image.slice(1, -1),
            loc: this.loc(name),
            end: this.endOf(end),
          };
        },
      },
      {
        ALT: (): Definition => {
          const value = this.SUBRULE(this.value);
          const end = this.CONSUME2(T.Semicolon);
          return {
            kind: "const",
            name: name.image,
            value,
            loc: this.loc(name),
            end: this.endOf(end),
          };
        },
      },
    ]);
  });

  private enumDef = this.RULE("enumDef", (): Definition => {
    this.CONSUME(T.Enum);
    const name = this.CONSUME(T.Identifier);
    const body = this.SUBRULE(this.enumBody);
    const end = this.CONSUME(T.Semicolon);
    return {
      kind: "enum",
      name: name.image,
      body,
      loc: this.loc(name),
      end: this.endOf(end),
    };
  });

  private structDef = this.RULE("structDef", (): Definition => {
    this.CONSUME(T.Struct);
    const name = this.CONSUME(T.Identifier);
    const body = this.SUBRULE(this.structBody);
    const end = this.CONSUME(T.Semicolon);
    return {
      kind: "struct",
      name: name.image,
      body,
      loc: this.loc(name),
      end: this.endOf(end),
    };
  });

  private unionDef = this.RULE("unionDef", (): Definition => {
    this.CONSUME(T.Union);
    const name = this.CONSUME(T.Identifier);
    const body = this.SUBRULE(this.unionBody);
    const end = this.CONSUME(T.Semicolon);
    return {
      kind: "union",
      name: name.image,
      body,
      loc: this.loc(name),
      end: this.endOf(end),
    };
  });

  private programDef = this.RULE("programDef", (): Definition => {
    this.CONSUME(T.Program);
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(T.LCurly);
    const versions: VersionDef[] = [];
    this.AT_LEAST_ONE(() => {
      versions.push(this.SUBRULE(this.versionDef));
    });
    this.CONSUME(T.RCurly);
    this.CONSUME(T.Equals);
    const number = this.SUBRULE(this.value);
    const end = this.CONSUME(T.Semicolon);
    return {
      kind: "program",
      name: name.image,
      versions,
      number,
      loc: this.loc(name),
      end: this.endOf(end),
    };
  });

  private versionDef = this.RULE("versionDef", (): VersionDef => {
    this.CONSUME(T.Version);
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(T.LCurly);
    const procedures: Procedure[] = [];
    this.AT_LEAST_ONE(() => {
      procedures.push(this.SUBRULE(this.procedureDef));
    });
    this.CONSUME(T.RCurly);
    this.CONSUME(T.Equals);
    const number = this.SUBRULE(this.value);
    const end = this.CONSUME(T.Semicolon);
    return {
      name: name.image,
      procedures,
      number,
      loc: this.loc(name),
      end: this.endOf(end),
    };
  });

  private procedureDef = this.RULE("procedureDef", (): Procedure => {
    const result = this.SUBRULE(this.procType);
    const name = this.CONSUME(T.Identifier);
    this.CONSUME(T.LParen);
    const args: ProcedureArg[] = [];
    this.OPTION(() => {
      args.push(this.SUBRULE(this.procArg));
      this.MANY(() => {
        this.CONSUME(T.Comma);
        args.push(this.SUBRULE2(this.procArg));
      });
    });
    this.CONSUME(T.RParen);
    this.CONSUME(T.Equals);
    const number = this.SUBRULE(this.value);
    const end = this.CONSUME(T.Semicolon);
    return {
      name: name.image,
      result,
      args,
      number,
      loc: this.loc(name),
      end: this.endOf(end),
    };
  });

  /** rpcgen's argument: type, optional name, optional `*` (and name), optional `<max>`. */
  private procArg = this.RULE("procArg", (): ProcedureArg => {
    const type = this.SUBRULE(this.procType);
    let name: string | null = null;
    let last: IToken | null = null;
    this.OPTION(() => {
      last = this.CONSUME(T.Identifier);
      name = last.image;
    });
    const pointer =
      this.OPTION2(() => {
        last = this.CONSUME(T.Star);
        this.OPTION3(() => {
          last = this.CONSUME2(T.Identifier);
          name = last.image;
        });
        return true;
      }) ?? false;
    const angle =
      this.OPTION4(() => {
        const open = this.CONSUME(T.LAngle);
        const max = this.OPTION5(() => this.SUBRULE(this.value)) ?? null;
        last = this.CONSUME(T.RAngle);
        return { max, loc: this.loc(open) };
      }) ?? null;
    const lastTok = last as IToken | null;
    return {
      type,
      name,
      pointer,
      angle,
      loc: type.loc,
      end: lastTok ? this.endOf(lastTok) : type.loc.offset,
    };
  });

  private procType = this.RULE("procType", (): ProcedureType =>
    this.OR([
      {
        ALT: (): ProcedureType => ({
          kind: "void",
          loc: this.loc(this.CONSUME(T.Void)),
        }),
      },
      {
        ALT: (): ProcedureType => ({
          kind: "string",
          loc: this.loc(this.CONSUME(T.StringKw)),
        }),
      },
      {
        ALT: (): ProcedureType => {
          const type = this.SUBRULE(this.typeSpecifier);
          return { kind: "type", type, loc: type.loc };
        },
      },
    ]),
  );

  private declaration = this.RULE("declaration", (): Declaration =>
    this.OR([
      {
        ALT: (): Declaration => {
          const v = this.CONSUME(T.Void);
          return { kind: "void", loc: this.loc(v), end: this.endOf(v) };
        },
      },
      {
        ALT: (): Declaration => {
          const start = this.CONSUME(T.Opaque);
          const name = this.CONSUME2(T.Identifier).image;
          return this.OR2([
            {
              ALT: (): Declaration => {
                this.CONSUME(T.LSquare);
                const size = this.SUBRULE(this.value);
                const end = this.CONSUME(T.RSquare);
                return {
                  kind: "fixedOpaque",
                  name,
                  size,
                  loc: this.loc(start),
                  end: this.endOf(end),
                };
              },
            },
            {
              ALT: (): Declaration => {
                this.CONSUME(T.LAngle);
                const max =
                  this.OPTION(() => this.SUBRULE2(this.value)) ?? null;
                const end = this.CONSUME(T.RAngle);
                return {
                  kind: "varOpaque",
                  name,
                  max,
                  loc: this.loc(start),
                  end: this.endOf(end),
                };
              },
            },
          ]);
        },
      },
      {
        ALT: (): Declaration => {
          const start = this.CONSUME(T.StringKw);
          const name = this.CONSUME3(T.Identifier).image;
          this.CONSUME2(T.LAngle);
          const max = this.OPTION2(() => this.SUBRULE3(this.value)) ?? null;
          const end = this.CONSUME2(T.RAngle);
          return {
            kind: "string",
            name,
            max,
            loc: this.loc(start),
            end: this.endOf(end),
          };
        },
      },
      {
        ALT: (): Declaration => {
          const type = this.SUBRULE(this.typeSpecifier);
          return this.OR3([
            {
              ALT: (): Declaration => {
                this.CONSUME(T.Star);
                const name = this.CONSUME4(T.Identifier);
                return {
                  kind: "optional",
                  type,
                  name: name.image,
                  loc: type.loc,
                  end: this.endOf(name),
                };
              },
            },
            {
              ALT: (): Declaration => {
                const name = this.CONSUME5(T.Identifier);
                return (
                  this.OPTION3(() =>
                    this.OR4([
                      {
                        ALT: (): Declaration => {
                          this.CONSUME2(T.LSquare);
                          const size = this.SUBRULE4(this.value);
                          const end = this.CONSUME2(T.RSquare);
                          return {
                            kind: "fixedArray",
                            type,
                            name: name.image,
                            size,
                            loc: type.loc,
                            end: this.endOf(end),
                          };
                        },
                      },
                      {
                        ALT: (): Declaration => {
                          this.CONSUME3(T.LAngle);
                          const max =
                            this.OPTION4(() => this.SUBRULE5(this.value)) ??
                            null;
                          const end = this.CONSUME3(T.RAngle);
                          return {
                            kind: "varArray",
                            type,
                            name: name.image,
                            max,
                            loc: type.loc,
                            end: this.endOf(end),
                          };
                        },
                      },
                    ]),
                  ) ?? {
                    kind: "scalar",
                    type,
                    name: name.image,
                    loc: type.loc,
                    end: this.endOf(name),
                  }
                );
              },
            },
          ]);
        },
      },
    ]),
  );

  private typeSpecifier = this.RULE("typeSpecifier", (): TypeSpec => {
    const prim = (tok: IToken, name: PrimitiveName): TypeSpec => ({
      kind: "primitive",
      name,
      loc: this.loc(tok),
    });
    return this.OR([
      {
        ALT: () => {
          const u = this.CONSUME(T.Unsigned);
          // rpcgen reads `long int`, `short int` and `hyper int` as `long`, `short`, `hyper`.
          const base = this.OPTION(() =>
            this.OR2([
              { ALT: () => this.CONSUME(T.Int) },
              {
                ALT: () => {
                  const t = this.CONSUME(T.Hyper);
                  this.OPTION2(() => this.CONSUME3(T.Int));
                  return t;
                },
              },
              { ALT: () => this.CONSUME(T.Char) },
              {
                ALT: () => {
                  const t = this.CONSUME(T.Short);
                  this.OPTION3(() => this.CONSUME4(T.Int));
                  return t;
                },
              },
              {
                ALT: () => {
                  const t = this.CONSUME(T.Long);
                  this.OPTION4(() => this.CONSUME5(T.Int));
                  return t;
                },
              },
            ]),
          );
          return prim(u, `unsigned ${base?.image ?? "int"}` as PrimitiveName);
        },
      },
      { ALT: () => prim(this.CONSUME2(T.Int), "int") },
      {
        ALT: () => {
          const t = prim(this.CONSUME2(T.Hyper), "hyper");
          this.OPTION5(() => this.CONSUME6(T.Int));
          return t;
        },
      },
      { ALT: () => prim(this.CONSUME2(T.Char), "char") },
      {
        ALT: () => {
          const t = prim(this.CONSUME2(T.Short), "short");
          this.OPTION6(() => this.CONSUME7(T.Int));
          return t;
        },
      },
      {
        ALT: () => {
          const t = prim(this.CONSUME2(T.Long), "long");
          this.OPTION7(() => this.CONSUME8(T.Int));
          return t;
        },
      },
      { ALT: () => prim(this.CONSUME(T.Float), "float") },
      { ALT: () => prim(this.CONSUME(T.Double), "double") },
      { ALT: () => prim(this.CONSUME(T.Quadruple), "quadruple") },
      { ALT: () => prim(this.CONSUME(T.Bool), "bool") },
      {
        ALT: () => {
          const kw = this.CONSUME(T.Enum);
          return this.OR3([
            {
              ALT: (): TypeSpec => ({
                kind: "enum",
                body: this.SUBRULE(this.enumBody),
                loc: this.loc(kw),
              }),
            },
            {
              ALT: (): TypeSpec => ({
                kind: "named",
                name: this.CONSUME(T.Identifier).image,
                loc: this.loc(kw),
              }),
            },
          ]);
        },
      },
      {
        ALT: () => {
          const kw = this.CONSUME(T.Struct);
          return this.OR4([
            {
              ALT: (): TypeSpec => ({
                kind: "struct",
                body: this.SUBRULE(this.structBody),
                loc: this.loc(kw),
              }),
            },
            {
              ALT: (): TypeSpec => ({
                kind: "named",
                name: this.CONSUME2(T.Identifier).image,
                loc: this.loc(kw),
              }),
            },
          ]);
        },
      },
      {
        ALT: () => {
          const kw = this.CONSUME(T.Union);
          return this.OR5([
            {
              ALT: (): TypeSpec => ({
                kind: "union",
                body: this.SUBRULE(this.unionBody),
                loc: this.loc(kw),
              }),
            },
            {
              ALT: (): TypeSpec => ({
                kind: "named",
                name: this.CONSUME3(T.Identifier).image,
                loc: this.loc(kw),
              }),
            },
          ]);
        },
      },
      {
        ALT: (): TypeSpec => {
          const id = this.CONSUME4(T.Identifier);
          return { kind: "named", name: id.image, loc: this.loc(id) };
        },
      },
    ]);
  });

  private enumBody = this.RULE("enumBody", (): EnumBody => {
    const open = this.CONSUME(T.LCurly);
    const members: EnumMember[] = [];
    this.AT_LEAST_ONE_SEP({
      SEP: T.Comma,
      DEF: () => {
        const name = this.CONSUME(T.Identifier);
        const value = this.OPTION(() => {
          this.CONSUME(T.Equals);
          return this.SUBRULE(this.value);
        });
        members.push({
          name: name.image,
          value: value ?? null,
          loc: this.loc(name),
          end: this.endOf(name),
        });
      },
    });
    const close = this.CONSUME(T.RCurly);
    return { members, loc: this.loc(open), end: this.endOf(close) };
  });

  private structBody = this.RULE("structBody", (): StructBody => {
    const open = this.CONSUME(T.LCurly);
    const fields: Declaration[] = [];
    this.AT_LEAST_ONE(() => {
      fields.push(this.SUBRULE(this.declaration));
      this.CONSUME(T.Semicolon);
    });
    const close = this.CONSUME(T.RCurly);
    return { fields, loc: this.loc(open), end: this.endOf(close) };
  });

  private unionBody = this.RULE("unionBody", (): UnionBody => {
    const sw = this.CONSUME(T.Switch);
    this.CONSUME(T.LParen);
    const discriminant = this.SUBRULE(this.declaration);
    this.CONSUME(T.RParen);
    this.CONSUME(T.LCurly);
    const arms: UnionArm[] = [];
    this.AT_LEAST_ONE(() => {
      const cases: Value[] = [];
      let first: IToken | undefined;
      this.AT_LEAST_ONE2(() => {
        const c = this.CONSUME(T.Case);
        first ??= c;
        cases.push(this.SUBRULE(this.value));
        this.CONSUME(T.Colon);
      });
      const decl = this.SUBRULE2(this.declaration);
      const semi = this.CONSUME(T.Semicolon);
      arms.push({ cases, decl, loc: this.loc(first!), end: this.endOf(semi) });
    });
    const defaultArm = this.OPTION(() => {
      this.CONSUME(T.Default);
      this.CONSUME2(T.Colon);
      const decl = this.SUBRULE3(this.declaration);
      this.CONSUME2(T.Semicolon);
      return decl;
    });
    const close = this.CONSUME(T.RCurly);
    return {
      discriminant,
      arms,
      defaultArm: defaultArm ?? null,
      loc: this.loc(sw),
      end: this.endOf(close),
    };
  });

  private value = this.RULE("value", (): Value =>
    this.OR([
      {
        ALT: (): Value => {
          const tok = this.CONSUME(T.Number);
          const value = this.ACTION(() => parseIntegerLiteral(tok.image)) ?? 0n;
          return { kind: "number", value, text: tok.image, loc: this.loc(tok) };
        },
      },
      {
        ALT: (): Value => {
          const tok = this.CONSUME(T.Identifier);
          return { kind: "name", name: tok.image, loc: this.loc(tok) };
        },
      },
    ]),
  );
}

export { parseIntegerLiteral } from "./integer.js";
import { parseIntegerLiteral } from "./integer.js";
