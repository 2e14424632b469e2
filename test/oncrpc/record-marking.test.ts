// RFC 5531 record marking (§11): multi-fragment records both ways with libtirpc's C peers, and
// malformed input (empty records, huge or endless fragments, truncated streams) that must end
// in a typed error or a dropped connection — never unbounded memory — while other connections
// go on being served.
import { createServer, type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AUTH_NONE_AUTH,
  ConnectionClosedError,
  OncRpcClient,
  RecordMarkingError,
  RecordReader,
  createOncRpcServer,
  type OncRpcServer,
} from "../../src/runtime/index.js";
import type { XdrCodec } from "../../src/runtime/xdr/codec.js";
import { rpcgenPeersAvailable } from "./support.js";
import {
  buildDemoPeers,
  runCDemoClient,
  startCDemoServer,
  uniqueProgram,
  type CDemoServer,
  type DemoPeers,
} from "../support/oncrpc-peers.js";
import {
  RawConnection,
  callMessage,
  fragmentHeaders,
  record,
  words,
} from "../support/oncrpc-raw.js";
import { demoServerPrograms } from "./demo-server.js";
import * as demo from "./generated/onc_demo/index.js";

const xdrInt: XdrCodec<number> = {
  name: "int",
  encode: (w, v) => w.int(v),
  decode: (r) => r.int(),
};

function header(length: number, last: boolean): Uint8Array {
  return words((last ? 0x80000000 : 0) | length);
}
function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

describe("RecordReader", () => {
  const message = Uint8Array.from({ length: 1000 }, (_, i) => i & 255);
  const fragmented = concat(
    header(0, false),
    header(300, false),
    message.subarray(0, 300),
    header(700, true),
    message.subarray(300),
    header(4, true),
    words(99),
  );

  it("reassembles fragments, whatever the chunking (byte by byte too)", () => {
    for (const chunk of [1, 3, 7, 64, fragmented.length]) {
      const r = new RecordReader();
      const got: Uint8Array[] = [];
      for (let i = 0; i < fragmented.length; i += chunk)
        got.push(...r.push(fragmented.subarray(i, i + chunk)));
      expect(got.map((g) => Buffer.from(g).toString("hex"))).toEqual([
        Buffer.from(message).toString("hex"),
        "00000063",
      ]);
      expect(r.idle).toBe(true);
    }
  });

  it("pushFragmented gives each record with its fragment sizes, whatever the chunking", () => {
    for (const chunk of [1, 5, 300, fragmented.length]) {
      const r = new RecordReader();
      const got: { hex: string; fragments: number[] }[] = [];
      for (let i = 0; i < fragmented.length; i += chunk)
        for (const f of r.pushFragmented(fragmented.subarray(i, i + chunk)))
          got.push({
            hex: Buffer.from(f.bytes).toString("hex"),
            fragments: f.fragments,
          });
      expect(got).toEqual([
        { hex: Buffer.from(message).toString("hex"), fragments: [0, 300, 700] },
        { hex: "00000063", fragments: [4] },
      ]);
    }
  });

  it("keeps no view of a chunk once push returns (the caller may overwrite it)", () => {
    // Tracers and the server hand over buffers they may reuse: a record that spans chunks
    // must have been copied out of the earlier ones.
    for (const chunk of [1, 3, 301, 700]) {
      const r = new RecordReader();
      const got: string[] = [];
      for (let i = 0; i < fragmented.length; i += chunk) {
        const piece = fragmented.slice(i, i + chunk);
        for (const f of r.pushFragmented(piece))
          got.push(Buffer.from(f.bytes).toString("hex"));
        piece.fill(0xee);
      }
      expect(got).toEqual([Buffer.from(message).toString("hex"), "00000063"]);
    }
  });

  it("with reusedInput, records are copied out of the chunk (runs of them at once)", () => {
    const small = (v: number) => concat(header(4, true), words(v));
    const stream = concat(
      small(1),
      small(2),
      fragmented,
      small(3),
      small(4),
      small(5),
    );
    const want = [1, 2]
      .map((v) => Buffer.from(words(v)).toString("hex"))
      .concat(Buffer.from(message).toString("hex"), "00000063")
      .concat([3, 4, 5].map((v) => Buffer.from(words(v)).toString("hex")));
    for (const chunk of [1, 7, 8, 20, 1100, stream.length]) {
      const r = new RecordReader({}, true);
      const buffer = new Uint8Array(chunk); // one buffer, refilled for every read
      const got: Uint8Array[] = [];
      for (let i = 0; i < stream.length; i += chunk) {
        const piece = stream.subarray(i, i + chunk);
        buffer.set(piece);
        got.push(...r.push(buffer.subarray(0, piece.length)));
      }
      buffer.fill(0xee);
      expect(got.map((g) => Buffer.from(g).toString("hex"))).toEqual(want);
      expect(r.idle).toBe(true);
    }
  });

  it("a fragment over the limit is refused from its header alone, before buffering", () => {
    const r = new RecordReader({ maxFragment: 1024, maxRecord: 4096 });
    expect(() => r.push(header(0x7fffffff, true))).toThrow(RecordMarkingError);
    expect(r.pending).toBe(0);
  });

  it("endless fragments without the last-fragment bit end at the record limit", () => {
    const r = new RecordReader({ maxFragment: 1024, maxRecord: 8192 });
    const fragment = concat(header(1020, false), new Uint8Array(1020));
    let sent = 0;
    expect(() => {
      for (let i = 0; i < 100; i++) {
        r.push(fragment);
        sent += fragment.length;
      }
    }).toThrow(/exceeds the limit of 8192 .*last-fragment/);
    expect(sent).toBeLessThanOrEqual(8192);
  });

  it("endless empty fragments end too (their headers count)", () => {
    const r = new RecordReader({ maxFragment: 1024, maxRecord: 4096 });
    expect(() =>
      r.push(concat(...Array.from({ length: 2000 }, () => header(0, false)))),
    ).toThrow(RecordMarkingError);
  });

  it("an empty record is an error", () => {
    expect(() => new RecordReader().push(header(0, true))).toThrow(
      /empty record/,
    );
  });

  it("a stream ending inside a record is an error", () => {
    const r = new RecordReader();
    r.push(concat(header(100, true), new Uint8Array(10)));
    expect(() => r.end()).toThrow(/ended inside a record \(14 bytes/);
    const headerOnly = new RecordReader();
    headerOnly.push(header(100, true));
    expect(headerOnly.pending).toBe(4);
    expect(() => headerOnly.end()).toThrow(/ended inside a record \(4 bytes/);
  });
});

const available = rpcgenPeersAvailable();

describe.skipIf(!available)(
  "multi-fragment records with libtirpc's C peers",
  () => {
    const program = uniqueProgram();
    let peers: DemoPeers;
    let c: CDemoServer;
    beforeAll(async () => {
      peers = await buildDemoPeers();
      // Replies over 256 bytes leave libtirpc in several fragments.
      c = await startCDemoServer(peers, program, { sendSize: 256 });
    });
    afterAll(() => c?.stop());

    it("libtirpc does fragment its replies here (so the next test reads real fragments)", async () => {
      const raw = await RawConnection.open(c.port);
      raw.write(
        record(
          callMessage(
            {
              xid: 1,
              prog: program,
              vers: 1,
              proc: 5,
              cred: AUTH_NONE_AUTH,
              verf: AUTH_NONE_AUTH,
            },
            words(50),
          ),
        ),
      );
      // The whole reply before hanging up: the C server writes it one fragment per write(),
      // and a peer gone mid-reply makes a later write fail with EPIPE (SIGPIPE).
      const reply = await raw.next();
      raw.close();
      expect(reply).not.toBeNull();
      // xid 1, REPLY, MSG_ACCEPTED, AUTH_NONE verifier, SUCCESS.
      expect(Buffer.from(reply!.subarray(0, 24)).toString("hex")).toBe(
        Buffer.from(words(1, 1, 0, 0, 0, 0)).toString("hex"),
      );
      const fragments = fragmentHeaders(raw.received());
      expect(fragments.length).toBeGreaterThan(1);
      expect(fragments.map((f) => f.last)).toEqual(
        fragments.map((_, i) => i === fragments.length - 1),
      );
      expect(fragments.reduce((sum, f) => sum + f.length, 0)).toBe(
        reply!.length,
      );
    });

    it("our client sends 16-byte fragments and reads libtirpc's fragmented replies", async () => {
      const client = await OncRpcClient.connect(
        { host: "127.0.0.1", port: c.port },
        { fragmentSize: 16 },
      );
      const chain = await client.call(
        { program, version: 1, proc: 5 },
        xdrInt,
        50,
        demo.xdr_demo_chain,
      );
      let n = 0;
      for (let node = chain; node; node = node.next) n++;
      expect(n).toBe(50);
      const inventory = {
        items: Array.from({ length: 40 }, (_, i) => ({
          name: `item${i}`,
          count: i,
          price: -1n,
          color: 0 as const,
          tag: new Uint8Array(4),
          rating: null,
        })),
        revision: 1n,
      };
      const stats = await client.call(
        { program, version: 1, proc: 7 },
        demo.xdr_demo_inventory,
        inventory,
        demo.xdr_demo_stats,
      );
      expect(stats.items).toBe(40n);
      expect(stats.counts).toEqual(Array.from({ length: 16 }, (_, i) => i));
      await client.close();
    });

    it("libtirpc's client reads our replies cut into 12-byte fragments", async () => {
      const server = createOncRpcServer({
        programs: demoServerPrograms(program),
        fragmentSize: 12,
      });
      const port = Number((await server.listen({ port: 0 })).split(":")[1]);
      const expected = await runCDemoClient(peers, c.port, program, "script");
      expect(await runCDemoClient(peers, port, program, "script")).toBe(
        expected,
      );
      await server.close();
    });
  },
);

describe("malformed record marking against our server", () => {
  const program = uniqueProgram();
  let server: OncRpcServer;
  let port: number;
  const logs: string[] = [];
  beforeAll(async () => {
    server = createOncRpcServer({
      programs: demoServerPrograms(program),
      limits: { record: { maxFragment: 64 * 1024, maxRecord: 256 * 1024 } },
      log: (l) => logs.push(l),
    });
    port = Number((await server.listen({ port: 0 })).split(":")[1]);
  });
  afterAll(() => server?.close());

  /** A well-behaved client that keeps calling while the bad ones do their worst. */
  async function stillServed(): Promise<void> {
    const client = await OncRpcClient.connect({ host: "127.0.0.1", port });
    expect(
      await client.call({ program, version: 1, proc: 1 }, xdrInt, 5, xdrInt),
    ).toBe(5);
    await client.close();
  }

  it.each([
    ["a zero-length record", header(0, true)],
    ["a fragment claiming 2 GiB", header(0x7fffffff, true)],
    ["a fragment just over the limit", header(64 * 1024 + 1, false)],
    ["a record that is not a call", concat(header(8, true), words(1, 1))],
    ["a record too short for a call header", concat(header(4, true), words(1))],
  ])(
    "%s: the connection is dropped, others are served",
    async (_name, bytes) => {
      const before = process.memoryUsage().arrayBuffers;
      const bad = await RawConnection.open(port);
      bad.write(bytes);
      expect(await bad.whenClosed()).toBe(true);
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(
        16 * 1024 * 1024,
      );
      await stillServed();
    },
  );

  it("endless fragments without the last-fragment bit: dropped at the record limit", async () => {
    const bad = await RawConnection.open(port);
    const fragment = concat(
      header(16 * 1024, false),
      new Uint8Array(16 * 1024),
    );
    let sent = 0;
    // Bounded: 1000 fragments (16 MiB) at most; the limit is 256 KiB.
    for (let i = 0; i < 1000 && !bad.closed; i++) {
      bad.socket.write(fragment);
      sent += fragment.length;
      await new Promise((r) => setImmediate(r));
    }
    expect(await bad.whenClosed()).toBe(true);
    expect(sent).toBeLessThan(16 * 1024 * 1024);
    expect(logs.some((l) => /without a last-fragment mark/.test(l))).toBe(true);
    await stillServed();
  });

  it("a truncated fragment: the half-sent call is never answered and the connection goes", async () => {
    const bad = await RawConnection.open(port);
    bad.write(concat(header(100, true), new Uint8Array(10)));
    bad.socket.end();
    expect(await bad.next(1000)).toBeNull();
    expect(await bad.whenClosed()).toBe(true);
    // 14: the fragment header and 10 bytes.
    expect(logs.some((l) => /ended inside a record \(14 bytes/.test(l))).toBe(
      true,
    );
    await stillServed();
  });

  it("a connection that stalls mid-record does not hold up the others", async () => {
    const stalled = await RawConnection.open(port);
    stalled.write(concat(header(100, true), new Uint8Array(50)));
    await stillServed();
    stalled.close();
  });
});

describe("malformed record marking against our client", () => {
  it.each([
    ["a fragment claiming 2 GiB", header(0x7fffffff, true)],
    ["a zero-length record", header(0, true)],
  ])(
    "%s: the pending call fails with ConnectionClosedError caused by RecordMarkingError",
    async (_n, bytes) => {
      const peer = createServer((s) => s.once("data", () => s.write(bytes)));
      await new Promise<void>((r) => peer.listen(0, "127.0.0.1", r));
      const client = await OncRpcClient.connect({
        host: "127.0.0.1",
        port: (peer.address() as AddressInfo).port,
      });
      const e = await client
        .call({ program: 1, version: 1, proc: 1 }, xdrInt, 1, xdrInt)
        .catch((e: unknown) => e);
      expect(e).toBeInstanceOf(ConnectionClosedError);
      expect((e as Error).cause).toBeInstanceOf(RecordMarkingError);
      peer.close();
    },
  );
});
