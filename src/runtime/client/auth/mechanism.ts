/**
 * A client-side SASL mechanism as libvirt drives it (remote_driver.c, remoteAuthSASL): an
 * optional initial response, then one response per server challenge, until the server says it
 * is complete and the mechanism has checked the server's last message (mutual authentication).
 */
import type { SecurityLayer } from "../../rpc/security-layer.js";

export interface SaslMechanism {
  readonly name: string;
  /** The initial response sent with AUTH_SASL_START, or null to wait for a challenge. */
  start(): Promise<Uint8Array | null>;
  /**
   * Answers a server challenge. `serverDone`: the server reported completion with this data,
   * which the mechanism must verify (and return null: nothing more to send).
   */
  step(challenge: Uint8Array, serverDone: boolean): Promise<Uint8Array | null>;
  /** True once the mechanism itself finished (server verified where the mechanism can). */
  readonly complete: boolean;
  /** Strength of the negotiated security layer in bits (0: none). */
  readonly ssf: number;
  /** The security layer to run the connection through, when `ssf > 0`. */
  securityLayer(): SecurityLayer | null;
}

/** The exchange failed on our side (bad server data, failed server verification). */
export class SaslError extends Error {}
Object.defineProperty(SaslError.prototype, "name", {
  value: "SaslError",
  writable: true,
  configurable: true,
});
