// Handler types come from the generated dispatch table: test/fixtures/server-types/handlers.ts
// holds correct handlers and `@ts-expect-error` lines for wrong args, rets, contexts, unknown
// procedures and event messages; tsc must accept the file (every expected error is an error).
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/protocol-files.js";
import { runAsync } from "../support/run-async.js";

describe("generated handler types", () => {
  it("accept correct handlers and reject wrong ones", async () => {
    const tsc = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
    const r = await runAsync(
      process.execPath,
      [tsc, "-p", join("test", "fixtures", "server-types", "tsconfig.json")],
      { cwd: REPO_ROOT },
    );
    const output = r.status === 0 ? "" : r.stdout || r.stderr;
    expect(output).toBe("");
  }, 360_000); // tsc on a loaded shared CI machine
});
