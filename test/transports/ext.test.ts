// `+ext`: libvirt runs `command=` and talks over its stdin/stdout. Here the command is a
// script running `nc -U` to a private libvirtd; virsh and our client list the same domains,
// and a command that fails is reported with what it printed on stderr.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RemoteClient } from "../../generated/remote_protocol/index.js";
import {
  requireTools,
  startLibvirtd,
  virsh,
  type Libvirtd,
} from "../support/libvirtd.js";
import { ourDomains, virshDomains } from "../support/domain-names.js";

const ready = requireTools("libvirtd", "virsh", "nc");

describe.skipIf(!ready)("test+ext:// against libvirtd", () => {
  let daemon: Libvirtd;
  let dir: string;
  const script = (name: string, body: string) => {
    const file = join(dir, name);
    writeFileSync(file, `#!/bin/sh\n${body}\n`);
    chmodSync(file, 0o755);
    return file;
  };

  beforeAll(async () => {
    daemon = await startLibvirtd();
    dir = mkdtempSync(join(tmpdir(), "ext-test-"));
  }, 60_000);
  afterAll(async () => {
    await daemon?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("virsh and our client list the same domains through the command", async () => {
    const nc = script("to-libvirtd", `exec nc -U ${daemon.socket}`);
    const uri = `test+ext:///default?command=${nc}`;
    const theirs = await virshDomains(uri);
    expect(theirs).toEqual(["test"]);
    expect(await ourDomains(uri)).toEqual(theirs);
  });

  it("a command that fails is reported with its stderr", async () => {
    const bad = script("fails", "echo 'no route to the daemon' >&2; exit 3");
    const uri = `test+ext:///default?command=${bad}`;
    await expect(virsh(uri, "list")).rejects.toThrow("no route to the daemon");
    await expect(
      RemoteClient.connect(uri, { timeoutMs: 10_000 }),
    ).rejects.toThrow(`${bad} exited with status 3: no route to the daemon`);
  });

  it("reports the exit status of a command that closes its pipes before it exits", async () => {
    // Its output and stderr end 300 ms before its exit status exists: the error must wait for
    // the status (it once resolved on stderr's close and said "closed its output").
    const bad = script(
      "closes-first",
      "echo 'no route to the daemon' >&2; exec 1>&- 2>&-; sleep 0.3; exit 3",
    );
    await expect(
      RemoteClient.connect(`test+ext:///default?command=${bad}`, {
        timeoutMs: 10_000,
      }),
    ).rejects.toThrow(`${bad} exited with status 3: no route to the daemon`);
  });
});
