// The ONC-RPC client's transports and failure behaviour, against the rpcgen-built C server
// (TCP and UDP), rpcbind's unix socket and small misbehaving peers: many calls in flight,
// retransmission over UDP, timeouts, AbortSignal and the loss of the peer.
import { createSocket } from "node:dgram";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CallTimeoutError,
  ConnectionClosedError,
  OncRpcClient,
  authSys,
} from "../../src/runtime/index.js";
import type { XdrCodec } from "../../src/runtime/xdr/codec.js";
import { requireTools, rpcgenPeersAvailable } from "./support.js";
import {
  buildDemoPeers,
  ensureRpcbind,
  startCDemoServer,
  uniqueProgram,
  type CDemoServer,
} from "../support/oncrpc-peers.js";

const xdrInt: XdrCodec<number> = {
  name: "int",
  encode: (w, v) => w.int(v),
  decode: (r) => r.int(),
};
const available = rpcgenPeersAvailable();
const haveRpcbind = requireTools("rpcbind");

describe.skipIf(!available)("against the C server", () => {
  const program = uniqueProgram();
  const echo = { program, version: 1, proc: 1 };
  let c: CDemoServer;
  beforeAll(async () => {
    c = await startCDemoServer(await buildDemoPeers(), program);
  });
  afterAll(() => c?.stop());

  it("TCP: 200 calls in flight on one connection, each gets its own answer", async () => {
    const client = await OncRpcClient.connect({
      host: "127.0.0.1",
      port: c.port,
    });
    const values = Array.from({ length: 200 }, (_, i) => i * 7 - 500);
    expect(
      await Promise.all(
        values.map((v) => client.call(echo, xdrInt, v, xdrInt)),
      ),
    ).toEqual(values);
    expect(client.stats.repliesReceived).toBe(200);
    await client.close();
  });

  it("TCP with AUTH_SYS credentials", async () => {
    const client = await OncRpcClient.connect(
      { host: "127.0.0.1", port: c.port },
      { cred: authSys() },
    );
    expect(await client.call(echo, xdrInt, 3, xdrInt)).toBe(3);
    await client.close();
  });

  it("UDP: calls answered by libtirpc's svcudp", async () => {
    const client = await OncRpcClient.connect({
      host: "127.0.0.1",
      port: c.udpPort,
      protocol: "udp",
    });
    const values = [1, -2, 3, 0x7fffffff];
    expect(
      await Promise.all(
        values.map((v) => client.call(echo, xdrInt, v, xdrInt)),
      ),
    ).toEqual(values);
    expect(
      await client.call({ program, version: 2, proc: 1 }, xdrInt, 21, xdrInt),
    ).toBe(42);
    await client.close();
  });

  it("UDP: a lost datagram is retransmitted with the same xid", async () => {
    // A relay that drops the first datagram it sees and forwards the rest both ways.
    const relay = createSocket("udp4");
    const upstream = createSocket("udp4");
    let from: { address: string; port: number } | null = null;
    let seen = 0;
    const xids: number[] = [];
    relay.on("message", (m, rinfo) => {
      from = { address: rinfo.address, port: rinfo.port };
      xids.push(m.readUInt32BE(0));
      if (seen++ === 0) return;
      upstream.send(m, c.udpPort, "127.0.0.1");
    });
    upstream.on(
      "message",
      (m) => from && relay.send(m, from.port, from.address),
    );
    await new Promise<void>((r) => relay.bind(0, "127.0.0.1", r));
    const client = await OncRpcClient.connect(
      {
        host: "127.0.0.1",
        port: relay.address().port,
        protocol: "udp",
      },
      { retransmitMs: 50 },
    );
    expect(await client.call(echo, xdrInt, 11, xdrInt)).toBe(11);
    expect(client.stats.retransmissions).toBeGreaterThanOrEqual(1);
    expect(new Set(xids).size).toBe(1);
    await client.close();
    relay.close();
    upstream.close();
  });

  it("a call aborted with an AbortSignal rejects with its reason; the connection goes on", async () => {
    const client = await OncRpcClient.connect({
      host: "127.0.0.1",
      port: c.port,
    });
    const ac = new AbortController();
    const p = client.call(echo, xdrInt, 1, xdrInt, { signal: ac.signal });
    ac.abort(new Error("not needed any more"));
    await expect(p).rejects.toThrow("not needed any more");
    expect(await client.call(echo, xdrInt, 2, xdrInt)).toBe(2);
    await client.close();
  });

  it("abort and timeout free their calls (UDP: no more retransmissions); the late replies are counted and dropped", async () => {
    const tcp = await OncRpcClient.connect({
      host: "127.0.0.1",
      port: c.port,
    });
    const udp = await OncRpcClient.connect(
      { host: "127.0.0.1", port: c.udpPort, protocol: "udp" },
      { retransmitMs: 20 },
    );
    // The stopped server reads nothing until it is continued: every call waits.
    c.process.kill("SIGSTOP");
    try {
      const ac = new AbortController();
      const aborted = tcp
        .call(echo, xdrInt, 1, xdrInt, { signal: ac.signal })
        .catch((e: unknown) => e);
      const timed = tcp
        .call(echo, xdrInt, 2, xdrInt, { timeoutMs: 100 })
        .catch((e: unknown) => e);
      const udpAc = new AbortController();
      const udpAborted = udp
        .call(echo, xdrInt, 3, xdrInt, { signal: udpAc.signal })
        .catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 80));
      expect(tcp.pendingCalls).toBe(2);
      expect(udp.stats.retransmissions).toBeGreaterThanOrEqual(1);
      ac.abort(new Error("gave up"));
      udpAc.abort(new Error("gave up on UDP"));
      expect(((await aborted) as Error).message).toBe("gave up");
      expect(((await udpAborted) as Error).message).toBe("gave up on UDP");
      expect(udp.pendingCalls).toBe(0);
      const retransmitted = udp.stats.retransmissions;
      expect(await timed).toBeInstanceOf(CallTimeoutError);
      expect(tcp.pendingCalls).toBe(0);
      await new Promise((r) => setTimeout(r, 100)); // 5 retransmission intervals
      expect(udp.stats.retransmissions).toBe(retransmitted);
    } finally {
      c.process.kill("SIGCONT");
    }
    // The server answers both TCP calls now: neither has an owner any more.
    await expect.poll(() => tcp.stats.lateReplies, { timeout: 2000 }).toBe(2);
    expect(tcp.stats.repliesReceived).toBe(0);
    expect(await tcp.call(echo, xdrInt, 4, xdrInt)).toBe(4);
    expect(await udp.call(echo, xdrInt, 5, xdrInt)).toBe(5);
    await tcp.close();
    await udp.close();
  });
});

describe("peers that misbehave", () => {
  async function peer(
    onConnection: (s: Socket) => void,
  ): Promise<{ port: number; close(): void; closed(): Promise<void> }> {
    const server = createServer(onConnection);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return {
      port: (server.address() as AddressInfo).port,
      close: () => server.close(),
      /** Stops listening; resolves once the listening socket is closed (and its connections). */
      closed: () => new Promise<void>((r) => server.close(() => r())),
    };
  }

  it("a peer that never answers: CallTimeoutError", async () => {
    const p = await peer(() => {});
    const client = await OncRpcClient.connect({
      host: "127.0.0.1",
      port: p.port,
    });
    const e = await client
      .call(
        { program: 1, version: 1, proc: 1, label: "X_PROC" },
        xdrInt,
        1,
        xdrInt,
        {
          timeoutMs: 100,
        },
      )
      .catch((e: unknown) => e);
    expect(e).toBeInstanceOf(CallTimeoutError);
    expect((e as Error).message).toMatch(
      /X_PROC got no reply .* within 100 ms/,
    );
    client.destroy();
    p.close();
  });

  it("a peer that goes away: every pending call fails at once, later calls too", async () => {
    const p = await peer((s) => s.once("data", () => s.destroy()));
    const client = await OncRpcClient.connect({
      host: "127.0.0.1",
      port: p.port,
    });
    const target = { program: 1, version: 1, proc: 1 };
    const results = await Promise.allSettled(
      [1, 2, 3].map((v) => client.call(target, xdrInt, v, xdrInt)),
    );
    for (const r of results) {
      expect(r.status).toBe("rejected");
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(
        ConnectionClosedError,
      );
      expect(((r as PromiseRejectedResult).reason as Error).message).toMatch(
        /closed by the peer \(3 calls pending\)/,
      );
    }
    await expect(client.call(target, xdrInt, 4, xdrInt)).rejects.toBeInstanceOf(
      ConnectionClosedError,
    );
    p.close();
  });

  it("nobody listening: the connect fails with the transport's error", async () => {
    const p = await peer(() => {});
    const port = p.port;
    await p.closed();
    await expect(
      OncRpcClient.connect({ host: "127.0.0.1", port }),
    ).rejects.toThrow(/cannot connect to tcp:127.0.0.1:\d+: .*ECONNREFUSED/);
  });
});

describe.skipIf(!haveRpcbind)("over rpcbind's unix socket", () => {
  beforeAll(() => ensureRpcbind());
  it("the NULL procedure of RPCBPROG v4 is answered", async () => {
    const client = await OncRpcClient.connect({ path: "/run/rpcbind.sock" });
    expect(
      await client.call(
        { program: 100000, version: 4, proc: 0 },
        null,
        undefined,
        null,
      ),
    ).toBeUndefined();
    await client.close();
  });
});
