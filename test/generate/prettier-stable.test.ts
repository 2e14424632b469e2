// Prettier is the style authority: every generated TypeScript file is exactly what prettier
// prints for it (formatting it again changes nothing).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as prettier from "prettier";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/protocol-files.js";

const root = join(REPO_ROOT, "generated");
const tsFiles = readdirSync(root, { recursive: true, encoding: "utf8" }).filter(
  (f) => f.endsWith(".ts"),
);

describe("generated TypeScript is prettier-formatted", () => {
  it("finds generated files", () => {
    expect(tsFiles.length).toBeGreaterThanOrEqual(18);
  });
  it.each(tsFiles)(
    "%s",
    async (rel) => {
      const file = join(root, rel);
      const text = readFileSync(file, "utf8");
      const config = (await prettier.resolveConfig(file)) ?? {};
      expect(await prettier.format(text, { ...config, filepath: file })).toBe(
        text,
      );
    },
    240_000,
  ); // remote_protocol/codecs.ts is 30,000 lines: minutes on a loaded CI machine
});
