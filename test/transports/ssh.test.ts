// `+ssh` (the system ssh, netcat and native proxy modes) and `+libssh` (the ssh2 package)
// against a real sshd on 127.0.0.1, side by side with virsh: both list the same domains of a
// private libvirtd. sshd runs in its own mount namespace where the daemon's socket directory
// is bind-mounted over /run/libvirt, so `virt-ssh-helper test:///default` (native mode) finds
// it at libvirt's system path. `command=` points at an ssh that reads the test's known_hosts
// (the machine's ~/.ssh stays untouched).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  requireOrSkip,
  requireTools,
  startLibvirtd,
  virsh,
  type Libvirtd,
} from "../support/libvirtd.js";
import { ourDomains, virshDomains } from "../support/domain-names.js";
import { failure } from "../support/failure.js";
import { startSshd, type Sshd } from "../support/sshd.js";

/** An ssh connection (ssh, the far side's helper) takes longer to set up than a socket. */
const SSH_TIMEOUT_MS = 20_000;
const isRoot = process.getuid?.() === 0;
const ready =
  requireTools("libvirtd", "virsh", "sshd", "ssh", "nc", "virt-ssh-helper") &&
  requireOrSkip("root (for sshd and a mount namespace)", isRoot);

describe.skipIf(!ready)("test+ssh:// and test+libssh:// through sshd", () => {
  let daemon: Libvirtd;
  let sshd: Sshd;
  const base = () =>
    `root@127.0.0.1:${sshd.port}/default?socket=${daemon.socket}&keyfile=${sshd.clientKey}`;

  beforeAll(async () => {
    daemon = await startLibvirtd();
    sshd = await startSshd({ bindLibvirtDir: daemon.dir });
  }, 60_000);
  afterAll(async () => {
    await sshd?.stop();
    await daemon?.stop();
  });

  it.each(["netcat", "native"])(
    "+ssh, proxy=%s: virsh and our client list the same domains",
    async (proxy) => {
      const uri = `test+ssh://${base()}&command=${sshd.sshWrapper}&proxy=${proxy}`;
      const theirs = await virshDomains(uri);
      expect(theirs).toEqual(["test"]);
      expect(await ourDomains(uri, SSH_TIMEOUT_MS)).toEqual(theirs);
    },
    30_000,
  );

  it("+ssh: ssh's refusal is the error (a key sshd does not accept)", async () => {
    const uri = `test+ssh://root@127.0.0.1:${sshd.port}/default?socket=${daemon.socket}&keyfile=${join(sshd.dir, "host_ed25519")}&command=${sshd.sshWrapper}`;
    await expect(virsh(uri, "list")).rejects.toThrow("Permission denied");
    expect(await failure(ourDomains(uri, SSH_TIMEOUT_MS))).toContain(
      "Permission denied (publickey)",
    );
  });

  it.each(["libssh", "libssh2"])(
    "+%s: virsh and our client list the same domains (known_hosts checked)",
    async (transport) => {
      const uri = `test+${transport}://${base()}&known_hosts=${sshd.knownHosts}`;
      // libvirt's libssh2 cannot read ed25519 host keys in known_hosts; libssh can.
      if (transport === "libssh") {
        const theirs = await virshDomains(uri);
        expect(theirs).toEqual(["test"]);
        expect(await ourDomains(uri, SSH_TIMEOUT_MS)).toEqual(theirs);
      } else expect(await ourDomains(uri, SSH_TIMEOUT_MS)).toEqual(["test"]);
    },
    30_000,
  );

  it("+libssh: a host key that differs from known_hosts is refused, as virsh refuses it", async () => {
    const wrong = join(sshd.dir, "wrong_known_hosts");
    const other = readFileSync(`${sshd.clientKey}.pub`, "utf8").split(" ");
    writeFileSync(wrong, `[127.0.0.1]:${sshd.port} ${other[0]} ${other[1]}\n`);
    const uri = `test+libssh://${base()}&known_hosts=${wrong}`;
    await expect(virsh(uri, "list")).rejects.toThrow(
      "SSH HOST KEY VERIFICATION FAILED",
    );
    expect(await failure(ourDomains(uri, SSH_TIMEOUT_MS))).toContain(
      "SSH HOST KEY VERIFICATION FAILED",
    );
  });
});
