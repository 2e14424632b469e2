/**
 * libvirt's RPC framing: every message is a 4-byte big-endian total length (counting itself),
 * a `virNetMessageHeader` (generated from virnetprotocol.x), then the XDR payload.
 *
 * `FrameReader` turns an arbitrary byte stream into whole frames. It never trusts a length
 * prefix: anything below the header size or above the limit is a `FramingError` raised before
 * a byte is buffered for it, so a forged length cannot make it allocate.
 */
import { XdrReader } from "../xdr/reader.js";
import { XdrWriter } from "../xdr/writer.js";
import type { XdrCodec } from "../xdr/codec.js";
import {
  VIR_NET_MESSAGE_HEADER_MAX,
  VIR_NET_MESSAGE_LEN_MAX,
  VIR_NET_MESSAGE_MAX,
  xdr_virNetMessageHeader,
  type virNetMessageHeader,
} from "../generated/virnetprotocol/codecs.js";

export type MessageHeader = virNetMessageHeader;

/** Smallest valid frame: the length word plus an empty-bodied header. */
export const MIN_FRAME = VIR_NET_MESSAGE_LEN_MAX + VIR_NET_MESSAGE_HEADER_MAX;

export class FramingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FramingError";
  }
}

/**
 * Writes one framed message into `w` (reset first) and returns a view of its bytes, valid until
 * the writer is reused. `body === undefined` writes no payload (void).
 */
export function writeFrame<T>(
  w: XdrWriter,
  header: MessageHeader,
  codec: XdrCodec<T> | null,
  body?: T,
): Uint8Array {
  w.reset();
  const at = w.reserveUint32();
  xdr_virNetMessageHeader.encode(w, header);
  if (codec !== null) codec.encode(w, body as T);
  w.patchUint32(at, w.length);
  return w.finish();
}

/** Writes a frame whose payload is already encoded (stream data, relayed errors…). */
export function writeRawFrame(
  w: XdrWriter,
  header: MessageHeader,
  payload: Uint8Array,
): Uint8Array {
  w.reset();
  const at = w.reserveUint32();
  xdr_virNetMessageHeader.encode(w, header);
  w.raw(payload);
  w.patchUint32(at, w.length);
  return w.finish();
}

export interface Frame {
  readonly header: MessageHeader;
  /** Reader positioned at the payload, bounded to this frame. */
  readonly body: XdrReader;
  /** The whole frame including the length word. */
  readonly bytes: Uint8Array;
}

/** Decodes the header of a complete frame (as produced by `FrameReader`). */
export function parseFrame(bytes: Uint8Array): Frame {
  const r = new XdrReader(bytes, VIR_NET_MESSAGE_LEN_MAX, bytes.length);
  const header = xdr_virNetMessageHeader.decode(r);
  return { header, body: r, bytes };
}

/** Reassembles frames from stream chunks. */
export class FrameReader {
  private chunks: Uint8Array[] = [];
  private buffered = 0;

  constructor(
    private readonly maxFrame: number = VIR_NET_MESSAGE_MAX +
      VIR_NET_MESSAGE_LEN_MAX,
  ) {}

  /** Feeds bytes; returns every frame completed by them. Throws FramingError on a bad length. */
  push(chunk: Uint8Array): Uint8Array[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const frames: Uint8Array[] = [];
    for (;;) {
      if (this.buffered < 4) break;
      const len = this.peekLength();
      if (len < MIN_FRAME)
        throw new FramingError(
          `frame length ${len} is below the minimum ${MIN_FRAME}`,
        );
      if (len > this.maxFrame)
        throw new FramingError(
          `frame length ${len} exceeds the limit ${this.maxFrame}`,
        );
      if (this.buffered < len) break;
      frames.push(this.take(len));
    }
    return frames;
  }

  /** Bytes held for an incomplete frame. */
  get pending(): number {
    return this.buffered;
  }

  private peekLength(): number {
    const first = this.chunks[0]!;
    if (first.length >= 4)
      return (
        ((first[0]! << 24) |
          (first[1]! << 16) |
          (first[2]! << 8) |
          first[3]!) >>>
        0
      );
    const head = this.take(4, false);
    return (
      ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0
    );
  }

  /** Removes (or with consume=false, copies) the first n buffered bytes. */
  private take(n: number, consume = true): Uint8Array {
    const first = this.chunks[0]!;
    if (first.length >= n) {
      const out = first.subarray(0, n);
      if (consume) {
        if (first.length === n) this.chunks.shift();
        else this.chunks[0] = first.subarray(n);
        this.buffered -= n;
      }
      return out;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    let i = 0;
    while (filled < n) {
      const c = this.chunks[i]!;
      const part = Math.min(c.length, n - filled);
      out.set(c.subarray(0, part), filled);
      filled += part;
      if (!consume) {
        i++;
        continue;
      }
      if (part === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(part);
    }
    if (consume) this.buffered -= n;
    return out;
  }
}

/** A writer sized for RPC messages: refuses to grow past libvirt's message limit. */
export function createMessageWriter(): XdrWriter {
  return new XdrWriter(
    64 * 1024,
    VIR_NET_MESSAGE_MAX + VIR_NET_MESSAGE_LEN_MAX,
  );
}
