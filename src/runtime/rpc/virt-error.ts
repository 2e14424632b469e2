/**
 * Errors of the RPC layer, for clients and servers alike.
 *
 * `VirtError` is an error libvirt sent (a `VIR_NET_ERROR` reply: `virNetMessageError`, the same
 * layout as `remote_error`), with every field of it. The others are local: the connection went
 * away, a call timed out, or the peer broke the protocol.
 */
import type { virNetMessageError } from "../generated/virnetprotocol/codecs.js";
import {
  VIR_ERROR_DOMAIN_NAMES,
  VIR_ERROR_NUMBER_NAMES,
} from "./virterror-names.js";

/** `virErrorNumber` values the runtime itself uses (all names: `VIR_ERROR_NUMBER_NAMES`). */
export const VIR_ERR_INTERNAL_ERROR = 1;
export const VIR_ERR_NO_SUPPORT = 3;
export const VIR_ERR_RPC = 39;
/** `virErrorDomain` values the runtime itself uses. */
export const VIR_FROM_RPC = 7;
export const VIR_FROM_REMOTE = 13;
/** `virErrorLevel`. */
export const VIR_ERR_NONE = 0;
export const VIR_ERR_WARNING = 1;
export const VIR_ERR_ERROR = 2;

export type VirtErrorFields = Omit<virNetMessageError, "message"> & {
  message: string | null;
};

/** An error libvirt reported, with the fields of its `remote_error`. */
export class VirtError extends Error {
  /** `virErrorNumber`, e.g. 3 (VIR_ERR_NO_SUPPORT). */
  readonly code: number;
  /** `virErrorDomain`: which part of libvirt raised it. */
  readonly domain: number;
  /** `virErrorLevel` (2: error). */
  readonly level: number;
  /** The message as libvirt sent it (null when it sent none; `message` then says so). */
  readonly remoteMessage: string | null;
  readonly dom: virNetMessageError["dom"];
  readonly net: virNetMessageError["net"];
  readonly str1: string | null;
  readonly str2: string | null;
  readonly str3: string | null;
  readonly int1: number;
  readonly int2: number;

  constructor(fields: VirtErrorFields) {
    super(
      fields.message ??
        `unknown error (${VIR_ERROR_NUMBER_NAMES[fields.code] ?? `code ${fields.code}`})`,
    );
    this.code = fields.code;
    this.domain = fields.domain;
    this.level = fields.level;
    this.remoteMessage = fields.message;
    this.dom = fields.dom;
    this.net = fields.net;
    this.str1 = fields.str1;
    this.str2 = fields.str2;
    this.str3 = fields.str3;
    this.int1 = fields.int1;
    this.int2 = fields.int2;
  }

  /** `VIR_ERR_NO_SUPPORT` for code 3, or `code <n>` for numbers this libvirt does not name. */
  get codeName(): string {
    return VIR_ERROR_NUMBER_NAMES[this.code] ?? `code ${this.code}`;
  }

  /** `VIR_FROM_TEST` for domain 12. */
  get domainName(): string {
    return VIR_ERROR_DOMAIN_NAMES[this.domain] ?? `domain ${this.domain}`;
  }

  /**
   * The error as received. Like libvirt's client (virnetclientprogram.c), an RPC error whose
   * message starts with "unknown procedure" (an older daemon) becomes VIR_ERR_NO_SUPPORT.
   */
  static fromWire(e: virNetMessageError): VirtError {
    const unknownProc =
      (e.domain === VIR_FROM_REMOTE || e.domain === VIR_FROM_RPC) &&
      e.code === VIR_ERR_RPC &&
      e.level === VIR_ERR_ERROR &&
      e.message !== null &&
      e.message.startsWith("unknown procedure");
    return new VirtError({
      ...e,
      code: unknownProc ? VIR_ERR_NO_SUPPORT : e.code,
    });
  }

  /** The `virNetMessageError` payload that reports this error. */
  toWire(): virNetMessageError {
    return {
      code: this.code,
      domain: this.domain,
      message: this.remoteMessage ?? this.message,
      level: this.level,
      dom: this.dom,
      str1: this.str1,
      str2: this.str2,
      str3: this.str3,
      int1: this.int1,
      int2: this.int2,
      net: this.net,
    };
  }
}
Object.defineProperty(VirtError.prototype, "name", {
  value: "VirtError",
  writable: true,
  configurable: true,
});

/** The connection is gone: closed by us, by the peer, by a transport error or a dead keepalive. */
export class ConnectionClosedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
Object.defineProperty(ConnectionClosedError.prototype, "name", {
  value: "ConnectionClosedError",
  writable: true,
  configurable: true,
});

/** A call got no reply within its timeout. The call may still run on the server. */
export class CallTimeoutError extends Error {
  constructor(
    message: string,
    readonly timeoutMs: number,
  ) {
    super(message);
  }
}
Object.defineProperty(CallTimeoutError.prototype, "name", {
  value: "CallTimeoutError",
  writable: true,
  configurable: true,
});

/** The peer sent something the protocol does not allow; the connection is closed. */
export class RpcProtocolError extends Error {}
Object.defineProperty(RpcProtocolError.prototype, "name", {
  value: "RpcProtocolError",
  writable: true,
  configurable: true,
});
