/**
 * libvirt's RPC framing: every message is a 4-byte big-endian total length (counting itself),
 * a `virNetMessageHeader` (generated from virnetprotocol.x), then the XDR payload.
 *
 * `FrameReader` turns an arbitrary byte stream into whole frames. It never trusts a length
 * prefix: anything below the header size or above the limit is a `FramingError` raised before
 * a byte is buffered for it, and within the limit memory grows only with the bytes that
 * actually arrive, so a forged length cannot make it allocate.
 */
import { XdrReader } from "../xdr/reader.js";
import { ByteAccumulator } from "./byte-accumulator.js";
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

/**
 * Reassembles frames from stream chunks, in time linear in the bytes received whatever their
 * chunking (see `ByteAccumulator`). A frame that lies whole in one chunk is returned as a view
 * of it, without a copy; one that spans chunks is collected in a buffer that grows with what
 * has arrived, never to the announced length up front. After a `FramingError` the stream is
 * unusable (its frame boundaries are lost) and every later `push` throws it again.
 */
export class FrameReader {
  private readonly frame = new ByteAccumulator();
  /** The frame under way still lacks (part of) its length word. */
  private inLengthWord = false;
  private error: FramingError | null = null;

  constructor(
    private readonly maxFrame: number = VIR_NET_MESSAGE_MAX +
      VIR_NET_MESSAGE_LEN_MAX,
  ) {}

  /** Feeds bytes; returns every frame completed by them. Throws FramingError on a bad length. */
  push(chunk: Uint8Array): readonly Uint8Array[] {
    if (this.error) throw this.error;
    // Most chunks of a trickled frame complete nothing: no array for them.
    let frames: Uint8Array[] | null = null;
    const end = chunk.length;
    let at = 0;
    while (at < end) {
      const acc = this.frame;
      if (!acc.busy) {
        if (end - at < 4) {
          acc.begin(4);
          this.inLengthWord = true;
        } else {
          const len = this.checkLength(readUint32(chunk, at));
          if (end - at >= len) {
            (frames ??= []).push(chunk.subarray(at, at + len));
            at += len;
            continue;
          }
          acc.begin(len);
        }
      }
      at += acc.append(chunk, at);
      if (!acc.complete) break;
      if (this.inLengthWord) {
        this.inLengthWord = false;
        acc.extend(this.checkLength(readUint32(acc.view(), 0)) - 4);
        continue;
      }
      (frames ??= []).push(acc.take());
    }
    return frames ?? NO_FRAMES;
  }

  /** Drops the frame under way (the connection is gone): its buffer is freed at once. */
  discard(): void {
    this.frame.reset();
    this.inLengthWord = false;
  }

  /** Bytes received of the frame under way. */
  get pending(): number {
    return this.frame.length;
  }

  /** Bytes allocated for the frame under way (for memory accounting). */
  get bufferedCapacity(): number {
    return this.frame.capacity;
  }

  private checkLength(len: number): number {
    if (len < MIN_FRAME)
      this.error = new FramingError(
        `frame length ${len} is below the minimum ${MIN_FRAME}`,
      );
    else if (len > this.maxFrame)
      this.error = new FramingError(
        `frame length ${len} exceeds the limit ${this.maxFrame}`,
      );
    if (this.error) {
      this.frame.reset();
      throw this.error;
    }
    return len;
  }
}

const NO_FRAMES: readonly Uint8Array[] = Object.freeze([]);

function readUint32(b: Uint8Array, at: number): number {
  return (
    ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0
  );
}

/** A writer sized for RPC messages: refuses to grow past libvirt's message limit. */
export function createMessageWriter(): XdrWriter {
  return new XdrWriter(
    64 * 1024,
    VIR_NET_MESSAGE_MAX + VIR_NET_MESSAGE_LEN_MAX,
  );
}
