// After `npm ci`, `npx virt-rpcgen --help` works in the repository (the bin is built by `prepare`).
import { describe, expect, it } from "vitest";
import { runOk } from "../support/run.js";

describe("npx virt-rpcgen", () => {
  it("prints the usage with --help and exits 0", async () => {
    const out = await runOk("npx", ["--no-install", "virt-rpcgen", "--help"]);
    expect(out).toMatch(/^Usage: virt-rpcgen <command> \[options\]/);
    expect(out).toContain("structs <file.x> [--expect FILE]");
    expect(out).toContain("generate <file.x>... --out DIR");
  }, 180_000); // npx resolves the bin first: slow on a loaded CI machine
});
