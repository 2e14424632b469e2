// With a project prettier config other than the defaults, generated files follow it: the
// emitters' own layout is then not trusted and prettier formats every chunk.
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import * as prettier from "prettier";
import { describe, expect, it } from "vitest";
import { generate } from "../../src/index.js";
import { REPO_ROOT } from "../support/protocol-files.js";

describe("a project prettier config", () => {
  it("is honoured for every generated file", async () => {
    const out = join(REPO_ROOT, "test", ".generated", "custom-style");
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    writeFileSync(
      join(out, ".prettierrc.json"),
      JSON.stringify({ printWidth: 100, singleQuote: true, semi: false }),
    );
    await generate({
      files: [join(REPO_ROOT, "test", "fixtures", "demo_protocol.x")],
      outDir: out,
      libvirtDefines: false,
    });
    const files = readdirSync(join(out, "demo_protocol")).filter((f) =>
      f.endsWith(".ts"),
    );
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) {
      const path = join(out, "demo_protocol", f);
      const text = readFileSync(path, "utf8");
      expect(text, f).not.toMatch(/;\n/); // semi: false was applied
      const config = (await prettier.resolveConfig(path)) ?? {};
      expect(
        await prettier.format(text, { ...config, filepath: path }),
        f,
      ).toBe(text);
    }
  });
});
