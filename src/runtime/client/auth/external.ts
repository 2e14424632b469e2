/**
 * EXTERNAL (RFC 4422 appendix A): the identity is the one the channel already proved (a TLS
 * client certificate); the initial response is the authzid, empty to act as that identity.
 */
import type { SaslMechanism } from "./mechanism.js";

export class ExternalMechanism implements SaslMechanism {
  readonly name = "EXTERNAL";
  readonly ssf = 0;
  complete = false;

  constructor(private readonly authzid: string | undefined) {}

  start(): Promise<Uint8Array> {
    this.complete = true;
    return Promise.resolve(Buffer.from(this.authzid ?? "", "utf8"));
  }

  step(): Promise<null> {
    return Promise.resolve(null);
  }

  securityLayer(): null {
    return null;
  }
}
