// Bad inputs and the exact located message each must produce. Every message was read and
// checked by hand against the input: the location points at the offending token.
export interface BadInput {
  readonly name: string;
  /** File contents; a Uint8Array for byte-level cases. */
  readonly input: string | Uint8Array;
  readonly message: string;
}

const ANNOTATED = (doc: string, extra = "") => `${extra}enum demo_procedure {
    /**
${doc}
     */
    DEMO_PROC_PING = 1
};
`;

export const BAD_INPUTS: readonly BadInput[] = [
  {
    name: "truncated struct",
    input: "struct a {\n  int x;\n",
    message:
      "t.x:2:9: error: expected '}' but found end of file in struct body",
  },
  {
    name: "truncated inside a union",
    input: "union u switch (int d) {\n  case 1:",
    message:
      "t.x:2:10: error: expected one of 'void', 'opaque', 'string', 'unsigned', 'int', 'hyper', 'char', 'short', 'long', 'float', 'double', 'quadruple', 'bool', 'enum', 'struct', 'union' or a name but found end of file in declaration",
  },
  {
    name: "truncated after name",
    input: "const A",
    message:
      "t.x:1:8: error: expected '=' but found end of file in const definition",
  },
  {
    name: "missing semicolon after struct",
    input: "struct a { int x; }\nconst B = 1;",
    message:
      "t.x:2:1: error: expected ';' but found 'const' in struct definition",
  },
  {
    name: "missing field semicolon",
    input: "struct a { int x }",
    message: "t.x:1:18: error: expected ';' but found '}' in struct body",
  },
  {
    name: "unknown type",
    input: "struct a { foo_t x; };",
    message: "t.x:1:12: error: unknown type 'foo_t'",
  },
  {
    name: "constant used as a type",
    input: "const N = 3;\nstruct a { N x; };",
    message: "t.x:2:12: error: 'N' is a constant, not a type",
  },
  {
    name: "unknown constant in array size",
    input: "struct a { int x<MAXX>; };",
    message:
      "t.x:1:18: error: unknown constant 'MAXX'; if a C header defines it, give its value with --define MAXX=VALUE or in a defines file (--defines FILE, lines 'NAME = VALUE')",
  },
  {
    name: "constant only C knows, from a %#define line",
    input: "%#define MAXX 12\ntypedef int a<MAXX>;",
    message:
      "t.x:2:15: error: unknown constant 'MAXX': it is defined only for C, by '%#define MAXX 12' at t.x:1:1, which virt-rpcgen does not read; give its value with --define MAXX=12 or in a defines file (--defines FILE, lines 'NAME = VALUE')",
  },
  {
    name: "string constant used as a number",
    input: 'const S = "x";\ntypedef int a<S>;',
    message: `t.x:2:15: error: 'S' is a string constant ("x"), not an integer`,
  },
  {
    name: "unterminated string constant",
    input: 'const S = "abc;\n',
    message:
      "t.x:1:11: error: unterminated string: '\"' has no matching '\"' on its line",
  },
  {
    name: "duplicate type",
    input: "struct a { int x; };\nunion a switch (int d) { case 1: void; };",
    message:
      "t.x:2:7: error: duplicate definition of type 'a' (first defined at t.x:1:8)",
  },
  {
    name: "duplicate constant",
    input: "const A = 1;\nconst A = 2;",
    message:
      "t.x:2:7: error: duplicate definition of 'A' (first defined at t.x:1:7)",
  },
  {
    name: "enum member clashes with const",
    input: "const RED = 1;\nenum c { RED = 2 };",
    message:
      "t.x:2:10: error: duplicate definition of 'RED' (first defined at t.x:1:7)",
  },
  {
    name: "duplicate struct member",
    input: "struct a { int x; hyper x; };",
    message:
      "t.x:1:19: error: duplicate member 'x' in struct 'a' (first at line 1)",
  },
  {
    name: "constant cycle",
    input: "const A = B;\nconst B = C;\nconst C = A;",
    message: "t.x:1:7: error: constant cycle: A -> B -> C -> A",
  },
  {
    name: "self-referential constant",
    input: "const A = A;",
    message: "t.x:1:7: error: constant cycle: A -> A",
  },
  {
    name: "union discriminant of wrong type",
    input: "union u switch (string s<>) { case 1: int x; };",
    message:
      "t.x:1:17: error: union 'u' discriminant 's' must be int, unsigned int, bool or an enum",
  },
  {
    name: "union case not in discriminant enum",
    input:
      "enum color { RED = 0, GREEN = 1 };\nunion u switch (color c) { case RED: int r; case 7: int x; };",
    message:
      "t.x:2:50: error: case '7' (7) is not a value of discriminant type 'color' in union 'u'",
  },
  {
    name: "duplicate union case",
    input: "union u switch (int d) { case 1: int a; case 0x1: int b; };",
    message:
      "t.x:1:46: error: duplicate case value 1 ('0x1', already used by '1') in union 'u'",
  },
  {
    name: "bool discriminant case 2",
    input: "union u switch (bool b) { case 2: int a; };",
    message:
      "t.x:1:32: error: case '2' is not a bool value (0 or 1) in union 'u'",
  },
  {
    name: "unterminated comment",
    input: "const A = 1;\n/* never closed\nconst B = 2;",
    message: "t.x:2:1: error: unterminated comment: '/*' has no matching '*/'",
  },
  {
    name: "non-UTF-8 byte",
    input: Uint8Array.from([
      ...Buffer.from("const A = 1;\n/* caf"),
      0xe9,
      ...Buffer.from(" */\n"),
    ]),
    message:
      "t.x:2:7: error: invalid UTF-8 byte 0xe9 (input must be UTF-8 text)",
  },
  {
    name: "stray character",
    input: "const A = 1;\nconst B = 2 @;",
    message: "t.x:2:13: error: unexpected character '@'",
  },
  {
    name: "bad octal literal",
    input: "const A = 09;",
    message: "t.x:1:11: error: invalid integer literal '09'",
  },
  {
    name: "array size out of range",
    input: "struct a { int x[-1]; };",
    message: "t.x:1:18: error: array size -1 is out of range (0 to 4294967295)",
  },
  {
    name: "void struct member",
    input: "struct a { void; };",
    message: "t.x:1:12: error: void is only allowed as a union arm",
  },
  {
    name: "missing #endif",
    input: "#ifdef FOO\nconst A = 1;\n",
    message: "t.x:1:1: error: unterminated conditional: missing #endif",
  },
  {
    name: "#else without #if",
    input: "const A = 1;\n#else\n",
    message: "t.x:2:1: error: #else without #if",
  },
  {
    name: "unknown directive",
    input: "#frobnicate yes\n",
    message: "t.x:1:1: error: unknown preprocessor directive '#frobnicate'",
  },
  {
    name: "garbage at top level",
    input: "const A = 1;\nint x;",
    message:
      "t.x:2:1: error: expected a definition (const, typedef, enum, struct, union or program) but found 'int'",
  },
  {
    name: "missing @generate",
    input: ANNOTATED("     * @acl: none"),
    message:
      "t.x:5:5: error: '@generate' annotation missing for DEMO_PROC_PING",
  },
  {
    name: "missing @acl once the protocol uses ACLs",
    input: `enum demo_procedure {\n    /**\n     * @generate: both\n     * @acl: none\n     */\n    DEMO_PROC_PING = 1,\n    /**\n     * @generate: both\n     */\n    DEMO_PROC_PONG = 2\n};\n`,
    message: "t.x:10:5: error: '@acl' annotation missing for DEMO_PROC_PONG",
  },
  {
    name: "unknown annotation key",
    input: ANNOTATED(
      "     * @generate: both\n     * @acl: none\n     * @colour: blue",
    ),
    message:
      "t.x:5:8: error: unknown annotation '@colour' for DEMO_PROC_PING (known: @generate, @acl, @aclfilter, @priority, @readstream, @writestream, @sparseflag)",
  },
  {
    name: "bad @generate value",
    input: ANNOTATED("     * @generate: always\n     * @acl: none"),
    message:
      "t.x:3:8: error: '@generate' annotation value 'always' invalid for DEMO_PROC_PING (expected none, client, server or both)",
  },
  {
    name: "bad @priority value",
    input: ANNOTATED(
      "     * @generate: both\n     * @acl: none\n     * @priority: urgent",
    ),
    message:
      "t.x:5:8: error: '@priority' annotation value 'urgent' invalid for DEMO_PROC_PING (expected low or high)",
  },
  {
    name: "malformed ACL rule",
    input: ANNOTATED("     * @generate: both\n     * @acl: domain"),
    message:
      "t.x:4:8: error: malformed ACL rule 'domain' for DEMO_PROC_PING: missing ':permission' (expected object:permission, object:permission:FLAG or object:permission::param:value)",
  },
  {
    name: "ACL rules on different objects",
    input: ANNOTATED(
      "     * @generate: both\n     * @acl: domain:read\n     * @acl: network:write",
    ),
    message:
      "t.x:5:8: error: ACL rules for DEMO_PROC_PING cannot check different objects ('domain' and 'network')",
  },
  {
    name: "@sparseflag without a stream",
    input: ANNOTATED(
      "     * @generate: both\n     * @acl: none\n     * @sparseflag: VIR_SPARSE",
    ),
    message:
      "t.x:5:8: error: '@sparseflag' requires '@readstream' or '@writestream' for DEMO_PROC_PING",
  },
  {
    name: "duplicated @generate",
    input: ANNOTATED(
      "     * @generate: both\n     * @generate: none\n     * @acl: none",
    ),
    message:
      "t.x:4:8: error: duplicate annotation '@generate' for DEMO_PROC_PING (first at line 3)",
  },
  {
    name: "unparseable annotation line",
    input: ANNOTATED("     * @generate: both\n     * acl is none"),
    message:
      "t.x:4:6: error: cannot parse annotation line '* acl is none' (expected '* @key: value')",
  },
  {
    name: "duplicate procedure number",
    input: `enum demo_procedure {\n    /**\n     * @generate: both\n     */\n    DEMO_PROC_PING = 1,\n    /**\n     * @generate: both\n     */\n    DEMO_PROC_PONG = 1\n};\n`,
    message:
      "t.x:9:5: error: duplicate procedure number 1: DEMO_PROC_PONG and DEMO_PROC_PING",
  },
  {
    name: "duplicate procedure name",
    input: `enum demo_procedure {\n    DEMO_PROC_PING = 1,\n    DEMO_PROC_PING = 2\n};\n`,
    message:
      "t.x:3:5: error: duplicate definition of 'DEMO_PROC_PING' (first defined at t.x:2:5)",
  },
  {
    name: "malformed insert hint",
    input: "struct demo_x_ret { /* insert@one */\n  int x;\n};",
    message:
      "t.x:1:21: error: malformed generator hint 'insert@one' (expected insert@N or alloc@N@type@N)",
  },
  {
    name: "enum value out of int range",
    input: "enum big { HUGE = 0x80000000 };",
    message:
      "t.x:1:12: error: enum value 2147483648 of 'HUGE' does not fit in a signed 32-bit int",
  },
];
