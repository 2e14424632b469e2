/**
 * DIGEST-MD5 (RFC 2831), client side, as cyrus-sasl's digestmd5 plugin speaks it on libvirtd's
 * side: `qop=auth` (authentication only) on a secure channel, `qop=auth-conf` with
 * `cipher=rc4` (a 128-bit security layer) where libvirt demands one: over plain TCP, libvirtd
 * (and libvirt's own client) require an SSF of at least 56, so SASL there is DIGEST-MD5 with
 * encryption or nothing.
 */
import {
  createHash,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";
import type { SecurityLayer } from "../../rpc/security-layer.js";
import {
  VIR_CRED_AUTHNAME,
  VIR_CRED_PASSPHRASE,
  VIR_CRED_REALM,
  VIR_CRED_USERNAME,
  type CredentialSource,
} from "./credentials.js";
import { SaslError, type SaslMechanism } from "./mechanism.js";
import { Rc4 } from "./rc4.js";

/** The largest packet we accept, sent as our `maxbuf`. */
const OUR_MAXBUF = 65536;
/** What the MAC, message type and sequence number add to a packet. */
const PACKET_OVERHEAD = 16;

/** `key=value` and `key="quoted \"value\""` directives, comma-separated (RFC 2831 §7.1). */
export function parseDirectives(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let i = 0;
  const n = text.length;
  const skip = () => {
    while (i < n && /[\s,]/.test(text[i]!)) i++;
  };
  for (skip(); i < n; skip()) {
    const eq = text.indexOf("=", i);
    if (eq === -1) throw new SaslError(`DIGEST-MD5: bad challenge '${text}'`);
    const key = text.slice(i, eq).trim().toLowerCase();
    i = eq + 1;
    let value = "";
    if (text[i] === '"') {
      for (i++; i < n && text[i] !== '"'; i++)
        value += text[i] === "\\" && i + 1 < n ? text[++i] : text[i];
      if (i >= n)
        throw new SaslError(`DIGEST-MD5: unterminated quote in '${text}'`);
      i++;
    } else {
      const end = text.indexOf(",", i);
      value = text.slice(i, end === -1 ? n : end).trim();
      i = end === -1 ? n : end;
    }
    out.set(key, [...(out.get(key) ?? []), value]);
  }
  return out;
}

const md5 = (...parts: (string | Uint8Array)[]) => {
  const h = createHash("md5");
  for (const p of parts) h.update(p);
  return h.digest();
};
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const quote = (s: string) => `"${s.replace(/(["\\])/g, "\\$1")}"`;

export class DigestMd5Mechanism implements SaslMechanism {
  readonly name = "DIGEST-MD5";
  complete = false;
  ssf = 0;
  private expectedRspauth: string | null = null;
  private keys: { ha1: Buffer; cipher: "rc4" } | null = null;
  private serverMaxbuf = 65536;

  constructor(
    private readonly credentials: CredentialSource,
    /** `libvirt/<host>`: the service and the host name the URI named. */
    private readonly digestUri: string,
    /** A security layer is required (plain TCP): insist on qop=auth-conf. */
    private readonly needLayer: boolean,
  ) {}

  start(): Promise<null> {
    return Promise.resolve(null);
  }

  async step(
    challenge: Uint8Array,
    serverDone: boolean,
  ): Promise<Uint8Array | null> {
    const text = Buffer.from(challenge).toString("utf8");
    if (this.expectedRspauth === null) {
      if (serverDone)
        throw new SaslError("DIGEST-MD5: the server ended the exchange early");
      return this.respond(parseDirectives(text));
    }
    const rspauth = parseDirectives(text).get("rspauth")?.[0] ?? "";
    const a = Buffer.from(rspauth);
    const b = Buffer.from(this.expectedRspauth);
    if (a.length !== b.length || !timingSafeEqual(a, b))
      throw new SaslError(
        "DIGEST-MD5: the server's rspauth is wrong (it does not know the password)",
      );
    this.complete = true;
    return null;
  }

  securityLayer(): SecurityLayer | null {
    if (!this.keys || !this.complete) return null;
    return new DigestMd5Layer(this.keys.ha1, this.serverMaxbuf);
  }

  private async respond(c: Map<string, string[]>): Promise<Uint8Array> {
    const one = (k: string) => c.get(k)?.[0];
    const nonce = one("nonce");
    if (!nonce) throw new SaslError("DIGEST-MD5: the challenge has no nonce");
    if (one("algorithm") !== "md5-sess")
      throw new SaslError(
        "DIGEST-MD5: the challenge's algorithm is not md5-sess",
      );
    const qops = (one("qop") ?? "auth").split(",").map((q) => q.trim());
    const ciphers = (one("cipher") ?? "").split(",").map((q) => q.trim());
    let qop: "auth" | "auth-conf";
    if (!this.needLayer && qops.includes("auth")) qop = "auth";
    else if (qops.includes("auth-conf") && ciphers.includes("rc4"))
      qop = "auth-conf";
    else
      throw new SaslError(
        this.needLayer
          ? `DIGEST-MD5: this connection needs a security layer (plain TCP) and the server offers qop=${qops.join(",")} cipher=${ciphers.join(",") || "none"}; this client implements auth-conf with rc4 (or use TLS)`
          : `DIGEST-MD5: the server offers qop=${qops.join(",")}; this client implements auth and auth-conf with rc4`,
      );
    const offeredRealms = c.get("realm") ?? [];
    const [user, password, authzid, realmGiven] = await this.credentials.get([
      { type: VIR_CRED_AUTHNAME, prompt: "Username" },
      { type: VIR_CRED_PASSPHRASE, prompt: "Password" },
      { type: VIR_CRED_USERNAME, prompt: "Authorization id", optional: true },
      {
        type: VIR_CRED_REALM,
        prompt: "Realm",
        optional: true,
        ...(offeredRealms[0] !== undefined
          ? { defresult: offeredRealms[0] }
          : {}),
      },
    ]);
    const realm = realmGiven ?? offeredRealms[0] ?? "";
    const maxbuf = Number(one("maxbuf") ?? 65536);
    if (!Number.isInteger(maxbuf) || maxbuf <= PACKET_OVERHEAD + 8)
      throw new SaslError(`DIGEST-MD5: bad maxbuf '${one("maxbuf")}'`);
    this.serverMaxbuf = maxbuf;
    const cnonce = randomBytes(24).toString("base64");
    const nc = "00000001";
    const z = authzid && authzid !== user ? authzid : undefined;
    const ha1 = md5(
      md5(`${user}:${realm}:${password}`),
      `:${nonce}:${cnonce}`,
      z !== undefined ? `:${z}` : "",
    );
    const tail = qop === "auth" ? "" : ":00000000000000000000000000000000";
    const kd = (a2: string) =>
      hex(md5(`${hex(ha1)}:${nonce}:${nc}:${cnonce}:${qop}:${hex(md5(a2))}`));
    const response = kd(`AUTHENTICATE:${this.digestUri}${tail}`);
    this.expectedRspauth = kd(`:${this.digestUri}${tail}`);
    if (qop === "auth-conf") {
      this.keys = { ha1, cipher: "rc4" };
      this.ssf = 128;
    }
    const fields = [
      ...(one("charset") === "utf-8" ? ["charset=utf-8"] : []),
      `username=${quote(user!)}`,
      ...(realm !== "" ? [`realm=${quote(realm)}`] : []),
      `nonce=${quote(nonce)}`,
      `cnonce=${quote(cnonce)}`,
      `nc=${nc}`,
      `qop=${qop}`,
      ...(qop === "auth-conf" ? ["cipher=rc4"] : []),
      `maxbuf=${OUR_MAXBUF}`,
      `digest-uri=${quote(this.digestUri)}`,
      `response=${response}`,
      ...(z !== undefined ? [`authzid=${quote(z)}`] : []),
    ];
    return Buffer.from(fields.join(","), "utf8");
  }
}

/**
 * DIGEST-MD5's confidentiality layer with RC4 (RFC 2831 §2.4, cyrus digestmd5.c): each packet
 * is `length(4) || RC4(message || HMAC-MD5(Ki, seq || message)[0..10]) || 0x0001 || seq(4)`.
 */
export class DigestMd5Layer implements SecurityLayer {
  readonly name = "DIGEST-MD5 rc4";
  private readonly sendCipher: Rc4;
  private readonly recvCipher: Rc4;
  private readonly sendMac: Buffer;
  private readonly recvMac: Buffer;
  private sendSeq = 0;
  private recvSeq = 0;
  private pending: Buffer = Buffer.alloc(0);
  private readonly chunk: number;

  constructor(ha1: Buffer, serverMaxbuf: number) {
    const magic = (what: string) => md5(ha1, `Digest ${what} magic constant`);
    this.sendCipher = new Rc4(magic("H(A1) to client-to-server sealing key"));
    this.recvCipher = new Rc4(magic("H(A1) to server-to-client sealing key"));
    this.sendMac = magic("session key to client-to-server signing key");
    this.recvMac = magic("session key to server-to-client signing key");
    this.chunk = serverMaxbuf - PACKET_OVERHEAD;
  }

  encode(plain: Uint8Array): Uint8Array {
    const count = Math.max(1, Math.ceil(plain.length / this.chunk));
    const out = Buffer.allocUnsafe(
      plain.length + count * (4 + PACKET_OVERHEAD),
    );
    let at = 0;
    for (let off = 0; off < plain.length || off === 0; off += this.chunk) {
      const msg = plain.subarray(off, Math.min(plain.length, off + this.chunk));
      const seq = Buffer.allocUnsafe(4);
      seq.writeUInt32BE(this.sendSeq >>> 0);
      const mac = createHmac("md5", this.sendMac)
        .update(seq)
        .update(msg)
        .digest()
        .subarray(0, 10);
      out.writeUInt32BE(msg.length + PACKET_OVERHEAD, at);
      const body = out.subarray(at + 4, at + 4 + msg.length + 10);
      body.set(msg, 0);
      body.set(mac, msg.length);
      this.sendCipher.apply(body);
      out.writeUInt16BE(1, at + 4 + msg.length + 10);
      seq.copy(out, at + 4 + msg.length + 12);
      at += 4 + msg.length + PACKET_OVERHEAD;
      this.sendSeq = (this.sendSeq + 1) >>> 0;
      if (plain.length === 0) break;
    }
    return out.subarray(0, at);
  }

  decode(chunk: Uint8Array): Uint8Array[] {
    this.pending =
      this.pending.length === 0
        ? Buffer.from(chunk)
        : Buffer.concat([this.pending, chunk]);
    const out: Uint8Array[] = [];
    while (this.pending.length >= 4) {
      const len = this.pending.readUInt32BE(0);
      if (len < PACKET_OVERHEAD || len > OUR_MAXBUF)
        throw new SaslError(
          `DIGEST-MD5: security layer packet of ${len} bytes (allowed ${PACKET_OVERHEAD}..${OUR_MAXBUF})`,
        );
      if (this.pending.length < 4 + len) break;
      const packet = this.pending.subarray(4, 4 + len);
      this.pending = this.pending.subarray(4 + len);
      out.push(this.open(packet));
    }
    if (this.pending.length === 0) this.pending = Buffer.alloc(0);
    return out;
  }

  private open(packet: Buffer): Uint8Array {
    const n = packet.length;
    const type = packet.readUInt16BE(n - 6);
    const seq = packet.readUInt32BE(n - 4);
    if (type !== 1)
      throw new SaslError(`DIGEST-MD5: packet of message type ${type}`);
    if (seq !== this.recvSeq)
      throw new SaslError(
        `DIGEST-MD5: packet with sequence number ${seq}, expected ${this.recvSeq}`,
      );
    const body = Buffer.from(packet.subarray(0, n - 6));
    this.recvCipher.apply(body);
    const msg = body.subarray(0, body.length - 10);
    const mac = createHmac("md5", this.recvMac)
      .update(packet.subarray(n - 4))
      .update(msg)
      .digest()
      .subarray(0, 10);
    if (!timingSafeEqual(mac, body.subarray(body.length - 10)))
      throw new SaslError("DIGEST-MD5: packet fails its integrity check");
    this.recvSeq = (this.recvSeq + 1) >>> 0;
    return msg;
  }
}
