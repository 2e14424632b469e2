// onc_demo.x's generated client and server against rpcgen-built C peers (libtirpc, svc_run):
// our client calls every procedure of the C server, and the C client's transcript of every
// procedure is the same whether it talks to the C server or to ours.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rpcgenPeersAvailable } from "./support.js";
import {
  buildDemoPeers,
  runCDemoClient,
  startBothServers,
  uniqueProgram,
  type BothServers,
  type DemoPeers,
} from "../support/oncrpc-peers.js";
import {
  demoHandlers,
  demoItemFor,
  demoServerPrograms,
} from "./demo-server.js";
import * as demo from "./generated/onc_demo/index.js";

/** Decoded opaque data are views of the received bytes (Node Buffers); compare their bytes. */
function plain<T>(v: T): T {
  return JSON.parse(
    JSON.stringify(v, (_k, x: unknown) =>
      typeof x === "bigint"
        ? `${x}n`
        : x instanceof Uint8Array
          ? { bytes: Array.from(x) }
          : (x as { type?: string }) &&
              (x as { type?: string }).type === "Buffer"
            ? { bytes: (x as { data: number[] }).data }
            : x,
    ),
  ) as T;
}

const available = rpcgenPeersAvailable();

describe.skipIf(!available)(
  "onc_demo.x: generated TypeScript against rpcgen's C",
  () => {
    const program = uniqueProgram();
    let peers: DemoPeers;
    let servers: BothServers;

    beforeAll(async () => {
      peers = await buildDemoPeers();
      servers = await startBothServers(
        peers,
        program,
        demoServerPrograms(program),
      );
    });
    afterAll(() => servers?.stop());

    it("our client → the C server: every procedure of both versions", async () => {
      const v1 = await demo.DemoV1Client.connect(
        { host: "127.0.0.1", port: servers.c.port },
        { program },
      );
      await v1.nullProc();
      expect(await v1.demoEcho(-42)).toBe(-42);
      const item = demoItemFor("widget");
      expect(await v1.demoAdd({ item, replace: false })).toEqual({
        code: 0,
        total: 12,
      });
      expect(
        await v1.demoAdd({ item: { ...item, name: "" }, replace: true }),
      ).toEqual({
        code: 1,
        message: "empty name",
      });
      for (const name of ["", "missing", "abc", "abcd", "é"])
        expect(await v1.demoLookup(name)).toEqual(demoHandlers.lookup(name));
      const inventory = await v1.demoList();
      expect(inventory).toEqual(demoHandlers.list());
      expect(plain(await v1.demoStats(inventory))).toEqual(
        plain(demoHandlers.stats(inventory)),
      );
      const big = {
        items: Array.from({ length: 100 }, (_, i) => demoItemFor(`x${i}`)),
        revision: 0n,
      };
      expect(plain(await v1.demoStats(big))).toEqual(
        plain(demoHandlers.stats(big)),
      );
      expect(await v1.demoChain(0)).toBeNull();
      expect(await v1.demoChain(3)).toEqual(demoHandlers.chain(3));
      expect(await v1.demoChain(500)).toEqual(demoHandlers.chain(50));
      expect(await v1.demoReset()).toBeUndefined();
      // Many calls in flight on one connection, answered in order by svc_run.
      const many = await Promise.all(
        Array.from({ length: 64 }, (_, i) => v1.demoLookup(`n${i}`)),
      );
      expect(many).toEqual(
        Array.from({ length: 64 }, (_, i) => demoHandlers.lookup(`n${i}`)),
      );
      await v1.close();

      const v2 = await demo.DemoV2Client.connect(
        { host: "127.0.0.1", port: servers.c.port },
        { program },
      );
      expect(await v2.demoEcho2(21)).toBe(42);
      await v2.close();
    });

    it("our client over UDP → the C server", async () => {
      const v1 = await demo.DemoV1Client.connect(
        { host: "127.0.0.1", port: servers.c.udpPort, protocol: "udp" },
        { program },
      );
      expect(await v1.demoList()).toEqual(demoHandlers.list());
      await v1.close();
    });

    it("the C client → our server: the same transcript as against the C server", async () => {
      const fromC = await runCDemoClient(
        peers,
        servers.c.port,
        program,
        "script",
      );
      expect(fromC).toContain(
        "lookup abc status=0 {name=abc count=3 price=-3000",
      );
      expect(fromC.split("\n").length).toBeGreaterThan(10);
      expect(
        await runCDemoClient(peers, servers.tsPort, program, "script"),
      ).toBe(fromC);
    });

    it("our client → our server: the same answers as the C server gave", async () => {
      const ours = await demo.DemoV1Client.connect(
        { host: "127.0.0.1", port: servers.tsPort },
        { program },
      );
      const theirs = await demo.DemoV1Client.connect(
        { host: "127.0.0.1", port: servers.c.port },
        { program },
      );
      for (const call of [
        (x: demo.DemoV1Client) => x.demoList(),
        (x: demo.DemoV1Client) => x.demoChain(7),
        (x: demo.DemoV1Client) => x.demoLookup("zz"),
        (x: demo.DemoV1Client) => x.demoStats(demoHandlers.list()),
      ])
        expect(plain(await call(ours))).toEqual(plain(await call(theirs)));
      await ours.close();
      await theirs.close();
    });
  },
);
