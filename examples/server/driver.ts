/**
 * The example server's handlers: the generated `RemoteServerHandlers` filled in over the
 * in-memory DomainStore — just what `virsh` needs for version, list, dominfo, start, destroy,
 * shutdown, define/undefine, dumpxml, screenshot (a stream), event --loop and migrate-postcopy.
 * Calls without a handler are answered "not supported" by the generated dispatcher.
 */
import {
  remoteEvents,
  type RemoteServerHandlers,
  type remote_nonnull_domain,
} from "../../generated/remote_protocol/index.js";
import { ServerError, type ServerClient } from "virt-rpcgen-runtime";
import {
  DomainStore,
  LifecycleEvent,
  operationInvalid,
  type Domain,
} from "./domains.js";

/** Features the daemon reports itself (remote_daemon_dispatch.c): keepalive, event and close callbacks. */
const FEATURES = new Set([
  10, // VIR_DRV_FEATURE_PROGRAM_KEEPALIVE
  14, // VIR_DRV_FEATURE_REMOTE_EVENT_CALLBACK
  15, // VIR_DRV_FEATURE_REMOTE_CLOSE_CALLBACK
]);
const VIR_DOMAIN_EVENT_ID_LIFECYCLE = 0;
/** virDomainShutdownFlagValues */
const VIR_DOMAIN_SHUTDOWN_GUEST_AGENT = 2;

interface EventCallback {
  readonly callbackID: number;
  readonly eventID: number;
  /** Only events of this domain (uuid), or all. */
  readonly dom: Uint8Array | null;
}

interface Connection {
  opened: boolean;
  readonly callbacks: EventCallback[];
}

export interface ExampleDriverOptions {
  /** Told about each handler that runs (for the log; tests check what ran). */
  readonly onHandler?: (method: string, detail: string) => void;
}

export interface ExampleDriver {
  readonly handlers: RemoteServerHandlers;
  readonly store: DomainStore;
}

export function createExampleDriver(
  options: ExampleDriverOptions = {},
): ExampleDriver {
  const store = new DomainStore();
  const connections = new Map<ServerClient, Connection>();
  let nextCallbackID = 1;
  const ran = options.onHandler ?? (() => {});

  const conn = (client: ServerClient): Connection => {
    let c = connections.get(client);
    if (!c) {
      c = { opened: false, callbacks: [] };
      connections.set(client, c);
      client.onClose(() => connections.delete(client));
    }
    return c;
  };
  const ref = (d: Domain): remote_nonnull_domain => ({
    name: d.name,
    uuid: d.uuid,
    id: d.id,
  });
  const lifecycle = (d: Domain, event: number, detail: number) => {
    for (const [client, c] of connections) {
      for (const cb of c.callbacks) {
        if (cb.eventID !== VIR_DOMAIN_EVENT_ID_LIFECYCLE) continue;
        if (cb.dom && !Buffer.from(cb.dom).equals(Buffer.from(d.uuid)))
          continue;
        client.sendEvent(remoteEvents.domainEventCallbackLifecycle, {
          callbackID: cb.callbackID,
          msg: { dom: ref(d), event, detail },
        });
      }
    }
  };

  const handlers: RemoteServerHandlers = {
    // ---- connection (hand-written in libvirt's daemon)
    authList: () => ({ types: [] }),
    connectSupportsFeature: ({ feature }) => ({
      supported: FEATURES.has(feature) ? 1 : 0,
    }),
    connectOpen(_args, ctx) {
      conn(ctx.client).opened = true;
    },
    connectClose(_args, ctx) {
      connections.delete(ctx.client);
    },
    connectRegisterCloseCallback: () => {},
    connectUnregisterCloseCallback: () => {},
    connectGetURI: () => ({ uri: "test:///default" }),
    connectGetType: () => ({ type: "TEST" }),
    connectGetVersion: () => ({ hv_ver: 2n }),
    connectGetLibVersion: () => ({ lib_ver: 9_000_000n }),
    connectGetHostname: () => ({ hostname: "virt-rpcgen-example" }),
    connectIsSecure: () => ({ secure: 1 }),
    nodeGetSecurityModel: () => ({ model: [0], doi: [0] }),

    // ---- lookups and information
    async connectListAllDomains({ flags }, ctx) {
      // VIR_CONNECT_LIST_DOMAINS_ACTIVE 1 / INACTIVE 2: both or neither mean all.
      const want = flags & 3;
      const picked = store
        .all()
        .filter(
          (d) => want === 0 || want === 3 || (want === 1) === (d.id !== -1),
        );
      const visible = await ctx.aclFilter(picked.map(ref));
      return { domains: visible, ret: visible.length };
    },
    connectNumOfDomains: () => ({
      num: store.all().filter((d) => d.id !== -1).length,
    }),
    connectNumOfDefinedDomains: () => ({
      num: store.all().filter((d) => d.id === -1).length,
    }),
    domainLookupByName: ({ name }) => ({ dom: ref(store.byName(name)) }),
    domainLookupByUUID: ({ uuid }) => ({ dom: ref(store.byUuid(uuid)) }),
    domainLookupByID: ({ id }) => ({ dom: ref(store.byId(id)) }),
    domainGetInfo({ dom }) {
      const d = store.resolve(dom);
      return {
        state: d.state,
        maxMem: BigInt(d.maxMemKiB),
        memory: BigInt(d.memoryKiB),
        nrVirtCpu: d.vcpus,
        cpuTime: store.cpuTimeNs(d),
      };
    },
    domainGetState({ dom }) {
      const d = store.resolve(dom);
      return { state: d.state, reason: d.reason };
    },
    domainGetOSType: ({ dom }) => ({ type: store.resolve(dom).osType }),
    domainIsActive: ({ dom }) => ({
      active: store.resolve(dom).id !== -1 ? 1 : 0,
    }),
    domainIsPersistent: ({ dom }) => ({
      persistent: store.resolve(dom).persistent ? 1 : 0,
    }),
    domainIsUpdated: () => ({ updated: 0 }),
    domainGetAutostart: ({ dom }) => ({
      autostart: store.resolve(dom).autostart ? 1 : 0,
    }),
    domainHasManagedSaveImage: () => ({ result: 0 }),
    domainGetSecurityLabel: () => ({ label: [], enforcing: 0 }),
    domainGetMessages: () => ({ msgs: [] }),
    domainGetXMLDesc: ({ dom }) => ({ xml: store.xml(store.resolve(dom)) }),
    domainSnapshotNum: () => ({ num: 0 }),
    domainListAllSnapshots: () => ({ snapshots: [], ret: 0 }),
    domainListAllCheckpoints: () => ({ checkpoints: [], ret: 0 }),

    // ---- life cycle
    domainCreate({ dom }) {
      const d = store.resolve(dom);
      store.start(d);
      lifecycle(d, LifecycleEvent.STARTED, 0);
    },
    domainCreateWithFlags({ dom }) {
      const d = store.resolve(dom);
      store.start(d);
      lifecycle(d, LifecycleEvent.STARTED, 0);
      return { dom: ref(d) };
    },
    domainDestroy({ dom }) {
      const d = store.resolve(dom);
      store.stop(d, "destroyed");
      lifecycle(d, LifecycleEvent.STOPPED, 1); // VIR_DOMAIN_EVENT_STOPPED_DESTROYED
    },
    domainDestroyFlags({ dom }) {
      const d = store.resolve(dom);
      store.stop(d, "destroyed");
      lifecycle(d, LifecycleEvent.STOPPED, 1);
    },
    domainShutdown({ dom }) {
      const d = store.resolve(dom);
      store.stop(d, "shutdown");
      lifecycle(d, LifecycleEvent.SHUTDOWN, 0);
      lifecycle(d, LifecycleEvent.STOPPED, 0);
    },
    domainShutdownFlags({ dom, flags }) {
      const d = store.resolve(dom);
      ran(
        "domainShutdownFlags",
        `${d.name} flags=${flags}${flags & VIR_DOMAIN_SHUTDOWN_GUEST_AGENT ? " (guest agent)" : ""}`,
      );
      store.stop(d, "shutdown");
      lifecycle(d, LifecycleEvent.SHUTDOWN, 0);
      lifecycle(d, LifecycleEvent.STOPPED, 0);
    },
    domainDefineXML({ xml }) {
      const { dom, updated } = store.define(xml);
      lifecycle(dom, LifecycleEvent.DEFINED, updated ? 1 : 0);
      return { dom: ref(dom) };
    },
    domainDefineXMLFlags({ xml }) {
      const { dom, updated } = store.define(xml);
      lifecycle(dom, LifecycleEvent.DEFINED, updated ? 1 : 0);
      return { dom: ref(dom) };
    },
    domainUndefine({ dom }) {
      const d = store.resolve(dom);
      store.undefine(d);
      lifecycle(d, LifecycleEvent.UNDEFINED, 0);
    },
    domainUndefineFlags({ dom }) {
      const d = store.resolve(dom);
      store.undefine(d);
      lifecycle(d, LifecycleEvent.UNDEFINED, 0);
    },

    // ---- procedure 364
    domainMigrateStartPostCopy({ dom, flags }) {
      const d = store.resolve(dom);
      ran("domainMigrateStartPostCopy", `${d.name} flags=${flags}`);
      if (d.id === -1) throw operationInvalid("domain is not running");
      d.postCopy = true;
    },

    // ---- a stream: the screen as a PPM image, sent after the reply
    domainScreenshot({ dom }, ctx) {
      const d = store.resolve(dom);
      if (d.id === -1) throw operationInvalid("domain is not running");
      const image = screenshot(d, 640, 480);
      void (async () => {
        try {
          for (let at = 0; at < image.length; at += 65536)
            await ctx.stream.write(image.subarray(at, at + 65536));
          ctx.stream.end();
        } catch {
          // The client went away or aborted: nothing left to send to.
        }
      })();
      return { mime: "image/x-portable-pixmap" };
    },

    // ---- events
    connectDomainEventCallbackRegisterAny({ eventID, dom }, ctx) {
      if (dom) store.resolve(dom);
      const callbackID = nextCallbackID++;
      conn(ctx.client).callbacks.push({
        callbackID,
        eventID,
        dom: dom ? dom.uuid : null,
      });
      return { callbackID };
    },
    connectDomainEventCallbackDeregisterAny({ callbackID }, ctx) {
      const list = conn(ctx.client).callbacks;
      const i = list.findIndex((c) => c.callbackID === callbackID);
      if (i === -1)
        throw ServerError.rpc(`no domain event callback with ID ${callbackID}`);
      list.splice(i, 1);
    },
  };
  return { handlers, store };
}

/** A PPM image with the domain's name in its pixel values (deterministic, for tests). */
export function screenshot(
  d: Domain,
  width: number,
  height: number,
): Uint8Array {
  const header = Buffer.from(`P6\n${width} ${height}\n255\n`, "ascii");
  const out = new Uint8Array(header.length + width * height * 3);
  out.set(header, 0);
  const seed = [...d.name].reduce(
    (a, c) => (a * 31 + c.charCodeAt(0)) & 0xff,
    7,
  );
  for (let i = 0; i < width * height; i++) {
    const p = header.length + i * 3;
    out[p] = (i % width) & 0xff;
    out[p + 1] = Math.floor(i / width) & 0xff;
    out[p + 2] = seed;
  }
  return out;
}
