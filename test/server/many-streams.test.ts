// Many streams waiting for output room on one connection: no listener per waiter on the socket
// (Node warns past 10: MaxListenersExceededWarning), and every stream still completes once the
// peer reads.
import { afterEach, expect, it } from "vitest";
import {
  callHead,
  rawSocket,
  startEchoServer,
  waitUntil,
  PROC_DOWNLOAD,
  type EchoServer,
} from "../support/echo-server.js";
import { FrameReader, parseFrame } from "../../src/runtime/index.js";

let srv: EchoServer | null = null;
afterEach(async () => {
  await srv?.close();
  srv = null;
});

it("20 streams blocked on one connection's output: no MaxListenersExceededWarning, all finish", async () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on("warning", onWarning);
  try {
    srv = await startEchoServer({ outputHighWater: 256 * 1024 });
    const s = await rawSocket(srv.path);
    const STREAMS = 20;
    const PACKETS = 4;
    // 20 download calls (4 packets of 64 KiB each), then read nothing for a while: every
    // stream ends up waiting for the output buffer to drain.
    s.pause();
    const calls = new Uint8Array(32 * STREAMS);
    for (let serial = 1; serial <= STREAMS; serial++) {
      const f = callHead(32, PROC_DOWNLOAD);
      new DataView(f.buffer).setUint32(20, serial);
      const call = new Uint8Array(32);
      call.set(f);
      new DataView(call.buffer).setUint32(28, PACKETS);
      calls.set(call, 32 * (serial - 1));
    }
    s.write(calls);
    await new Promise((r) => setTimeout(r, 500));
    // Now read, and count the streams that end.
    const reader = new FrameReader();
    const ended = new Set<number>();
    s.on("data", (chunk: Buffer) => {
      for (const f of reader.push(chunk)) {
        const { header, body } = parseFrame(f);
        // The end of a stream: an empty VIR_NET_STREAM packet with status CONTINUE.
        if (
          header.type === 3 &&
          header.status === 2 &&
          body.offset === f.length
        )
          ended.add(header.serial);
      }
    });
    s.resume();
    await waitUntil(
      () => ended.size === STREAMS,
      20_000,
      "every stream to end",
    );
    s.destroy();
    expect(
      warnings.filter((w) => w.name === "MaxListenersExceededWarning"),
    ).toEqual([]);
  } finally {
    process.off("warning", onWarning);
  }
});
