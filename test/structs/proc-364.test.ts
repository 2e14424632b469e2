// Removing procedure 364 (virDomainMigrateStartPostCopy) from remote_protocol.x must change the
// structs listing by exactly the lines libvirt's post-copy patch added by hand to
// src/remote_protocol-structs (shared/seed: the patch adding procedure 364).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { emitStructsListing, loadProtocol } from "../../src/index.js";
import { diffLines } from "../../src/cli/unified-diff.js";
import { ensureProtocolFiles } from "../support/protocol-files.js";
import { withoutProcedure364 } from "../support/proc-364.js";

const dir = ensureProtocolFiles();
const remoteX = join(dir, "remote_protocol.x");

describe("procedure 364 in the structs listing", () => {
  it("adds exactly the struct block and the enum member from libvirt's patch", () => {
    const original = readFileSync(remoteX, "utf8");
    const edited = withoutProcedure364(original);
    expect(edited).not.toContain("remote_domain_migrate_start_post_copy_args");
    expect(edited).not.toContain("REMOTE_PROC_DOMAIN_MIGRATE_START_POST_COPY");

    const listing = (text: string) =>
      emitStructsListing(
        loadProtocol(remoteX, {
          readFile: (p) => (p === remoteX ? text : readFileSync(p)),
        }),
      );
    const before = listing(edited).trimEnd().split("\n");
    const after = listing(original).trimEnd().split("\n");
    const changes = diffLines(before, after, (s) => s).filter(
      (o) => o.kind !== " ",
    );

    // The '+' lines of the seed patch's src/remote_protocol-structs hunks, in order.
    expect(changes).toEqual([
      {
        kind: "+",
        line: "struct remote_domain_migrate_start_post_copy_args {",
      },
      { kind: "+", line: "        remote_nonnull_domain      dom;" },
      { kind: "+", line: "        u_int                      flags;" },
      { kind: "+", line: "};" },
      {
        kind: "+",
        line: "        REMOTE_PROC_DOMAIN_MIGRATE_START_POST_COPY = 364,",
      },
    ]);
  });
});
