// Infrastructure smoke tests: the protocol files can be fetched, and a private
// libvirtd with the test driver answers virsh.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ensureProtocolFiles,
  LIBVIRT_PROTOCOL_DIR,
  LIBVIRT_PROTOCOL_FILES,
  LIBVIRT_STRUCTS,
  LIBVIRT_X_FILES,
} from "../support/protocol-files.js";
import {
  requireTools,
  startLibvirtd,
  virsh,
  type Libvirtd,
} from "../support/libvirtd.js";

describe("protocol files", () => {
  it(
    "ensureProtocolFiles() yields all 17 libvirt 9.0.0 files",
    { timeout: 300_000 },
    () => {
      const dir = ensureProtocolFiles();
      expect(dir).toBe(LIBVIRT_PROTOCOL_DIR);
      expect(LIBVIRT_X_FILES).toHaveLength(9);
      expect(LIBVIRT_STRUCTS).toHaveLength(8);
      expect(LIBVIRT_STRUCTS).not.toContain("log_protocol");
      expect(LIBVIRT_PROTOCOL_FILES).toHaveLength(17);
      for (const f of LIBVIRT_PROTOCOL_FILES) {
        const p = join(dir, f);
        expect(existsSync(p), p).toBe(true);
        expect(statSync(p).size, p).toBeGreaterThan(0);
      }
      expect(existsSync(join(dir, "SOURCE"))).toBe(true);
    },
  );

  it("remote_protocol.x is the 9.0.0 revision", () => {
    const text = readFileSync(
      join(ensureProtocolFiles(), "remote_protocol.x"),
      "utf8",
    );
    expect(text).toMatch(/REMOTE_PROC_DOMAIN_MIGRATE_START_POST_COPY = 364/);
  });
});

const haveLibvirtd = requireTools("libvirtd");
const haveVirsh = requireTools("virsh");

describe.skipIf(!haveLibvirtd || !haveVirsh)("libvirtd (test driver)", () => {
  let daemon: Libvirtd;

  beforeAll(async () => {
    daemon = await startLibvirtd();
  }, 30_000);

  afterAll(async () => {
    await daemon?.stop();
  });

  it("exposes sockets and a test+unix URI", () => {
    expect(daemon.socket).toBe(join(daemon.dir, "libvirt-sock"));
    expect(daemon.adminSocket).toBe(join(daemon.dir, "libvirt-admin-sock"));
    expect(daemon.uri).toBe(`test+unix:///default?socket=${daemon.socket}`);
    expect(statSync(daemon.socket).isSocket()).toBe(true);
    expect(statSync(daemon.adminSocket).isSocket()).toBe(true);
    if (daemon.privileged)
      expect(statSync(daemon.roSocket).isSocket()).toBe(true);
    expect(daemon.pid).toBeGreaterThan(0);
  });

  it("virsh version talks to the TEST hypervisor", async () => {
    const out = await virsh(daemon.uri, "version");
    expect(out).toMatch(/Using library: libvirt 9\.0\.0/);
    expect(out).toMatch(/Using API: TEST 9\.0\.0/);
    expect(out).toMatch(/Running hypervisor: TEST/);
  });

  it('virsh list --all shows domain "test" running', async () => {
    const out = await virsh(daemon.uri, "list", "--all");
    expect(out).toMatch(/^\s*1\s+test\s+running\s*$/m);
  });

  it("virsh domstate test reports running", async () => {
    expect((await virsh(daemon.uri, "domstate", "test")).trim()).toBe(
      "running",
    );
  });

  it("test:///default state resets once the last connection closes", async () => {
    // Documented in test/support/libvirtd.ts: each virsh call is a fresh connection.
    await virsh(daemon.uri, "destroy", "test");
    expect((await virsh(daemon.uri, "domstate", "test")).trim()).toBe(
      "running",
    );
  });

  it("stop() terminates libvirtd and removes its temp dir", async () => {
    const other = await startLibvirtd();
    expect((await virsh(other.uri, "domstate", "test")).trim()).toBe("running");
    await other.stop();
    expect(existsSync(other.baseDir)).toBe(false);
    expect(() => process.kill(other.pid, 0)).toThrow();
    await other.stop(); // idempotent
  });
});
