// `npm run example:client -- '<uri>'` and the README snippet (docs/client-readme-snippet.md, the
// same code as examples/readme-client/main.ts) against a real libvirtd, compared with virsh.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  findTool,
  requireOrSkip,
  startLibvirtd,
  virsh,
  type Libvirtd,
} from "../support/libvirtd.js";
import { REPO_ROOT } from "../support/protocol-files.js";

const haveLibvirtd = requireOrSkip(
  "libvirtd",
  findTool("libvirtd") !== null && findTool("virsh") !== null,
);

function runExample(
  name: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(REPO_ROOT, "scripts", "run-example.mjs"), name, ...args],
      { cwd: REPO_ROOT, timeout: 180_000 },
      (err, stdout, stderr) =>
        resolve({
          code: err ? ((err as { code?: number }).code ?? 1) : 0,
          stdout,
          stderr,
        }),
    );
  });
}

describe("README snippet", () => {
  it("is the code of examples/readme-client/main.ts", () => {
    const md = readFileSync(
      join(REPO_ROOT, "docs", "client-readme-snippet.md"),
      "utf8",
    );
    const code = /```ts\n([\s\S]*?)```/.exec(md)![1]!;
    const example = readFileSync(
      join(REPO_ROOT, "examples", "readme-client", "main.ts"),
      "utf8",
    );
    expect(code).toBe(example.replace('"../../generated/', '"./generated/'));
    // Fifteen lines of code as prettier prints them (the imports included, blank lines not).
    expect(code.split("\n").filter((l) => l.trim() !== "").length).toBe(15);
  });
});

describe.skipIf(!haveLibvirtd)("example client against libvirtd", () => {
  let daemon: Libvirtd;
  beforeAll(async () => {
    daemon = await startLibvirtd();
  });
  afterAll(async () => {
    await daemon?.stop();
  });

  it("prints the version, the domains and the post-copy outcome", async () => {
    const r = await runExample("client", daemon.uri);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const version = /Running hypervisor: TEST (\S+)/.exec(
      await virsh(daemon.uri, "version"),
    )![1];
    const info = await virsh(daemon.uri, "dominfo", "test");
    const field = (k: string) =>
      new RegExp(`^${k}:\\s+(\\d+)`, "m").exec(info)![1];
    expect(r.stdout).toBe(
      [
        `hypervisor version: ${version}`,
        "1 domain(s):",
        `  test: running, memory ${field("Used memory")} KiB of ${field("Max memory")} KiB, ${field("CPU\\(s\\)")} vCPU(s)`,
        "domainMigrateStartPostCopy(test): VIR_ERR_NO_SUPPORT (code 3): this function is not supported by the connection driver: virDomainMigrateStartPostCopy",
        "",
      ].join("\n"),
    );
  }, 200_000);

  it("exits non-zero with a clear message when it cannot connect", async () => {
    const uri = `test+unix:///default?socket=${daemon.dir}/nowhere`;
    const r = await runExample("client", uri);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      `error: cannot connect to ${uri}: connect ENOENT ${daemon.dir}/nowhere\n`,
    );
  }, 200_000);

  it("runs the README snippet", async () => {
    const r = await runExample("readme-client", daemon.uri);
    expect(r.stderr).toBe("");
    const used = /^Used memory:\s+(\d+) KiB/m.exec(
      await virsh(daemon.uri, "dominfo", "test"),
    )![1];
    expect(r.stdout).toBe(
      [
        "hypervisor version: 2", // libvirt's number for TEST 0.0.2
        `test: state 1, memory ${used} KiB`, // 1: VIR_DOMAIN_RUNNING
        "post-copy: this function is not supported by the connection driver: virDomainMigrateStartPostCopy (code 3)",
        "",
      ].join("\n"),
    );
  }, 200_000);
});
