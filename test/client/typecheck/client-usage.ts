// Compiled (not run) by test/client/types.test.ts under tsc --strict: what the generated client's
// types accept and refuse. Every `@ts-expect-error` must be an error, or tsc fails.
import {
  VirtError,
  flags,
  typedParamsToObject,
  type VirtStream,
} from "virt-rpcgen/runtime";
import {
  REMOTE_PROC_AUTH_LIST,
  REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
  REMOTE_PROC_CONNECT_GET_TYPE,
  REMOTE_PROC_CONNECT_OPEN,
  REMOTE_PROC_DOMAIN_GET_INFO,
  REMOTE_PROC_DOMAIN_MIGRATE_PREPARE_TUNNEL3,
  RemoteClient,
  virConnectListAllDomainsFlags,
  virDomainBlockJobType,
  virDomainEventDefinedDetailType,
  virNetworkEventLifecycleType,
  virDomainEventStartedDetailType,
  virDomainEventType,
  virDomainMigrateFlags,
  virDomainState,
  type remote_nonnull_domain,
  type virDomainStatsRecordParameters,
} from "../../../generated/remote_protocol/index.js";
import { QemuClient } from "../../../generated/qemu_protocol/index.js";

export async function usage(
  remote: RemoteClient,
  dom: remote_nonnull_domain,
): Promise<void> {
  // Methods: the args struct's fields in order, the ret struct (or its single member) back.
  const version: bigint = await remote.connectGetVersion();
  const info = await remote.domainGetInfo(dom);
  const state: number = info.state;
  const found: remote_nonnull_domain = await remote.domainLookupByName("test");
  await remote.domainMigrateStartPostCopy(dom);
  await remote.domainMigrateStartPostCopy(dom, 0, {
    timeoutMs: 1000,
    signal: AbortSignal.timeout(5),
  });
  // @ts-expect-error the domain is required
  await remote.domainMigrateStartPostCopy();
  // @ts-expect-error no such argument
  await remote.domainGetInfo(dom, 0, {});

  // Flags: members of libvirt's enum for the argument, their bitwise-OR, a number variable, 0.
  const live = virDomainMigrateFlags.VIR_MIGRATE_LIVE;
  const migrateFlags = live | virDomainMigrateFlags.VIR_MIGRATE_PEER2PEER;
  const ACTIVE = virConnectListAllDomainsFlags.VIR_CONNECT_LIST_DOMAINS_ACTIVE;
  const PERSISTENT =
    virConnectListAllDomainsFlags.VIR_CONNECT_LIST_DOMAINS_PERSISTENT;
  await remote.connectListAllDomains(1, ACTIVE);
  await remote.connectListAllDomains(1, ACTIVE | PERSISTENT);
  await remote.connectListAllDomains(1, 0);
  // @ts-expect-error a member of another flags enum
  await remote.connectListAllDomains(1, live);
  // @ts-expect-error a number that is no member
  await remote.connectListAllDomains(1, 12345);
  // flags() combines members and keeps the enum's type; mixing enums does not compile.
  const listFlags: virConnectListAllDomainsFlags = flags(ACTIVE, PERSISTENT);
  await remote.connectListAllDomains(1, listFlags);
  // @ts-expect-error members of two enums
  await remote.connectListAllDomains(1, flags(ACTIVE, live));
  // Other arguments libvirt documents as an enum.
  await remote.connectGetAllDomainStats([dom], 0);
  // Results libvirt documents as an enum.
  const current: virDomainState = (await remote.domainGetState(dom)).state;
  const stateName: string = virDomainState[current];
  const stats = typedParamsToObject<virDomainStatsRecordParameters>(
    (await remote.connectGetAllDomainStats([dom], 0))[0]!.params,
  );
  const statsState: virDomainState | undefined = stats["state.state"];
  const balloon: bigint | undefined = stats["balloon.current"];
  const blockName = stats["block.0.name"];
  // @ts-expect-error block names are strings
  const blockNameNumber: number | undefined = stats["block.0.name"];
  void [stateName, statsState, balloon, blockName, blockNameNumber];
  // Events: client.events, typed by libvirt's event type and its detail enum.
  const sub = await remote.events.domainLifecycle();
  sub.on((e) => {
    if (e.event === virDomainEventType.VIR_DOMAIN_EVENT_DEFINED) {
      const d: virDomainEventDefinedDetailType = e.detail;
      // @ts-expect-error a DEFINED event's detail is no STARTED detail
      const wrong: virDomainEventStartedDetailType = e.detail;
      void [d, wrong];
    }
  });
  for await (const e of sub) void e.dom.name;
  // Other events: members their libvirt callback type documents as an enum.
  const jobs = await remote.events.domainBlockJob2();
  jobs.on((e) => {
    const t: virDomainBlockJobType = e.type;
    // @ts-expect-error a block job status is no block job type
    const s: virDomainBlockJobType = e.status;
    void [t, s];
  });
  const nets = await remote.events.networkLifecycle();
  nets.on((e) => void (e.event satisfies virNetworkEventLifecycleType));
  await sub.close();
  // @ts-expect-error the domain filter is a domain
  await remote.events.domainReboot("test");
  await remote.domainMigratePerform(
    dom,
    new Uint8Array(),
    "qemu+tcp://x/system",
    migrateFlags,
    null,
    0n,
  );
  await remote.domainMigratePerform(
    dom,
    new Uint8Array(),
    "qemu+tcp://x/system",
    2n,
    null,
    0n,
  );
  await remote.domainMigratePerform(
    dom,
    new Uint8Array(),
    "u",
    // @ts-expect-error flags are numbers, not strings
    "live",
    null,
    0n,
  );

  // Every call procedure has a method, hand-written ones in libvirt's C client too.
  const typeName: string = await remote.connectGetType();
  const domState = await remote.domainGetState(dom);
  void [typeName, domState.state, domState.reason];
  // call(): any call procedure by number, typed by the call map.
  const { type }: { type: string } = await remote.call(
    REMOTE_PROC_CONNECT_GET_TYPE,
    undefined,
  );
  await remote.call(REMOTE_PROC_CONNECT_OPEN, {
    name: "test:///default",
    flags: 0,
  });
  const auth = await remote.call(REMOTE_PROC_AUTH_LIST, undefined);
  const firstAuth: number | undefined = auth.types[0];
  await remote.call(REMOTE_PROC_CONNECT_OPEN, {
    // @ts-expect-error the args struct of CONNECT_OPEN has no `uri`
    uri: "test:///default",
    flags: 0,
  });
  await remote.call(REMOTE_PROC_DOMAIN_GET_INFO, { dom });
  // @ts-expect-error the args are the procedure's own
  await remote.call(REMOTE_PROC_DOMAIN_GET_INFO, { name: "x" });
  const { callbackID } = await remote.call(
    REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
    { eventID: 0, dom: null },
  );
  // A stream procedure without a method resolves with its stream.
  const tunnel = await remote.call(REMOTE_PROC_DOMAIN_MIGRATE_PREPARE_TUNNEL3, {
    cookie_in: new Uint8Array(),
    dname: null,
    resource: 0n,
    dom_xml: "<domain/>",
    flags: 0n,
  });
  const tunnelStream: VirtStream = tunnel.stream;

  // Events: typed listeners only; *_msg procedures are never methods.
  const off = remote.on("domainEventCallbackLifecycle", (m) => {
    const id: number = m.callbackID;
    const event: number = m.msg.event;
    void [id, event];
  });
  off();
  // @ts-expect-error events are not callable
  await remote.domainEventCallbackLifecycle();
  // @ts-expect-error no such event
  remote.on("domainEventNope", () => {});
  remote.on("domainEventCallbackReboot", (m) => {
    // @ts-expect-error the reboot message has no `detail`
    void m.detail;
  });

  // Streams.
  const shot = await remote.domainScreenshot(dom, 0);
  const mime: string | null = shot.result;
  const data: VirtStream = shot.stream;

  // Another program on the same connection.
  const qemu = new QemuClient(remote.connection);
  qemu.on("domainMonitorEvent", (m) => void m.event);

  try {
    await remote.domainCreateWithFlags(dom);
  } catch (e) {
    if (e instanceof VirtError)
      void [e.code, e.domain, e.level, e.str1, e.codeName];
  }
  void [
    version,
    state,
    found,
    type,
    firstAuth,
    callbackID,
    tunnelStream,
    mime,
    data,
  ];
}
