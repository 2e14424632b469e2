/**
 * The example's hypervisor: a few in-memory domains, like libvirt's test driver (`test:///default`
 * has one running domain named `test`, id 1, uuid 6695eb01-…). Plain data and state changes;
 * the RPC handlers live in driver.ts.
 */
import { randomBytes } from "node:crypto";
import { ServerError, VirErrorCode, VirErrorDomain } from "virt-rpcgen-runtime";
import { firstElement } from "./xml-fields.js";

/** virDomainState */
export const DomainState = { RUNNING: 1, PAUSED: 3, SHUTOFF: 5 } as const;
/** virDomainEventType and the details used here. */
export const LifecycleEvent = {
  DEFINED: 0,
  UNDEFINED: 1,
  STARTED: 2,
  STOPPED: 5,
  SHUTDOWN: 6,
} as const;

export interface Domain {
  name: string;
  uuid: Uint8Array;
  /** -1 while shut off. */
  id: number;
  state: number;
  /** virDomainState reason (RUNNING_BOOTED 1, SHUTOFF_SHUTDOWN 1, SHUTOFF_DESTROYED 2). */
  reason: number;
  maxMemKiB: number;
  memoryKiB: number;
  vcpus: number;
  osType: string;
  persistent: boolean;
  autostart: boolean;
  startedAt: number;
  /** Set when virDomainMigrateStartPostCopy ran. */
  postCopy: boolean;
}

export function uuidString(u: Uint8Array): string {
  const h = Buffer.from(u).toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function parseUuid(s: string): Uint8Array {
  const hex = s.replace(/-/g, "");
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw xmlError(`malformed uuid element`);
  return new Uint8Array(Buffer.from(hex, "hex"));
}

const noDomain = (what: string) =>
  new ServerError({
    code: VirErrorCode.NO_DOMAIN,
    domain: VirErrorDomain.TEST,
    message: `Domain not found: ${what}`,
    str1: what,
  });
export const operationInvalid = (what: string) =>
  new ServerError({
    code: VirErrorCode.OPERATION_INVALID,
    domain: VirErrorDomain.TEST,
    message: `Requested operation is not valid: ${what}`,
    str1: what,
  });
const xmlError = (what: string) =>
  new ServerError({
    code: VirErrorCode.XML_ERROR,
    domain: VirErrorDomain.DOMAIN,
    message: `XML error: ${what}`,
    str1: what,
  });

export class DomainStore {
  private readonly domains: Domain[] = [];
  private nextId = 1;

  constructor() {
    this.add({
      name: "test",
      uuid: parseUuid("6695eb01-f6a4-8304-79aa-97f2502e193f"),
      running: true,
      maxMemKiB: 8388608,
      memoryKiB: 2097152,
      vcpus: 2,
    });
    this.add({
      name: "alpha",
      uuid: parseUuid("1b6a5d3e-0e4f-4c53-9d0b-a2f1c4e5d601"),
      running: false,
      maxMemKiB: 1048576,
      memoryKiB: 1048576,
      vcpus: 1,
    });
    this.add({
      name: "beta",
      uuid: parseUuid("7c2e9a41-5b8d-4f6e-8a3c-d9e0f1a2b302"),
      running: true,
      maxMemKiB: 4194304,
      memoryKiB: 4194304,
      vcpus: 4,
    });
  }

  private add(d: {
    name: string;
    uuid: Uint8Array;
    running: boolean;
    maxMemKiB: number;
    memoryKiB: number;
    vcpus: number;
  }): Domain {
    const dom: Domain = {
      name: d.name,
      uuid: d.uuid,
      id: d.running ? this.nextId++ : -1,
      state: d.running ? DomainState.RUNNING : DomainState.SHUTOFF,
      reason: d.running ? 1 : 0,
      maxMemKiB: d.maxMemKiB,
      memoryKiB: d.memoryKiB,
      vcpus: d.vcpus,
      osType: "linux",
      persistent: true,
      autostart: false,
      startedAt: Date.now(),
      postCopy: false,
    };
    this.domains.push(dom);
    return dom;
  }

  all(): readonly Domain[] {
    return this.domains;
  }

  byName(name: string): Domain {
    const d = this.domains.find((x) => x.name === name);
    if (!d) throw noDomain(`no domain with matching name '${name}'`);
    return d;
  }

  byUuid(uuid: Uint8Array): Domain {
    const d = this.domains.find((x) =>
      Buffer.from(x.uuid).equals(Buffer.from(uuid)),
    );
    if (!d)
      throw noDomain(`no domain with matching uuid '${uuidString(uuid)}'`);
    return d;
  }

  byId(id: number): Domain {
    const d = this.domains.find((x) => x.id === id && id !== -1);
    if (!d) throw noDomain(`no domain with matching id ${id}`);
    return d;
  }

  /** A reference from the wire: looked up by uuid, as libvirt's daemon does. */
  resolve(ref: { uuid: Uint8Array }): Domain {
    return this.byUuid(ref.uuid);
  }

  start(d: Domain): void {
    if (d.id !== -1) throw operationInvalid("domain is already running");
    d.id = this.nextId++;
    d.state = DomainState.RUNNING;
    d.reason = 1;
    d.startedAt = Date.now();
  }

  stop(d: Domain, reason: "destroyed" | "shutdown"): void {
    if (d.id === -1) throw operationInvalid("domain is not running");
    d.id = -1;
    d.state = DomainState.SHUTOFF;
    d.reason = reason === "destroyed" ? 2 : 1;
    if (!d.persistent) this.domains.splice(this.domains.indexOf(d), 1);
  }

  /** virDomainDefineXML: a new persistent domain, or an update of one with the same name/uuid. */
  define(xml: string): { dom: Domain; updated: boolean } {
    const name = firstElement(xml, "name")?.text;
    if (!name) throw xmlError("missing name information");
    const uuidText = firstElement(xml, "uuid")?.text;
    const uuid = uuidText
      ? parseUuid(uuidText)
      : new Uint8Array(randomBytes(16));
    const kib = (tag: string) => {
      const el = firstElement(xml, tag);
      if (!el || !/^\d+$/.test(el.text)) return null;
      const scale: Record<string, number> = {
        b: 1 / 1024,
        k: 1,
        kib: 1,
        m: 1024,
        mib: 1024,
        g: 1048576,
        gib: 1048576,
      };
      const s = scale[(el.unit ?? "KiB").toLowerCase()];
      if (s === undefined) throw xmlError(`unknown unit '${el.unit}'`);
      return Math.floor(Number(el.text) * s);
    };
    const maxMemKiB = kib("memory");
    if (maxMemKiB === null) throw xmlError("missing memory element");
    const memoryKiB = kib("currentMemory") ?? maxMemKiB;
    const vcpuText = firstElement(xml, "vcpu")?.text ?? "1";
    const vcpus = /^\d+$/.test(vcpuText) ? Number(vcpuText) : 1;
    const existing = this.domains.find(
      (x) => x.name === name || Buffer.from(x.uuid).equals(Buffer.from(uuid)),
    );
    if (existing) {
      if (existing.name !== name)
        throw operationInvalid(
          `domain '${existing.name}' already exists with uuid ${uuidString(uuid)}`,
        );
      Object.assign(existing, {
        maxMemKiB,
        memoryKiB,
        vcpus,
        persistent: true,
      });
      return { dom: existing, updated: true };
    }
    return {
      dom: this.add({
        name,
        uuid,
        running: false,
        maxMemKiB,
        memoryKiB,
        vcpus,
      }),
      updated: false,
    };
  }

  /** virDomainUndefine: inactive domains go away; active ones become transient. */
  undefine(d: Domain): void {
    if (!d.persistent)
      throw operationInvalid("cannot undefine transient domain");
    if (d.id === -1) this.domains.splice(this.domains.indexOf(d), 1);
    else d.persistent = false;
  }

  xml(d: Domain): string {
    return [
      `<domain type='test'${d.id === -1 ? "" : ` id='${d.id}'`}>`,
      `  <name>${d.name}</name>`,
      `  <uuid>${uuidString(d.uuid)}</uuid>`,
      `  <memory unit='KiB'>${d.maxMemKiB}</memory>`,
      `  <currentMemory unit='KiB'>${d.memoryKiB}</currentMemory>`,
      `  <vcpu placement='static'>${d.vcpus}</vcpu>`,
      `  <os>`,
      `    <type arch='x86_64'>hvm</type>`,
      `  </os>`,
      `</domain>`,
      ``,
    ].join("\n");
  }

  cpuTimeNs(d: Domain): bigint {
    return d.id === -1
      ? 0n
      : BigInt(Date.now() - d.startedAt) * 1_000_000n * BigInt(d.vcpus);
  }
}
