import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadProtocol, XdrDiagnosticError } from "../../src/index.js";
import { REPO_ROOT } from "../support/protocol-files.js";
import { BAD_INPUTS } from "./bad-inputs.cases.js";

function errorOf(input: string | Uint8Array): string {
  try {
    loadProtocol("t.x", { readFile: () => input });
  } catch (e) {
    if (e instanceof XdrDiagnosticError) return e.message;
    throw e;
  }
  return "(no error)";
}

describe("bad inputs give exact located errors", () => {
  it("has at least 25 cases", () => {
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(25);
  });
  it.each(BAD_INPUTS.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    expect(errorOf(c.input)).toBe(c.message);
  });

  it("the CLI prints the message alone and exits 1 (no stack trace)", () => {
    const dir = mkdtempSync(join(tmpdir(), "rpcgen-bad-"));
    const file = join(dir, "t.x");
    writeFileSync(file, "struct a { foo_t x; };\n");
    let status = 0;
    let stderr = "";
    try {
      execFileSync(
        process.execPath,
        [join(REPO_ROOT, "dist", "cli.js"), "structs", file],
        { encoding: "utf8", stdio: "pipe" },
      );
    } catch (e) {
      ({ status, stderr } = e as { status: number; stderr: string });
    }
    expect(status).toBe(1);
    expect(stderr).toBe(`${file}:1:12: error: unknown type 'foo_t'\n`);
  });
});
