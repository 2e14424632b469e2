// GeneratedFile, the import side of every generated module: names asked for are imported
// once, type-only when only types asked, under an alias when the module declares the name;
// runtime symbols come from the entry the runtime's symbol table gives them.
import { describe, expect, it } from "vitest";
import {
  GeneratedFile,
  runtimeSpecifier,
} from "../../src/emit/generated-file.js";
import { GENERATED_CODE_SYMBOLS } from "../../src/runtime/symbols/index.js";
import * as runtime from "../../src/runtime/index.js";

describe("GeneratedFile", () => {
  it("imports what was asked for, sorted, type-only where only types were", () => {
    const f = new GeneratedFile("virt-rpcgen/runtime", ["xdr_a"]);
    expect(f.runtime("XdrCodec")).toBe("XdrCodec");
    expect(f.runtime("prependXdrPath")).toBe("prependXdrPath");
    expect(f.runtime("XdrCodec")).toBe("XdrCodec");
    expect(f.importDeclared("./other.js", "xdr_b")).toBe("xdr_b");
    expect(f.imports()).toEqual([
      'import { prependXdrPath, type XdrCodec } from "virt-rpcgen/runtime";',
      'import { xdr_b } from "./other.js";',
    ]);
  });

  it("aliases an import the module's own names or reserved words would shadow", () => {
    const f = new GeneratedFile("rt", ["XdrError", "XdrError$", "collide"]);
    expect(f.runtime("XdrError")).toBe("XdrError$1");
    expect(f.namespace("./codecs.js", "collide")).toBe("collide$");
    expect(f.namespace("./api.js", "delete")).toBe("delete$");
    expect(f.imports()).toEqual([
      'import { XdrError as XdrError$1 } from "rt";',
      'import * as collide$ from "./codecs.js";',
      'import * as delete$ from "./api.js";',
    ]);
  });

  it("a reserved namespace is imported only once used", () => {
    const f = new GeneratedFile("rt");
    expect(f.reserveNamespace("./a.js", "a")).toBe("a");
    expect(f.reserveNamespace("./b.js", "a")).toBe("a$");
    expect(f.namespace("./b.js", "a")).toBe("a$");
    expect(f.imports()).toEqual(['import * as a$ from "./b.js";']);
  });

  it("the runtime package is imported one entry at a time; any other runtime import is one module", () => {
    expect(runtimeSpecifier("virt-rpcgen-runtime", "xdr")).toBe(
      "virt-rpcgen-runtime/xdr",
    );
    expect(runtimeSpecifier("virt-rpcgen-runtime", "client", false)).toBe(
      "virt-rpcgen-runtime",
    );
    expect(runtimeSpecifier("../../xdr/index.js", "xdr")).toBe(
      "../../xdr/index.js",
    );
    expect(runtimeSpecifier("virt-rpcgen/runtime", "xdr")).toBe(
      "virt-rpcgen/runtime",
    );
    expect(runtimeSpecifier("my-vendored-runtime", "xdr")).toBe(
      "my-vendored-runtime",
    );
    const f = new GeneratedFile("virt-rpcgen-runtime", [], true);
    f.runtime("ProgramClient");
    f.runtime("XdrError");
    f.runtime("TraceProgram");
    expect(f.imports()).toEqual([
      'import { ProgramClient } from "virt-rpcgen-runtime/client";',
      'import { XdrError } from "virt-rpcgen-runtime/xdr";',
      'import { type TraceProgram } from "virt-rpcgen-runtime/trace";',
    ]);
  });
});

describe("the runtime symbol table", () => {
  it("every value symbol is exported by the runtime (types are checked by tsc)", () => {
    const values = [...GENERATED_CODE_SYMBOLS]
      .filter(([, info]) => !info.typeOnly)
      .map(([name]) => name);
    expect(values.length).toBeGreaterThan(0);
    for (const name of values)
      expect(runtime, name).toHaveProperty(name, expect.anything());
  });
});
