// The client hands each batch of frames to its transport and never writes into that memory
// again: a plain Duplex that keeps every chunk it is given (as TLS and SSH transports queue what
// they are written) still holds, after several calls, exactly the frames each call sent.
import { Duplex } from "node:stream";
import { expect, it } from "vitest";
import {
  FrameReader,
  RpcConnection,
  parseFrame,
  type XdrCodec,
} from "../../src/runtime/index.js";
import { u32 } from "../support/hand-written-program.js";

const opaque: XdrCodec<{ data: Uint8Array }> = {
  name: "opaque",
  encode: (w, x) => w.varOpaque(x.data),
  decode: (r) => ({ data: r.varOpaque() }),
};

/** A transport that keeps every chunk as given (no copy) and never answers. */
function keepingDuplex(chunks: Uint8Array[], async: boolean): Duplex {
  return new Duplex({
    write(chunk: Uint8Array, _enc, cb) {
      chunks.push(chunk);
      if (async) setImmediate(cb);
      else cb();
    },
    read() {},
  });
}

for (const async of [false, true]) {
  it(`frames handed to a Duplex are never overwritten (${async ? "asynchronous" : "synchronous"} writes)`, async () => {
    const chunks: Uint8Array[] = [];
    const conn = new RpcConnection(keepingDuplex(chunks, async), {
      busyPollMs: 0,
    });
    const target = { program: 0x4242, version: 1, proc: 7 };
    const calls: Promise<unknown>[] = [];
    // Small batches (copied out of the writer) and a large one (handed over in its buffer).
    const sizes = [1, 2, 3, 40_000, 4, 5, 70_000, 6];
    for (const [i, size] of sizes.entries()) {
      const data = new Uint8Array(size).fill(i + 1);
      calls.push(
        conn.call(target, opaque, { data }, u32).catch(() => undefined),
      );
      // One call per batch: each flush reuses (or not) the outbox's buffer.
      await new Promise((r) => setImmediate(r));
    }
    conn.destroy();
    await Promise.all(calls);

    const reader = new FrameReader();
    const seen: number[] = [];
    for (const chunk of chunks) {
      for (const f of reader.push(chunk)) {
        const { header, body } = parseFrame(f);
        const { data } = opaque.decode(body);
        const i = header.serial - 1;
        expect(data.length).toBe(sizes[i]);
        expect(data.every((b) => b === i + 1)).toBe(true);
        seen.push(header.serial);
      }
    }
    expect(seen).toEqual(sizes.map((_, i) => i + 1));
    expect(reader.pending).toBe(0);
  });
}
