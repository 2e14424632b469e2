// Handler types come from the generated dispatch table: test/fixtures/server-types/handlers.ts
// holds correct handlers and `@ts-expect-error` lines for wrong args, rets, contexts, unknown
// procedures and event messages; tsc must accept the file (every expected error is an error).
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { execAsync } from "../support/exec-async.js";
import { REPO_ROOT } from "../support/protocol-files.js";

describe("generated handler types", () => {
  it("accept correct handlers and reject wrong ones", async () => {
    const tsc = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
    const r = await execAsync(
      process.execPath,
      [tsc, "-p", join("test", "fixtures", "server-types", "tsconfig.json")],
      { cwd: REPO_ROOT },
    );
    expect(`${r.status} ${r.stdout}${r.stderr}`).toBe("0 ");
  }, 180_000); // a tsc run over remote_protocol's server module: >60 s on a loaded machine
});
