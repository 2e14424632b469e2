// Handler types come from the generated dispatch table: test/fixtures/server-types/handlers.ts
// holds correct handlers and `@ts-expect-error` lines for wrong args, rets, contexts, unknown
// procedures and event messages; tsc must accept the file (every expected error is an error).
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tscDiagnostics } from "../support/run.js";

describe("generated handler types", () => {
  it("accept correct handlers and reject wrong ones", async () => {
    expect(
      await tscDiagnostics(
        join("test", "fixtures", "server-types", "tsconfig.json"),
      ),
    ).toBe("");
  });
});
