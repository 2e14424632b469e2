/**
 * What a generated `server.ts` declares (one `ProcedureSpec` per call, one `EventSpec` per
 * server→client message) and how handlers are typed from it.
 *
 * ```
 * // generated
 * export const remoteProcedures = {
 *   domainMigrateStartPostCopy: { proc: 364, args: xdr_…_args, ret: null,
 *     acl: [{ object: "domain", permission: "migrate", text: "domain:migrate" }], … },
 * } as const satisfies ProcedureTable;
 * export type RemoteHandlers = GeneratedHandlers<typeof remoteProcedures>;
 * // → { domainMigrateStartPostCopy(args: remote_…_args, ctx: CallContext): void | Promise<void> }
 * ```
 */
import type { XdrCodec } from "../xdr/codec.js";
import type { AclRuleSpec, ClientIdentity } from "./acl.js";
import type { ServerClient } from "./client.js";
import type { EventSpec } from "./event-spec.js";
import type { ServerReceiveStream, ServerSendStream } from "./stream.js";

export type { EventSpec } from "./event-spec.js";

export interface ProcedureSpec {
  readonly proc: number;
  /** Constant name, e.g. `REMOTE_PROC_DOMAIN_GET_INFO`. */
  readonly name: string;
  /** Public C API, e.g. `virDomainGetInfo` (used in "not supported" errors). */
  readonly api: string;
  /** `generated`: `@generate: server|both`; `hand-written`: libvirt dispatches it by hand. */
  readonly side: "generated" | "hand-written";
  readonly args: XdrCodec<unknown> | null;
  readonly ret: XdrCodec<unknown> | null;
  /** `@priority: high` calls run even when every ordinary worker is busy. */
  readonly priority: "high" | "low";
  /** `@readstream` (client reads: server sends data) or `@writestream` (server receives). */
  readonly stream: "send" | "receive" | null;
  /** `@acl` rules, checked before the handler runs (`@acl: none` gives an empty list). */
  readonly acl: readonly AclRuleSpec[];
  /** `@aclfilter` rules, for the list the handler returns. */
  readonly aclFilter: readonly AclRuleSpec[];
  /** The args member naming the object the ACL rules check (e.g. `dom`), or null. */
  readonly aclTarget: string | null;
}

export type ProcedureTable = Readonly<Record<string, ProcedureSpec>>;
export type EventTable = Readonly<Record<string, EventSpec>>;

export interface ProgramSpec<
  P extends ProcedureTable = ProcedureTable,
  E extends EventTable = EventTable,
> {
  /** Short name used in logs and default error texts (`remote`, `qemu`, `admin`…). */
  readonly name: string;
  /** The program constant (`REMOTE_PROGRAM`), for traces; default `<NAME>_PROGRAM`. */
  readonly programName?: string | undefined;
  readonly program: number;
  readonly version: number;
  readonly procedures: P;
  readonly events: E;
}

/** The value type a codec carries (`void` for `null`: no payload). */
export type CodecValue<C> = C extends XdrCodec<infer V> ? V : void;

export interface CallContext {
  readonly client: ServerClient;
  readonly identity: ClientIdentity;
  readonly procedure: ProcedureSpec;
  readonly serial: number;
}

/** Context of a procedure with `@aclfilter`: a filter for the object list it returns. */
export interface FilteredCallContext extends CallContext {
  /** Keeps the items the caller may see under the procedure's `@aclfilter` rules. */
  aclFilter<T>(
    items: readonly T[],
    targetOf?: (item: T) => unknown,
  ): Promise<T[]>;
}

export interface SendStreamCallContext extends CallContext {
  /** Data for the client; flows after the reply to this call. */
  readonly stream: ServerSendStream;
}

export interface ReceiveStreamCallContext extends CallContext {
  /** Data from the client; flows after the reply to this call. */
  readonly stream: ServerReceiveStream;
}

type StreamPart<S extends ProcedureSpec> = S["stream"] extends "send"
  ? { readonly stream: ServerSendStream }
  : S["stream"] extends "receive"
    ? { readonly stream: ServerReceiveStream }
    : unknown;
type FilterPart<S extends ProcedureSpec> = S["aclFilter"] extends readonly [
  unknown,
  ...unknown[],
]
  ? Pick<FilteredCallContext, "aclFilter">
  : unknown;

export type ContextOf<S extends ProcedureSpec> = CallContext &
  StreamPart<S> &
  FilterPart<S>;
export type ArgsOf<S extends ProcedureSpec> = CodecValue<S["args"]>;
export type RetOf<S extends ProcedureSpec> = CodecValue<S["ret"]>;

export type Handler<S extends ProcedureSpec> = (
  args: ArgsOf<S>,
  ctx: ContextOf<S>,
) => RetOf<S> | PromiseLike<RetOf<S>>;

/** One handler per procedure of the table. */
export type HandlersOf<P extends ProcedureTable> = {
  [K in keyof P]: Handler<P[K]>;
};
/** Handlers of the procedures whose server side libvirt generates (`@generate: server|both`). */
export type GeneratedHandlers<P extends ProcedureTable> = {
  [K in keyof P as P[K]["side"] extends "generated" ? K : never]: Handler<P[K]>;
};
/** Slots for the procedures libvirt's daemon implements by hand (`@generate: none|client`). */
export type HandWrittenHandlers<P extends ProcedureTable> = {
  [K in keyof P as P[K]["side"] extends "hand-written" ? K : never]: Handler<
    P[K]
  >;
};

/** A program with handlers bound: what a server serves. Missing handlers answer "not supported". */
export interface ServerProgram {
  readonly spec: ProgramSpec;
  /** Handler by procedure number (undefined: no handler). */
  handler(
    proc: number,
  ): ((args: unknown, ctx: CallContext) => unknown) | undefined;
  procedure(proc: number): ProcedureSpec | undefined;
}

/**
 * Binds handlers to a program. Handlers are looked up by the table's keys (method names);
 * procedures without one are answered with libvirt's "not supported by the connection driver".
 */
const OBJECT_MEMBERS = Object.prototype as unknown as Record<string, unknown>;

export function bindProgram<P extends ProcedureTable, E extends EventTable>(
  spec: ProgramSpec<P, E>,
  handlers: Partial<HandlersOf<P>>,
): ServerProgram {
  const byNumber = new Map<number, ProcedureSpec>();
  const handlerByNumber = new Map<
    number,
    (args: unknown, ctx: CallContext) => unknown
  >();
  const bag = handlers as Record<string, unknown>;
  for (const [method, proc] of Object.entries(spec.procedures)) {
    byNumber.set(proc.proc, proc);
    // A procedure named `constructor` or `toString` has no handler when the object only
    // inherits one from Object.prototype.
    const h = bag[method];
    if (typeof h === "function" && h !== OBJECT_MEMBERS[method])
      handlerByNumber.set(
        proc.proc,
        h.bind(handlers) as (args: unknown, ctx: CallContext) => unknown,
      );
  }
  for (const key of Object.keys(bag)) {
    if (
      !Object.hasOwn(spec.procedures, key) &&
      typeof bag[key] === "function"
    ) {
      throw new Error(
        `${spec.name}: handler '${key}' matches no procedure of the program`,
      );
    }
  }
  return {
    spec: spec,
    handler: (n) => handlerByNumber.get(n),
    procedure: (n) => byNumber.get(n),
  };
}
