/**
 * libvirt's keepalive protocol (virkeepaliveprotocol.x, virkeepalive.c): one-way
 * `VIR_NET_MESSAGE`s of program KEEPALIVE_PROGRAM with no payload. A PING is answered with a
 * PONG, always. Optionally we ping too: when nothing at all arrived for `intervalMs`, send a
 * PING; after `count` such intervals without any packet, the peer is dead.
 */
import {
  KEEPALIVE_PROC_PING,
  KEEPALIVE_PROC_PONG,
  KEEPALIVE_PROGRAM,
  KEEPALIVE_PROTOCOL_VERSION,
} from "../generated/virkeepaliveprotocol/codecs.js";
import {
  VIR_NET_MESSAGE,
  VIR_NET_OK,
} from "../generated/virnetprotocol/codecs.js";
import type { MessageHeader } from "./framing.js";

export interface KeepaliveOptions {
  /** Idle time before a PING is sent, in ms (libvirt's default: 5000). */
  readonly intervalMs: number;
  /** Unanswered intervals before the peer counts as dead (libvirt's default: 5). */
  readonly count: number;
}

export interface KeepaliveStats {
  pingsReceived: number;
  pongsSent: number;
  pingsSent: number;
  pongsReceived: number;
}

export function isKeepalive(h: MessageHeader): boolean {
  return (
    h.prog === KEEPALIVE_PROGRAM &&
    h.vers === KEEPALIVE_PROTOCOL_VERSION &&
    h.type === VIR_NET_MESSAGE
  );
}

export function keepaliveHeader(
  proc: typeof KEEPALIVE_PROC_PING | typeof KEEPALIVE_PROC_PONG,
): MessageHeader {
  return {
    prog: KEEPALIVE_PROGRAM,
    vers: KEEPALIVE_PROTOCOL_VERSION,
    proc,
    type: VIR_NET_MESSAGE,
    serial: 0,
    status: VIR_NET_OK,
  };
}

export class Keepalive {
  readonly stats: KeepaliveStats = {
    pingsReceived: 0,
    pongsSent: 0,
    pingsSent: 0,
    pongsReceived: 0,
  };
  private timer: NodeJS.Timeout | null = null;
  private lastReceived = Date.now();
  private countToDeath = 0;
  private current: KeepaliveOptions | null = null;

  constructor(
    private readonly send: (h: MessageHeader) => void,
    private readonly onDead: (message: string) => void,
  ) {}

  /** Any packet arrived: the peer is alive. */
  received(now: number): void {
    this.lastReceived = now;
    if (this.current) this.countToDeath = this.current.count;
  }

  /** Handles a keepalive message (see `isKeepalive`). */
  handle(h: MessageHeader): void {
    if (h.proc === KEEPALIVE_PROC_PING) {
      this.stats.pingsReceived++;
      this.send(keepaliveHeader(KEEPALIVE_PROC_PONG));
      this.stats.pongsSent++;
    } else if (h.proc === KEEPALIVE_PROC_PONG) {
      this.stats.pongsReceived++;
    }
    // Unknown keepalive procedures are ignored, as libvirt does.
  }

  /** What `start` was given, until stopped. */
  get options(): KeepaliveOptions | null {
    return this.current;
  }

  get active(): boolean {
    return this.current !== null;
  }

  start(options: KeepaliveOptions): void {
    if (!(options.intervalMs > 0) || !(options.count >= 0))
      throw new RangeError(
        `invalid keepalive options ${JSON.stringify(options)}`,
      );
    this.stop();
    this.current = options;
    this.countToDeath = options.count;
    this.lastReceived = Date.now();
    this.timer = setInterval(() => this.tick(), options.intervalMs);
    // A keepalive timer must not keep the process alive by itself.
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.current = null;
  }

  private tick(): void {
    const o = this.current;
    if (!o) return;
    const idle = Date.now() - this.lastReceived;
    // Timers may fire a little early; a few ms of slack avoids pinging a busy peer.
    if (idle + 5 < o.intervalMs) return;
    if (this.countToDeath === 0) {
      this.stop();
      this.onDead(
        `connection closed due to keepalive timeout (no packet for ${idle} ms after ${o.count} pings)`,
      );
      return;
    }
    this.countToDeath--;
    this.send(keepaliveHeader(KEEPALIVE_PROC_PING));
    this.stats.pingsSent++;
  }
}
