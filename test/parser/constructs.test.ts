// Each construct with inline input and inline expected output (hand-written from RFC 4506 /
// rpcgen's C mapping), shown through the model or the structs listing.
import { describe, expect, it } from "vitest";
import { emitStructsListing, loadProtocol, parseXdr } from "../../src/index.js";
import type { ProtocolModel } from "../../src/index.js";

const load = (text: string, macros?: Record<string, string>): ProtocolModel =>
  loadProtocol("t.x", {
    readFile: () => text,
    macros: new Map(Object.entries(macros ?? {})),
  });
const listing = (text: string) =>
  emitStructsListing(load(text), { filter: /./ });
const constants = (text: string, macros?: Record<string, string>) =>
  Object.fromEntries(
    load(text, macros).constants.map((c) => [c.name, c.value]),
  );

describe("XDR and rpcgen constructs", () => {
  it("hex, octal, negative and symbolic constants", () => {
    expect(
      constants(
        "const A = 0x1F; const B = 017; const C = -5; const D = A; const E = 0;",
      ),
    ).toEqual({ A: 31, B: 15, C: -5, D: 31, E: 0 });
  });

  it("enum members count on from the previous value and are constants", () => {
    expect(constants("enum e { X, Y = 10, Z };")).toEqual({
      X: 0,
      Y: 10,
      Z: 11,
    });
  });

  it("C-style types: unsigned alone, unsigned hyper, char, short", () => {
    expect(
      listing(
        "struct s { unsigned a; unsigned hyper b; hyper c; unsigned char d; char e; unsigned short f; short g; bool h; float i; };",
      ),
    ).toBe(
      [
        "/* -*- c -*- */",
        "struct s {",
        "        u_int                      a;",
        "        uint64_t                   b;",
        "        int64_t                    c;",
        "        u_char                     d;",
        "        char                       e;",
        "        u_short                    f;",
        "        short int                  g;",
        "        bool_t                     h;",
        "        float                      i;",
        "};",
        "",
      ].join("\n"),
    );
  });

  it("arrays, opaque, strings and optional data in rpcgen's C shape", () => {
    expect(
      listing(
        "typedef int t; struct s { int a[3]; t b<5>; opaque c[6]; opaque d<>; string e<9>; t *f; };",
      ),
    ).toBe(
      [
        "/* -*- c -*- */",
        "struct s {",
        "        int                        a[3];",
        "        struct {",
        "                u_int              b_len;",
        "                t *                b_val;",
        "        } b;",
        "        char                       c[6];",
        "        struct {",
        "                u_int              d_len;",
        "                char *             d_val;",
        "        } d;",
        "        char *                     e;",
        "        t *                        f;",
        "};",
        "",
      ].join("\n"),
    );
  });

  it("unions: multiple labels per arm, void arms and a default arm", () => {
    const p = load(
      "union u switch (unsigned int k) { case 1: case 2: int a; case 3: void; default: hyper z; };",
    );
    const u = p.types[0]!;
    expect(u.kind).toBe("union");
    if (u.kind !== "union") return;
    expect(
      u.arms.map((a) => [a.cases.map((c) => c.value), a.field?.name ?? null]),
    ).toEqual([
      [[1, 2], "a"],
      [[3], null],
    ]);
    expect(u.defaultArm?.name).toBe("z");
    expect(
      listing(
        "union u switch (unsigned int k) { case 1: case 2: int a; case 3: void; default: hyper z; };",
      ),
    ).toBe(
      [
        "/* -*- c -*- */",
        "struct u {",
        "        u_int                      k;",
        "        union {",
        "                int                a;",
        "                int64_t            z;",
        "        } u_u;",
        "};",
        "",
      ].join("\n"),
    );
  });

  it("nested anonymous struct, union and enum bodies", () => {
    const p = load(
      "struct outer { struct { int x; } inner; union switch (int d) { case 0: int y; } choice; enum { ON = 1, OFF = 0 } state; };",
    );
    const s = p.types[0]!;
    if (s.kind !== "struct") throw new Error("not a struct");
    expect(
      s.fields.map((f) => (f.shape === "scalar" ? f.type.kind : f.shape)),
    ).toEqual(["inlineStruct", "inlineUnion", "inlineEnum"]);
    expect(
      constants("struct outer { enum { ON = 1, OFF = 0 } state; };"),
    ).toEqual({ ON: 1, OFF: 0 });
  });

  it("RFC 5531 program and version blocks give the program numbers", () => {
    const p = load(
      "struct a { int x; };\nprogram DEMO_PROG { version DEMO_V1 { int PING(a) = 1; void STOP(void) = 2; } = 3; } = 0x20000001;",
    );
    expect(p.program).toEqual({
      programConst: "DEMO_PROG",
      program: 0x20000001,
      versionConst: "DEMO_V1",
      version: 3,
    });
  });

  it("keeps comments and % pass-through lines", () => {
    const f = parseXdr("t.x", '%#include "x.h"\n/* a */ const A = 1; // b\n');
    expect(f.passThrough.map((l) => l.text)).toEqual(['%#include "x.h"']);
    expect(f.comments.map((c) => c.text)).toEqual(["/* a */", "// b"]);
  });

  it("#define constants, #ifdef/#ifndef/#if defined/#else/#endif against defines", () => {
    const text = [
      "#define SIZE 8",
      "#ifdef RPC_HDR",
      "const HDR = 1;",
      "#else",
      "const NOT_HDR = 1;",
      "#endif",
      "#if defined(EXTRA) && !defined(RPC_XDR)",
      "const EXTRA_ON = SIZE;",
      "#endif",
      "#ifndef SIZE",
      "const NEVER = 1;",
      "#endif",
    ].join("\n");
    expect(constants(text)).toEqual({ SIZE: 8, NOT_HDR: 1 });
    expect(constants(text, { RPC_HDR: "1", EXTRA: "1" })).toEqual({
      SIZE: 8,
      HDR: 1,
      EXTRA_ON: 8,
    });
  });

  it("keeps line numbers when preprocessing removes lines", () => {
    expect(() =>
      load("#ifdef NOPE\nconst A = 1;\n#endif\nstruct s { nope x; };"),
    ).toThrow("t.x:4:12: error: unknown type 'nope'");
  });

  it("typedef struct X X is accepted as C's naming idiom", () => {
    expect(
      load("struct x { int a; };\ntypedef struct x x;").types.map(
        (t) => t.kind,
      ),
    ).toEqual(["struct"]);
  });
});
