/**
 * What a client sends its messages over: a byte stream with record marking (TCP, unix socket) or
 * datagrams (UDP, one message per datagram, RFC 5531 §11 applies to streams only).
 */
import type { XdrWriter } from "../xdr/writer.js";
import type { ConnectionClosedError } from "../rpc/virt-error.js";

export interface TransportEvents {
  /** One whole message (a record, or a datagram). */
  message(bytes: Uint8Array): void;
  /** Called after every batch of messages read at once (for busy polling). */
  batchDone(): void;
  /** The transport is gone; called once. */
  closed(reason: ConnectionClosedError): void;
}

export interface ClientTransport {
  /** How the peer is named in errors: `tcp:127.0.0.1:111`, `unix:/run/rpcbind.sock`, `udp:…`. */
  readonly peer: string;
  /** Datagram transports lose messages: the client retransmits. */
  readonly datagram: boolean;
  start(events: TransportEvents): void;
  /**
   * Queues one message written by `encode`; throws (sending nothing) when encoding fails or it
   * is too large. Datagram transports return its bytes, for retransmission.
   */
  send(encode: (w: XdrWriter) => void): Uint8Array | null;
  /** Sends a datagram again. */
  resend(bytes: Uint8Array): void;
  /** Closes; `graceful` lets queued messages out first. */
  close(graceful: boolean): void;
}
