/**
 * One call, as virNetServerProgramDispatch handles it: find the program and procedure, decode
 * the arguments, enforce the procedure's ACL rules, run the handler, encode the reply. Every
 * failure is answered with an error reply and the connection stays open:
 *
 * | what                          | error (code / domain)                         |
 * |-------------------------------|-----------------------------------------------|
 * | unknown program or version    | VIR_ERR_RPC "Cannot find program P version V" |
 * | status other than OK          | VIR_ERR_RPC "Unexpected message status S"     |
 * | unknown procedure             | VIR_ERR_RPC "unknown procedure: N"            |
 * | arguments that do not decode  | VIR_ERR_RPC "Unable to decode message payload"|
 * | an ACL rule denied            | VIR_ERR_ACCESS_DENIED / VIR_FROM_ACCESS       |
 * | no handler                    | VIR_ERR_NO_SUPPORT "… not supported …: <api>" |
 * | handler throws a ServerError  | that error                                    |
 * | handler throws anything else  | VIR_ERR_INTERNAL_ERROR                        |
 */
import type { MessageHeader } from "../rpc/framing.js";
import { XdrReader } from "../xdr/reader.js";
import {
  VIR_NET_OK,
  VIR_NET_REPLY,
} from "../generated/virnetprotocol/codecs.js";
import { ensureAcl, filterByAcl, type AccessChecker } from "./acl.js";
import type { ServerClient } from "./client.js";
import { ServerError } from "./errors.js";
import type {
  CallContext,
  FilteredCallContext,
  ProcedureSpec,
  ServerProgram,
} from "./program.js";
import type { ServerStream } from "./stream.js";

/** One line of the call log. */
export interface CallRecord {
  readonly client: number;
  readonly program: string;
  readonly proc: number;
  /** Constant name, or `?` when the procedure is unknown. */
  readonly name: string;
  readonly serial: number;
  /** `ok`, or the error's message. */
  readonly outcome: string;
  readonly ok: boolean;
  readonly ms: number;
}

export interface DispatchEnv {
  readonly program: (prog: number, vers: number) => ServerProgram | undefined;
  readonly access: AccessChecker;
  /** Driver name in access-denied messages (libvirt uses the connection's driver name). */
  readonly driverName: string;
  readonly schedule: (
    job: () => PromiseLike<void> | void,
    priority: "high" | "low",
  ) => void;
  readonly onCall: ((record: CallRecord) => void) | undefined;
}

export function dispatchCall(
  env: DispatchEnv,
  client: ServerClient,
  header: MessageHeader,
  frame: Uint8Array,
  offset: number,
  done: () => void,
): void {
  const started = env.onCall ? performance.now() : 0;
  const finish = (name: string, program: string, error: ServerError | null) => {
    if (error) client.sendError(header, VIR_NET_REPLY, error);
    done();
    env.onCall?.({
      client: client.identity.id,
      program,
      proc: header.proc,
      name,
      serial: header.serial,
      outcome: error ? error.message : "ok",
      ok: error === null,
      ms: performance.now() - started,
    });
  };

  const program = env.program(header.prog, header.vers);
  if (!program)
    return finish(
      "?",
      String(header.prog),
      ServerError.rpc(
        `Cannot find program ${header.prog} version ${header.vers}`,
      ),
    );
  const progName = program.spec.name;
  if (header.status !== VIR_NET_OK)
    return finish(
      "?",
      progName,
      ServerError.rpc(`Unexpected message status ${header.status}`),
    );
  const spec = program.procedure(header.proc);
  if (!spec)
    return finish(
      "?",
      progName,
      ServerError.rpc(`unknown procedure: ${header.proc}`),
    );

  env.schedule(
    () =>
      runCall(env, client, program, spec, header, frame, offset, (error) =>
        finish(spec.name, progName, error),
      ),
    spec.priority,
  );
}

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  v !== null &&
  typeof v === "object" &&
  typeof (v as PromiseLike<unknown>).then === "function";

/**
 * Decode, check, run, reply. Stays synchronous as long as the access checker and the handler
 * answer synchronously, so a batch of calls read together is answered in one write.
 */
function runCall(
  env: DispatchEnv,
  client: ServerClient,
  program: ServerProgram,
  spec: ProcedureSpec,
  header: MessageHeader,
  frame: Uint8Array,
  offset: number,
  finish: (error: ServerError | null) => void,
): void | Promise<void> {
  let stream: ServerStream | null = null;
  const fail = (e: unknown) => {
    const error = ServerError.from(e);
    stream?.abort(error);
    finish(error);
  };
  const reply = (ret: unknown) => {
    try {
      client.sendFrame(
        {
          prog: header.prog,
          vers: header.vers,
          proc: header.proc,
          type: VIR_NET_REPLY,
          serial: header.serial,
          status: VIR_NET_OK,
        },
        spec.ret,
        ret,
      );
    } catch (e) {
      return fail(
        ServerError.internal(
          `cannot encode the reply of ${spec.name}: ${e instanceof Error ? e.message : String(e)}`,
        ),
      );
    }
    stream?.activate();
    finish(null);
  };
  const invoke = (args: unknown): void | Promise<void> => {
    const handler = program.handler(header.proc);
    if (!handler) throw ServerError.noSupport(spec.api);
    if (spec.stream) stream = client.openStream(header, spec.stream);
    const ret = handler(
      args,
      makeContext(env, client, spec, header.serial, stream),
    );
    if (isThenable(ret)) return Promise.resolve(ret).then(reply, fail);
    reply(ret);
  };
  try {
    let args: unknown = undefined;
    if (spec.args) {
      try {
        args = spec.args.decode(new XdrReader(frame, offset, frame.length));
      } catch {
        throw ServerError.rpc("Unable to decode message payload");
      }
    }
    if (spec.acl.length === 0) return invoke(args);
    const target =
      spec.aclTarget !== null && args !== null && typeof args === "object"
        ? (args as Record<string, unknown>)[spec.aclTarget]
        : null;
    const denied = ensureAcl(env.access, client.identity, spec.acl, {
      target: target ?? null,
      args,
      procedure: spec.name,
    });
    const after = (rule: unknown) => {
      if (rule) throw ServerError.accessDenied(env.driverName);
      return invoke(args);
    };
    if (isThenable(denied)) return denied.then(after).then(undefined, fail);
    return after(denied);
  } catch (e) {
    fail(e);
  }
}

function makeContext(
  env: DispatchEnv,
  client: ServerClient,
  spec: ProcedureSpec,
  serial: number,
  stream: ServerStream | null,
): CallContext {
  const base: CallContext & { stream?: ServerStream } = {
    client,
    identity: client.identity,
    procedure: spec,
    serial,
  };
  if (stream) base.stream = stream;
  if (spec.aclFilter.length === 0) return base;
  const filtered: FilteredCallContext = {
    ...base,
    aclFilter: <T>(items: readonly T[], targetOf?: (item: T) => unknown) =>
      filterByAcl(
        env.access,
        client.identity,
        spec.aclFilter,
        spec.name,
        items,
        targetOf,
      ),
  };
  return filtered;
}
