/**
 * A client transport over UDP: one message per datagram, no record marking. Datagrams get lost,
 * so the client retransmits a call (same xid) until its reply or its timeout comes.
 */
import { createSocket, type Socket } from "node:dgram";
import { isIPv6 } from "node:net";
import { XdrWriter } from "../xdr/writer.js";
import { XdrError } from "../xdr/errors.js";
import { ConnectionClosedError } from "../rpc/virt-error.js";
import type { ClientTransport, TransportEvents } from "./transport.js";

/** Largest UDP payload over IPv4. */
export const MAX_DATAGRAM = 65507;

export class UdpTransport implements ClientTransport {
  readonly datagram = true;
  private events: TransportEvents | null = null;
  private closed = false;
  private readonly w = new XdrWriter(8 * 1024, MAX_DATAGRAM);

  private constructor(
    private readonly socket: Socket,
    readonly peer: string,
  ) {}

  /** A socket connected to `host:port` (it receives datagrams from that peer only). */
  static open(host: string, port: number): Promise<UdpTransport> {
    return new Promise((resolve, reject) => {
      const socket = createSocket(isIPv6(host) ? "udp6" : "udp4");
      socket.once("error", reject);
      socket.connect(port, host, () => {
        socket.off("error", reject);
        resolve(new UdpTransport(socket, `udp:${host}:${port}`));
      });
    });
  }

  start(events: TransportEvents): void {
    this.events = events;
    this.socket.on("message", (msg: Buffer) => {
      if (this.closed) return;
      events.message(msg);
      events.batchDone();
    });
    this.socket.on("error", (e: Error) => {
      // ICMP port unreachable and the like: the call may still be retransmitted, but with
      // nobody listening that is pointless; report it as a lost peer.
      this.fail(
        new ConnectionClosedError(`${this.peer}: ${e.message}`, { cause: e }),
      );
    });
  }

  send(encode: (w: XdrWriter) => void): Uint8Array {
    if (this.closed) throw new ConnectionClosedError(`${this.peer} is closed`);
    const w = this.w;
    w.reset();
    try {
      encode(w);
    } catch (e) {
      if (e instanceof XdrError && e.code === "message-too-large")
        throw new XdrError(
          "message-too-large",
          e.offset,
          `message does not fit in a UDP datagram (${MAX_DATAGRAM} bytes)`,
        );
      throw e;
    }
    const bytes = w.toBytes();
    this.socket.send(bytes);
    return bytes;
  }

  resend(bytes: Uint8Array): void {
    if (!this.closed) this.socket.send(bytes);
  }

  close(): void {
    this.fail(new ConnectionClosedError(`${this.peer} closed by the client`));
  }

  private fail(reason: ConnectionClosedError): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
    this.events?.closed(reason);
  }
}
