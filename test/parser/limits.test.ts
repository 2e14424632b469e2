// Deep, cyclic and out-of-range inputs: each is one located error (never a stack overflow),
// and input right at a limit is still accepted. Messages checked by hand against the inputs.
import { describe, expect, it } from "vitest";
import { loadProtocol, XdrDiagnosticError } from "../../src/index.js";
import {
  MAX_IF_NESTING,
  MAX_SYNTAX_NESTING,
  MAX_TYPE_DEPTH,
} from "../../src/parser/limits.js";
import { formatDiagnostic } from "../../src/parser/diagnostics.js";
import { emitStructsListing } from "../../src/emit/structs.js";
import { emitCodecModule } from "../../src/emit/ts-codecs.js";

function errorOf(input: string | Uint8Array): string {
  try {
    loadProtocol("t.x", { readFile: () => input, libvirtDefines: false });
  } catch (e) {
    if (e instanceof XdrDiagnosticError) return e.message;
    throw e;
  }
  return "(no error)";
}

/** `struct s { struct { struct { … int x; } y; } y; };` with `levels` braces in all. */
const nestedStructs = (levels: number) =>
  "struct s {" +
  " struct {".repeat(levels - 1) +
  " int x;" +
  " } y;".repeat(levels - 1) +
  " };\n";

const typedefChain = (n: number) =>
  ["typedef int t0;"]
    .concat(Array.from({ length: n - 1 }, (_, i) => `typedef t${i} t${i + 1};`))
    .join("\n") + "\n";

describe("nesting and chains are bounded, with located errors", () => {
  it("inline struct nesting: the limit is accepted, one more level is an error", () => {
    expect(errorOf(nestedStructs(MAX_SYNTAX_NESTING))).toBe("(no error)");
    // The first '{' is at column 10 ("struct s {"), each " struct {" adds 9: the 101st is at 910.
    expect(errorOf(nestedStructs(MAX_SYNTAX_NESTING + 1))).toBe(
      `t.x:1:910: error: '{' nests deeper than 100 levels of braces and parentheses`,
    );
  });

  it("nesting at the limit goes through the emitters too", () => {
    const p = loadProtocol("t.x", {
      readFile: () => nestedStructs(MAX_SYNTAX_NESTING),
      libvirtDefines: false,
    });
    // One member line per level in the listing, plus the struct's own two lines.
    const listing = emitStructsListing(p, { filter: /./ });
    expect(
      listing.split("\n").filter((l) => l.endsWith("struct {")),
    ).toHaveLength(MAX_SYNTAX_NESTING - 1);
    const codecs = emitCodecModule(p, {
      runtimeImport: "virt-rpcgen/runtime",
      importPathOf: () => "",
    });
    const text = codecs.chunks.map((c) => c.text).join("\n");
    // Every inline body has its own codec: s, s_y, s_y_y, … (99 levels of `_y`).
    expect(text).toContain(`xdr_s${"_y".repeat(MAX_SYNTAX_NESTING - 1)}:`);
  });

  it("nesting far past any stack (10,000 levels) is the same error", () => {
    expect(errorOf(nestedStructs(10_000))).toBe(
      `t.x:1:910: error: '{' nests deeper than 100 levels of braces and parentheses`,
    );
  });

  it("parentheses in #if: 100 levels are evaluated, 101 are an error", () => {
    const ifExpr = (n: number) =>
      `#if ${"(".repeat(n)}1${")".repeat(n)}\nconst A = 1;\n#endif\n`;
    expect(errorOf(ifExpr(MAX_IF_NESTING))).toBe("(no error)");
    expect(errorOf(ifExpr(MAX_IF_NESTING + 1))).toBe(
      "t.x:1:1: error: #if expression nests parentheses deeper than 100 levels",
    );
    expect(errorOf(ifExpr(3000))).toBe(
      "t.x:1:1: error: #if expression nests parentheses deeper than 100 levels",
    );
  });

  it("a chain of 100,000 '!' in #if is evaluated (no recursion)", () => {
    // An even number of '!' before 0 is false, an odd number true: only the odd one defines A.
    const bangs = (n: number) =>
      `#if ${"!".repeat(n)}0\nconst A = 1;\n#endif\nconst B = A;\n`;
    expect(errorOf(bangs(100_001))).toBe("(no error)");
    expect(errorOf(bangs(100_000))).toBe(
      "t.x:4:11: error: unknown constant 'A'; if a C header defines it, give its value with --define A=VALUE or in a defines file (--defines FILE, lines 'NAME = VALUE')",
    );
  });

  // The recursive versions overflowed the stack at ~2,300 constants and ~8,300 '!'.
  it("a chain of 20,000 constants is evaluated (no recursion)", () => {
    const consts = ["const c0 = 7;"];
    for (let i = 1; i < 20_000; i++) consts.push(`const c${i} = c${i - 1};`);
    const p = loadProtocol("t.x", {
      readFile: () => consts.join("\n") + "\n",
      libvirtDefines: false,
    });
    expect(p.constants.at(-1)).toMatchObject({ name: "c19999", value: 7 });
  });

  it("a constant cycle closing a long chain names the cycle", () => {
    const consts = ["const c0 = c2999;"];
    for (let i = 1; i < 3000; i++) consts.push(`const c${i} = c${i - 1};`);
    const message = errorOf(consts.join("\n"));
    expect(message).toMatch(
      /^t\.x:1:7: error: constant cycle: c0 -> c2999 -> c2998 -> .* -> c1 -> c0$/,
    );
  });

  it("a chain of typedefs: the limit is accepted, one more is an error at that type", () => {
    expect(errorOf(typedefChain(MAX_TYPE_DEPTH))).toBe("(no error)");
    expect(errorOf(typedefChain(MAX_TYPE_DEPTH + 1))).toBe(
      "t.x:201:9: error: typedef 't200' starts a chain of 201 types containing one another (t200 -> t199 -> t198 -> … 197 more … -> t0), more than virt-rpcgen's limit of 200",
    );
  });

  it("a chain of 20,000 typedefs is the same error, at the first type past the limit", () => {
    expect(errorOf(typedefChain(20_000))).toMatch(
      /^t\.x:201:9: error: typedef 't200' starts a chain of 201 types /,
    );
  });

  it("a chain of structs through pointers counts too (codecs call one another along it)", () => {
    const structs = ["struct s0 { int x; };"];
    for (let i = 1; i <= MAX_TYPE_DEPTH; i++)
      structs.push(`struct s${i} { s${i - 1} *p; };`);
    expect(errorOf(structs.join("\n"))).toMatch(
      /^t\.x:201:8: error: struct 's200' starts a chain of 201 types containing one another \(s200 -> s199 -> s198 -> … 197 more … -> s0\)/,
    );
  });
});

describe("long lines are read in linear time", () => {
  // Each of these took minutes when a regular expression backtracked over the run of spaces
  // (quadratic); the test's timeout catches a regression.
  const spaces = " ".repeat(300_000);

  it("a preprocessor directive with a long run of spaces", () => {
    // Located at the '#define' that names the unknown constant.
    expect(errorOf(`#define X${spaces}Y\nconst A = X;\n`)).toBe(
      "t.x:1:1: error: unknown constant 'Y'; if a C header defines it, give its value with --define Y=VALUE or in a defines file (--defines FILE, lines 'NAME = VALUE')",
    );
  });

  it("a directive line of many comments", () => {
    expect(
      errorOf(`#define X ${"/**/".repeat(100_000)} 2\nconst A = X;\n`),
    ).toBe("(no error)");
  });

  it("an annotation value with a long run of spaces", () => {
    const message = errorOf(
      `enum demo_procedure {\n    /**\n     * @generate: x${spaces}y\n     */\n    DEMO_PROC_PING = 1\n};\n`,
    );
    expect(message).toMatch(
      /^t\.x:3:8: error: '@generate' annotation value 'x /,
    );
  });
});

describe("cycles among types", () => {
  it("typedef cycle", () => {
    expect(errorOf("typedef b a;\ntypedef a b;\n")).toBe(
      "t.x:1:9: error: typedef cycle: a -> b -> a",
    );
  });

  it("typedef cycle through an array", () => {
    expect(errorOf("typedef b a<>;\ntypedef a b;\n")).toBe(
      "t.x:1:9: error: typedef cycle: a -> b -> a",
    );
  });

  it("a struct containing itself by value", () => {
    expect(errorOf("struct s { int x; s y; };\n")).toBe(
      "t.x:1:8: error: struct 's' contains itself by value (s -> s): its values would be infinite; recurse through '*' or a variable-length array",
    );
  });

  it("a struct containing itself by value through another type and a fixed array", () => {
    expect(errorOf("struct s { int x; t y; };\nstruct t { s z[2]; };\n")).toBe(
      "t.x:1:8: error: struct 's' contains itself by value (s -> t -> s): its values would be infinite; recurse through '*' or a variable-length array",
    );
  });

  it("a union containing itself by value in an arm, through an inline struct", () => {
    expect(
      errorOf(
        "union u switch (int d) {\ncase 0: struct { u inner; } x;\ndefault: void;\n};\n",
      ),
    ).toBe(
      "t.x:1:7: error: union 'u' contains itself by value (u -> u_x -> u): its values would be infinite; recurse through '*' or a variable-length array",
    );
  });

  it("recursion through '*' or a variable-length array is accepted", () => {
    expect(errorOf("struct node { int v; node *next; };\n")).toBe("(no error)");
    expect(
      errorOf("struct tree { int v; tree kids<>; };\ntypedef tree forest<>;\n"),
    ).toBe("(no error)");
    expect(errorOf("struct a { b *x; };\nstruct b { a y; };\n")).toBe(
      "(no error)",
    );
  });
});

describe("numbers out of range", () => {
  it("a case label beyond a signed int discriminant", () => {
    expect(
      errorOf(
        "union u switch (int d) { case 4294967296: int x; default: void; };",
      ),
    ).toBe(
      "t.x:1:31: error: case '4294967296' (4294967296) is out of range for the discriminant (-2147483648 to 2147483647) in union 'u'",
    );
    expect(errorOf("union u switch (int d) { case 2147483648: int x; };")).toBe(
      "t.x:1:31: error: case '2147483648' (2147483648) is out of range for the discriminant (-2147483648 to 2147483647) in union 'u'",
    );
  });

  it("a case label beyond an unsigned discriminant", () => {
    expect(
      errorOf(
        "const BIG = 4294967296;\nunion u switch (unsigned int d) { case BIG: int x; };",
      ),
    ).toBe(
      "t.x:2:40: error: case 'BIG' (4294967296) is out of range for the discriminant (0 to 4294967295) in union 'u'",
    );
  });

  it("case labels outside bool and enum discriminants", () => {
    expect(
      errorOf("union u switch (bool d) { case 4294967297: int x; };"),
    ).toBe(
      "t.x:1:32: error: case '4294967297' is not a bool value (0 or 1) in union 'u'",
    );
    expect(
      errorOf(
        "enum e { A = 1 };\nunion u switch (e d) { case 4294967297: int x; };",
      ),
    ).toBe(
      "t.x:2:29: error: case '4294967297' (4294967297) is not a value of discriminant type 'e' in union 'u'",
    );
  });

  it("program, version and procedure numbers above 2^32-1", () => {
    expect(
      errorOf(
        "program P { version V { void f(void) = 1; } = 1; } = 0x100000000;",
      ),
    ).toBe(
      "t.x:1:54: error: program number of 'P' 4294967296 is out of range (0 to 4294967295)",
    );
    expect(
      errorOf(
        "const V1 = 4294967296;\nprogram P { version V { void f(void) = 1; } = V1; } = 1;",
      ),
    ).toBe(
      "t.x:2:47: error: version number of 'V' 4294967296 is out of range (0 to 4294967295)",
    );
    expect(
      errorOf(
        "program P { version V { void f(void) = 4294967296; } = 1; } = 1;",
      ),
    ).toBe(
      "t.x:1:40: error: procedure number of 'f' 4294967296 is out of range (0 to 4294967295)",
    );
    expect(
      errorOf(
        "program P { version V { void f(void) = 4294967295; } = 1; } = 1;",
      ),
    ).toBe("(no error)");
  });
});

describe("input that could reach the terminal raw", () => {
  it("control characters in the input are a located error", () => {
    expect(errorOf("struct s { int x; };\n  \x1b[31m\n")).toBe(
      "t.x:2:3: error: control character U+001B is not allowed in .x input",
    );
    expect(errorOf(new Uint8Array(1000))).toBe(
      "t.x:1:1: error: control character U+0000 is not allowed in .x input",
    );
  });

  it("diagnostics escape NUL, ESC and other control characters", () => {
    const loc = { file: "a\x1b[2Jb.x", line: 1, col: 2, offset: 1 };
    expect(
      formatDiagnostic({ loc, message: "found '\x00' then '\x9b' and '\n'" }),
    ).toBe("a\\x1b[2Jb.x:1:2: error: found '\\x00' then '\\x9b' and '\\x0a'");
  });
});
