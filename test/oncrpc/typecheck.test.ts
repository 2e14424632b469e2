// The generated ONC-RPC modules (onc_demo.x, libtirpc's rpcb_prot.x) compile under tsc --strict
// with the flags strict projects add (noUnusedLocals, exactOptionalPropertyTypes,
// noUncheckedIndexedAccess), and the handler and client types say what the .x says
// (typecheck-usage.ts, with @ts-expect-error where the .x forbids something).
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/protocol-files.js";
import { run } from "../support/run.js";

describe("generated ONC-RPC modules", () => {
  it("compile under tsc --strict", async () => {
    const tsc = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
    const files = ["onc_demo", "rpcb_prot"].map((p) =>
      join(REPO_ROOT, "test", "oncrpc", "generated", p, "index.ts"),
    );
    const usage = join(REPO_ROOT, "test", "oncrpc", "typecheck-usage.ts");
    const result = await run(process.execPath, [
      tsc,
      "--noEmit",
      "--strict",
      "--noUnusedLocals",
      "--noUnusedParameters",
      "--exactOptionalPropertyTypes",
      "--noUncheckedIndexedAccess",
      "--target",
      "ES2022",
      "--module",
      "NodeNext",
      "--moduleResolution",
      "NodeNext",
      "--types",
      "node",
      "--skipLibCheck",
      ...files,
      usage,
    ]);
    expect(result.stdout + result.stderr).toBe("");
    expect(result.status).toBe(0);
  }, 240_000); // tsc on a loaded 2-core machine
});
