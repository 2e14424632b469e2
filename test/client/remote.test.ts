// The generated remote_protocol and admin_protocol clients against Debian's libvirtd (9.0.0)
// serving its built-in test driver. Every expectation comes from libvirt itself: virsh and
// virt-admin output over a second connection (the test driver's state is shared while our
// connection is open), libvirt's API description, the screenshot file libvirtd streams.
import { readFileSync } from "node:fs";
import { createServer, createConnection, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VirtError } from "virt-rpcgen/runtime";
import {
  REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
  REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
  REMOTE_PROC_CONNECT_GET_TYPE,
  REMOTE_PROC_DOMAIN_GET_STATE,
  RemoteClient,
  type remote_domain_event_callback_lifecycle_msg,
  type remote_nonnull_domain,
} from "../../generated/remote_protocol/index.js";
import { AdminClient } from "../../generated/admin_protocol/index.js";
import {
  requireTools,
  startLibvirtd,
  virsh,
  type Libvirtd,
} from "../support/libvirtd.js";
import { apiEnumValue, requireLibvirtApiXml } from "../support/libvirt-api.js";
import { execFileSync } from "node:child_process";

const haveLibvirtd = requireTools("libvirtd", "virsh");
const haveApi = requireLibvirtApiXml();
const haveVirtAdmin = requireTools("virt-admin");
const SCREENSHOT = "/usr/share/libvirt/test-screenshot.png";

/** virsh's error line for a failing command, without the `error: ` prefix. */
async function virshError(uri: string, ...args: string[]): Promise<string> {
  try {
    await virsh(uri, ...args);
  } catch (e) {
    const m = /error: (.*)$/m.exec((e as Error).message);
    if (m) return m[1]!.trim();
    throw e;
  }
  throw new Error(`virsh ${args.join(" ")} succeeded`);
}

describe.skipIf(!haveLibvirtd || !haveApi)(
  "remote client against libvirtd",
  () => {
    let daemon: Libvirtd;
    let remote: RemoteClient;
    let test: remote_nonnull_domain;

    beforeAll(async () => {
      daemon = await startLibvirtd();
      remote = await RemoteClient.connect(daemon.uri, { timeoutMs: 10_000 });
      test = await remote.domainLookupByName("test");
    });
    afterAll(async () => {
      await remote?.close();
      await daemon?.stop();
    });

    // close() sends CONNECT_CLOSE without waiting for the reply, and leaves the socket for
    // libvirtd to close: ending it first made libvirtd log "End of file while reading data"
    // now and then (when it read the end before it had ended the session itself).
    it("close() ends sessions without libvirtd logging an error", async () => {
      const before = daemon.output().length;
      for (let i = 0; i < 20; i++) {
        const c = await RemoteClient.connect(daemon.uri, { timeoutMs: 10_000 });
        await c.connectGetVersion();
        await c.close();
        expect(c.connection.closed).toBe(true);
      }
      await new Promise((r) => setTimeout(r, 500)); // late log lines
      expect(daemon.output().slice(before)).not.toMatch(/error|End of file/);
    });

    it("connects with the handshake and reads the hypervisor version virsh reports", async () => {
      const version = await remote.connectGetVersion();
      const out = await virsh(daemon.uri, "version");
      const m = /Running hypervisor: TEST (\d+)\.(\d+)\.(\d+)/.exec(out)!;
      expect(version).toBe(
        BigInt(m[1]!) * 1_000_000n + BigInt(m[2]!) * 1000n + BigInt(m[3]!),
      );
      expect(await remote.connectGetLibVersion()).toBe(9_000_000n);
    });

    it("lists all domains as virsh does", async () => {
      const { domains, ret } = await remote.connectListAllDomains(1);
      expect(ret).toBe(domains.length);
      const names = (await virsh(daemon.uri, "list", "--all", "--name"))
        .split("\n")
        .filter(Boolean);
      expect(domains.map((d) => d.name).sort()).toEqual(names.sort());
      expect(domains.map((d) => d.name)).toContain("test");
    });

    it('looks up domain "test" and reads the info virsh dominfo shows', async () => {
      expect(test.name).toBe("test");
      const info = await remote.domainGetInfo(test);
      const out = await virsh(daemon.uri, "dominfo", "test");
      const field = (k: string) =>
        new RegExp(`^${k}:\\s+(.*)$`, "m").exec(out)![1]!.trim();
      expect(Buffer.from(test.uuid).toString("hex")).toBe(
        field("UUID").replace(/-/g, ""),
      );
      expect(test.id).toBe(Number(field("Id")));
      expect(info.state).toBe(apiEnumValue("VIR_DOMAIN_RUNNING"));
      expect(field("State")).toBe("running");
      expect(`${info.maxMem} KiB`).toBe(field("Max memory"));
      expect(`${info.memory} KiB`).toBe(field("Used memory"));
      expect(String(info.nrVirtCpu)).toBe(field("CPU\\(s\\)"));
    });

    it("defines, starts, destroys and undefines a domain, with a lifecycle event for each", async () => {
      const name = `rpcgen-${process.pid}`;
      const events: remote_domain_event_callback_lifecycle_msg[] = [];
      const { callbackID } = await remote.call(
        REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
        {
          eventID: apiEnumValue("VIR_DOMAIN_EVENT_ID_LIFECYCLE"),
          dom: null,
        },
      );
      const off = remote.on("domainEventCallbackLifecycle", (m) => {
        if (m.callbackID === callbackID && m.msg.dom.name === name)
          events.push(m);
      });
      const next = async (event: string, detail: string) => {
        const m = await remote.once(
          "domainEventCallbackLifecycle",
          (e) => e.callbackID === callbackID && e.msg.dom.name === name,
        );
        return {
          m,
          expected: {
            event: apiEnumValue(event),
            detail: apiEnumValue(detail),
          },
        };
      };
      const expectEvent = async (p: ReturnType<typeof next>) => {
        const { m, expected } = await p;
        expect({ event: m.msg.event, detail: m.msg.detail }).toEqual(expected);
      };
      const state = async () =>
        (await virsh(daemon.uri, "domstate", name)).trim();

      const xml = `<domain type='test'><name>${name}</name><memory unit='KiB'>1048576</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>`;
      let ev = next(
        "VIR_DOMAIN_EVENT_DEFINED",
        "VIR_DOMAIN_EVENT_DEFINED_ADDED",
      );
      const dom = await remote.domainDefineXML(xml);
      await expectEvent(ev);
      expect(dom.name).toBe(name);
      expect(await state()).toBe("shut off");

      ev = next("VIR_DOMAIN_EVENT_STARTED", "VIR_DOMAIN_EVENT_STARTED_BOOTED");
      const started = await remote.domainCreateWithFlags(dom);
      await expectEvent(ev);
      expect(started.id).toBeGreaterThan(0);
      expect(await state()).toBe("running");
      expect((await remote.domainGetInfo(dom)).state).toBe(
        apiEnumValue("VIR_DOMAIN_RUNNING"),
      );

      ev = next(
        "VIR_DOMAIN_EVENT_STOPPED",
        "VIR_DOMAIN_EVENT_STOPPED_DESTROYED",
      );
      await remote.domainDestroy(started);
      await expectEvent(ev);
      expect(await state()).toBe("shut off");

      ev = next(
        "VIR_DOMAIN_EVENT_UNDEFINED",
        "VIR_DOMAIN_EVENT_UNDEFINED_REMOVED",
      );
      await remote.domainUndefine(dom);
      await expectEvent(ev);
      expect(await virshError(daemon.uri, "domstate", name)).toMatch(
        new RegExp(`failed to get domain '${name}'`),
      );

      off();
      await remote.call(
        REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
        { callbackID },
      );
      expect(events.map((e) => e.msg.event)).toEqual(
        [
          "VIR_DOMAIN_EVENT_DEFINED",
          "VIR_DOMAIN_EVENT_STARTED",
          "VIR_DOMAIN_EVENT_STOPPED",
          "VIR_DOMAIN_EVENT_UNDEFINED",
        ].map(apiEnumValue),
      );
    });

    it('streams the screenshot of domain "test": the bytes of test-screenshot.png', async () => {
      const { result: mime, stream } = await remote.domainScreenshot(test, 0);
      expect(mime).toBe("image/png");
      const chunks: Buffer[] = [];
      for await (const c of stream) chunks.push(c as Buffer);
      const bytes = Buffer.concat(chunks);
      const expected = readFileSync(SCREENSHOT);
      expect(bytes.length).toBe(expected.length);
      expect(bytes.equals(expected)).toBe(true);
      // The finish handshake ran: nothing is left registered, and the connection still works.
      expect(remote.connection.pendingCalls).toBe(0);
      expect((await remote.domainGetInfo(test)).state).toBe(
        apiEnumValue("VIR_DOMAIN_RUNNING"),
      );
    });

    it('domainMigrateStartPostCopy (procedure 364) reaches libvirtd and comes back "not supported"', async () => {
      const err = await remote.domainMigrateStartPostCopy(test).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(VirtError);
      const v = err as VirtError;
      expect(v.code).toBe(apiEnumValue("VIR_ERR_NO_SUPPORT"));
      expect(v.code).toBe(3);
      expect(v.codeName).toBe("VIR_ERR_NO_SUPPORT");
      expect(v.level).toBe(apiEnumValue("VIR_ERR_ERROR"));
      expect(v.message).toContain("virDomainMigrateStartPostCopy");
      // libvirt's own client gets the same error for the same call.
      expect(v.message).toBe(
        await virshError(daemon.uri, "migrate-postcopy", "test"),
      );
    });

    it("reaches procedures without a generated method through the typed call()", async () => {
      const { type } = await remote.call(
        REMOTE_PROC_CONNECT_GET_TYPE,
        undefined,
      );
      expect(`Using API: ${type} 9.0.0`).toBe(
        /Using API: .*/.exec(await virsh(daemon.uri, "version"))![0],
      );
      const st = await remote.call(REMOTE_PROC_DOMAIN_GET_STATE, {
        dom: test,
        flags: 0,
      });
      expect(st.state).toBe(apiEnumValue("VIR_DOMAIN_RUNNING"));
    });

    it("multiplexes hundreds of calls in flight by serial, each getting its own answer", async () => {
      const [version, hostname, info] = await Promise.all([
        remote.connectGetVersion(),
        remote.connectGetHostname(),
        remote.domainGetInfo(test),
      ]);
      const sent = remote.connection.stats.callsSent;
      const calls: Promise<unknown>[] = [];
      const expected: unknown[] = [];
      for (let i = 0; i < 300; i++) {
        switch (i % 4) {
          case 0:
            calls.push(remote.connectGetVersion());
            expected.push(version);
            break;
          case 1:
            calls.push(remote.connectGetHostname());
            expected.push(hostname);
            break;
          case 2:
            calls.push(remote.domainGetInfo(test).then((x) => x.maxMem));
            expected.push(info.maxMem);
            break;
          default:
            calls.push(
              remote
                .domainLookupByName(`no-such-domain-${i}`)
                .catch((e: VirtError) => e.message),
            );
            expected.push("Domain not found");
        }
      }
      expect(remote.connection.pendingCalls).toBe(300);
      expect(await Promise.all(calls)).toEqual(expected);
      expect(remote.connection.stats.callsSent - sent).toBe(300);
      expect(remote.connection.pendingCalls).toBe(0);
    });

    it("rejects with VirtError carrying the remote_error fields of a missing domain", async () => {
      const e = (await remote
        .domainLookupByName("nope")
        .catch((x: unknown) => x)) as VirtError;
      expect(e).toBeInstanceOf(VirtError);
      expect(e.code).toBe(apiEnumValue("VIR_ERR_NO_DOMAIN"));
      expect(e.codeName).toBe("VIR_ERR_NO_DOMAIN");
      expect(e.domain).toBe(apiEnumValue("VIR_FROM_TEST"));
      expect(e.domainName).toBe("VIR_FROM_TEST");
      expect(e.level).toBe(apiEnumValue("VIR_ERR_ERROR"));
      // virErrorMsg(VIR_ERR_NO_DOMAIN) with no detail (virsh hides it behind "failed to get domain").
      expect(e.message).toBe("Domain not found");
      expect(e.dom).toBeNull();
    });

    it("connects over TCP too (through a local TCP-to-unix relay)", async () => {
      const relay: Server = createServer((inbound) => {
        const out = createConnection(daemon.socket);
        inbound.pipe(out).pipe(inbound);
        const end = () => {
          inbound.destroy();
          out.destroy();
        };
        inbound.on("error", end).on("close", end);
        out.on("error", end).on("close", end);
      });
      await new Promise<void>((r) => relay.listen(0, "127.0.0.1", r));
      const port = (relay.address() as { port: number }).port;
      const overTcp = await RemoteClient.connect(
        `test+tcp://127.0.0.1:${port}/default`,
      );
      try {
        expect((await overTcp.domainLookupByName("test")).uuid).toEqual(
          test.uuid,
        );
        expect(overTcp.connection.peer).toBe(
          `test+tcp://127.0.0.1:${port}/default`,
        );
      } finally {
        await overTcp.close();
        await new Promise((r) => relay.close(r));
      }
      // CONNECT_CLOSE, then libvirtd hangs up: our doing, and reported so.
      expect((await overTcp.connection.whenClosed).message).toBe(
        `connection to test+tcp://127.0.0.1:${port}/default closed by the client`,
      );
    });

    it("fails with a clear error when there is no daemon at the URI", async () => {
      const uri = `test+unix:///default?socket=${daemon.dir}/no-such-sock`;
      await expect(RemoteClient.connect(uri)).rejects.toThrow(
        `cannot connect to ${uri}: connect ENOENT ${daemon.dir}/no-such-sock`,
      );
    });

    it.skipIf(!haveVirtAdmin)(
      "the admin client opens libvirtd's admin socket and lists its servers, as virt-admin does",
      async () => {
        const admin = await AdminClient.connect(
          `libvirtd:///system?socket=${daemon.adminSocket}`,
        );
        try {
          const { servers, ret } = await admin.connectListServers(1);
          expect(ret).toBe(servers.length);
          const out = execFileSync(
            "virt-admin",
            [
              "-c",
              `libvirtd:///system?socket=${daemon.adminSocket}`,
              "srv-list",
            ],
            { encoding: "utf8" },
          );
          const rows = out
            .split("\n")
            .map((l) => /^\s*(\d+)\s+(\S+)\s*$/.exec(l))
            .filter((m) => m !== null);
          // virt-admin numbers the servers in the order the daemon lists them.
          expect(servers.map((s, i) => [i, s.name])).toEqual(
            rows.map((m) => [Number(m[1]), m[2]]),
          );
          expect(servers.map((s) => s.name)).toContain("libvirtd");
          const version = /Running against daemon: (\d+)\.(\d+)\.(\d+)/.exec(
            execFileSync(
              "virt-admin",
              [
                "-c",
                `libvirtd:///system?socket=${daemon.adminSocket}`,
                "version",
              ],
              { encoding: "utf8" },
            ),
          )!;
          expect(await admin.connectGetLibVersion()).toBe(
            BigInt(version[1]!) * 1_000_000n +
              BigInt(version[2]!) * 1000n +
              BigInt(version[3]!),
          );
          const srv = await admin.connectLookupServer("libvirtd");
          expect(srv.name).toBe("libvirtd");
        } finally {
          await admin.close();
        }
      },
    );
  },
);
