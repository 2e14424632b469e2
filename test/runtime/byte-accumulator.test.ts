// ByteAccumulator and FrameReader: exact reassembly whatever the chunking, memory that follows
// what has arrived (never the announced length), and handed-over buffers that are never
// written again. Timing is measured in bench/framing, not here.
import { describe, expect, it } from "vitest";
import {
  ByteAccumulator,
  MIN_CAPACITY,
} from "../../src/runtime/rpc/byte-accumulator.js";
import {
  FrameReader,
  FramingError,
  MIN_FRAME,
} from "../../src/runtime/rpc/framing.js";

function frameOf(len: number, fill: number): Uint8Array {
  const f = new Uint8Array(len).fill(fill);
  new DataView(f.buffer).setUint32(0, len);
  return f;
}

describe("ByteAccumulator", () => {
  it("collects a message from one-byte chunks, holding at most twice what arrived", () => {
    const acc = new ByteAccumulator();
    const n = 100_000;
    acc.begin(n);
    let allocations = 0;
    let lastCapacity = 0;
    let worstRatio = 0;
    const byte = new Uint8Array(1);
    for (let i = 0; i < n; i++) {
      byte[0] = i & 0xff;
      if (acc.append(byte) !== 1) throw new Error(`byte ${i} not taken`);
      if (acc.capacity !== lastCapacity) {
        allocations++;
        lastCapacity = acc.capacity;
        worstRatio = Math.max(
          worstRatio,
          acc.capacity / Math.max(MIN_CAPACITY, acc.length),
        );
      }
    }
    expect(worstRatio).toBeLessThanOrEqual(2);
    // Geometric growth: a logarithmic number of buffers, hence a linear number of copies.
    expect(allocations).toBeLessThan(25);
    expect(acc.complete).toBe(true);
    const out = acc.take();
    expect(out.length).toBe(n);
    for (let i = 0; i < n; i += 997) expect(out[i]).toBe(i & 0xff);
    expect(acc.busy).toBe(false);
    expect(acc.capacity).toBe(0);
  });

  it("takes only what the message lacks and reports it", () => {
    const acc = new ByteAccumulator();
    acc.begin(5);
    const chunk = Uint8Array.of(9, 1, 2, 3, 4, 5, 6, 7);
    expect(acc.append(chunk, 1)).toBe(5);
    expect([...acc.take()]).toEqual([1, 2, 3, 4, 5]);
  });

  it("extend() grows the message under way (record fragments)", () => {
    const acc = new ByteAccumulator();
    acc.begin(2);
    acc.append(Uint8Array.of(1, 2));
    expect(acc.complete).toBe(true);
    acc.extend(3);
    expect(acc.complete).toBe(false);
    acc.append(Uint8Array.of(3, 4, 5, 6));
    expect([...acc.take()]).toEqual([1, 2, 3, 4, 5]);
  });

  it("never writes into a buffer it handed over", () => {
    const acc = new ByteAccumulator();
    acc.begin(3);
    acc.append(Uint8Array.of(1, 2, 3));
    const first = acc.take();
    acc.begin(3);
    acc.append(Uint8Array.of(7, 8, 9));
    const second = acc.take();
    expect([...first]).toEqual([1, 2, 3]);
    expect([...second]).toEqual([7, 8, 9]);
  });

  it("rejects misuse and impossible lengths", () => {
    const acc = new ByteAccumulator();
    expect(() => acc.append(Uint8Array.of(1))).toThrow(/without begin/);
    expect(() => acc.begin(-1)).toThrow(RangeError);
    expect(() => acc.begin(2 ** 53)).toThrow(RangeError);
    acc.begin(2);
    expect(() => acc.begin(2)).toThrow(/under way/);
    expect(() => acc.take()).toThrow(/0 of 2/);
  });
});

describe("FrameReader", () => {
  it("reassembles the same frames whatever the chunk size", () => {
    const frames = [
      frameOf(MIN_FRAME, 1),
      frameOf(5000, 2),
      frameOf(70_000, 3),
      frameOf(MIN_FRAME + 4, 4),
    ];
    const stream = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
    let o = 0;
    for (const f of frames) {
      stream.set(f, o);
      o += f.length;
    }
    for (const size of [1, 3, 4, 5, 64, 4096, 65536, stream.length]) {
      const r = new FrameReader();
      const got: Uint8Array[] = [];
      for (let i = 0; i < stream.length; i += size)
        got.push(...r.push(stream.subarray(i, i + size)));
      expect(got.length).toBe(frames.length);
      got.forEach((g, i) =>
        expect(
          Buffer.from(g).equals(frames[i]!),
          `chunk ${size}, frame ${i}`,
        ).toBe(true),
      );
      expect(r.pending).toBe(0);
    }
  });

  it("keeps no view of a chunk once push returns (the caller may overwrite it)", () => {
    // The library tracer and the server hand over buffers they may reuse: a frame that spans
    // chunks must have been copied out of the earlier ones.
    const frames = [frameOf(MIN_FRAME + 8, 5), frameOf(3000, 6)];
    const stream = Buffer.concat(frames);
    for (const size of [1, 3, 5, 1000, 2999]) {
      const r = new FrameReader();
      const got: string[] = [];
      for (let i = 0; i < stream.length; i += size) {
        const piece = new Uint8Array(stream.subarray(i, i + size));
        for (const f of r.push(piece)) got.push(Buffer.from(f).toString("hex"));
        piece.fill(0xee);
      }
      expect(got).toEqual(frames.map((f) => Buffer.from(f).toString("hex")));
    }
  });

  it("buffers a forged maximum-size frame only as far as its bytes arrived", () => {
    const r = new FrameReader();
    const head = new Uint8Array(64 * 1024);
    new DataView(head.buffer).setUint32(0, 32 * 1024 * 1024);
    expect(r.push(head)).toEqual([]);
    expect(r.pending).toBe(head.length);
    expect(r.bufferedCapacity).toBeLessThanOrEqual(head.length * 2);
  });

  it("a bad length word is a FramingError, also when split, and stays one", () => {
    const r = new FrameReader(1000);
    expect(r.push(Uint8Array.of(0, 0))).toEqual([]);
    expect(() => r.push(Uint8Array.of(0x10, 0))).toThrow(FramingError);
    expect(() => r.push(frameOf(MIN_FRAME, 0))).toThrow(FramingError);
    const small = new FrameReader();
    expect(() => small.push(Uint8Array.of(0, 0, 0, 3))).toThrow(/below/);
  });
});
