// Hostile and broken peers against the example server process: garbage, truncated frames,
// forged length prefixes, a flood from one client, a client leaving mid-stream. After each,
// other clients (libvirt's virsh, and a raw peer) are still served, and the server never
// allocates what a length prefix claims (its resident memory is checked).
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  xdr_remote_domain_lookup_by_name_args,
  xdr_remote_domain_lookup_by_name_ret,
  xdr_remote_domain_screenshot_args,
  xdr_remote_connect_get_type_ret,
  xdr_remote_connect_open_args,
  xdr_remote_connect_supports_feature_args,
  xdr_remote_connect_supports_feature_ret,
} from "../../generated/remote_protocol/codecs.js";
import { requireTools, startLibvirtd, virsh } from "../support/libvirtd.js";
import {
  startExampleServer,
  type ExampleServer,
} from "../support/example-server.js";
import {
  RawPeer,
  VIR_NET_OK,
  VIR_NET_STREAM,
  decode,
  decodeError,
  type ReceivedFrame,
} from "../support/raw-rpc.js";

const haveVirsh = requireTools("virsh");
const CONNECT_GET_TYPE = 3;
const DOMAIN_LOOKUP_BY_NAME = 23;
const DOMAIN_SCREENSHOT = 211;
const CONNECT_OPEN = 1;
const SUPPORTS_FEATURE = 60;

function withTrailing(frame: Uint8Array, extra: number): Uint8Array {
  const f = new Uint8Array(frame.length + extra).fill(0x5a);
  f.set(frame);
  new DataView(f.buffer).setUint32(0, f.length);
  return f;
}

/** The same calls, each with bytes after its arguments; what came back, in comparable form. */
async function probeTrailing(socket: string): Promise<unknown[]> {
  const p = await RawPeer.connect(socket);
  const out: unknown[] = [];
  const summarize = (f: ReceivedFrame) =>
    f.header.status === 0
      ? { status: 0 }
      : { status: f.header.status, code: decodeError(f).code };
  p.write(
    withTrailing(
      p.frame({ proc: CONNECT_OPEN, serial: 1 }, xdr_remote_connect_open_args, {
        name: "test:///default",
        flags: 0,
      }),
      8,
    ),
  );
  out.push(summarize(await p.reply(1)));
  p.write(
    withTrailing(
      p.frame(
        { proc: SUPPORTS_FEATURE, serial: 2 },
        xdr_remote_connect_supports_feature_args,
        { feature: 10 },
      ),
      4,
    ),
  );
  const r = await p.reply(2);
  out.push(summarize(r));
  if (r.header.status === 0)
    out.push(decode(xdr_remote_connect_supports_feature_ret, r));
  out.push({ stillOpen: !p.closed });
  p.close();
  return out;
}

describe.skipIf(!haveVirsh)("the example server under abuse", () => {
  let srv: ExampleServer;
  beforeAll(async () => {
    srv = await startExampleServer(["--quiet"]);
  });
  afterAll(() => srv?.stop());

  const rssKiB = () =>
    Number(
      /VmRSS:\s+(\d+)/.exec(
        readFileSync(`/proc/${srv.pid}/status`, "utf8"),
      )?.[1],
    );
  const stillServing = async () => {
    expect(await virsh(srv.uri, "domstate", "test")).toMatch(
      /^(running|shut off)\n/,
    );
    const p = await RawPeer.connect(srv.socket);
    p.send({ proc: CONNECT_GET_TYPE, serial: 99 });
    expect(decode(xdr_remote_connect_get_type_ret, await p.reply(99))).toEqual({
      type: "TEST",
    });
    p.close();
  };
  const closedByServer = async (p: RawPeer) => {
    await Promise.race([
      p.closedPromise,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error("server kept the connection")), 3000),
      ),
    ]);
  };

  it("garbage bytes: the sender is disconnected, nobody else notices", async () => {
    const http = await RawPeer.connect(srv.socket);
    http.write(Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n")); // length word 0x47455420
    await closedByServer(http);
    const junk = await RawPeer.connect(srv.socket);
    const bytes = Buffer.alloc(40, 0xa5);
    bytes.writeUInt32BE(40, 0); // plausible length, undecodable header (type 0xa5a5a5a5)
    junk.write(bytes);
    await closedByServer(junk);
    await stillServing();
  });

  it("truncated frames: a half-sent frame waits, bytes trickled one by one are reassembled", async () => {
    const half = await RawPeer.connect(srv.socket);
    const frame = half.frame({ proc: CONNECT_GET_TYPE, serial: 1 });
    half.write(frame.subarray(0, 17));
    await stillServing();
    half.close();

    const slow = await RawPeer.connect(srv.socket);
    const f2 = slow.frame({ proc: CONNECT_GET_TYPE, serial: 2 });
    for (const b of f2) {
      slow.write(Uint8Array.of(b));
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(
      decode(xdr_remote_connect_get_type_ret, await slow.reply(2)),
    ).toEqual({ type: "TEST" });
    slow.close();
    await stillServing();
  });

  it("oversized length prefixes: refused before any allocation", async () => {
    const before = rssKiB();
    for (const claimed of [0xffffffff, 0x7fffffff, 32 * 1024 * 1024 + 5, 3]) {
      const p = await RawPeer.connect(srv.socket);
      const head = Buffer.alloc(8);
      head.writeUInt32BE(claimed >>> 0, 0);
      p.write(head);
      await closedByServer(p);
    }
    // Claims just under the limit are accepted but only what arrives is buffered: 20 peers each
    // claiming 32 MiB would need 640 MiB if the server trusted the prefix.
    const holders: RawPeer[] = [];
    for (let i = 0; i < 20; i++) {
      const p = await RawPeer.connect(srv.socket);
      const head = Buffer.alloc(64);
      head.writeUInt32BE(32 * 1024 * 1024, 0);
      p.write(head);
      holders.push(p);
    }
    await stillServing();
    expect(rssKiB() - before).toBeLessThan(32 * 1024);
    for (const p of holders) {
      expect(p.closed).toBe(false);
      p.close();
    }
    await stillServing();
  });

  it("a flood of calls from one client: others are served meanwhile, memory stays bounded", async () => {
    const before = rssKiB();
    const flood = await RawPeer.connect(srv.socket);
    flood.socket.pause(); // never read a reply
    const one = flood.frame({ proc: CONNECT_GET_TYPE, serial: 1 });
    // 300,000 calls (8 MB); their replies (11 MB) exceed the output high-water mark (4 MiB).
    const burst = Buffer.alloc(one.length * 300_000);
    for (let i = 0; i < 300_000; i++) {
      burst.set(one, i * one.length);
      burst.writeUInt32BE(i + 1, i * one.length + 20); // serial
    }
    flood.write(burst);
    const t0 = Date.now();
    await stillServing();
    const ms = Date.now() - t0;
    expect(ms, `virsh took ${ms} ms during the flood`).toBeLessThan(10_000);
    // Replies nobody reads: output stops at the high-water mark, then input is not read either.
    const grown = rssKiB() - before;
    expect(grown, `resident memory grew by ${grown} KiB`).toBeLessThan(
      96 * 1024,
    );
    flood.close();
    await stillServing();
  });

  it("a client that disconnects mid-stream: the stream ends, the server goes on", async () => {
    const p = await RawPeer.connect(srv.socket);
    p.send(
      { proc: DOMAIN_LOOKUP_BY_NAME, serial: 1 },
      xdr_remote_domain_lookup_by_name_args,
      { name: "beta" },
    );
    const { dom } = decode(
      xdr_remote_domain_lookup_by_name_ret,
      await p.reply(1),
    );
    p.send(
      { proc: DOMAIN_SCREENSHOT, serial: 2 },
      xdr_remote_domain_screenshot_args,
      { dom, screen: 0, flags: 0 },
    );
    expect((await p.reply(2)).header.status).toBe(VIR_NET_OK);
    const data = await p.next((f) => f.header.type === VIR_NET_STREAM);
    expect(data.payload.length).toBeGreaterThan(0);
    p.close(); // 900 KB image: most of it still unsent
    await stillServing();
    // The same stream, read to the end by virsh, still works.
    expect(await virsh(srv.uri, "screenshot", "beta", "/dev/null")).toContain(
      "Screenshot saved to /dev/null",
    );
  });

  // libvirtd 9.0 decodes a call's arguments (virNetMessageDecodePayload) and ignores bytes after
  // them: the call succeeds and the connection stays. We answer exactly as it does.
  it("bytes after a call's arguments: answered as libvirtd answers them", async () => {
    const daemon = await startLibvirtd();
    try {
      const theirs = await probeTrailing(daemon.socket);
      expect(theirs).toEqual([
        { status: 0 },
        { status: 0 },
        { supported: 1 },
        { stillOpen: true },
      ]);
      expect(await probeTrailing(srv.socket)).toEqual(theirs);
    } finally {
      await daemon.stop();
    }
  });
});
