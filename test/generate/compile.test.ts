// All generated code compiles under tsc --strict (plus noUncheckedIndexedAccess), against the
// runtime's published type declarations.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/protocol-files.js";

describe("generated code", () => {
  it("compiles with tsc --strict", () => {
    const tsc = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
    let out = "";
    try {
      execFileSync(
        process.execPath,
        [tsc, "-p", join(REPO_ROOT, "tsconfig.generated.json")],
        { encoding: "utf8", stdio: "pipe" },
      );
    } catch (e) {
      out = (e as { stdout: string }).stdout;
    }
    expect(out).toBe("");
  }, 120_000);
});
