// Compiled (not run) by test/client/types.test.ts under tsc --strict: what the generated client's
// types accept and refuse. Every `@ts-expect-error` must be an error, or tsc fails.
import { VirtError, type VirtStream } from "virt-rpcgen/runtime";
import {
  REMOTE_PROC_AUTH_LIST,
  REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
  REMOTE_PROC_CONNECT_GET_TYPE,
  REMOTE_PROC_CONNECT_OPEN,
  REMOTE_PROC_DOMAIN_GET_INFO,
  REMOTE_PROC_DOMAIN_MIGRATE_PREPARE_TUNNEL3,
  RemoteClient,
  virDomainMigrateFlags,
  type remote_nonnull_domain,
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

  // Flags: libvirt's enum members, their bitwise-OR, or any number.
  const flags =
    virDomainMigrateFlags.VIR_MIGRATE_LIVE |
    virDomainMigrateFlags.VIR_MIGRATE_PEER2PEER;
  await remote.domainMigratePerform(
    dom,
    new Uint8Array(),
    "qemu+tcp://x/system",
    flags,
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
