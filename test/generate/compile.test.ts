// All generated code compiles under tsc --strict (plus noUncheckedIndexedAccess), against the
// runtime's published type declarations.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { execAsync } from "../support/exec-async.js";
import { REPO_ROOT } from "../support/protocol-files.js";

describe("generated code", () => {
  it("compiles with tsc --strict", async () => {
    const tsc = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
    const r = await execAsync(process.execPath, [
      tsc,
      "-p",
      join(REPO_ROOT, "tsconfig.generated.json"),
    ]);
    expect(`${r.status} ${r.stdout}${r.stderr}`).toBe("0 ");
  }, 120_000);
});
