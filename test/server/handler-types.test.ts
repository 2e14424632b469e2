// Handler types come from the generated dispatch table: test/fixtures/server-types/handlers.ts
// holds correct handlers and `@ts-expect-error` lines for wrong args, rets, contexts, unknown
// procedures and event messages; tsc must accept the file (every expected error is an error).
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/protocol-files.js";

describe("generated handler types", () => {
  it("accept correct handlers and reject wrong ones", () => {
    const tsc = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
    let output = "";
    try {
      execFileSync(
        process.execPath,
        [tsc, "-p", join("test", "fixtures", "server-types", "tsconfig.json")],
        { cwd: REPO_ROOT, encoding: "utf8", stdio: "pipe" },
      );
    } catch (e) {
      output = String((e as { stdout?: string }).stdout ?? e);
    }
    expect(output).toBe("");
  }, 180_000); // a tsc run over remote_protocol's server module: >60 s on a loaded machine
});
