// typedParamsToObject / typedParamsFromObject on hand-written wire values (libvirt's seven
// VIR_TYPED_PARAM_* types, remote_protocol.x's remote_typed_param_value arms); the round trip
// against libvirtd is in test/client/libvirt-api.test.ts.
import { describe, expect, it } from "vitest";
import {
  typedParamsAll,
  typedParamsFromObject,
  typedParamsToObject,
  type WireTypedParam,
} from "../../src/runtime/index.js";

const wire: WireTypedParam[] = [
  { field: "i", value: { type: 1, i: -5 } },
  { field: "ui", value: { type: 2, ui: 4294967295 } },
  { field: "l", value: { type: 3, l: -(2n ** 63n) } },
  { field: "ul", value: { type: 4, ul: 2n ** 64n - 1n } },
  { field: "d", value: { type: 5, d: 0.5 } },
  { field: "b", value: { type: 6, b: 1 } },
  { field: "s", value: { type: 7, s: "vda" } },
  { field: "s", value: { type: 7, s: "vdb" } },
];

describe("typed params", () => {
  it("reads each wire type into its JavaScript value, the first of repeated fields", () => {
    expect(typedParamsToObject(wire)).toEqual({
      i: -5,
      ui: 4294967295,
      l: -(2n ** 63n),
      ul: 2n ** 64n - 1n,
      d: 0.5,
      b: true,
      s: "vda",
    });
    expect(typedParamsAll(wire, "s")).toEqual(["vda", "vdb"]);
  });

  it("writes with the given wire types, and back to the same wire values", () => {
    const types = {
      i: "int",
      ui: "uint",
      l: "llong",
      ul: "ullong",
      d: "double",
      b: "boolean",
      s: "string",
    } as const;
    const values = {
      i: -5,
      ui: 4294967295,
      l: -(2n ** 63n),
      ul: 2n ** 64n - 1n,
      d: 0.5,
      b: true,
      s: ["vda", "vdb"],
    };
    expect(typedParamsFromObject(values, types)).toEqual(wire);
  });

  it("infers types from values where none is given", () => {
    expect(
      typedParamsFromObject({
        a: 7,
        b: 3_000_000_000,
        c: 1.5,
        d: 5n,
        e: -5n,
        f: false,
        g: "x",
        h: undefined,
      }),
    ).toEqual([
      { field: "a", value: { type: 1, i: 7 } },
      { field: "b", value: { type: 2, ui: 3_000_000_000 } },
      { field: "c", value: { type: 5, d: 1.5 } },
      { field: "d", value: { type: 4, ul: 5n } },
      { field: "e", value: { type: 3, l: -5n } },
      { field: "f", value: { type: 6, b: 0 } },
      { field: "g", value: { type: 7, s: "x" } },
    ]);
  });

  it("refuses values that do not fit the field's type", () => {
    expect(() => typedParamsFromObject({ w: -1 }, { w: "uint" })).toThrow(
      "typed parameter w: number -1 is not a valid uint",
    );
    expect(() =>
      typedParamsFromObject({ w: 2n ** 64n }, { w: "ullong" }),
    ).toThrow(/not a valid ullong/);
    expect(() => typedParamsFromObject({ w: 1.5 }, { w: "int" })).toThrow(
      /not a valid int/,
    );
    expect(() => typedParamsFromObject({ w: 1 }, { w: "string" })).toThrow(
      /not a valid string/,
    );
  });
});
