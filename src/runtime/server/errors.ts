/**
 * Errors a server sends back, in libvirt's wire form (`virNetMessageError`, the same layout as
 * `remote_error`). A handler throws a `ServerError` to answer a call with that error; anything
 * else it throws becomes VIR_ERR_INTERNAL_ERROR, as libvirt reports a driver failure that set
 * no error.
 *
 * Numbers are libvirt's (`include/libvirt/virterror.h`), messages are composed the way
 * `virErrorMsg` + `virReportError` compose them, so `virsh` prints what it prints for libvirtd.
 */
import type { virNetMessageError } from "../generated/virnetprotocol/codecs.js";

/** `virErrorNumber` values the runtime and typical drivers use. */
export const VirErrorCode = {
  INTERNAL_ERROR: 1,
  NO_SUPPORT: 3,
  INVALID_ARG: 8,
  OPERATION_FAILED: 9,
  XML_ERROR: 27,
  RPC: 39,
  NO_DOMAIN: 42,
  OPERATION_INVALID: 55,
  AUTH_FAILED: 45,
  ACCESS_DENIED: 88,
  OPERATION_UNSUPPORTED: 84,
} as const;

/** `virErrorDomain` values (where an error comes from). */
export const VirErrorDomain = {
  NONE: 0,
  RPC: 7,
  TEST: 12,
  REMOTE: 13,
  DOMAIN: 20,
  ACCESS: 55,
} as const;

/** `virErrorLevel`. */
export const VirErrorLevel = { NONE: 0, WARNING: 1, ERROR: 2 } as const;

export interface ServerErrorFields {
  readonly code: number;
  readonly domain: number;
  readonly message: string;
  readonly level?: number;
  readonly str1?: string | null;
  readonly str2?: string | null;
  readonly str3?: string | null;
  readonly int1?: number;
  readonly int2?: number;
}

/** An error to answer a call with. `message` is the full text libvirt would send. */
export class ServerError extends Error {
  readonly code: number;
  readonly domain: number;
  readonly level: number;
  readonly str1: string | null;
  readonly str2: string | null;
  readonly str3: string | null;
  readonly int1: number;
  readonly int2: number;

  constructor(fields: ServerErrorFields) {
    super(fields.message);
    this.code = fields.code;
    this.domain = fields.domain;
    this.level = fields.level ?? VirErrorLevel.ERROR;
    this.str1 = fields.str1 ?? null;
    this.str2 = fields.str2 ?? null;
    this.str3 = fields.str3 ?? null;
    this.int1 = fields.int1 ?? -1;
    this.int2 = fields.int2 ?? -1;
  }

  /** The `virNetMessageError` payload of an error reply. */
  toWire(): virNetMessageError {
    return {
      code: this.code,
      domain: this.domain,
      message: this.message,
      level: this.level,
      dom: null,
      str1: this.str1,
      str2: this.str2,
      str3: this.str3,
      int1: this.int1,
      int2: this.int2,
      net: null,
    };
  }

  /** VIR_ERR_RPC from VIR_FROM_RPC: what libvirt's RPC layer reports (format "%s"). */
  static rpc(message: string): ServerError {
    return new ServerError({
      code: VirErrorCode.RPC,
      domain: VirErrorDomain.RPC,
      message,
      str1: message,
    });
  }

  /**
   * What gendispatch.pl's generated `vir…EnsureACL` reports on a denial (after
   * virAccessManagerSanitizeError): "access denied: '<driver>' denied access".
   */
  static accessDenied(driverName: string): ServerError {
    const detail = `'${driverName}' denied access`;
    return new ServerError({
      code: VirErrorCode.ACCESS_DENIED,
      domain: VirErrorDomain.ACCESS,
      message: `access denied: ${detail}`,
      str1: detail,
    });
  }

  /** virReportUnsupportedError: the driver has no implementation of `api`. */
  static noSupport(
    api: string,
    domain: number = VirErrorDomain.NONE,
  ): ServerError {
    return new ServerError({
      code: VirErrorCode.NO_SUPPORT,
      domain,
      message: `this function is not supported by the connection driver: ${api}`,
      str1: api,
    });
  }

  /** VIR_ERR_INTERNAL_ERROR ("internal error: %s"). */
  static internal(
    detail: string,
    domain: number = VirErrorDomain.RPC,
  ): ServerError {
    return new ServerError({
      code: VirErrorCode.INTERNAL_ERROR,
      domain,
      message: `internal error: ${detail}`,
      str1: detail,
    });
  }

  /** Any thrown value as the error to send: ServerErrors as they are, the rest as internal errors. */
  static from(e: unknown): ServerError {
    if (e instanceof ServerError) return e;
    const detail = e instanceof Error ? e.message : String(e);
    return ServerError.internal(detail);
  }
}
