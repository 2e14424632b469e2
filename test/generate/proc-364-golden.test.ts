// Adding procedure 364 (virDomainMigrateStartPostCopy) must be just a protocol edit: the
// generated tree with it differs from the tree without it only by additions, and exactly the
// ones in test/golden/proc-364.diff (a reviewed file: every hunk was read against the protocol).
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { unifiedDiff } from "../../src/index.js";
import { diffLines } from "../../src/cli/unified-diff.js";
import { renderLibvirtTree } from "../support/generated-trees.js";
import { withoutProcedure364 } from "../support/proc-364.js";
import { REPO_ROOT } from "../support/protocol-files.js";

describe("procedure 364 is just a protocol edit", () => {
  it("changes the generated tree by exactly the golden additions", async () => {
    const [without, withProc] = await Promise.all([
      renderLibvirtTree(withoutProcedure364),
      renderLibvirtTree(),
    ]);
    expect([...withProc.keys()].sort()).toEqual([...without.keys()].sort());
    let diff = "";
    for (const path of [...withProc.keys()].sort()) {
      const before = without.get(path)!;
      const after = withProc.get(path)!;
      // Only additions: no line of the old tree is removed or changed.
      const ops = diffLines(before.split("\n"), after.split("\n"), (s) => s);
      expect(
        ops.filter((o) => o.kind === "-"),
        path,
      ).toEqual([]);
      diff += unifiedDiff(`a/${path}`, `b/${path}`, before, after, {
        positions: false,
      });
    }
    expect(diff).not.toBe("");
    await expect(diff).toMatchFileSnapshot(
      join(REPO_ROOT, "test", "golden", "proc-364.diff"),
    );
  }, 240_000);
});
