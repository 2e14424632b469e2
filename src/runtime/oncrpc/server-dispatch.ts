/**
 * Answers one call record the way a libtirpc server does (svc.c `svc_getreq_common` and an
 * rpcgen dispatcher), so peers see the same reply status from either:
 *
 * 1. credentials: AUTH_NONE, or AUTH_SYS that decodes; else AUTH_ERROR (AUTH_BADCRED for a
 *    malformed AUTH_SYS body, AUTH_REJECTEDCRED for other flavors, as libtirpc's _authenticate);
 * 2. program: PROG_UNAVAIL when unknown, PROG_MISMATCH with the lowest and highest version
 *    served when only the version is;
 * 3. procedure 0 (NULL) is always answered with an empty success;
 * 4. PROC_UNAVAIL for a procedure the version does not have;
 * 5. GARBAGE_ARGS when the arguments do not decode (bytes after them are ignored, as
 *    `svc_getargs` does);
 * 6. SYSTEM_ERR when the handler throws or its result does not encode.
 *
 * One deliberate difference: a call of another RPC version gets RFC 5531's RPC_MISMATCH reply
 * (libtirpc drops the connection without a word). A record that is not a call at all drops the
 * connection, as in libtirpc.
 */
import { XdrError } from "../xdr/errors.js";
import { XdrReader } from "../xdr/reader.js";
import type { XdrWriter } from "../xdr/writer.js";
import { decodeAuthSys, type AuthSysParams } from "./auth.js";
import {
  AUTH_BADCRED,
  AUTH_NONE,
  AUTH_REJECTEDCRED,
  AUTH_SYS,
  GARBAGE_ARGS,
  PROC_UNAVAIL,
  PROG_UNAVAIL,
  SYSTEM_ERR,
  readCallHeader,
  writeAcceptedError,
  writeAuthError,
  writeProgMismatch,
  writeRpcMismatch,
  writeSuccessHeader,
  type CallHeader,
} from "./message.js";
import type {
  OncRpcCallContext,
  OncRpcServerProcedure,
  OncRpcServerProgram,
} from "./server-program.js";

/** Programs served, by number, then version. */
export type ProgramTable = ReadonlyMap<
  number,
  ReadonlyMap<number, OncRpcServerProgram>
>;

export function programTable(
  programs: readonly OncRpcServerProgram[],
): ProgramTable {
  const table = new Map<number, Map<number, OncRpcServerProgram>>();
  for (const p of programs) {
    const versions =
      table.get(p.program) ?? new Map<number, OncRpcServerProgram>();
    if (versions.has(p.version))
      throw new Error(
        `program ${p.name} (${p.program} version ${p.version}) is served twice`,
      );
    versions.set(p.version, p);
    table.set(p.program, versions);
  }
  return table;
}

/** How the connection should go on after a record. */
export type Outcome =
  /** A reply was written (or will be, by `reply`). */
  | "answered"
  /** The record is not an RPC call: drop the connection. */
  | "drop";

export interface DispatchSink {
  /** Queues one reply record written by `encode`. */
  reply(encode: (w: XdrWriter) => void): void;
  /** An asynchronous handler finished (its reply, if any, is queued). */
  settled(): void;
  log(line: string): void;
  readonly peer: string;
}

/**
 * Handles one record. Returns "drop" when the connection should go; otherwise a reply has been
 * queued, or will be when the handler's promise settles (`sink.settled()` is then called; the
 * return value is then the promise's marker "pending").
 */
export function dispatchRecord(
  table: ProgramTable,
  record: Uint8Array,
  sink: DispatchSink,
): Outcome | "pending" {
  const r = new XdrReader(record);
  let h: CallHeader;
  try {
    const incoming = readCallHeader(r);
    if (incoming.kind === "not-a-call") {
      sink.log(
        `${sink.peer}: message type ${incoming.mtype} is not a call; dropping the connection`,
      );
      return "drop";
    }
    if (incoming.kind === "rpc-mismatch") {
      sink.reply((w) => writeRpcMismatch(w, incoming.xid));
      return "answered";
    }
    h = incoming.header;
  } catch (e) {
    sink.log(
      `${sink.peer}: malformed call header (${(e as Error).message}); dropping the connection`,
    );
    return "drop";
  }
  const xid = h.xid;
  let authSys: AuthSysParams | null = null;
  if (h.cred.flavor === AUTH_SYS) {
    try {
      authSys = decodeAuthSys(h.cred.body);
    } catch {
      sink.reply((w) => writeAuthError(w, xid, AUTH_BADCRED));
      return "answered";
    }
  } else if (h.cred.flavor !== AUTH_NONE) {
    sink.reply((w) => writeAuthError(w, xid, AUTH_REJECTEDCRED));
    return "answered";
  }
  const versions = table.get(h.prog);
  if (!versions) {
    sink.reply((w) => writeAcceptedError(w, xid, PROG_UNAVAIL));
    return "answered";
  }
  const program = versions.get(h.vers);
  if (!program) {
    let low = 0xffffffff;
    let high = 0;
    for (const v of versions.keys()) {
      low = Math.min(low, v);
      high = Math.max(high, v);
    }
    sink.reply((w) => writeProgMismatch(w, xid, low, high));
    return "answered";
  }
  const proc = program.procedures.get(h.proc);
  if (!proc) {
    if (h.proc === 0) sink.reply((w) => writeSuccessHeader(w, xid));
    else sink.reply((w) => writeAcceptedError(w, xid, PROC_UNAVAIL));
    return "answered";
  }
  let args: unknown;
  try {
    args = proc.args === null ? undefined : proc.args.decode(r);
  } catch (e) {
    if (!(e instanceof XdrError)) throw e;
    sink.log(
      `${sink.peer}: ${program.name} ${proc.name}: garbage arguments (${e.message})`,
    );
    sink.reply((w) => writeAcceptedError(w, xid, GARBAGE_ARGS));
    return "answered";
  }
  const ctx: OncRpcCallContext = {
    xid,
    program: h.prog,
    version: h.vers,
    proc: h.proc,
    cred: h.cred,
    authSys,
    peer: sink.peer,
  };
  let result: unknown;
  try {
    result = proc.run(args, ctx);
  } catch (e) {
    systemError(sink, program, proc, xid, e);
    return "answered";
  }
  if (isPromiseLike(result)) {
    result.then(
      (v) => {
        sendResult(sink, program, proc, xid, v);
        sink.settled();
      },
      (e: unknown) => {
        systemError(sink, program, proc, xid, e);
        sink.settled();
      },
    );
    return "pending";
  }
  sendResult(sink, program, proc, xid, result);
  return "answered";
}

function sendResult(
  sink: DispatchSink,
  program: OncRpcServerProgram,
  proc: OncRpcServerProcedure,
  xid: number,
  value: unknown,
): void {
  const codec = proc.result;
  try {
    sink.reply((w) => {
      writeSuccessHeader(w, xid);
      if (codec !== null) codec.encode(w, value);
    });
  } catch (e) {
    systemError(sink, program, proc, xid, e);
  }
}

function systemError(
  sink: DispatchSink,
  program: OncRpcServerProgram,
  proc: OncRpcServerProcedure,
  xid: number,
  e: unknown,
): void {
  sink.log(
    `${sink.peer}: ${program.name} ${proc.name} failed: ${(e as Error)?.message ?? String(e)}`,
  );
  try {
    sink.reply((w) => writeAcceptedError(w, xid, SYSTEM_ERR));
  } catch {
    // The connection is gone.
  }
}

function isPromiseLike(v: unknown): v is PromiseLike<unknown> {
  return (
    typeof v === "object" &&
    v !== null &&
    typeof (v as { then?: unknown }).then === "function"
  );
}
