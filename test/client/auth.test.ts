// Authentication against a real libvirtd that demands SASL (test/support/sasl.ts), side by
// side with virsh: over plain TCP (where libvirtd only offers DIGEST-MD5 with a security
// layer) and over its unix socket (SCRAM-SHA-256, and DIGEST-MD5 without a layer).
import { execFile } from "node:child_process";
import { createConnection, createServer, type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AuthenticationError,
  ConnectionClosedError,
  VIR_CRED_AUTHNAME,
  VIR_CRED_PASSPHRASE,
  VIR_ERR_AUTH_FAILED,
  VirtError,
  type ConnectCredential,
} from "virt-rpcgen/runtime";
import { RemoteClient } from "../../generated/remote_protocol/index.js";
import { findTool, requireTools } from "../support/libvirtd.js";
import { startSaslLibvirtd, type SaslLibvirtd } from "../support/sasl.js";

const haveTools = requireTools("libvirtd", "virsh", "saslpasswd2");

const USER = "alice";
const PASSWORD = 's3cret,="pass"';

/** virsh with credentials from an auth.conf (LIBVIRT_AUTH_FILE); rejects with its stderr. */
function virshWithAuth(
  authFile: string,
  uri: string,
  ...args: string[]
): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      findTool("virsh") ?? "virsh",
      ["-c", uri, ...args],
      {
        encoding: "utf8",
        timeout: 30_000,
        env: { ...process.env, LC_ALL: "C", LIBVIRT_AUTH_FILE: authFile },
      },
      (err, stdout, stderr) =>
        err ? reject(new Error(stderr.trim() || err.message)) : resolve(stdout),
    ),
  );
}

/** Domain names as `virsh list --all --name` prints them. */
async function virshDomains(authFile: string, uri: string): Promise<string[]> {
  const out = await virshWithAuth(authFile, uri, "list", "--all", "--name");
  return out.split("\n").filter(Boolean).sort();
}

async function ourDomains(c: RemoteClient): Promise<string[]> {
  const { domains } = await c.connectListAllDomains(1, 0);
  return domains.map((d) => d.name).sort();
}

describe.skipIf(!haveTools)("SASL authentication against libvirtd", () => {
  let sasl: SaslLibvirtd;
  let goodAuthFile: string;
  let badAuthFile: string;
  beforeAll(async () => {
    sasl = await startSaslLibvirtd({
      mechanisms: ["scram-sha-256", "digest-md5"],
      users: { [USER]: PASSWORD },
    });
    goodAuthFile = sasl.authFile(USER, PASSWORD);
    badAuthFile = sasl.authFile(USER, "wrong");
  });
  afterAll(async () => {
    await sasl?.stop();
  });

  describe("test+tcp:// (auth_tcp = sasl)", () => {
    it("virsh and our client both authenticate and list the same domains", async () => {
      const expected = await virshDomains(goodAuthFile, sasl.tcpUri);
      expect(expected).toContain("test");
      const c = await RemoteClient.connect(sasl.tcpUri, {
        auth: { username: USER, password: PASSWORD },
      });
      try {
        // Plain TCP: libvirtd offers only DIGEST-MD5, with an RC4 security layer.
        expect(c.connection.authentication).toBe("sasl DIGEST-MD5");
        expect(c.connection.securityLayerName).toBe("DIGEST-MD5 rc4");
        expect(await ourDomains(c)).toEqual(expected);
        expect(await c.connectGetHostname()).toBe(
          (await virshWithAuth(goodAuthFile, sasl.tcpUri, "hostname")).trim(),
        );
      } finally {
        await c.close();
      }
    });

    it("reads credentials from auth.conf, given by authfile= or LIBVIRT_AUTH_FILE", async () => {
      const byParam = await RemoteClient.connect(
        `${sasl.tcpUri}?authfile=${encodeURIComponent(goodAuthFile)}`,
      );
      await byParam.close();
      const saved = process.env.LIBVIRT_AUTH_FILE;
      process.env.LIBVIRT_AUTH_FILE = goodAuthFile;
      try {
        const byEnv = await RemoteClient.connect(sasl.tcpUri);
        expect(await ourDomains(byEnv)).toContain("test");
        await byEnv.close();
      } finally {
        if (saved === undefined) delete process.env.LIBVIRT_AUTH_FILE;
        else process.env.LIBVIRT_AUTH_FILE = saved;
      }
    });

    it("asks a virConnectAuth-style callback for what it lacks", async () => {
      const asked: ConnectCredential[] = [];
      const c = await RemoteClient.connect(sasl.tcpUri, {
        auth: {
          authFile: false,
          callback: (creds) => {
            for (const cred of creds) {
              asked.push({ ...cred });
              if (cred.type === VIR_CRED_AUTHNAME) cred.result = USER;
              if (cred.type === VIR_CRED_PASSPHRASE) cred.result = PASSWORD;
            }
          },
        },
      });
      await c.close();
      expect(asked.map((a) => a.type)).toEqual(
        expect.arrayContaining([VIR_CRED_AUTHNAME, VIR_CRED_PASSPHRASE]),
      );
    });

    it("a wrong password is rejected, by libvirtd for virsh and for us, with a clear error", async () => {
      await expect(virshDomains(badAuthFile, sasl.tcpUri)).rejects.toThrow(
        /authentication failed/i,
      );
      const err = await RemoteClient.connect(sasl.tcpUri, {
        auth: { username: USER, password: "wrong" },
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthenticationError);
      expect((err as Error).message).toMatch(
        /^sasl authentication failed: the server rejected the credentials/,
      );
      const cause = (err as Error).cause;
      expect(cause).toBeInstanceOf(VirtError);
      expect((cause as VirtError).code).toBe(VIR_ERR_AUTH_FAILED);
      // An unknown user fares the same.
      await expect(
        RemoteClient.connect(sasl.tcpUri, {
          auth: { username: "mallory", password: PASSWORD },
        }),
      ).rejects.toThrow(/authentication failed/);
    });

    it("names what the server offers when the requested type or mechanism is not among it", async () => {
      await expect(
        RemoteClient.connect(`${sasl.tcpUri}?auth=sasl.SCRAM-SHA-256`, {
          auth: { username: USER, password: PASSWORD },
        }),
      ).rejects.toThrow(
        /SASL mechanism SCRAM-SHA-256 was requested, but the server offers only DIGEST-MD5/,
      );
      await expect(
        RemoteClient.connect(`${sasl.tcpUri}?auth=polkit`),
      ).rejects.toThrow(
        /requested authentication type polkit rejected: .* accepts sasl/,
      );
      await expect(RemoteClient.connect(sasl.tcpUri)).rejects.toThrow(
        /no username and no password given/,
      );
    });

    it("carries large messages both ways through the security layer", async () => {
      const c = await RemoteClient.connect(sasl.tcpUri, {
        auth: { username: USER, password: PASSWORD },
      });
      try {
        // > 64 KiB each way: split into several DIGEST-MD5 packets by both sides.
        const description = "x".repeat(200_000);
        const xml = `<domain type='test'><name>big</name><description>${description}</description><memory>8192</memory><os><type>hvm</type></os></domain>`;
        const dom = await c.domainDefineXML(xml);
        const back = await c.domainGetXMLDesc(dom, 0);
        expect(back).toContain(description);
        // Many calls in flight at once, batched into single writes.
        const names = await Promise.all(
          Array.from({ length: 50 }, () => c.connectGetHostname()),
        );
        expect(new Set(names).size).toBe(1);
        await c.domainUndefine(dom);
      } finally {
        await c.close();
      }
    });
  });

  it("a message altered on the way is caught by the security layer's integrity check", async () => {
    // A relay between us and libvirtd that flips one byte of what the daemon sends, once told.
    let corrupt = false;
    const relay = createServer((down) => {
      const up = createConnection({ host: "127.0.0.1", port: sasl.port });
      down.pipe(up);
      up.on("data", (chunk: Buffer) => {
        if (corrupt && chunk.length > 24) {
          corrupt = false;
          const at = chunk.length >> 1;
          chunk[at] = chunk[at]! ^ 0x01;
        }
        down.write(chunk);
      });
      const end = () => {
        up.destroy();
        down.destroy();
      };
      up.on("error", end).on("close", end);
      down.on("error", end).on("close", end);
    });
    await new Promise<void>((r) => relay.listen(0, "127.0.0.1", r));
    const port = (relay.address() as AddressInfo).port;
    try {
      const c = await RemoteClient.connect(
        `test+tcp://127.0.0.1:${port}/default`,
        { auth: { username: USER, password: PASSWORD } },
      );
      expect(await ourDomains(c)).toContain("test");
      corrupt = true;
      const err = await c.connectGetHostname().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectionClosedError);
      expect((err as Error).message).toMatch(
        /sent a bad frame: DIGEST-MD5: packet fails its integrity check/,
      );
      expect(c.connection.closed).toBe(true);
    } finally {
      await new Promise((r) => relay.close(r));
    }
  });

  describe("unix socket (auth_unix_rw = sasl): no security layer needed", () => {
    it("SCRAM-SHA-256: virsh and our client list the same domains", async () => {
      const expected = await virshDomains(goodAuthFile, sasl.unixUri);
      const c = await RemoteClient.connect(
        `${sasl.unixUri}&auth=sasl.SCRAM-SHA-256`,
        { auth: { username: USER, password: PASSWORD } },
      );
      try {
        expect(c.connection.authentication).toBe("sasl SCRAM-SHA-256");
        expect(c.connection.securityLayerName).toBeNull();
        expect(await ourDomains(c)).toEqual(expected);
      } finally {
        await c.close();
      }
      // Chosen without auth=: our best mechanism the server offers.
      const d = await RemoteClient.connect(sasl.unixUri, {
        auth: { username: USER, password: PASSWORD },
      });
      expect(d.connection.authentication).toBe("sasl SCRAM-SHA-256");
      await d.close();
      await expect(
        RemoteClient.connect(`${sasl.unixUri}&auth=sasl.SCRAM-SHA-256`, {
          auth: { username: USER, password: "wrong" },
        }),
      ).rejects.toThrow(/^sasl authentication failed/);
    });

    it("DIGEST-MD5 with qop=auth", async () => {
      const c = await RemoteClient.connect(
        `${sasl.unixUri}&auth=sasl.DIGEST-MD5`,
        { auth: { username: USER, password: PASSWORD } },
      );
      try {
        expect(c.connection.authentication).toBe("sasl DIGEST-MD5");
        expect(c.connection.securityLayerName).toBeNull();
        expect(await ourDomains(c)).toContain("test");
      } finally {
        await c.close();
      }
      await expect(
        RemoteClient.connect(`${sasl.unixUri}&auth=sasl.DIGEST-MD5`, {
          auth: { username: USER, password: "wrong" },
        }),
      ).rejects.toThrow(/^sasl authentication failed/);
    });
  });
});
