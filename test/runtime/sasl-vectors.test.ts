// The SASL building blocks against the published worked examples (checked by hand against the
// RFCs): SCRAM-SHA-1 (RFC 5802 §5), SCRAM-SHA-256 (RFC 7677 §3), RC4 (RFC 6229 §2), and
// auth.conf lookups as libvirt's docs describe them. The full exchanges run against libvirtd
// in test/client/auth.test.ts.
import { describe, expect, it } from "vitest";
import { AuthConfig } from "../../src/runtime/client/auth/auth-config.js";
import { CredentialSource } from "../../src/runtime/client/auth/credentials.js";
import { parseDirectives } from "../../src/runtime/client/auth/digest-md5.js";
import { Rc4 } from "../../src/runtime/client/auth/rc4.js";
import { ScramMechanism } from "../../src/runtime/client/auth/scram.js";

const text = (b: Uint8Array | null) => Buffer.from(b!).toString("utf8");
const bytes = (s: string) => Buffer.from(s, "utf8");

describe("SCRAM", () => {
  const cases = [
    {
      name: "SCRAM-SHA-1" as const,
      nonce: "fyko+d2lbbFgONRv9qkxdawL",
      serverFirst:
        "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
      clientFinal:
        "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
      serverFinal: "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
    },
    {
      name: "SCRAM-SHA-256" as const,
      nonce: "rOprNGfwEbeRWgbNEkqO",
      serverFirst:
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
      clientFinal:
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
      serverFinal: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
    },
  ];
  const creds = () =>
    new CredentialSource(
      { username: "user", password: "pencil", authFile: false },
      "localhost",
      undefined,
    );
  for (const c of cases) {
    it(`${c.name}: the RFC's exchange, byte for byte`, async () => {
      const m = new ScramMechanism(c.name, creds(), c.nonce);
      expect(text(await m.start())).toBe(`n,,n=user,r=${c.nonce}`);
      expect(text(await m.step(bytes(c.serverFirst), false))).toBe(
        c.clientFinal,
      );
      expect(await m.step(bytes(c.serverFinal), true)).toBeNull();
      expect(m.complete).toBe(true);
    });

    it(`${c.name}: a wrong server signature or a foreign nonce is refused`, async () => {
      const m = new ScramMechanism(c.name, creds(), c.nonce);
      await m.start();
      await m.step(bytes(c.serverFirst), false);
      await expect(
        m.step(bytes("v=AAAAAAAAAAAAAAAAAAAAAAAAAAA="), true),
      ).rejects.toThrow(/signature is wrong/);
      const n = new ScramMechanism(c.name, creds(), c.nonce);
      await n.start();
      await expect(
        n.step(bytes("r=someoneelse,s=QSXCR+Q6sek8bf92,i=4096"), false),
      ).rejects.toThrow(/nonce is not ours/);
    });
  }

  it("refuses iteration counts below RFC 7677's 4096 and absurdly high ones", async () => {
    for (const i of ["1", "4095", "1000000000", "x"]) {
      const m = new ScramMechanism("SCRAM-SHA-256", creds(), "abc");
      await m.start();
      await expect(
        m.step(bytes(`r=abcdef,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=${i}`), false),
      ).rejects.toThrow(/iteration count/);
    }
  });
});

describe("RC4 (RFC 6229 test vectors)", () => {
  it("key 0x0102030405: key stream at offsets 0 and 16", () => {
    const rc4 = new Rc4(Uint8Array.from([1, 2, 3, 4, 5]));
    const stream = Buffer.from(rc4.apply(new Uint8Array(32)));
    expect(stream.subarray(0, 16).toString("hex")).toBe(
      "b2396305f03dc027ccc3524a0a1118a8",
    );
    expect(stream.subarray(16, 32).toString("hex")).toBe(
      "6982944f18fc82d589c403a47a0d0919",
    );
  });

  it("the stream runs on across calls", () => {
    const a = new Rc4(Uint8Array.from([1, 2, 3, 4, 5]));
    const b = new Rc4(Uint8Array.from([1, 2, 3, 4, 5]));
    const whole = Buffer.from(a.apply(new Uint8Array(32)));
    const parts = Buffer.concat([
      b.apply(new Uint8Array(7)),
      b.apply(new Uint8Array(25)),
    ]);
    expect(parts.equals(whole)).toBe(true);
  });
});

describe("DIGEST-MD5 challenge parsing", () => {
  it("reads quoted, escaped and repeated directives (RFC 2831 §2.1.1)", () => {
    const d = parseDirectives(
      'realm="a",realm="b \\"c\\"",nonce="OA6MG9tEQGm2hh",qop="auth,auth-conf",maxbuf=65536, algorithm=md5-sess',
    );
    expect(d.get("realm")).toEqual(["a", 'b "c"']);
    expect(d.get("qop")).toEqual(["auth,auth-conf"]);
    expect(d.get("maxbuf")).toEqual(["65536"]);
    expect(d.get("algorithm")).toEqual(["md5-sess"]);
    expect(() => parseDirectives('nonce="open')).toThrow(/unterminated/);
  });
});

describe("auth.conf", () => {
  const conf = AuthConfig.parse(
    "auth.conf",
    [
      "# libvirt client credentials",
      "[credentials-prod]",
      "authname=alice",
      "password=secret=with=equals",
      "[credentials-dev]",
      "authname=bob",
      "password=builder",
      "[auth-libvirt-prod.example.com]",
      "credentials=prod",
      "[auth-libvirt-default]",
      "credentials=dev",
    ].join("\n"),
  );
  it("a host's own group first, else the default one", () => {
    expect(conf.lookup("libvirt", "prod.example.com", "authname")).toBe(
      "alice",
    );
    expect(conf.lookup("libvirt", "prod.example.com", "password")).toBe(
      "secret=with=equals",
    );
    expect(conf.lookup("libvirt", "other", "authname")).toBe("bob");
    expect(conf.lookup("ssh", "other", "authname")).toBeUndefined();
  });
  it("names the line of a malformed entry", () => {
    expect(() => AuthConfig.parse("x.conf", "[g]\nno equals here")).toThrow(
      "x.conf:2:",
    );
  });
});
