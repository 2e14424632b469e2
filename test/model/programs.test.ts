// program/version/procedure blocks in the resolved model: inline inputs with expected models
// written by hand from RFC 5531 §12 and what rpcgen -N does with the same text, plus libtirpc's
// own rpcb_prot.x resolved in full.
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  loadProtocol,
  type Field,
  type ProtocolModel,
} from "../../src/index.js";
import { requireOrSkip } from "../support/libvirtd.js";

const load = (text: string): ProtocolModel =>
  loadProtocol("t.x", { readFile: () => text, libvirtDefines: false });
const error = (text: string): string => {
  try {
    load(text);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("no error");
};

/** A field as `name: shape type` for compact expectations. */
const show = (f: Field | null): string => {
  if (f === null) return "void";
  const type =
    f.shape === "scalar" || f.shape === "optional"
      ? f.type.kind === "primitive" || f.type.kind === "named"
        ? f.type.name
        : f.type.kind
      : f.shape === "string"
        ? `<${f.max?.value ?? ""}>`
        : "";
  return `${f.name}: ${f.shape} ${type}`.trimEnd();
};

const RPCB_PROT = "/usr/include/tirpc/rpc/rpcb_prot.x";

describe("program blocks", () => {
  it("programs, versions and procedures with numbers, arguments and results", () => {
    const p = load(`struct pair { int a; int b; };
const BASE = 7;
program CALC_PROG {
  version CALC_V1 {
    void CALC_NULL(void) = 0;
    int CALC_ADD(pair) = 1;
    string CALC_NAME() = BASE;
  } = 1;
  version CALC_V2 {
    int CALC_ADD(int, int y) = 1;
    bool CALC_FIND(string, string key<16>, pair *hint, unsigned hyper) = 2;
  } = 2;
} = 0x20000099;
program OTHER_PROG { version OTHER_V { int OTHER_PING(void) = 1; } = 4294967295; } = 0x40000000;
`);
    expect(
      p.programs.map((prog) => ({
        name: prog.name,
        number: prog.number,
        versions: prog.versions.map((v) => ({
          name: v.name,
          number: v.number,
          procedures: v.procedures.map(
            (x) =>
              `${x.number} ${x.name}(${x.args.map(show).join(", ")}) -> ${show(x.result)}`,
          ),
        })),
      })),
    ).toEqual([
      {
        name: "CALC_PROG",
        number: 0x20000099,
        versions: [
          {
            name: "CALC_V1",
            number: 1,
            procedures: [
              "0 CALC_NULL() -> void",
              "1 CALC_ADD(arg1: scalar pair) -> result: scalar int",
              "7 CALC_NAME() -> result: string <>",
            ],
          },
          {
            name: "CALC_V2",
            number: 2,
            procedures: [
              "1 CALC_ADD(arg1: scalar int, y: scalar int) -> result: scalar int",
              "2 CALC_FIND(arg1: string <>, key: string <16>, hint: optional pair, arg4: scalar unsigned hyper) -> result: scalar bool",
            ],
          },
        ],
      },
      {
        name: "OTHER_PROG",
        number: 0x40000000,
        versions: [
          {
            name: "OTHER_V",
            number: 4294967295,
            procedures: ["1 OTHER_PING() -> result: scalar int"],
          },
        ],
      },
    ]);
    // rpcgen #defines every program, version and procedure name (a procedure once).
    const consts = p.constants
      .filter((c) => c.origin !== "const")
      .map((c) => `${c.origin} ${c.name}=${c.value}`);
    expect(consts).toEqual([
      "program CALC_PROG=536871065",
      "version CALC_V1=1",
      "procedure CALC_NULL=0",
      "procedure CALC_ADD=1",
      "procedure CALC_NAME=7",
      "version CALC_V2=2",
      "procedure CALC_FIND=2",
      "program OTHER_PROG=1073741824",
      "version OTHER_V=4294967295",
      "procedure OTHER_PING=1",
    ]);
    expect(p.programs[0]!.versions[0]!.procedures[1]!.loc).toMatchObject({
      file: "t.x",
      line: 6,
      col: 9,
    });
  });

  it("a procedure number may name another procedure; program constants size arrays", () => {
    const p = load(`typedef int slots<P_V>;
program P { version P_V { int A(void) = 5; int B(void) = A_NEXT; } = 3; } = 1;
const A_NEXT = 6;`);
    expect(p.programs[0]!.versions[0]!.procedures.map((x) => x.number)).toEqual(
      [5, 6],
    );
    const slots = p.lookupType("slots");
    expect(
      slots?.kind === "typedef" && slots.field.shape === "varArray"
        ? slots.field.max
        : null,
    ).toEqual({ value: 3, text: "P_V" });
  });

  it("rejects what rpcgen's C would not compile", () => {
    expect(
      error(
        "program P { version V { int A(void) = 1; int B(void) = 1; } = 1; } = 1;",
      ),
    ).toBe(
      "t.x:1:46: error: duplicate procedure number 1: 'B' and 'A' in version 'V'",
    );
    expect(
      error(
        "program P { version V { int A(void) = 1; } = 1; version W { int A(void) = 2; } = 2; } = 1;",
      ),
    ).toBe(
      "t.x:1:75: error: procedure 'A' is numbered 2 here but 1 at t.x:1:29: rpcgen #defines one 'A' for both",
    );
    expect(
      error(
        "program P { version V { int A(void) = 1; } = 1; version V2 { int B(void) = 1; } = 1; } = 1;",
      ),
    ).toBe(
      "t.x:1:57: error: duplicate version number 1: 'V2' and 'V' in program 'P'",
    );
    expect(
      error("program P { version V { int A(int, void) = 1; } = 1; } = 1;"),
    ).toBe(
      "t.x:1:36: error: void is only allowed as the only argument of procedure 'A'",
    );
    expect(
      error("program P { version V { int A(int x<4>) = 1; } = 1; } = 1;"),
    ).toBe(
      "t.x:1:36: error: arrays cannot be procedure arguments (rpcgen: use a typedef)",
    );
    expect(
      error("program P { version V { int A(string *s) = 1; } = 1; } = 1;"),
    ).toBe(
      "t.x:1:31: error: a pointer to string cannot be a procedure argument",
    );
    expect(
      error("program P { version V { int A(int x, int x) = 1; } = 1; } = 1;"),
    ).toBe(
      "t.x:1:38: error: duplicate argument name 'x' in procedure 'A' (first at t.x:1:31)",
    );
  });

  it("program, version and procedure numbers are unsigned 32-bit", () => {
    expect(
      error("program P { version V { int A(void) = 1; } = 1; } = 0x100000000;"),
    ).toBe(
      "t.x:1:53: error: program number of 'P' 4294967296 is out of range (0 to 4294967295)",
    );
    expect(
      error("program P { version V { int A(void) = -1; } = 1; } = 1;"),
    ).toBe(
      "t.x:1:39: error: procedure number of 'A' -1 is out of range (0 to 4294967295)",
    );
  });
});

describe("libtirpc's rpcb_prot.x", () => {
  const available = requireOrSkip(
    "libtirpc-dev's rpcb_prot.x",
    existsSync(RPCB_PROT),
  );

  it.runIf(available)(
    "resolves fully: both rpcbind versions with their procedures",
    () => {
      const p = loadProtocol(RPCB_PROT, { libvirtDefines: false });
      expect(p.programs.map((x) => [x.name, x.number])).toEqual([
        ["RPCBPROG", 100000],
      ]);
      const [v3, v4] = p.programs[0]!.versions;
      expect([v3!.name, v3!.number, v4!.name, v4!.number]).toEqual([
        "RPCBVERS",
        3,
        "RPCBVERS4",
        4,
      ]);
      const sig = (v: typeof v3) =>
        v!.procedures.map(
          (x) =>
            `${x.number} ${x.name}(${x.args.map(show).join(", ")}) -> ${show(x.result)}`,
        );
      expect(sig(v3)).toEqual([
        "1 RPCBPROC_SET(arg1: scalar rpcb) -> result: scalar bool",
        "2 RPCBPROC_UNSET(arg1: scalar rpcb) -> result: scalar bool",
        "3 RPCBPROC_GETADDR(arg1: scalar rpcb) -> result: string <>",
        "4 RPCBPROC_DUMP() -> result: scalar rpcblist_ptr",
        "5 RPCBPROC_CALLIT(arg1: scalar rpcb_rmtcallargs) -> result: scalar rpcb_rmtcallres",
        "6 RPCBPROC_GETTIME() -> result: scalar unsigned int",
        "7 RPCBPROC_UADDR2TADDR(arg1: string <>) -> result: scalar netbuf",
        "8 RPCBPROC_TADDR2UADDR(arg1: scalar netbuf) -> result: string <>",
      ]);
      expect(sig(v4).slice(4)).toEqual([
        "5 RPCBPROC_BCAST(arg1: scalar rpcb_rmtcallargs) -> result: scalar rpcb_rmtcallres",
        "6 RPCBPROC_GETTIME() -> result: scalar unsigned int",
        "7 RPCBPROC_UADDR2TADDR(arg1: string <>) -> result: scalar netbuf",
        "8 RPCBPROC_TADDR2UADDR(arg1: scalar netbuf) -> result: string <>",
        "9 RPCBPROC_GETVERSADDR(arg1: scalar rpcb) -> result: string <>",
        "10 RPCBPROC_INDIRECT(arg1: scalar rpcb_rmtcallargs) -> result: scalar rpcb_rmtcallres",
        "11 RPCBPROC_GETADDRLIST(arg1: scalar rpcb) -> result: scalar rpcb_entry_list_ptr",
        "12 RPCBPROC_GETSTAT() -> result: scalar rpcb_stat_byvers",
      ]);
      // rpcprog_t/rpcvers_t are <rpc/types.h>'s u_int32_t; netbuf is libtirpc's xdr_netbuf.
      const rpcb = p.lookupType("rpcb");
      expect(rpcb?.kind === "struct" && rpcb.fields.map(show)).toEqual([
        "r_prog: scalar unsigned int",
        "r_vers: scalar unsigned int",
        "r_netid: string <>",
        "r_addr: string <>",
        "r_owner: string <>",
      ]);
      const netbuf = p.lookupType("netbuf");
      expect(netbuf?.kind === "struct" && netbuf.fields.map(show)).toEqual([
        "maxlen: scalar unsigned int",
        "buf: varOpaque",
      ]);
    },
  );
});
