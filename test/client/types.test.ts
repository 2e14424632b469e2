// The generated client's types, checked by tsc: test/client/typecheck/client-usage.ts uses the
// client as intended and marks what must not compile with @ts-expect-error.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/protocol-files.js";
import { tscDiagnostics } from "../support/run.js";

describe("generated client types", () => {
  it("accept intended use and refuse misuse (tsc --strict)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rpcgen-client-types-"));
    try {
      const config = join(dir, "tsconfig.json");
      writeFileSync(
        config,
        JSON.stringify({
          compilerOptions: {
            target: "ES2022",
            module: "NodeNext",
            moduleResolution: "NodeNext",
            lib: ["ES2022", "DOM"],
            types: [],
            strict: true,
            noEmit: true,
            skipLibCheck: true,
          },
          files: [
            join(REPO_ROOT, "test", "client", "typecheck", "client-usage.ts"),
          ],
        }),
      );
      expect(await tscDiagnostics(config)).toBe("");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
