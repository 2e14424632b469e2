// All generated code compiles under tsc --strict (plus noUncheckedIndexedAccess), against the
// runtime's published type declarations.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/protocol-files.js";
import { tscDiagnostics } from "../support/run.js";

describe("generated code", () => {
  it("compiles with tsc --strict", async () => {
    expect(
      await tscDiagnostics(join(REPO_ROOT, "tsconfig.generated.json")),
    ).toBe("");
  }, 240_000);
});
