// Prettier is the style authority: every generated TypeScript file is exactly what prettier
// prints for it (formatting it again changes nothing). Prettier runs in a child process: its
// formatting of remote_protocol/codecs.ts (30,000 lines) is synchronous and, on a loaded CI
// machine, blocked the test worker long enough for vitest's worker RPC to time out.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/protocol-files.js";
import { run } from "../support/run.js";

const root = join(REPO_ROOT, "generated");
const tsFiles = readdirSync(root, { recursive: true, encoding: "utf8" }).filter(
  (f) => f.endsWith(".ts"),
);

describe("generated TypeScript is prettier-formatted", () => {
  /** Files prettier would change (paths relative to generated/). */
  let differing: string[] = [];
  beforeAll(async () => {
    const prettier = join(
      REPO_ROOT,
      "node_modules",
      "prettier",
      "bin",
      "prettier.cjs",
    );
    // --list-different: exit 0 when every file is formatted, 1 listing those that are not.
    const r = await run(
      process.execPath,
      [prettier, "--list-different", ...tsFiles],
      { cwd: root },
    );
    expect(r.stderr).toBe("");
    expect([0, 1]).toContain(r.status);
    differing = r.stdout.split("\n").filter((l) => l !== "");
  }, 600_000);

  it("finds generated files", () => {
    expect(tsFiles.length).toBeGreaterThanOrEqual(18);
  });
  it.each(tsFiles)("%s", (rel) => {
    expect(differing).not.toContain(rel);
  });
});
