/**
 * libvirt's SASL exchange (remote_driver.c, remoteAuthSASL): AUTH_SASL_INIT lists the server's
 * mechanisms, we pick one, AUTH_SASL_START carries our initial response, AUTH_SASL_STEP the
 * rest, until the server says complete and our mechanism verified the server. Over plain TCP
 * both sides demand a security layer of at least 56 bits (libvirt's minSSF), which then wraps
 * the connection.
 */
import type { RpcConnection } from "../../rpc/connection.js";
import type { CredentialSource } from "./credentials.js";
import { DigestMd5Mechanism } from "./digest-md5.js";
import { ExternalMechanism } from "./external.js";
import { SaslError, type SaslMechanism } from "./mechanism.js";
import { ScramMechanism } from "./scram.js";

/** libvirt's minimum SSF on a channel that is not secure by itself (plain TCP). */
export const MIN_SSF_PLAIN_TCP = 56;

/** What this client implements, best first (as cyrus ranks them for libvirt). */
export const CLIENT_MECHANISMS = [
  "SCRAM-SHA-256",
  "SCRAM-SHA-1",
  "DIGEST-MD5",
  "EXTERNAL",
] as const;

export interface SaslData {
  readonly complete: number;
  readonly nil: number;
  readonly data: readonly number[];
}

/** The three SASL calls, with the connection's framing (see negotiate.ts). */
export interface SaslCalls {
  init(): Promise<{ readonly mechlist: string }>;
  start(mech: string, data: Uint8Array | null): Promise<SaslData>;
  step(data: Uint8Array | null): Promise<SaslData>;
}

export interface SaslContext {
  readonly conn: RpcConnection;
  readonly calls: SaslCalls;
  readonly credentials: CredentialSource;
  /** The URI's host (`localhost` without one): SASL's server FQDN. */
  readonly host: string;
  /** From `auth=sasl.<MECH>`. */
  readonly mechanism: string | undefined;
  readonly authzid: string | undefined;
}

/** `char data<>` on the wire: one signed byte per XDR int. */
export const toWireBytes = (b: Uint8Array | null): number[] =>
  b === null ? [] : Array.from(b, (x) => (x << 24) >> 24);
const fromWire = (r: SaslData): Uint8Array | null =>
  r.nil ? null : Uint8Array.from(r.data, (x) => x & 0xff);

function choose(
  offered: readonly string[],
  ctx: SaslContext,
  needLayer: boolean,
): SaslMechanism {
  const usable = (m: string) =>
    // Without a security layer of their own, only DIGEST-MD5 (auth-conf) qualifies on plain TCP.
    !needLayer || m === "DIGEST-MD5";
  const wanted = ctx.mechanism?.toUpperCase();
  let name: string | undefined;
  if (wanted !== undefined) {
    if (!offered.includes(wanted))
      throw new SaslError(
        `SASL mechanism ${wanted} was requested, but the server offers only ${offered.join(", ") || "none"}`,
      );
    if (!(CLIENT_MECHANISMS as readonly string[]).includes(wanted))
      throw new SaslError(
        `SASL mechanism ${wanted} is not implemented by this client (it implements ${CLIENT_MECHANISMS.join(", ")})`,
      );
    name = wanted;
  } else {
    name = CLIENT_MECHANISMS.find((m) => offered.includes(m) && usable(m));
    if (name === undefined)
      throw new SaslError(
        `no common SASL mechanism: the server offers ${offered.join(", ") || "none"}; this client implements ${CLIENT_MECHANISMS.join(", ")}${needLayer ? " (over plain TCP only DIGEST-MD5 gives the security layer libvirt requires; or use TLS)" : ""}`,
      );
  }
  switch (name) {
    case "SCRAM-SHA-256":
    case "SCRAM-SHA-1":
      return new ScramMechanism(name, ctx.credentials);
    case "DIGEST-MD5":
      return new DigestMd5Mechanism(
        ctx.credentials,
        `libvirt/${ctx.host}`,
        needLayer,
      );
    default:
      return new ExternalMechanism(ctx.authzid);
  }
}

/** Runs the exchange; on success the connection carries the security layer, if any. */
export async function authenticateSasl(ctx: SaslContext): Promise<string> {
  const needLayer = ctx.conn.plainTcp;
  const { mechlist } = await ctx.calls.init();
  const offered = mechlist
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((m) => m.toUpperCase());
  const mech = choose(offered, ctx, needLayer);
  let reply = await ctx.calls.start(mech.name, await mech.start());
  for (;;) {
    const serverDone = reply.complete !== 0;
    const input = fromWire(reply);
    let out: Uint8Array | null = null;
    if (!mech.complete || input !== null)
      out = await mech.step(input ?? new Uint8Array(0), serverDone);
    if (serverDone && mech.complete) break;
    if (serverDone)
      throw new SaslError(
        `${mech.name}: the server finished before the mechanism did`,
      );
    reply = await ctx.calls.step(out);
  }
  if (needLayer && mech.ssf < MIN_SSF_PLAIN_TCP)
    throw new SaslError(
      `${mech.name} negotiated a security layer of ${mech.ssf} bits; plain TCP needs at least ${MIN_SSF_PLAIN_TCP}`,
    );
  const layer = mech.ssf > 0 ? mech.securityLayer() : null;
  if (layer) ctx.conn.setSecurityLayer(layer);
  return mech.name;
}
