/**
 * Outgoing libvirt frames, batched (batched-writer.ts): every frame queued during one turn of
 * the event loop goes out in a single socket write.
 */
import type { XdrCodec } from "../xdr/codec.js";
import { XdrError } from "../xdr/errors.js";
import { XdrWriter } from "../xdr/writer.js";
import {
  VIR_NET_MESSAGE_LEN_MAX,
  VIR_NET_MESSAGE_MAX,
  xdr_virNetMessageHeader,
} from "../generated/virnetprotocol/codecs.js";
import { BatchedWriter } from "./batched-writer.js";
import type { MessageHeader } from "./framing.js";

/** Largest frame libvirt accepts, length word included (virNetMessageDecodeLength). */
export const MAX_FRAME = VIR_NET_MESSAGE_MAX + VIR_NET_MESSAGE_LEN_MAX;
/**
 * Batches up to this size are handed over as a copy (the writer's buffer is reused for the next
 * batch); larger ones are handed over in the writer's own buffer, and the next batch starts in
 * a new one. Either way, bytes given to the transport are never written again.
 */
const COPY_LIMIT = 16 * 1024;

export class Outbox extends BatchedWriter {
  /**
   * `sink` writes one batch and calls `done` once the transport took it. The bytes are the
   * transport's from then on: a `Duplex` may keep them as long as it likes (TLS and SSH
   * transports queue what they are given), so the outbox never reuses their memory.
   */
  constructor(
    private readonly sink: (bytes: Uint8Array, done: () => void) => void,
  ) {
    // Small at first: most connections only ever send small batches, and a fresh 64 KiB
    // buffer per connection cost ~0.7 ms (zeroed external memory V8 must account for); it
    // doubles as needed.
    super(4 * 1024);
  }

  /**
   * Appends one frame. Throws (leaving the outbox unchanged) when the body cannot be encoded or
   * the frame exceeds libvirt's message size limit.
   */
  frame<T>(header: MessageHeader, codec: XdrCodec<T> | null, body: T): void {
    const w = this.w;
    const start = w.pos;
    try {
      const at = w.reserveUint32();
      xdr_virNetMessageHeader.encode(w, header);
      if (codec !== null) codec.encode(w, body);
      this.close(start, at);
    } catch (e) {
      w.pos = start;
      if (e instanceof XdrError && codec !== null && e.path[0] !== codec.name)
        e.prependPath(codec.name);
      throw e;
    }
    this.schedule();
  }

  /** Appends one frame whose payload is already encoded (stream data). */
  rawFrame(header: MessageHeader, payload: Uint8Array | null): void {
    const w = this.w;
    const start = w.pos;
    try {
      const at = w.reserveUint32();
      xdr_virNetMessageHeader.encode(w, header);
      if (payload !== null) w.raw(payload);
      this.close(start, at);
    } catch (e) {
      w.pos = start;
      throw e;
    }
    this.schedule();
  }

  /** Small batches go out as a copy, large ones in the writer's own buffer (never reused). */
  protected handOver(w: XdrWriter, done: () => void): void {
    if (w.pos <= COPY_LIMIT) {
      const copy = w.toBytes();
      w.reset();
      this.sink(copy, done);
    } else {
      this.w = new XdrWriter(64 * 1024);
      this.sink(w.finish(), done);
    }
  }

  private close(start: number, at: number): void {
    const len = this.w.pos - start;
    if (len > MAX_FRAME) {
      throw new XdrError(
        "message-too-large",
        len,
        `message of ${len} bytes exceeds libvirt's limit of ${MAX_FRAME} bytes`,
      );
    }
    this.w.patchUint32(at, len);
  }
}
