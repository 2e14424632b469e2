/**
 * `client.events`: per libvirt event family (ts-client-events.ts) how its callbacks are
 * registered, per event a named payload type, and the subscriptions class with one method per
 * event ID.
 *
 * ```
 * VIR_DOMAIN_EVENT_ID_REBOOT            const DOMAIN_EVENTS: EventFamilySpec<…> = { register: …, deregister: … };
 * REMOTE_PROC_DOMAIN_EVENT_      →      export type DomainRebootEvent = remote.remote_domain_event_reboot_msg;
 *   CALLBACK_REBOOT (_msg)              export class RemoteEventSubscriptions { domainReboot(dom = null) { … } }
 * ```
 */
import type { Field, StructType, TypeRef } from "../model/types.js";
import { rawChunk, type Chunk } from "./chunks.js";
import { argumentEnumOf } from "./libvirt-api-data.js";
import type { ClientModuleContext } from "./ts-client-context.js";
import {
  eventAliasName,
  familyConstName,
  type EventFamily,
  type EventMethod,
} from "./ts-client-events.js";
import { lifecycleDetails } from "./ts-libvirt-api.js";
import { propKey, tsTypeName } from "./ts-names.js";

/** The family constants, the payload types and the subscriptions class; none without families. */
export function subscriptionChunks(ctx: ClientModuleContext): Chunk[] {
  const { families, names } = ctx;
  if (families.length === 0) return [];
  const lifecycleKinds =
    ctx.apiNames.has("virDomainEventType") &&
    lifecycleDetails(ctx.flagsData).length > 0;
  const aliases: Chunk[] = [];
  const methods: string[] = [];
  for (const f of families) {
    const objField = f.register.args!.fields[1]!;
    const objType = ctx.tsTypeOfField(objField);
    for (const e of f.events) {
      const payload = eventPayload(ctx, f, e, lifecycleKinds);
      // A named type per event keeps signatures short (and prettier's layout stable).
      const alias = eventAliasName(e);
      aliases.push(
        rawChunk(
          [
            `/** \`${e.member}\` events as \`client.events.${e.name}()\` yields them. */`,
            `export type ${alias} = ${payload};`,
          ].join("\n"),
        ),
      );
      const cast = payload.includes(" & ") ? ` as ${alias}` : "";
      methods.push(
        "",
        `  /**`,
        `   * \`${e.member}\`: registers with \`${f.register.constName}\` (for one ${objField.name}, or all when none is given) and yields \`${e.msg.constName}\`'s events until closed.`,
        `   */`,
        // libvirt's register calls take the object as optional (`remote_domain`): null is all.
        `  ${e.name}(${objField.name}: ${objType} | null = null): Promise<${ctx.rt("EventSubscription")}<${alias}>> {`,
        `    return this.client.subscribe(${familyConstName(f)}, ${JSON.stringify(e.msg.methodName)}, { eventID: ${ctx.api(f.idEnum)}.${e.member}, ${objField.name} }, (m) => ${e.unwrap ? "m.msg" : "m"}${cast});`,
        `  }`,
      );
    }
  }
  const cls = [
    `/** Event subscriptions of ${ctx.protocolName}.x, one per libvirt event ID: \`client.events\`. */`,
    `export class ${names.subscriptions} {`,
    `  constructor(private readonly client: ${names.client}) {}`,
    ...methods,
    "}",
  ];
  return [
    ...families.map((f) => rawChunk(eventFamilyConst(ctx, f))),
    ...aliases,
    rawChunk(cls.join("\n")),
  ];
}

/**
 * What `client.events.<name>()` yields: the message (or the `msg` it wraps), with the members
 * libvirt documents as one of an enum typed as that enum.
 */
function eventPayload(
  ctx: ClientModuleContext,
  f: EventFamily,
  e: EventMethod,
  lifecycleKinds: boolean,
): string {
  const msg = e.msg.msg!;
  const payload = e.unwrap
    ? ctx.tsTypeOfField(msg.fields[1]!)
    : ctx.typeOfDecl(msg);
  if (
    lifecycleKinds &&
    f.idEnum === "virDomainEventID" &&
    /_LIFECYCLE$/.test(e.member)
  )
    return `${payload} & ${ctx.api("virDomainEventLifecycleKind")}`;
  // Members the event's callback type documents as one of an enum (a block job's `type`).
  const callback = ctx.flagsData.eventCallbacks?.[e.member];
  const fields = e.unwrap ? structOf(msg.fields[1]!)?.fields : msg.fields;
  const typed = (callback ? (fields ?? []) : []).flatMap((field) => {
    const named = argumentEnumOf(ctx.flagsData, callback!, field.name);
    return named && !named.bits && field.shape === "scalar"
      ? [`${propKey(field.name)}: ${ctx.api(named.enum)}`]
      : [];
  });
  return typed.length ? `${payload} & { ${typed.join("; ")} }` : payload;
}

/** `const DOMAIN_EVENTS: EventFamilySpec<args> = { register: …, deregister: … };` */
function eventFamilyConst(ctx: ClientModuleContext, f: EventFamily): string {
  const { own, codecOf } = ctx;
  return [
    `/** How \`${f.idEnum}\` callbacks are registered and deregistered. */`,
    `const ${familyConstName(f)}: ${ctx.rt("EventFamilySpec")}<${own(tsTypeName(f.register.args!.name))}> = {`,
    `  register: { proc: ${own(f.register.constName)}, args: ${codecOf(f.register.args)}, ret: ${codecOf(f.register.ret)} },`,
    `  deregister: { proc: ${own(f.deregister.constName)}, args: ${codecOf(f.deregister.args)} },`,
    `};`,
  ].join("\n");
}

/** The struct a field holds, when it is one (through typedefs). */
function structOf(f: Field): StructType | null {
  if (f.shape !== "scalar") return null;
  let t: TypeRef = f.type;
  for (let i = 0; i < 8; i++) {
    if (t.kind === "inlineStruct") return t.struct;
    if (t.kind !== "named") return null;
    const d = t.decl;
    if (d.kind === "struct") return d;
    if (d.kind !== "typedef" || d.field.shape !== "scalar") return null;
    t = d.field.type;
  }
  return null;
}
