/**
 * SCRAM-SHA-256 (RFC 7677) and SCRAM-SHA-1 (RFC 5802), client side, without channel binding
 * (GS2 header `n,,`), as cyrus-sasl's scram plugin on libvirtd's side expects it.
 */
import {
  createHash,
  createHmac,
  pbkdf2,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";
import { promisify } from "node:util";
import {
  VIR_CRED_AUTHNAME,
  VIR_CRED_PASSPHRASE,
  VIR_CRED_USERNAME,
  type CredentialSource,
} from "./credentials.js";
import { SaslError, type SaslMechanism } from "./mechanism.js";

const pbkdf2Async = promisify(pbkdf2);
/** Fewer iterations than this make a stolen exchange cheap to brute-force (RFC 7677 §4: 4096). */
const MIN_ITERATIONS = 4096;
/** Bounds the work a hostile server can make us do. */
const MAX_ITERATIONS = 10_000_000;

/** `=` and `,` escaped as SCRAM's saslname requires (RFC 5802 §5.1). */
const saslname = (s: string) =>
  s.normalize("NFKC").replace(/=/g, "=3D").replace(/,/g, "=2C");

function attributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(",")) {
    const eq = part.indexOf("=");
    if (eq === 1) out.set(part[0]!, part.slice(2));
  }
  return out;
}

export class ScramMechanism implements SaslMechanism {
  readonly ssf = 0;
  complete = false;
  private clientFirstBare = "";
  private gs2Header = "";
  private nonce = "";
  private password = "";
  private serverSignature: Buffer | null = null;

  constructor(
    readonly name: "SCRAM-SHA-256" | "SCRAM-SHA-1",
    private readonly credentials: CredentialSource,
  ) {}

  private get hash(): "sha256" | "sha1" {
    return this.name === "SCRAM-SHA-256" ? "sha256" : "sha1";
  }

  async start(): Promise<Uint8Array> {
    const [user, password, authzid] = await this.credentials.get([
      { type: VIR_CRED_AUTHNAME, prompt: "Username" },
      { type: VIR_CRED_PASSPHRASE, prompt: "Password" },
      { type: VIR_CRED_USERNAME, prompt: "Authorization id", optional: true },
    ]);
    this.password = password!.normalize("NFKC");
    this.nonce = randomBytes(24).toString("base64");
    this.gs2Header =
      authzid && authzid !== user ? `n,a=${saslname(authzid)},` : "n,,";
    this.clientFirstBare = `n=${saslname(user!)},r=${this.nonce}`;
    return Buffer.from(this.gs2Header + this.clientFirstBare, "utf8");
  }

  async step(
    challenge: Uint8Array,
    serverDone: boolean,
  ): Promise<Uint8Array | null> {
    const message = Buffer.from(challenge).toString("utf8");
    if (this.serverSignature === null) {
      if (serverDone)
        throw new SaslError(
          `${this.name}: the server ended the exchange early`,
        );
      return this.clientFinal(message);
    }
    const attrs = attributes(message);
    const error = attrs.get("e");
    if (error !== undefined)
      throw new SaslError(`${this.name}: the server says '${error}'`);
    const v = Buffer.from(attrs.get("v") ?? "", "base64");
    if (
      v.length !== this.serverSignature.length ||
      !timingSafeEqual(v, this.serverSignature)
    )
      throw new SaslError(
        `${this.name}: the server's signature is wrong (it does not know the password)`,
      );
    this.complete = true;
    return null;
  }

  securityLayer(): null {
    return null;
  }

  private async clientFinal(serverFirst: string): Promise<Uint8Array> {
    const attrs = attributes(serverFirst);
    const nonce = attrs.get("r");
    const salt = attrs.get("s");
    const iterations = Number(attrs.get("i"));
    if (attrs.has("m"))
      throw new SaslError(`${this.name}: unsupported mandatory extension`);
    if (!nonce?.startsWith(this.nonce) || nonce.length === this.nonce.length)
      throw new SaslError(`${this.name}: the server's nonce is not ours`);
    if (salt === undefined)
      throw new SaslError(`${this.name}: the server sent no salt`);
    if (
      !Number.isInteger(iterations) ||
      iterations < MIN_ITERATIONS ||
      iterations > MAX_ITERATIONS
    )
      throw new SaslError(
        `${this.name}: iteration count ${attrs.get("i")} outside ${MIN_ITERATIONS}..${MAX_ITERATIONS}`,
      );
    const h = this.hash;
    const keyLength = h === "sha256" ? 32 : 20;
    const salted = await pbkdf2Async(
      this.password,
      Buffer.from(salt, "base64"),
      iterations,
      keyLength,
      h,
    );
    this.password = "";
    const hmac = (key: Buffer, data: string) =>
      createHmac(h, key).update(data, "utf8").digest();
    const clientKey = hmac(salted, "Client Key");
    const storedKey = createHash(h).update(clientKey).digest();
    const withoutProof = `c=${Buffer.from(this.gs2Header).toString("base64")},r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirst},${withoutProof}`;
    const signature = hmac(storedKey, authMessage);
    const proof = Buffer.alloc(keyLength);
    for (let i = 0; i < keyLength; i++)
      proof[i] = clientKey[i]! ^ signature[i]!;
    this.serverSignature = hmac(hmac(salted, "Server Key"), authMessage);
    return Buffer.from(`${withoutProof},p=${proof.toString("base64")}`, "utf8");
  }
}
