// After `npm ci`, `npx virt-rpcgen --help` works in the repository (once `npm run build` has
// built dist/cli.js, as `npm run test:all` does first).
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/protocol-files.js";
import { run, runOk } from "../support/run.js";

describe("npx virt-rpcgen", () => {
  it("prints the usage with --help and exits 0", async () => {
    const out = await runOk("npx", ["--no-install", "virt-rpcgen", "--help"]);
    expect(out).toMatch(/^Usage: virt-rpcgen <command> \[options\]/);
    expect(out).toContain("structs <file.x> [--expect FILE]");
    expect(out).toContain("generate <file.x>... --out DIR");
  }, 180_000); // npx resolves the bin first: slow on a loaded CI machine

  // The README sends users to `<command> --help`; `generate --help` was refused as an
  // unknown option.
  it.each(["generate", "structs", "decode", "encode", "trace"])(
    "%s --help prints the usage and exits 0",
    async (command) => {
      const r = await run(process.execPath, [
        join(REPO_ROOT, "dist", "cli.js"),
        command,
        "--help",
      ]);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^Usage: virt-rpcgen <command> \[options\]/);
    },
    60_000,
  );
});
