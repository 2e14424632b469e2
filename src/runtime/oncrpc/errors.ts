/**
 * Typed errors for every way an ONC-RPC call can be refused (RFC 5531 §9, `accept_stat`,
 * `reject_stat`, `auth_stat`). Each says which call was refused and, where the wire carries it,
 * why (the supported version range, the authentication problem). Connection loss and timeouts
 * are the same `ConnectionClosedError` and `CallTimeoutError` the libvirt client raises.
 */
import { AUTH_STAT_NAMES, type AuthStat } from "./message.js";

/** Base of every error a server answered with (the call reached it and was refused). */
export class OncRpcError extends Error {
  /** `accept_stat` (MSG_ACCEPTED) or `reject_stat` (MSG_DENIED) name, e.g. `PROG_UNAVAIL`. */
  readonly status: string;
  constructor(status: string, message: string) {
    super(message);
    this.status = status;
  }
}

/** PROG_UNAVAIL: the server does not export the program. */
export class ProgramUnavailableError extends OncRpcError {
  constructor(call: string) {
    super("PROG_UNAVAIL", `${call}: program unavailable (PROG_UNAVAIL)`);
  }
}

/** PROG_MISMATCH: the server exports the program, but only versions `low`..`high`. */
export class ProgramMismatchError extends OncRpcError {
  constructor(
    call: string,
    readonly low: number,
    readonly high: number,
  ) {
    super(
      "PROG_MISMATCH",
      `${call}: program version not supported; the server has versions ${low}..${high} (PROG_MISMATCH)`,
    );
  }
}

/** PROC_UNAVAIL: the program version has no such procedure. */
export class ProcedureUnavailableError extends OncRpcError {
  constructor(call: string) {
    super("PROC_UNAVAIL", `${call}: procedure unavailable (PROC_UNAVAIL)`);
  }
}

/** GARBAGE_ARGS: the server could not decode the arguments. */
export class GarbageArgumentsError extends OncRpcError {
  constructor(call: string) {
    super(
      "GARBAGE_ARGS",
      `${call}: the server could not decode the arguments (GARBAGE_ARGS)`,
    );
  }
}

/** SYSTEM_ERR: the server failed for a reason of its own (out of memory, a handler threw). */
export class RpcSystemError extends OncRpcError {
  constructor(call: string) {
    super("SYSTEM_ERR", `${call}: system error on the server (SYSTEM_ERR)`);
  }
}

/** RPC_MISMATCH: the server speaks only RPC versions `low`..`high` (this client speaks 2). */
export class RpcMismatchError extends OncRpcError {
  constructor(
    call: string,
    readonly low: number,
    readonly high: number,
  ) {
    super(
      "RPC_MISMATCH",
      `${call}: RPC version 2 not supported; the server speaks ${low}..${high} (RPC_MISMATCH)`,
    );
  }
}

/** AUTH_ERROR: the credentials or verifier were refused; `authStat` says why. */
export class AuthError extends OncRpcError {
  constructor(
    call: string,
    readonly authStat: AuthStat,
  ) {
    super(
      "AUTH_ERROR",
      `${call}: authentication failed: ${AUTH_STAT_NAMES[authStat] ?? `auth_stat ${authStat}`} (AUTH_ERROR)`,
    );
  }

  get authStatName(): string {
    return AUTH_STAT_NAMES[this.authStat] ?? `auth_stat ${this.authStat}`;
  }
}

/** The byte stream broke RFC 5531's record marking (§11); the connection is dropped. */
export class RecordMarkingError extends Error {}

for (const E of [
  OncRpcError,
  ProgramUnavailableError,
  ProgramMismatchError,
  ProcedureUnavailableError,
  GarbageArgumentsError,
  RpcSystemError,
  RpcMismatchError,
  AuthError,
  RecordMarkingError,
]) {
  Object.defineProperty(E.prototype, "name", {
    value: E.name,
    writable: true,
    configurable: true,
  });
}
