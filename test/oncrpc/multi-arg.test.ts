// rpcgen's multi-argument procedures (`rpcgen -N`, test/fixtures/oncrpc/onc_multi.x) on the wire,
// both ways against C peers built with `rpcgen -N`: our generated client calls the C server's
// two- and three-argument procedures, and the C client's transcript is the same whether it
// talks to the C server or to ours. The expected values are worked out by hand from the
// semantics written in the .x.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rpcgenPeersAvailable } from "./support.js";
import {
  buildMultiPeers,
  runCDemoClient,
  startBothServers,
  uniqueProgram,
  type BothServers,
  type DemoPeers,
} from "../support/oncrpc-peers.js";
import * as multi from "./generated/onc_multi/index.js";

/** onc_multi.x's semantics, as multi_server.c implements them. */
const handlers: multi.MultiV1Handlers = {
  multiAdd: (a, b) => (a + b) | 0,
  multiJoin: (left, right, times) => {
    let s = "";
    for (let i = 0; i < Math.min(times, 3); i++)
      if (s.length + left.length + right.length <= multi.MULTI_TEXT_MAX)
        s += left + right;
    return s;
  },
  multiMix: (p, shift, flip) => ({
    a: ((flip ? p.b : p.a) + Number(BigInt.asIntN(32, shift))) | 0,
    b: flip ? p.a : p.b,
  }),
  multiSum: (p, k) => (p ? Math.imul(p.a + p.b, k) : -k),
  multiNeg: (x) => -x | 0,
  multiPing: () => {},
};

/** What multi_client.c prints (see onc_multi.x for the semantics). */
const TRANSCRIPT = [
  "add 38",
  "join 0 []",
  "join 2 [ab-ab-]",
  "join 9 [ab-ab-ab-]",
  "mix flip=0 a=1003 b=-7",
  "mix flip=1 a=993 b=3",
  "sum pair -20",
  "sum null -5",
  "neg -12",
  "ping ok",
  "",
].join("\n");

const available = rpcgenPeersAvailable();

describe.skipIf(!available)(
  "onc_multi.x: rpcgen -N multi-argument procedures against rpcgen's C",
  () => {
    const program = uniqueProgram();
    let peers: DemoPeers;
    let servers: BothServers;

    beforeAll(async () => {
      peers = await buildMultiPeers();
      servers = await startBothServers(peers, program, [
        multi.multiV1Server(handlers, program),
      ]);
    }, 120_000);
    afterAll(() => servers?.stop());

    it("our client → the C server (rpcgen -N): arguments go out one after the other", async () => {
      const client = await multi.MultiV1Client.connect(
        { host: "127.0.0.1", port: servers.c.port },
        { program },
      );
      await client.nullProc();
      expect(await client.multiAdd(40, -2)).toBe(38);
      expect(await client.multiJoin("ab", "-", 0)).toBe("");
      expect(await client.multiJoin("ab", "-", 2)).toBe("ab-ab-");
      expect(await client.multiJoin("ab", "-", 9)).toBe("ab-ab-ab-");
      expect(await client.multiMix({ a: 3, b: -7 }, 1000n, false)).toEqual({
        a: 1003,
        b: -7,
      });
      expect(await client.multiMix({ a: 3, b: -7 }, 1000n, true)).toEqual({
        a: 993,
        b: 3,
      });
      expect(await client.multiSum({ a: 3, b: -7 }, 5)).toBe(-20);
      expect(await client.multiSum(null, 5)).toBe(-5);
      expect(await client.multiNeg(12)).toBe(-12);
      expect(await client.multiPing()).toBeUndefined();
      await client.close();
    });

    it("the C client (rpcgen -N stubs) → our server: the same transcript as against the C server", async () => {
      expect(await runCDemoClient(peers, servers.c.port, program)).toBe(
        TRANSCRIPT,
      );
      expect(await runCDemoClient(peers, servers.tsPort, program)).toBe(
        TRANSCRIPT,
      );
    });
  },
);
