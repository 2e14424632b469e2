// The generated client's types, checked by tsc: test/client/typecheck/client-usage.ts uses the
// client as intended and marks what must not compile with @ts-expect-error. The README's
// TypeScript examples are compiled in the same tsc program (test/support/readme-snippets.ts):
// checking generated/ once costs seconds, a second program for them would double it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/protocol-files.js";
import { writeReadmeSnippets } from "../support/readme-snippets.js";
import { tscDiagnostics } from "../support/run.js";

describe("generated client types", () => {
  it("accept intended use and refuse misuse, and the README's examples compile (tsc --strict)", async () => {
    // Inside the repository: the README imports `virt-rpcgen` (resolved by its own name here).
    mkdirSync(join(REPO_ROOT, "test", ".generated"), { recursive: true });
    const dir = mkdtempSync(
      join(REPO_ROOT, "test", ".generated", "client-types-"),
    );
    try {
      const snippets = await writeReadmeSnippets(join(dir, "readme"));
      const config = join(dir, "tsconfig.json");
      writeFileSync(
        config,
        JSON.stringify({
          compilerOptions: {
            target: "ES2022",
            module: "NodeNext",
            moduleResolution: "NodeNext",
            lib: ["ES2022", "DOM"],
            types: ["node"],
            strict: true,
            noEmit: true,
            skipLibCheck: true,
          },
          files: [
            join(REPO_ROOT, "test", "client", "typecheck", "client-usage.ts"),
            ...snippets,
          ],
        }),
      );
      expect(await tscDiagnostics(config)).toBe("");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
