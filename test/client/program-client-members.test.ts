// The generator escapes client methods named after ProgramClient's members from
// PROGRAM_CLIENT_MEMBERS (read without loading the client). The type checker holds the list to
// the public members; this test to every member of a live instance: its own fields and
// everything on its prototype chain below Object.prototype.
import { describe, expect, it } from "vitest";
import {
  ProgramClient,
  type ClientProgram,
  type RpcConnection,
} from "../../src/runtime/index.js";
import { PROGRAM_CLIENT_MEMBERS } from "../../src/runtime/symbols/index.js";

describe("PROGRAM_CLIENT_MEMBERS", () => {
  it("lists every member of a ProgramClient, private ones included", () => {
    const program: ClientProgram = {
      name: "t",
      program: 1,
      version: 1,
      calls: {},
      events: {},
    };
    // The constructor only keeps the connection; nothing is called on it here.
    const client = new ProgramClient({} as RpcConnection, program);
    const names = new Set<string>(Object.getOwnPropertyNames(client));
    for (
      let proto: object | null = Object.getPrototypeOf(client) as object;
      proto !== null && proto !== Object.prototype;
      proto = Object.getPrototypeOf(proto) as object | null
    )
      for (const n of Object.getOwnPropertyNames(proto))
        if (n !== "constructor") names.add(n);
    expect([...names].sort()).toEqual([...PROGRAM_CLIENT_MEMBERS].sort());
  });
});
