// Real messages from a real libvirtd (Debian's 9.0.0, test driver): the generated codecs decode
// them, re-encode them to exactly libvirt's bytes, and reject every truncation with an XdrError.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  decodeFromBytes,
  encodeToBytes,
  XdrError,
  type XdrCodec,
} from "virt-rpcgen/runtime";
import * as remote from "../../generated/remote_protocol/codecs.js";
import { RawPeer, VIR_NET_OK, VIR_NET_REPLY } from "../support/raw-rpc.js";
import {
  requireTool,
  startLibvirtd,
  type Libvirtd,
} from "../support/libvirtd.js";

const available = requireTool("libvirtd");

describe.skipIf(!available)("codecs on real libvirtd replies", () => {
  let daemon: Libvirtd;
  let peer: RawPeer;
  let serial = 0;
  const call = async <A>(
    proc: number,
    codec: XdrCodec<A> | null,
    args?: A,
  ): Promise<Uint8Array> => {
    const s = ++serial;
    peer.send({ proc, serial: s }, codec, args);
    const reply = await peer.next(
      (f) => f.header.serial === s && f.header.type === VIR_NET_REPLY,
    );
    expect(reply.header.status).toBe(VIR_NET_OK);
    return reply.payload;
  };

  beforeAll(async () => {
    daemon = await startLibvirtd();
    peer = await RawPeer.connect(daemon.socket);
    await call(
      remote.REMOTE_PROC_CONNECT_OPEN,
      remote.xdr_remote_connect_open_args,
      { name: "test:///default", flags: 0 },
    );
  });
  afterAll(async () => {
    peer?.socket.destroy();
    await daemon?.stop();
  });

  const cases: [string, () => Promise<Uint8Array>, XdrCodec<unknown>][] = [
    [
      "connectGetAllDomainStats",
      () =>
        call(
          remote.REMOTE_PROC_CONNECT_GET_ALL_DOMAIN_STATS,
          remote.xdr_remote_connect_get_all_domain_stats_args,
          { doms: [], stats: 0, flags: 0 },
        ),
      remote.xdr_remote_connect_get_all_domain_stats_ret,
    ],
    [
      "connectGetCapabilities",
      () => call(remote.REMOTE_PROC_CONNECT_GET_CAPABILITIES, null),
      remote.xdr_remote_connect_get_capabilities_ret,
    ],
  ];

  it.each(cases)(
    "%s: decodes, re-encodes to libvirt's exact bytes, rejects every truncation",
    async (_name, fetch, codec) => {
      const bytes = await fetch();
      expect(bytes.length).toBeGreaterThan(64);
      const value = decodeFromBytes(codec, bytes);
      expect(
        Buffer.from(encodeToBytes(codec, value)).equals(Buffer.from(bytes)),
      ).toBe(true);
      for (let k = 0; k < bytes.length; k++) {
        let err: unknown;
        try {
          decodeFromBytes(codec, bytes.subarray(0, k));
        } catch (e) {
          err = e;
        }
        expect(err, `truncated at ${k}`).toBeInstanceOf(XdrError);
      }
    },
  );

  it("the stats reply carries libvirt's typed parameters for domain test", async () => {
    const bytes = await cases[0]![1]();
    const ret = decodeFromBytes(
      remote.xdr_remote_connect_get_all_domain_stats_ret,
      bytes,
    );
    const test = ret.retStats.find((r) => r.dom.name === "test");
    expect(test).toBeDefined();
    const state = test!.params.find((p) => p.field === "state.state");
    expect(state?.value).toEqual({ type: 1, i: 1 }); // VIR_TYPED_PARAM_INT, VIR_DOMAIN_RUNNING
  });
});
