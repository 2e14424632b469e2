// `+tls` against libvirtd listening for TLS with certificates made here, side by side with
// virsh: both list the same domains, and both refuse the same bad setups (our errors name the
// file at fault).
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
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
import { failure } from "../support/failure.js";
import { freePort } from "../support/free-port.js";
import { issue, makeCa, makePki, type TestPki } from "../support/pki.js";

const ready = requireTools("libvirtd", "virsh", "openssl");

describe.skipIf(!ready)("test+tls:// against libvirtd", () => {
  let base: string;
  let pki: TestPki;
  let daemon: Libvirtd;
  let port: number;
  const uri = (query: string) =>
    `test+tls://127.0.0.1:${port}/default?${query}`;

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), "tls-test-"));
    pki = makePki(base);
    port = await freePort();
    daemon = await startLibvirtd({
      tls: {
        port,
        keyFile: pki.serverKey,
        certFile: pki.serverCert,
        caFile: pki.caCert,
      },
    });
  }, 60_000);
  afterAll(async () => {
    await daemon?.stop();
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it("virsh and our client list the same domains", async () => {
    const u = uri(`pkipath=${pki.clientDir}`);
    const [theirs, ours] = [await virshDomains(u), await ourDomains(u)];
    expect(theirs).toEqual(["test"]);
    expect(ours).toEqual(theirs);
  });

  // libvirtd reads one message per readable event; a second message in the same TLS record
  // sits decrypted in GnuTLS's buffer, unseen, until more bytes arrive (a keepalive PING 5 s
  // later, or never with keepalive off). Calls made together must still come back at once.
  it("answers calls made together (one message per TLS record), also the handshake's keepalive query and open", async () => {
    const u = uri(`pkipath=${pki.clientDir}`);
    // Default keepalive: the query and the open call are queued together. A call left unread
    // fails with a timeout here instead of waiting for the next PING.
    const client = await RemoteClient.connect(u, { timeoutMs: 3_000 });
    try {
      const calls = { timeoutMs: 3_000 };
      const versions = await Promise.all([
        client.connectGetVersion(calls),
        client.connectGetVersion(calls),
        client.connectGetLibVersion(calls),
      ]);
      expect(versions).toHaveLength(3);
    } finally {
      await client.close();
    }
  });

  it("refuses a server certificate from another CA, naming our CA file", async () => {
    const other = join(base, "other");
    makeCa(join(other, "ca"), "some other CA");
    issue(
      join(other, "ca"),
      other,
      "client",
      "/CN=client",
      "basicConstraints=CA:FALSE",
    );
    execCp(join(other, "ca", "ca.pem"), join(other, "cacert.pem"));
    const u = uri(`pkipath=${other}`);
    await expect(virsh(u, "list")).rejects.toThrow(
      "Failed to verify peer's certificate",
    );
    const ours = await failure(ourDomains(u));
    expect(ours).toContain("Failed to verify peer's certificate");
    expect(ours).toContain("The certificate hasn't got a known issuer.");
    expect(ours).toContain(join(other, "cacert.pem"));
  });

  it("with no_verify=1 the server still refuses a client certificate it does not trust", async () => {
    const other = join(base, "other");
    const u = uri(`pkipath=${other}&no_verify=1`);
    await expect(virsh(u, "list")).rejects.toThrow(
      "Unable to read TLS confirmation",
    );
    const ours = await failure(ourDomains(u));
    expect(ours).toContain("Unable to read TLS confirmation");
    expect(ours).toContain(join(other, "clientcert.pem"));
  });

  // Credentials are kept between connections while their files stay the same: a file that
  // changes is read again by the next connection.
  it("reads the credentials again when a file changed (another CA is refused at once)", async () => {
    const dir = join(base, "changing");
    mkdirSync(dir);
    for (const f of ["cacert.pem", "clientcert.pem", "clientkey.pem"])
      copyFileSync(join(pki.clientDir, f), join(dir, f));
    const u = uri(`pkipath=${dir}`);
    expect(await ourDomains(u)).toEqual(["test"]);
    copyFileSync(join(base, "other", "cacert.pem"), join(dir, "cacert.pem"));
    const ours = await failure(ourDomains(u));
    expect(ours).toContain("The certificate hasn't got a known issuer.");
    copyFileSync(join(pki.clientDir, "cacert.pem"), join(dir, "cacert.pem"));
    expect(await ourDomains(u)).toEqual(["test"]);
  });

  it("checks the host name as libvirt does: the certificate is for 127.0.0.1, not localhost", async () => {
    const u = `test+tls://localhost:${port}/default?pkipath=${pki.clientDir}`;
    const said = "owner does not match the hostname localhost";
    await expect(virsh(u, "list")).rejects.toThrow(said);
    expect(await failure(ourDomains(u))).toContain(said);
  });

  it("names a missing CA certificate as virsh does", async () => {
    const missing = join(base, "nowhere");
    const u = uri(`pkipath=${missing}`);
    const said = `Cannot read CA certificate '${missing}/cacert.pem': No such file or directory`;
    await expect(virsh(u, "list")).rejects.toThrow(said);
    expect(await failure(ourDomains(u))).toContain(said);
  });
});

function execCp(from: string, to: string): void {
  rmSync(to, { force: true });
  copyFileSync(from, to);
}
