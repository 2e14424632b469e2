// The client against a server that misbehaves on purpose (a raw unix-socket peer written here):
// a reply naming another procedure, a server that accepts and says nothing, a flood of PINGs
// from a peer that never reads, a flood of undecodable events.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import {
  FrameReader,
  RpcConnection,
  RpcProtocolError,
  parseFrame,
} from "../../src/runtime/index.js";
import { u32 } from "../support/hand-written-program.js";
import { RemoteClient } from "../../generated/remote_protocol/index.js";

let dir = "";
let server: Server | null = null;
const peers: Socket[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) p.destroy();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A unix-socket server running `onPeer` for each connection; resolves with its path. */
async function fakeServer(onPeer: (s: Socket) => void): Promise<string> {
  dir = mkdtempSync(join(tmpdir(), "rpcgen-hostile-"));
  const path = join(dir, "sock");
  server = createServer((s) => {
    peers.push(s);
    s.on("error", () => {});
    onPeer(s);
  });
  await new Promise<void>((r) => server!.listen(path, r));
  return path;
}

function frame(h: {
  prog: number;
  vers: number;
  proc: number;
  type: number;
  serial: number;
  status: number;
  body?: Uint8Array;
}): Buffer {
  const body = h.body ?? new Uint8Array(0);
  const f = Buffer.alloc(28 + body.length);
  f.writeUInt32BE(f.length, 0);
  f.writeUInt32BE(h.prog, 4);
  f.writeUInt32BE(h.vers, 8);
  f.writeUInt32BE(h.proc, 12);
  f.writeUInt32BE(h.type, 16);
  f.writeUInt32BE(h.serial, 20);
  f.writeUInt32BE(h.status, 24);
  f.set(body, 28);
  return f;
}

it("a reply with the call's serial but another procedure is not taken as its result", async () => {
  const path = await fakeServer((s) => {
    const reader = new FrameReader();
    s.on("data", (c: Buffer) => {
      for (const f of reader.push(c)) {
        const { header } = parseFrame(f);
        // Answer with the right serial, program and version, but procedure + 1.
        s.write(
          frame({
            ...header,
            proc: header.proc + 1,
            type: 1,
            status: 0,
            body: Uint8Array.of(0, 0, 0, 42),
          }),
        );
      }
    });
  });
  const conn = await RpcConnection.connect({ path }, { busyPollMs: 0 });
  const call = conn.call(
    { program: 0x77, version: 1, proc: 5 },
    u32,
    { v: 1 },
    u32,
  );
  await expect(call).rejects.toBeInstanceOf(RpcProtocolError);
  await expect(call).rejects.toThrow(/procedure 6, expected .* procedure 5/);
  await conn.close();
});

it("connect() gives up on a server that accepts and says nothing (timeoutMs; 30 s by default)", async () => {
  const path = await fakeServer(() => {});
  const t0 = Date.now();
  await expect(
    RemoteClient.connect(`test+unix:///default?socket=${path}`, {
      timeoutMs: 300,
    }),
  ).rejects.toThrow(/300 ms/);
  expect(Date.now() - t0).toBeLessThan(5000);
});

it("a peer that pings and never reads gets a bounded number of PONGs", async () => {
  const PINGS = 200_000;
  const ping = frame({
    prog: 0x6b656570,
    vers: 1,
    proc: 1,
    type: 2,
    serial: 0,
    status: 0,
  });
  const path = await fakeServer((s) => {
    s.pause(); // never reads
    const batch = Buffer.concat(Array.from({ length: 1000 }, () => ping));
    let sent = 0;
    const more = () => {
      while (sent < PINGS) {
        sent += 1000;
        if (!s.write(batch)) return void s.once("drain", more);
      }
    };
    more();
  });
  const conn = await RpcConnection.connect({ path }, { busyPollMs: 0 });
  const deadline = Date.now() + 30_000;
  while (conn.keepaliveStats.pingsReceived < PINGS && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  const st = conn.keepaliveStats;
  console.log(
    `${st.pingsReceived} PINGs: ${st.pongsSent} PONGs sent, ${st.pongsSkipped} skipped, ${conn.stats.bytesSent} bytes handed to the socket`,
  );
  expect(st.pingsReceived).toBe(PINGS);
  expect(st.pongsSent + st.pongsSkipped).toBe(PINGS);
  // Unbounded, that would be 200,000 × 28 bytes = 5.6 MB queued for a peer that never reads.
  expect(conn.stats.bytesSent).toBeLessThan(1024 * 1024);
  conn.destroy();
});

it("thousands of undecodable events make one process warning and a count, not thousands", async () => {
  const EVENTS = 20_000;
  const path = await fakeServer((s) => {
    const ev = frame({
      prog: 0x88,
      vers: 1,
      proc: 9,
      type: 2,
      serial: 0,
      status: 0,
    });
    s.write(Buffer.concat(Array.from({ length: EVENTS }, () => ev)));
  });
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on("warning", onWarning);
  try {
    const t0 = Date.now();
    const conn = await RpcConnection.connect({ path }, { busyPollMs: 0 });
    conn.onMessage(0x88, (_proc, body) => {
      body.uint(); // the event is empty: undecodable
    });
    const deadline = Date.now() + 20_000;
    while (conn.stats.eventsReceived < EVENTS && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(conn.stats.eventsReceived).toBe(EVENTS);
    await new Promise((r) => setTimeout(r, 1300));
    conn.destroy();
    // One warning and one count per second at most (a loaded machine may spread the events
    // over a few seconds): a handful, not 20,000.
    const seconds = Math.ceil((Date.now() - t0) / 1000);
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings.length).toBeLessThanOrEqual(2 * seconds + 1);
    expect(warnings.map((w) => w.message).join("\n")).toMatch(
      /\d+ more warnings like/,
    );
  } finally {
    process.off("warning", onWarning);
  }
});
