// All generated code compiles under tsc --strict (plus noUncheckedIndexedAccess), against the
// runtime's published type declarations.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/protocol-files.js";
import { runAsync } from "../support/run-async.js";

describe("generated code", () => {
  it("compiles with tsc --strict", async () => {
    const tsc = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
    const r = await runAsync(process.execPath, [
      tsc,
      "-p",
      join(REPO_ROOT, "tsconfig.generated.json"),
    ]);
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  }, 360_000); // tsc on a loaded shared CI machine
});
