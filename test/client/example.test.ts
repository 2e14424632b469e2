// `npm run example:client -- '<uri>'` and the README snippet (docs/client-readme-snippet.md, the
// same code as examples/readme-client/main.ts) against a real libvirtd, compared with virsh.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  requireTools,
  startLibvirtd,
  virsh,
  type Libvirtd,
} from "../support/libvirtd.js";
import { REPO_ROOT } from "../support/protocol-files.js";
import { RemoteClient } from "../../generated/remote_protocol/index.js";

const haveLibvirtd = requireTools("libvirtd", "virsh");

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
    // The README's "Talking to libvirtd" section is this file.
    expect(readFileSync(join(REPO_ROOT, "README.md"), "utf8")).toContain(md);
    // Twelve lines of code as prettier prints them (the import included, blank lines not).
    expect(code.split("\n").filter((l) => l.trim() !== "").length).toBe(12);
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
    // The snippet destroys the test domain: a daemon of its own, and a connection held open
    // meanwhile (the test driver's state lasts while a connection is open).
    const own = await startLibvirtd();
    const holder = await RemoteClient.connect(own.uri);
    try {
      expect((await virsh(own.uri, "domstate", "test")).trim()).toBe("running");
      const r = await runExample("readme-client", own.uri);
      expect(r.stderr).toBe("");
      expect((await virsh(own.uri, "domstate", "test")).trim()).toBe(
        "shut off",
      );
      expect(r.stdout).toBe(
        [
          "test: VIR_DOMAIN_RUNNING", // virsh: running (libvirt-api.xml: VIR_DOMAIN_RUNNING = 1)
          "test: VIR_DOMAIN_EVENT_STOPPED", // the destroy's lifecycle event
          "",
        ].join("\n"),
      );
    } finally {
      await holder.close();
      await own.stop();
    }
  }, 200_000);
});
