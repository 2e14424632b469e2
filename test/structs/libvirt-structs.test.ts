// The *-structs ABI listings of libvirt 9.0.0, reproduced from the .x files alone and compared
// with libvirt's own checked-in listings the way libvirt's check does (diff -b).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  emitStructsListing,
  loadProtocol,
  unifiedDiff,
} from "../../src/index.js";
import {
  LIBVIRT_STRUCTS,
  REPO_ROOT,
  ensureProtocolFiles,
} from "../support/protocol-files.js";

const dir = ensureProtocolFiles();

describe("libvirt 9.0.0 *-structs listings", () => {
  it.each(LIBVIRT_STRUCTS)("%s-structs is reproduced", (name) => {
    const expected = readFileSync(join(dir, `${name}-structs`), "utf8");
    const actual = emitStructsListing(loadProtocol(join(dir, `${name}.x`)));
    expect(unifiedDiff(`${name}-structs`, "generated", expected, actual)).toBe(
      "",
    );
    // Not vacuous: same number of lines, and the listing is substantial.
    expect(actual.split("\n").length).toBe(expected.split("\n").length);
  });

  it("covers all 8 libvirt listings", () => {
    expect(LIBVIRT_STRUCTS).toHaveLength(8);
  });

  it("the CLI's --expect exits 0 on a match and prints a unified diff with exit 1 on a mismatch", () => {
    const cli = join(REPO_ROOT, "dist", "cli.js");
    const x = join(dir, "qemu_protocol.x");
    const good = join(dir, "qemu_protocol-structs");
    execFileSync(process.execPath, [cli, "structs", x, "--expect", good]);
    // Compare qemu's .x against another protocol's listing: must fail with a diff.
    let out = "";
    let status = 0;
    try {
      execFileSync(
        process.execPath,
        [cli, "structs", x, "--expect", join(dir, "lxc_protocol-structs")],
        { encoding: "utf8" },
      );
    } catch (e) {
      const err = e as { status: number; stdout: string };
      status = err.status;
      out = err.stdout;
    }
    expect(status).toBe(1);
    expect(out).toMatch(
      /^--- .*lxc_protocol-structs\n\+\+\+ .*\n@@ -\d+,\d+ \+\d+,\d+ @@\n/,
    );
    expect(out).toContain("+struct qemu_domain_monitor_command_args {");
    expect(out).toContain("-struct lxc_domain_open_namespace_args {");
  });
});
