// RecordWriter's batching: what a server answers synchronously while handling one read goes out
// in one write as soon as the batch ends (no tick in between), while a record queued outside a
// batch (an asynchronous handler's answer) still waits for the next tick, with the others of
// that turn.
import { describe, expect, it } from "vitest";
import { RecordWriter } from "../../src/runtime/oncrpc/record-writer.js";

const LAST = 0x80000000;

function recording() {
  const writes: number[][] = [];
  const writer = new RecordWriter((bytes) => {
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const words: number[] = [];
    for (let o = 0; o < bytes.byteLength; o += 4) words.push(v.getUint32(o));
    writes.push(words);
    return true;
  });
  return { writes, writer };
}

const tick = () => new Promise<void>((r) => process.nextTick(r));

describe("RecordWriter.batch", () => {
  it("writes the records of a batch in one write when the batch ends", async () => {
    const { writes, writer } = recording();
    writer.batch(() => {
      writer.record((w) => w.uint(1));
      writer.record((w) => w.uint(2));
      expect(writes).toEqual([]); // nothing before the batch ends
    });
    expect(writes).toEqual([[(LAST | 4) >>> 0, 1, (LAST | 4) >>> 0, 2]]);
    await tick();
    expect(writes).toHaveLength(1); // and no second, empty write on the tick
  });

  it("leaves records queued outside a batch to the next tick", async () => {
    const { writes, writer } = recording();
    writer.record((w) => w.uint(7));
    expect(writes).toEqual([]);
    await tick();
    expect(writes).toEqual([[(LAST | 4) >>> 0, 7]]);
  });

  it("takes a record queued before the batch along with the batch's", () => {
    const { writes, writer } = recording();
    writer.record((w) => w.uint(1));
    writer.batch(() => writer.record((w) => w.uint(2)));
    expect(writes).toEqual([[(LAST | 4) >>> 0, 1, (LAST | 4) >>> 0, 2]]);
  });

  it("flushes once for nested batches, at the outer end", () => {
    const { writes, writer } = recording();
    writer.batch(() => {
      writer.batch(() => writer.record((w) => w.uint(1)));
      expect(writes).toEqual([]);
      writer.record((w) => w.uint(2));
    });
    expect(writes).toHaveLength(1);
  });

  it("still writes what was queued when the batch throws", () => {
    const { writes, writer } = recording();
    expect(() =>
      writer.batch(() => {
        writer.record((w) => w.uint(3));
        throw new Error("handler bug");
      }),
    ).toThrow("handler bug");
    expect(writes).toEqual([[(LAST | 4) >>> 0, 3]]);
  });
});
