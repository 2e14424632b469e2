// Memory and fairness against hostile peers, in-process: a frame trickled one byte at a time
// does not slow anyone else down, a thousand connections parked on maximum-size frames cost what
// they sent (within the documented budget) and give it back when they close, the budgets close
// the biggest holder and count it, keepalive is refreshed by whole messages only and judges a
// peer only after reading what it sent.
import { spawn } from "node:child_process";
import { setPriority } from "node:os";
import type { Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  DEFAULT_SERVER_LIMITS,
  RpcConnection,
} from "../../src/runtime/index.js";
import {
  ECHO,
  callHead,
  collectGarbage,
  rawSocket,
  startEchoServer,
  u32,
  waitUntil,
  type EchoServer,
} from "../support/echo-server.js";

let srv: EchoServer | null = null;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await srv?.close();
  srv = null;
});

const MiB = 1024 * 1024;

/** Connects, retrying while the listener's backlog is full (EAGAIN on unix sockets). */
async function connectRetrying(path: string): Promise<Socket> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await rawSocket(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN" || attempt > 50)
        throw e;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
const p99 = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.99)]!;

/**
 * Runs `script` in a child node process; resolves with its stdout once it exits with 0. `nice`:
 * its scheduling priority; a hostile peer is normally on another machine, and here its CPU use
 * should not be what slows the server down.
 */
function child(
  script: string,
  args: string[],
  nice = 0,
  /** Called with the child's stdin whenever it prints a line that says `half`. */
  onHalf?: (stdin: NodeJS.WritableStream) => void,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["-e", script, ...args], {
      stdio: [onHalf ? "pipe" : "ignore", "pipe", "pipe"],
    });
    if (nice && p.pid !== undefined) setPriority(p.pid, nice);
    let out = "";
    let err = "";
    p.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      if (onHalf && /^half$/m.test(out)) {
        out = out.replace(/^half\n/m, "");
        onHalf(p.stdin!);
      }
    });
    p.stderr.on("data", (c: Buffer) => (err += c.toString()));
    p.on("exit", (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`child exited ${code}: ${err}`)),
    );
  });
}

// Writes a 1 MiB \`blob\` call one byte per write, then prints the reply's value. Halfway it
// prints "half" and waits for a line on stdin: the server then holds half a frame.
const TRICKLER = `
const net = require("node:net");
const [path, n] = process.argv.slice(1);
const len = Number(n), padded = (len + 3) & ~3, f = Buffer.alloc(32 + padded);
f.writeUInt32BE(f.length, 0); f.writeUInt32BE(${ECHO.program}, 4); f.writeUInt32BE(1, 8);
f.writeUInt32BE(2, 12); f.writeUInt32BE(0, 16); f.writeUInt32BE(1, 20); f.writeUInt32BE(0, 24);
f.writeUInt32BE(len, 28);
const s = net.createConnection(path, async () => {
  let reply = Buffer.alloc(0);
  s.on("data", (c) => {
    reply = Buffer.concat([reply, c]);
    if (reply.length >= 32) { console.log(reply.readUInt32BE(28)); s.destroy(); }
  });
  for (let i = 0; i < f.length; i++) {
    s.write(f.subarray(i, i + 1));
    if ((i & 1023) === 1023) await new Promise((r) => setImmediate(r));
    if (i === f.length >> 1) {
      while (s.writableLength > 0) await new Promise((r) => setImmediate(r));
      console.log("half");
      await new Promise((r) => process.stdin.once("data", r));
      process.stdin.pause();
    }
  }
});
s.on("error", (e) => { console.error(e.message); process.exit(1); });
`;

describe("a frame trickled one byte at a time", () => {
  it("does not hold up another client, and the server stays within its budget", async () => {
    srv = await startEchoServer();
    const { server } = srv;
    const conn = await RpcConnection.connect({ path: srv.path });
    const rssBefore = process.memoryUsage().rss;
    const payload = MiB - 32;
    let done = false;
    // While the server holds half the trickled frame, another client's calls are answered: 20
    // of them, then the trickle goes on (an order, not a timing: a server that read the frame
    // before anything else would never answer them, and the test would time out here).
    let answeredMidFrame = -1;
    const trickle = child(
      TRICKLER,
      [srv.path, String(payload)],
      10,
      (stdin) =>
        void (async () => {
          for (let i = 0; i < 20; i++)
            expect((await conn.call(ECHO, u32, { v: i }, u32)).v).toBe(i + 1);
          answeredMidFrame = 20;
          stdin.write("go\n");
        })(),
    ).finally(() => (done = true));
    const latencies: number[] = [];
    let peakRss = 0;
    while (!done) {
      const t0 = performance.now();
      const r = await conn.call(ECHO, u32, { v: latencies.length }, u32);
      latencies.push(performance.now() - t0);
      expect(r.v).toBe(latencies.length);
      if ((latencies.length & 63) === 0)
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    // The frame was reassembled exactly: the server answered with its length.
    expect(Number((await trickle).trim())).toBe(payload);
    await conn.close();
    console.log(
      `trickle: ${latencies.length} calls meanwhile, p99 ${p99(latencies).toFixed(2)} ms, max ${Math.max(...latencies).toFixed(1)} ms; server peak ${server.stats.peakMemory} bytes accounted, RSS +${((peakRss - rssBefore) / MiB).toFixed(1)} MiB`,
    );
    expect(answeredMidFrame).toBe(20);
    // Latency while the trickle runs is printed above, not asserted: a wall-clock bound fails
    // on a loaded machine for reasons that are not the server's.
    expect(latencies.length).toBeGreaterThan(0);
    // What the server held for the trickled frame: at most twice what had arrived (the frame
    // buffer doubles), far inside its budget; before, each byte cost a chunk object (~100-200
    // bytes): 1 MiB would have been 100-200 MiB.
    expect(server.stats.peakMemory).toBeLessThanOrEqual(2 * MiB + 64 * 1024);
    expect(server.stats.peakMemory).toBeLessThanOrEqual(
      server.limits.maxServerMemory,
    );
    expect(peakRss - rssBefore).toBeLessThan(64 * MiB);
  }, 120_000);
});

describe("memory budgets", () => {
  it("1,000 connections parked on maximum-size frames hold what they sent, within the budget, and give it back", async () => {
    srv = await startEchoServer();
    const { server } = srv;
    const N = 1000;
    const SENT = 64 * 1024;
    const BUDGET = DEFAULT_SERVER_LIMITS.maxServerMemory;
    const body = new Uint8Array(SENT - 28);
    collectGarbage();
    const before = process.memoryUsage();
    const wave = async () => {
      for (let i = 0; i < N; i += 25) {
        // In batches, each accepted before the next: a unix socket's backlog is finite.
        const batch = await Promise.all(
          Array.from({ length: Math.min(25, N - i) }, () =>
            connectRetrying(srv!.path),
          ),
        );
        for (const s of batch) {
          s.on("error", () => {});
          s.write(callHead(server.limits.maxMessage));
          s.write(body);
          sockets.push(s);
        }
        await waitUntil(
          () => server.clients.size === sockets.length,
          30_000,
          "the server to accept a batch",
        );
      }
      await waitUntil(
        () => server.stats.memory >= N * SENT,
        60_000,
        "every connection's 64 KiB to arrive",
      );
      collectGarbage();
      const loaded = process.memoryUsage();
      expect(server.clients.size).toBe(N);
      expect(server.stats.droppedOverServerBudget).toBe(0);
      // What a client sent, not what it announced (32 MiB each would be 32 GiB).
      for (const c of server.clients)
        expect(c.accountedMemory).toBeLessThanOrEqual(2 * SENT);
      const held = server.stats.memory;
      expect(held).toBeLessThanOrEqual(BUDGET);
      // The process agrees with the accounting (the clients' side lives here too).
      expect(loaded.arrayBuffers - before.arrayBuffers).toBeLessThan(BUDGET);
      expect(loaded.rss - before.rss).toBeLessThan(BUDGET);

      for (const s of sockets.splice(0)) s.destroy();
      await waitUntil(
        () => server.clients.size === 0,
        30_000,
        "the server to see every close",
      );
      expect(server.stats.memory).toBe(0);
      // Backing stores are freed by a background sweeper after a collection: give it a moment.
      let after = process.memoryUsage();
      for (let i = 0; i < 20; i++) {
        await new Promise((r) => setTimeout(r, 50));
        collectGarbage();
        after = process.memoryUsage();
        if (after.arrayBuffers - before.arrayBuffers < 8 * MiB) break;
      }
      const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`;
      console.log(
        `1000 parked connections: server held ${mib(held)} (budget ${mib(BUDGET)}); process arrayBuffers +${mib(loaded.arrayBuffers - before.arrayBuffers)} loaded, +${mib(after.arrayBuffers - before.arrayBuffers)} after close; RSS +${mib(loaded.rss - before.rss)} loaded, +${mib(after.rss - before.rss)} after close`,
      );
      expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(8 * MiB);
      return after.rss;
    };
    const rss1 = await wave();
    // The allocator keeps freed pages for reuse, so RSS stays at its high-water mark; a second
    // wave reuses them instead of growing: nothing leaked.
    const rss2 = await wave();
    expect(rss2 - rss1).toBeLessThan(32 * MiB);
  }, 120_000);

  it("a connection over its own budget is closed and counted", async () => {
    srv = await startEchoServer({ maxClientMemory: 256 * 1024 });
    const { server } = srv;
    const small = await rawSocket(srv.path);
    const big = await rawSocket(srv.path);
    sockets.push(small, big);
    small.write(callHead(MiB));
    small.write(new Uint8Array(100 * 1024));
    const closed = new Promise((r) => big.on("close", r));
    big.write(callHead(MiB));
    big.write(new Uint8Array(300 * 1024));
    await closed;
    expect(server.stats.droppedOverClientBudget).toBe(1);
    expect(server.clients.size).toBe(1);
    expect(srv.logs.join("\n")).toMatch(/over its budget of 262144/);
  });

  it("over the server's budget, the connection holding the most is closed first", async () => {
    srv = await startEchoServer({ maxServerMemory: 4 * MiB });
    const { server } = srv;
    // Four connections of 300 KiB: at most 2.4 MiB accounted (a frame buffer holds at most
    // twice what arrived).
    const peers: Socket[] = [];
    for (let i = 0; i < 4; i++) {
      const s = await rawSocket(srv.path);
      s.write(callHead(8 * MiB));
      s.write(new Uint8Array(300 * 1024 - 28));
      peers.push(s);
      sockets.push(s);
    }
    await waitUntil(
      () => server.stats.memory >= 4 * 300 * 1024,
      10_000,
      "the first 1.2 MiB",
    );
    // 3 MiB more: over 4 MiB in all, and the crossing happens only once this sender holds
    // more than 1.6 MiB, more than any other: it is closed, nobody else.
    const last = await rawSocket(srv.path);
    sockets.push(last);
    const lastClosed = new Promise((r) => last.on("close", r));
    last.on("error", () => {});
    last.write(callHead(8 * MiB));
    last.write(new Uint8Array(3 * MiB - 28));
    await lastClosed;
    expect(server.stats.droppedOverServerBudget).toBe(1);
    expect(server.stats.droppedOverClientBudget).toBe(0);
    expect(server.clients.size).toBe(4);
    expect(peers.every((p) => !p.destroyed)).toBe(true);
    expect(server.stats.memory).toBeLessThanOrEqual(4 * MiB);
  });
});

describe("keepalive", () => {
  it("a peer trickling a frame that never completes is dropped; whole messages keep a peer alive", async () => {
    srv = await startEchoServer({ keepaliveInterval: 0.1, keepaliveCount: 2 });
    const { server } = srv;
    // A well-behaved client answers the server's PINGs.
    const healthy = await RpcConnection.connect({ path: srv.path });
    const trickler = await rawSocket(srv.path);
    sockets.push(trickler);
    const closed = new Promise((r) => trickler.on("close", r));
    trickler.write(callHead(MiB));
    const timer = setInterval(() => trickler.write(Uint8Array.of(0)), 20);
    try {
      await closed;
    } finally {
      clearInterval(timer);
    }
    expect(server.stats.droppedByKeepalive).toBe(1);
    await new Promise((r) => setTimeout(r, 400));
    expect(healthy.closed).toBe(false);
    expect((await healthy.call(ECHO, u32, { v: 1 }, u32)).v).toBe(2);
    await healthy.close();
  });

  it("after a stall longer than interval x (count + 1), a client whose messages wait unread is not dropped", async () => {
    srv = await startEchoServer({ keepaliveInterval: 0.1, keepaliveCount: 1 });
    const { server } = srv;
    // Another process pings the server every 30 ms, like a busy libvirt client.
    const PINGER = `
const net = require("node:net");
const f = Buffer.alloc(28);
f.writeUInt32BE(28, 0); f.writeUInt32BE(0x6b656570, 4); f.writeUInt32BE(1, 8);
f.writeUInt32BE(1, 12); f.writeUInt32BE(2, 16);
const s = net.createConnection(process.argv[1], () => {
  const t = setInterval(() => s.write(f), 30);
  setTimeout(() => { clearInterval(t); s.end(); }, Number(process.argv[2]));
});
s.on("data", () => {});
s.on("error", () => process.exit(1));
`;
    const pinger = child(PINGER, [srv.path, "1500"]);
    await waitUntil(() => server.clients.size === 1, 10_000, "the pinger");
    await new Promise((r) => setTimeout(r, 300));
    // This process (the server's) is stuck for 600 ms: 3x the keepalive limit of 200 ms.
    const until = Date.now() + 600;
    while (Date.now() < until);
    await new Promise((r) => setTimeout(r, 300));
    expect(server.stats.droppedByKeepalive).toBe(0);
    expect(server.clients.size).toBe(1);
    await pinger;
  });
});
