// Scratch npm projects for the packaging tests: a private directory to pack and install into,
// and npm's environment without its funding, audit and update notices.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

/** The environment to run npm with in tests. */
export const NPM_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  npm_config_fund: "false",
  npm_config_audit: "false",
  npm_config_update_notifier: "false",
};

/**
 * A new temporary directory, removed after the calling test file's tests unless KEEP_CONSUMER
 * is set (to look at the installed project afterwards).
 */
export function scratchProjectDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => {
    if (!process.env.KEEP_CONSUMER)
      rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}
