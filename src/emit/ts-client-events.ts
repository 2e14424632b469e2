/**
 * The event subscriptions of a libvirt client: one method per member of each `vir<Object>EventID`
 * enum of libvirt's API description, on a `<Type>ClientEvents` class reached as `client.events`.
 *
 * ```
 * VIR_DOMAIN_EVENT_ID_LIFECYCLE = 0                  →   domainLifecycle(dom: remote.remote_domain = null) {
 * REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY   return this.client.subscribe(DOMAIN_EVENTS, "domainEventCallbackLifecycle",
 * REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE (_msg)          { eventID: virDomainEventID.VIR_DOMAIN_EVENT_ID_LIFECYCLE, dom }, (m) => m.msg);
 * ```
 * Found by libvirt's naming convention: `<P>_PROC_CONNECT_<OBJECT>_EVENT[_CALLBACK]_REGISTER_ANY`
 * taking `(eventID, object)` and answering a `callbackID`, its `…DEREGISTER_ANY`, and per event
 * `<P>_PROC_<OBJECT>_EVENT_CALLBACK_<X>` (or `…_EVENT_<X>`), a message carrying `callbackID`.
 * The payload is the message's `msg` member when that is all it wraps, else the message.
 */
import type {
  ProcedureModel,
  ProtocolModel,
  StructType,
} from "../model/types.js";
import type { LibvirtApiData } from "./libvirt-api-data.js";

export interface EventFamily {
  /** `Domain`, `StoragePool`… */
  readonly object: string;
  /** The `vir<Object>EventID` enum. */
  readonly idEnum: string;
  readonly register: ProcedureModel;
  readonly deregister: ProcedureModel;
  /** The register args' object member (`dom`, `net`…). */
  readonly objectField: string;
  readonly events: readonly EventMethod[];
}

export interface EventMethod {
  /** `domainLifecycle`. */
  readonly name: string;
  /** `VIR_DOMAIN_EVENT_ID_LIFECYCLE`. */
  readonly member: string;
  readonly msg: ProcedureModel;
  /** The payload is `msg.msg` (the message only wraps the classic event with a callback ID). */
  readonly unwrap: boolean;
}

const camel = (snake: string) =>
  snake
    .toLowerCase()
    .replace(/(^|_)([a-z0-9])/g, (_m, _u: string, c: string) =>
      c.toUpperCase(),
    );

export function eventFamilies(
  p: ProtocolModel,
  data: LibvirtApiData,
): EventFamily[] {
  const byConst = new Map(p.procedures.map((x) => [x.constName, x]));
  const proc = (name: string) => byConst.get(`${p.procPrefix}_${name}`);
  const out: EventFamily[] = [];
  for (const idEnum of Object.keys(data.enums).sort()) {
    const m = /^vir(\w+)EventID$/.exec(idEnum);
    if (!m) continue;
    const object = m[1]!;
    const OBJ = object.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
    const register =
      proc(`CONNECT_${OBJ}_EVENT_CALLBACK_REGISTER_ANY`) ??
      proc(`CONNECT_${OBJ}_EVENT_REGISTER_ANY`);
    const deregister =
      proc(`CONNECT_${OBJ}_EVENT_CALLBACK_DEREGISTER_ANY`) ??
      proc(`CONNECT_${OBJ}_EVENT_DEREGISTER_ANY`);
    if (!register?.args || !register.ret || !deregister?.args) continue;
    const fields = register.args.fields.map((f) => f.name);
    if (fields.length !== 2 || fields[0] !== "eventID") continue;
    if (!hasOnly(register.ret, ["callbackID"])) continue;
    if (!hasOnly(deregister.args, ["callbackID"])) continue;
    const events: EventMethod[] = [];
    for (const member of Object.keys(data.enums[idEnum]!)) {
      const x = member.replace(`VIR_${OBJ}_EVENT_ID_`, "");
      if (x === member) continue;
      const msg =
        proc(`${OBJ}_EVENT_CALLBACK_${x}`) ?? proc(`${OBJ}_EVENT_${x}`);
      if (!msg?.msg || !msg.msg.fields.some((f) => f.name === "callbackID"))
        continue;
      const names = msg.msg.fields.map((f) => f.name);
      events.push({
        name: `${object[0]!.toLowerCase()}${object.slice(1)}${camel(x)}`,
        member,
        msg,
        unwrap: names.length === 2 && names[1] === "msg",
      });
    }
    if (events.length)
      out.push({
        object,
        idEnum,
        register,
        deregister,
        objectField: fields[1]!,
        events,
      });
  }
  return out;
}

/** `StatusEvent`: the payload type of `client.events.status()`. */
export function eventAliasName(e: { readonly name: string }): string {
  return `${e.name[0]!.toUpperCase()}${e.name.slice(1)}Event`;
}

/** `DOMAIN_EVENTS`: how a family's callbacks are registered. */
export function familyConstName(f: EventFamily): string {
  return `${f.object.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase()}_EVENTS`;
}

function hasOnly(s: StructType, names: readonly string[]): boolean {
  return (
    s.fields.length === names.length &&
    s.fields.every((f, i) => f.name === names[i])
  );
}
