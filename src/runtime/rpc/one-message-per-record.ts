/**
 * Writes to a TLS stream one RPC message per write, each once the previous one was taken, so
 * that every message travels in its own TLS record(s), as libvirt's own client sends them.
 *
 * Why: libvirtd reads one message per "readable" event of the socket. When two messages share
 * a TLS record, GnuTLS decrypts both on the first read, and the second waits in GnuTLS's buffer
 * where the event loop does not see it: libvirtd answers it only when more bytes arrive (a
 * keepalive PING 5 s later, or never). The outbox batches every frame queued in one turn of the
 * event loop (a keepalive query and the open call, or calls made together), and Node's TLS
 * socket would put the frames of one write — or of writes queued while one is under way —
 * into one record. One write at a time, one message per write, avoids both.
 */
import type { Duplex } from "node:stream";

interface QueuedMessage {
  readonly bytes: Uint8Array;
  /** Called once this message was taken (the last message of a batch carries the batch's). */
  readonly done: (() => void) | null;
}

export class OneMessagePerRecord {
  private readonly queue: QueuedMessage[] = [];
  private head = 0;
  private writing = false;
  private ending = false;

  constructor(private readonly socket: Duplex) {}

  /**
   * Queues a batch of whole frames (each starting with its length word, as the outbox makes
   * them) and calls `done` once the last was handed to the socket.
   */
  write(batch: Uint8Array, done: () => void): void {
    const view = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
    let at = 0;
    while (at < batch.length) {
      const len = view.getUint32(at);
      // The outbox only hands over whole frames; a length that does not fit is a bug there,
      // and writing the rest as one piece still keeps the bytes in order.
      const end =
        len >= 4 && at + len <= batch.length ? at + len : batch.length;
      this.queue.push({
        bytes: batch.subarray(at, end),
        done: end === batch.length ? done : null,
      });
      at = end;
    }
    if (batch.length === 0) done();
    if (!this.writing) this.next();
  }

  /** Ends the stream once every queued message was written. */
  end(): void {
    this.ending = true;
    if (!this.writing) this.socket.end();
  }

  private next(): void {
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
      this.writing = false;
      if (this.ending) this.socket.end();
      return;
    }
    const m = this.queue[this.head++]!;
    this.writing = true;
    // The callback also runs (with an error) once the socket is destroyed, which drains the
    // queue; the connection learns of the failure from the socket's own events.
    this.socket.write(m.bytes, () => {
      m.done?.();
      this.next();
    });
  }
}
