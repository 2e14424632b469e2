/**
 * What a server serves: program/version pairs, each a table of procedures (codecs and handler).
 * Generated `server.ts` files build these from a typed handler interface; the table is typed
 * loosely (`unknown`) because its entries differ in type, and `procedure()` is the one place
 * that erases each handler's own types.
 */
import type { XdrCodec } from "../xdr/codec.js";
import type { AuthSysParams } from "./auth.js";
import type { OpaqueAuth } from "./message.js";

/** What a handler learns about its call besides the arguments. */
export interface OncRpcCallContext {
  readonly xid: number;
  readonly program: number;
  readonly version: number;
  readonly proc: number;
  /** The credential as sent. */
  readonly cred: OpaqueAuth;
  /** The AUTH_SYS credential decoded, when the call carried one. */
  readonly authSys: AuthSysParams | null;
  /** `tcp:127.0.0.1:40512` or `unix:/path`. */
  readonly peer: string;
}

export interface OncRpcServerProcedure {
  /** The .x name, e.g. `RPCBPROC_DUMP`. */
  readonly name: string;
  readonly args: XdrCodec<unknown> | null;
  readonly result: XdrCodec<unknown> | null;
  /** Runs the call; a throw (or rejection) is answered SYSTEM_ERR. */
  readonly run: (args: unknown, ctx: OncRpcCallContext) => unknown;
}

export interface OncRpcServerProgram {
  /** e.g. `RPCBPROG` version `RPCBVERS4`, for logs. */
  readonly name: string;
  readonly program: number;
  readonly version: number;
  /** By procedure number; procedure 0 (NULL) is answered by the server when absent. */
  readonly procedures: ReadonlyMap<number, OncRpcServerProcedure>;
}

/** One table entry, typed: `handler` takes what `args` decodes and returns what `result` encodes. */
export function procedure<A, R>(
  name: string,
  args: XdrCodec<A> | null,
  result: XdrCodec<R> | null,
  handler: (args: A, ctx: OncRpcCallContext) => R | Promise<R>,
): OncRpcServerProcedure {
  return {
    name,
    args: args,
    result: result,
    run: handler as (args: unknown, ctx: OncRpcCallContext) => unknown,
  };
}
