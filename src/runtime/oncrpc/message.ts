/**
 * RFC 5531's message layout (§9): call and reply headers around the XDR arguments and results.
 *
 * ```
 * call:  xid CALL(0) rpcvers=2 prog vers proc cred:opaque_auth verf:opaque_auth | args
 * reply: xid REPLY(1) MSG_ACCEPTED(0) verf accept_stat [SUCCESS | results, PROG_MISMATCH | low high]
 *        xid REPLY(1) MSG_DENIED(1)   RPC_MISMATCH(0) low high | AUTH_ERROR(1) auth_stat
 * ```
 *
 * Headers are written and read with the XDR writer and reader directly (they are a handful of
 * words; a generated codec would add an object per message).
 */
import { XdrError } from "../xdr/errors.js";
import type { XdrReader } from "../xdr/reader.js";
import type { XdrWriter } from "../xdr/writer.js";

export const RPC_VERSION = 2;
export const CALL = 0;
export const REPLY = 1;
export const MSG_ACCEPTED = 0;
export const MSG_DENIED = 1;

/** `accept_stat` */
export const SUCCESS = 0;
export const PROG_UNAVAIL = 1;
export const PROG_MISMATCH = 2;
export const PROC_UNAVAIL = 3;
export const GARBAGE_ARGS = 4;
export const SYSTEM_ERR = 5;
/** `reject_stat` */
export const RPC_MISMATCH = 0;
export const AUTH_ERROR = 1;

/** `auth_flavor` */
export const AUTH_NONE = 0;
export const AUTH_SYS = 1;

/** `auth_stat` (RFC 5531 §9 plus the RPCSEC_GSS values libtirpc knows). */
export type AuthStat = number;
export const AUTH_OK = 0;
export const AUTH_BADCRED = 1;
export const AUTH_REJECTEDCRED = 2;
export const AUTH_BADVERF = 3;
export const AUTH_REJECTEDVERF = 4;
export const AUTH_TOOWEAK = 5;
export const AUTH_INVALIDRESP = 6;
export const AUTH_FAILED = 7;
export const AUTH_STAT_NAMES: Readonly<Record<number, string>> = {
  0: "AUTH_OK",
  1: "AUTH_BADCRED",
  2: "AUTH_REJECTEDCRED",
  3: "AUTH_BADVERF",
  4: "AUTH_REJECTEDVERF",
  5: "AUTH_TOOWEAK",
  6: "AUTH_INVALIDRESP",
  7: "AUTH_FAILED",
  13: "RPCSEC_GSS_CREDPROBLEM",
  14: "RPCSEC_GSS_CTXPROBLEM",
};

/** Largest body of a credential or verifier (RFC 5531 §8.2). */
export const MAX_AUTH_BYTES = 400;

/** A credential or verifier as it travels: a flavor and its opaque body. */
export interface OpaqueAuth {
  readonly flavor: number;
  readonly body: Uint8Array;
}

const EMPTY = new Uint8Array(0);
export const AUTH_NONE_AUTH: OpaqueAuth = Object.freeze({
  flavor: AUTH_NONE,
  body: EMPTY,
});

/** Where a call goes. */
export interface CallHeader {
  readonly xid: number;
  readonly prog: number;
  readonly vers: number;
  readonly proc: number;
  readonly cred: OpaqueAuth;
  readonly verf: OpaqueAuth;
}

function writeAuth(w: XdrWriter, a: OpaqueAuth): void {
  w.uint(a.flavor);
  w.varOpaque(a.body, MAX_AUTH_BYTES);
}

function readAuth(r: XdrReader): OpaqueAuth {
  const flavor = r.uint();
  // AUTH_NONE with an empty body, nearly every verifier: no allocation for it.
  if (flavor === AUTH_NONE && r.pos + 4 <= r.end) {
    if (r.uint() === 0) return AUTH_NONE_AUTH;
    r.pos -= 4;
  }
  const body = r.varOpaque(MAX_AUTH_BYTES);
  return flavor === AUTH_NONE && body.length === 0
    ? AUTH_NONE_AUTH
    : { flavor, body };
}

export function writeCallHeader(w: XdrWriter, h: CallHeader): void {
  w.uint(h.xid);
  w.uint(CALL);
  w.uint(RPC_VERSION);
  w.uint(h.prog);
  w.uint(h.vers);
  w.uint(h.proc);
  writeAuth(w, h.cred);
  writeAuth(w, h.verf);
}

/** What a server makes of a record's first words. */
export type IncomingCall =
  | { readonly kind: "call"; readonly header: CallHeader }
  /** A call of another RPC version: answered RPC_MISMATCH, nothing else is read. */
  | {
      readonly kind: "rpc-mismatch";
      readonly xid: number;
      readonly rpcvers: number;
    }
  /** Not a call at all (a reply, or an unknown message type): dropped. */
  | {
      readonly kind: "not-a-call";
      readonly xid: number;
      readonly mtype: number;
    };

/** Reads a call header; the reader is left at the arguments. Throws XdrError when truncated. */
export function readCallHeader(r: XdrReader): IncomingCall {
  const xid = r.uint();
  const mtype = r.uint();
  if (mtype !== CALL) return { kind: "not-a-call", xid, mtype };
  const rpcvers = r.uint();
  if (rpcvers !== RPC_VERSION) return { kind: "rpc-mismatch", xid, rpcvers };
  const prog = r.uint();
  const vers = r.uint();
  const proc = r.uint();
  const cred = readAuth(r);
  const verf = readAuth(r);
  return { kind: "call", header: { xid, prog, vers, proc, cred, verf } };
}

/** Starts a successful reply; the results follow. */
export function writeSuccessHeader(
  w: XdrWriter,
  xid: number,
  verf: OpaqueAuth = AUTH_NONE_AUTH,
): void {
  w.uint(xid);
  w.uint(REPLY);
  w.uint(MSG_ACCEPTED);
  writeAuth(w, verf);
  w.uint(SUCCESS);
}

/** An accepted call that failed: PROG_UNAVAIL, PROC_UNAVAIL, GARBAGE_ARGS or SYSTEM_ERR. */
export function writeAcceptedError(
  w: XdrWriter,
  xid: number,
  stat:
    | typeof PROG_UNAVAIL
    | typeof PROC_UNAVAIL
    | typeof GARBAGE_ARGS
    | typeof SYSTEM_ERR,
): void {
  w.uint(xid);
  w.uint(REPLY);
  w.uint(MSG_ACCEPTED);
  writeAuth(w, AUTH_NONE_AUTH);
  w.uint(stat);
}

export function writeProgMismatch(
  w: XdrWriter,
  xid: number,
  low: number,
  high: number,
): void {
  w.uint(xid);
  w.uint(REPLY);
  w.uint(MSG_ACCEPTED);
  writeAuth(w, AUTH_NONE_AUTH);
  w.uint(PROG_MISMATCH);
  w.uint(low);
  w.uint(high);
}

export function writeRpcMismatch(w: XdrWriter, xid: number): void {
  w.uint(xid);
  w.uint(REPLY);
  w.uint(MSG_DENIED);
  w.uint(RPC_MISMATCH);
  w.uint(RPC_VERSION);
  w.uint(RPC_VERSION);
}

export function writeAuthError(
  w: XdrWriter,
  xid: number,
  stat: AuthStat,
): void {
  w.uint(xid);
  w.uint(REPLY);
  w.uint(MSG_DENIED);
  w.uint(AUTH_ERROR);
  w.uint(stat);
}

/** A reply's header as the client reads it; for `SUCCESS` the reader is left at the results. */
export type ReplyHeader =
  | {
      readonly xid: number;
      readonly stat: typeof SUCCESS;
      readonly verf: OpaqueAuth;
    }
  | {
      readonly xid: number;
      readonly stat:
        | typeof PROG_UNAVAIL
        | typeof PROC_UNAVAIL
        | typeof GARBAGE_ARGS
        | typeof SYSTEM_ERR;
    }
  | {
      readonly xid: number;
      readonly stat: "PROG_MISMATCH" | "RPC_MISMATCH";
      readonly low: number;
      readonly high: number;
    }
  | {
      readonly xid: number;
      readonly stat: "AUTH_ERROR";
      readonly authStat: AuthStat;
    };

/** Reads the xid alone (to find the call a reply belongs to before reading further). */
export function readXid(r: XdrReader): number {
  return r.uint();
}

/** Reads the rest of a reply header after its xid. Throws XdrError on anything RFC 5531 forbids. */
export function readReplyHeader(r: XdrReader, xid: number): ReplyHeader {
  const mtype = r.uint();
  if (mtype !== REPLY)
    throw new XdrError(
      "bad-enum",
      r.pos - 4,
      `message type ${mtype}, expected REPLY (1)`,
    );
  const replyStat = r.uint();
  if (replyStat === MSG_ACCEPTED) {
    const verf = readAuth(r);
    const stat = r.uint();
    switch (stat) {
      case SUCCESS:
        return { xid, stat, verf };
      case PROG_MISMATCH:
        return { xid, stat: "PROG_MISMATCH", low: r.uint(), high: r.uint() };
      case PROG_UNAVAIL:
      case PROC_UNAVAIL:
      case GARBAGE_ARGS:
      case SYSTEM_ERR:
        return { xid, stat };
      default:
        throw new XdrError(
          "bad-enum",
          r.pos - 4,
          `accept_stat ${stat} is not defined`,
        );
    }
  }
  if (replyStat === MSG_DENIED) {
    const reject = r.uint();
    if (reject === RPC_MISMATCH)
      return { xid, stat: "RPC_MISMATCH", low: r.uint(), high: r.uint() };
    if (reject === AUTH_ERROR)
      return { xid, stat: "AUTH_ERROR", authStat: r.uint() };
    throw new XdrError(
      "bad-enum",
      r.pos - 4,
      `reject_stat ${reject} is not defined`,
    );
  }
  throw new XdrError(
    "bad-enum",
    r.pos - 4,
    `reply_stat ${replyStat} is not defined`,
  );
}
