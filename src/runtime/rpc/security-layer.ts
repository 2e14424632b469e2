/**
 * A SASL security layer (confidentiality/integrity negotiated during authentication) between
 * the RPC framing and the socket, as libvirt's virNetSocket runs one after SASL with SSF > 0:
 * every outgoing batch of frames is wrapped, and the incoming byte stream is unwrapped before
 * frames are read from it.
 */
export interface SecurityLayer {
  /** Mechanism and protection, for messages (`DIGEST-MD5 rc4`). */
  readonly name: string;
  /** Wraps plaintext bytes into one or more protected packets, ready for the socket. */
  encode(plain: Uint8Array): Uint8Array;
  /**
   * Takes bytes read from the socket and returns the plaintext of every packet they complete
   * (none while a packet is incomplete). Throws on a corrupt or forged packet.
   */
  decode(chunk: Uint8Array): Uint8Array[];
}
