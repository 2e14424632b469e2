/**
 * The client module of one protocol: a class with one method per procedure the annotations give
 * a client side (`@generate: client|both`), named as libvirt's C API without `vir`; typed maps of
 * the other procedures (for `call`) and of the server's messages (for `on`); the program's
 * handshake when it follows libvirt's (auth list, keepalive feature, connect open).
 *
 * ```
 * /** @generate: both @acl: domain:migrate *\/             /** `virDomainMigrateStartPostCopy`: `REMOTE_PROC_…` = 364 … *\/
 * REMOTE_PROC_DOMAIN_MIGRATE_START_POST_COPY = 364   →    domainMigrateStartPostCopy(dom: remote.remote_nonnull_domain, flags: number = 0,
 * struct remote_domain_migrate_start_post_copy_args {          options?: CallOptions): Promise<void> {
 *     remote_nonnull_domain dom; unsigned int flags; };      return this.invoke(remote.REMOTE_PROC_…, remote.xdr_…_args, { dom, flags }, null, options);
 *                                                         }
 * ```
 * `*_msg` procedures are server→client events: never methods, only typed listeners. Codecs are
 * used through a namespace import (`import * as remote from "./codecs.js"`) and everything but
 * the methods is independent of the procedure list's order, so adding a procedure adds exactly
 * its method (or its map entries).
 *
 * This module puts the parts together; each has its builder: the shared names and imports
 * (ts-client-context.ts, one GeneratedFile), the handshake (ts-client-handshake.ts), the
 * program description (ts-client-program.ts), the methods (ts-client-methods.ts), the class
 * (ts-client-class.ts) and `client.events` (ts-client-subscriptions.ts).
 */
import { stableChunk, type CodeModule } from "./chunks.js";
import type { ProcedureModel, ProtocolModel } from "../model/types.js";
import { generatedHeader } from "./generated-header.js";
import { clientClassChunks } from "./ts-client-class.js";
import {
  clientModuleContext,
  type ClientEmitOptions,
} from "./ts-client-context.js";
import { handshakeChunk, handshakeSpec } from "./ts-client-handshake.js";
import { clientMethod } from "./ts-client-methods.js";
import {
  callsInterfaceChunk,
  eventsInterfaceChunk,
  programChunk,
  traceChunk,
} from "./ts-client-program.js";
import { subscriptionChunks } from "./ts-client-subscriptions.js";

export type { ClientEmitOptions } from "./ts-client-context.js";

/**
 * Protocols with a program number and annotated procedures or events get a client module (as
 * they get a server module). virkeepaliveprotocol has neither: its PING/PONG are messages the
 * runtime handles itself, not calls.
 */
export function hasClientModule(p: ProtocolModel): boolean {
  if (!p.program || p.program.version === null) return false;
  return p.procedures.some((x) => x.annotations !== null || x.msg !== null);
}

/** A procedure's role in the client. */
type Role = "method" | "event";

/**
 * Every call procedure is a method: `@generate` says whether libvirt's C client is written by
 * hand, which changes nothing on the wire. `*_msg` procedures are server→client events.
 */
export function clientRole(x: ProcedureModel): Role {
  return x.msg ? "event" : "method";
}

export function emitClientModule(
  p: ProtocolModel,
  options: ClientEmitOptions,
): CodeModule {
  const ctx = clientModuleContext(p, options);
  // `call()` reaches every call procedure by number (tools, and wire shapes a method wraps).
  const calls = p.procedures.filter((x) => clientRole(x) === "method");
  const events = p.procedures.filter((x) => clientRole(x) === "event");
  // Built in the order that names their runtime imports first (which orders the runtime's
  // import statements: `…/client` before `…/trace`), not in the order they are printed.
  const handshake = handshakeSpec(ctx);
  const methods = calls.map((x) => clientMethod(x, ctx));
  const callsInterface = callsInterfaceChunk(ctx, calls);
  const eventsInterface = eventsInterfaceChunk(ctx, events);
  const trace = traceChunk(ctx);
  const handshakeChunks = handshake ? [handshakeChunk(ctx, handshake)] : [];
  const program = programChunk(ctx, calls, events, handshake !== null);
  const classChunks = clientClassChunks(ctx, methods, handshake !== null);
  const subscriptions = subscriptionChunks(ctx);
  return {
    header: generatedHeader(`${p.name}.x`),
    chunks: [
      // Imports are what the chunks named through the file: nothing unused.
      stableChunk(ctx.importLines().join("\n")),
      callsInterface,
      eventsInterface,
      ...handshakeChunks,
      trace,
      program,
      ...subscriptions,
      ...classChunks,
    ],
  };
}
