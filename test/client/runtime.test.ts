// Pieces of the client runtime with inline inputs and outputs: libvirt URIs, and the message
// size limit (checked against libvirtd, which must never see an oversized message).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  parseLibvirtUri,
  RpcConnection,
  XdrError,
  type XdrCodec,
} from "virt-rpcgen/runtime";
import {
  REMOTE_PROC_CONNECT_GET_VERSION,
  REMOTE_PROC_CONNECT_OPEN,
  REMOTE_PROGRAM,
  REMOTE_PROTOCOL_VERSION,
  RemoteClient,
  xdr_remote_connect_get_version_ret,
  xdr_remote_connect_open_args,
} from "../../generated/remote_protocol/index.js";
import {
  requireTools,
  startLibvirtd,
  type Libvirtd,
} from "../support/libvirtd.js";

describe("parseLibvirtUri", () => {
  // As root, with no daemon socket anywhere and no libvirt.conf: the fixed parts of libvirt's
  // choice (the socket choice itself is compared with virsh in test/transports/).
  const root = { euid: 0, exists: () => false, clientConfig: {} };
  it.each([
    [
      "test+unix:///default?socket=/tmp/x/libvirt-sock",
      { path: "/tmp/x/libvirt-sock", name: "test:///default" },
    ],
    [
      "qemu+unix:///system?socket=/s&mode=legacy",
      { path: "/s", name: "qemu:///system" },
    ],
    [
      "test+unix:///default?socket=/s&foo=bar",
      { path: "/s", name: "test:///default?foo=bar" },
    ],
    [
      "qemu+tcp://host.example/system",
      { host: "host.example", port: 16509, name: "qemu:///system" },
    ],
    [
      "test+tcp://127.0.0.1:4000/default",
      { host: "127.0.0.1", port: 4000, name: "test:///default" },
    ],
    ["remote+unix:///?socket=/s", { path: "/s", name: "" }],
    [
      "test+unix:///default?socket=/s&name=test:///other",
      { path: "/s", name: "test:///other" },
    ],
    [
      "qemu:///system",
      { path: "/var/run/libvirt/libvirt-sock", name: "qemu:///system" },
    ],
  ])("%s", (uri, expected) => {
    expect(parseLibvirtUri(uri, "remote", root)).toEqual(expected);
  });

  it("picks the admin socket for the admin program", () => {
    expect(parseLibvirtUri("libvirtd:///system", "admin", root)).toEqual({
      path: "/run/libvirt/libvirt-admin-sock",
      name: "libvirtd:///system",
    });
    expect(parseLibvirtUri("virtqemud:///system", "admin", root)).toEqual({
      path: "/run/libvirt/virtqemud-admin-sock",
      name: "virtqemud:///system",
    });
  });

  it("refuses what libvirt refuses, and what it serves in-process, naming it", () => {
    expect(() => parseLibvirtUri("qemu+bogus://host/system")).toThrow(
      "libvirt URI 'qemu+bogus://host/system': transport in URL not recognised (should be tls|unix|ssh|ext|tcp|libssh2|libssh)",
    );
    expect(() => parseLibvirtUri("test:///default", "remote", root)).toThrow(
      "libvirt serves test:// URIs inside its client library",
    );
    expect(() =>
      parseLibvirtUri("test+ext:///default", "remote", root),
    ).toThrow("for 'ext' transport, command is required");
    expect(() => parseLibvirtUri("not a uri")).toThrow(
      "invalid libvirt URI 'not a uri'",
    );
  });
});

const haveLibvirtd = requireTools("libvirtd");

describe.skipIf(!haveLibvirtd)("message size limit", () => {
  let daemon: Libvirtd;
  beforeAll(async () => {
    daemon = await startLibvirtd();
  });
  afterAll(async () => {
    await daemon?.stop();
  });

  it("refuses to send a message over VIR_NET_MESSAGE_MAX, sends nothing, and carries on", async () => {
    const client = await RemoteClient.connect(daemon.uri);
    try {
      // 32 MiB of payload: with the header and length word, over libvirt's 32 MiB + 4 limit.
      const huge: XdrCodec<undefined> = {
        name: "huge",
        encode: (w) => w.raw(new Uint8Array(32 * 1024 * 1024)),
        decode: () => undefined,
      };
      const sentBefore = client.connection.stats.bytesSent;
      const target = {
        program: REMOTE_PROGRAM,
        version: REMOTE_PROTOCOL_VERSION,
        proc: REMOTE_PROC_CONNECT_GET_VERSION,
      };
      const e = await client.connection
        .call(target, huge, undefined, null)
        .catch((x: unknown) => x);
      expect(e).toBeInstanceOf(XdrError);
      expect((e as XdrError).code).toBe("message-too-large");
      expect((e as XdrError).message).toMatch(
        /exceeds libvirt's limit of 33554436 bytes/,
      );
      // The same connection still works: nothing of the refused message went out.
      expect(await client.connectGetVersion()).toBeGreaterThan(0n);
      expect(client.connection.stats.bytesSent - sentBefore).toBeLessThan(100);
    } finally {
      await client.close();
    }
  });

  it("rejects a field over its .x maximum before sending", async () => {
    const client = await RemoteClient.connect(daemon.uri);
    try {
      const e = await client
        .domainDefineXML("x".repeat(4 * 1024 * 1024 + 1))
        .catch((x: unknown) => x);
      expect(e).toBeInstanceOf(XdrError);
      expect((e as XdrError).code).toBe("length-exceeds-max");
      expect((e as XdrError).path).toEqual([
        "remote_domain_define_xml_args",
        "xml",
      ]);
      expect(await client.connectGetVersion()).toBeGreaterThan(0n);
    } finally {
      await client.close();
    }
  });

  it("does not busy-poll by default", async () => {
    const client = await RemoteClient.connect(daemon.uri);
    try {
      await Promise.all(
        Array.from({ length: 20 }, () => client.connectGetVersion()),
      );
      expect(client.connection.busyPollStats.hits).toBe(0);
      expect(client.connection.busyPollStats.windowMs).toBe(0);
    } finally {
      await client.close();
    }
  });

  it("busy-polls for replies with busyPollMs, only while calls are in flight", async () => {
    const client = await RemoteClient.connect(daemon.uri, { busyPollMs: 0.2 });
    try {
      const dom = await client.domainLookupByName("test");
      const infos = await Promise.all(
        Array.from({ length: 50 }, () => client.domainGetInfo(dom)),
      );
      expect(new Set(infos.map((i) => i.maxMem)).size).toBe(1);
      // Replies are read while spinning: libvirtd answers within ~50 µs here, inside the 0.2 ms
      // window. (Under a loaded CI machine single replies may come later and shrink the window,
      // so this looks for the first hit over up to 2000 sequential calls.)
      for (
        let i = 0;
        i < 2000 && client.connection.busyPollStats.hits === 0;
        i++
      )
        await client.connectGetVersion();
      expect(client.connection.busyPollStats.hits).toBeGreaterThan(0);
      // Idle now: the spinning stopped, so 200 ms cost (almost) no CPU.
      await new Promise((r) => setTimeout(r, 20));
      const before = process.cpuUsage();
      await new Promise((r) => setTimeout(r, 200));
      const used = process.cpuUsage(before);
      expect((used.user + used.system) / 1000).toBeLessThan(50);
    } finally {
      await client.close();
    }
  });

  it("a bare RpcConnection works without the handshake helpers", async () => {
    const conn = await RpcConnection.connect({ path: daemon.socket });
    try {
      // CONNECT_GET_VERSION before CONNECT_OPEN: libvirtd answers with an error, as a VirtError.
      const at = (proc: number) => ({
        program: REMOTE_PROGRAM,
        version: REMOTE_PROTOCOL_VERSION,
        proc,
      });
      await expect(
        conn.call(
          at(REMOTE_PROC_CONNECT_GET_VERSION),
          null,
          undefined,
          xdr_remote_connect_get_version_ret,
        ),
      ).rejects.toMatchObject({
        name: "VirtError",
        message: "internal error: hypervisor connection not open",
        code: 1, // VIR_ERR_INTERNAL_ERROR
      });
      await conn.call(
        at(REMOTE_PROC_CONNECT_OPEN),
        xdr_remote_connect_open_args,
        { name: "test:///default", flags: 0 },
        null,
      );
      const { hv_ver } = await conn.call(
        at(REMOTE_PROC_CONNECT_GET_VERSION),
        null,
        undefined,
        xdr_remote_connect_get_version_ret,
      );
      expect(hv_ver).toBe(2n);
    } finally {
      await conn.close();
    }
  });
});
