/**
 * Credentials: AUTH_NONE and AUTH_SYS (RFC 5531 Appendix A, `authsys_parms`), the two flavors
 * every rpcgen peer understands.
 */
import { XdrReader } from "../xdr/reader.js";
import { XdrWriter } from "../xdr/writer.js";
import { hostname } from "node:os";
import {
  AUTH_NONE_AUTH,
  AUTH_SYS,
  MAX_AUTH_BYTES,
  type OpaqueAuth,
} from "./message.js";

export interface AuthSysParams {
  /** Arbitrary id the caller chose (libtirpc uses the time). */
  readonly stamp: number;
  /** At most 255 bytes. */
  readonly machinename: string;
  readonly uid: number;
  readonly gid: number;
  /** At most 16 supplementary groups. */
  readonly gids: readonly number[];
}

export const MAX_MACHINE_NAME = 255;
export const NGRPS = 16;

/** The AUTH_NONE credential (and verifier). */
export function authNone(): OpaqueAuth {
  return AUTH_NONE_AUTH;
}

/**
 * An AUTH_SYS credential. Without arguments: this process's uid/gid/groups and host name, as
 * libtirpc's `authunix_create_default` sends.
 */
export function authSys(params: Partial<AuthSysParams> = {}): OpaqueAuth {
  const w = new XdrWriter(128, MAX_AUTH_BYTES);
  const groups = params.gids ?? process.getgroups?.() ?? [];
  w.uint(params.stamp ?? Math.floor(Date.now() / 1000) >>> 0);
  w.string(
    params.machinename ?? hostname().slice(0, MAX_MACHINE_NAME),
    MAX_MACHINE_NAME,
  );
  w.uint(params.uid ?? process.getuid?.() ?? 0);
  w.uint(params.gid ?? process.getgid?.() ?? 0);
  const gids = groups.slice(0, NGRPS);
  w.count(gids.length, NGRPS);
  for (const g of gids) w.uint(g);
  return { flavor: AUTH_SYS, body: w.toBytes() };
}

/** Decodes an AUTH_SYS credential body; throws XdrError when it is malformed. */
export function decodeAuthSys(body: Uint8Array): AuthSysParams {
  const r = new XdrReader(body);
  const stamp = r.uint();
  const machinename = r.string(MAX_MACHINE_NAME);
  const uid = r.uint();
  const gid = r.uint();
  const n = r.count(NGRPS);
  const gids: number[] = [];
  for (let i = 0; i < n; i++) gids.push(r.uint());
  r.done();
  return { stamp, machinename, uid, gid, gids };
}
