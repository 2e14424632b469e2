/**
 * Choosing and running the authentication libvirtd asks for (remote_driver.c,
 * remoteAuthenticate): REMOTE_PROC_AUTH_LIST gives the types the server accepts; with `auth=`
 * (URI parameter or option) the one named must be among them, else the server's first is
 * used. `none`: nothing to do; `polkit`: AUTH_POLKIT, decided by the server from our socket
 * credentials; `sasl`: see sasl.ts. A server without AUTH_LIST (VIR_ERR_NO_SUPPORT) needs none.
 */
import type { RpcConnection } from "../../rpc/connection.js";
import { VIR_ERR_NO_SUPPORT, VirtError } from "../../rpc/virt-error.js";
import { CredentialSource, type ConnectAuth } from "./credentials.js";
import { SaslError } from "./mechanism.js";
import { authenticateSasl, type SaslCalls } from "./sasl.js";

/** `remote_auth_type` values. */
export const REMOTE_AUTH_NONE = 0;
export const REMOTE_AUTH_SASL = 1;
export const REMOTE_AUTH_POLKIT = 2;

/** `VIR_ERR_AUTH_FAILED` (virerror.h). */
export const VIR_ERR_AUTH_FAILED = 45;

const AUTH_TYPE_NAMES: Readonly<Record<number, string>> = {
  [REMOTE_AUTH_NONE]: "none",
  [REMOTE_AUTH_SASL]: "sasl",
  [REMOTE_AUTH_POLKIT]: "polkit",
};
const typeName = (t: number) => AUTH_TYPE_NAMES[t] ?? `type ${t}`;

/** Authentication was refused or could not be carried out. */
export class AuthenticationError extends Error {
  constructor(
    message: string,
    /** What the server accepts (`sasl`, `polkit`, …), when known. */
    readonly offered: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
Object.defineProperty(AuthenticationError.prototype, "name", {
  value: "AuthenticationError",
  writable: true,
  configurable: true,
});

export interface AuthCalls {
  list(): Promise<readonly number[]>;
  polkit: (() => Promise<unknown>) | null;
  sasl: SaslCalls | null;
}

export interface AuthRequest {
  readonly conn: RpcConnection;
  readonly calls: AuthCalls;
  readonly auth: ConnectAuth;
  /** The URI's `auth=`, `authfile=` and host, when connecting by URI. */
  readonly uriAuthType?: string | undefined;
  readonly uriAuthFile?: string | undefined;
  readonly host: string;
}

/** Returns what was done: `none`, `polkit` or `sasl <MECHANISM>`. */
export async function authenticate(req: AuthRequest): Promise<string> {
  let types: readonly number[];
  try {
    types = await req.calls.list();
  } catch (e) {
    // An old server without AUTH_LIST: no authentication (as libvirt does).
    if (e instanceof VirtError && e.code === VIR_ERR_NO_SUPPORT) return "none";
    throw e;
  }
  if (types.length === 0) return "none";
  const offered = types.map(typeName);
  const requested = req.auth.type ?? req.uriAuthType;
  let type: number;
  let mechanism: string | undefined;
  if (requested !== undefined) {
    const lower = requested.toLowerCase();
    let want: number;
    if (lower === "sasl" || lower.startsWith("sasl.")) {
      want = REMOTE_AUTH_SASL;
      if (lower.startsWith("sasl.")) mechanism = requested.slice(5);
    } else if (lower === "polkit") want = REMOTE_AUTH_POLKIT;
    else
      throw new AuthenticationError(
        `unknown authentication type '${requested}' (use sasl, sasl.<MECHANISM> or polkit)`,
        offered,
      );
    if (!types.includes(want))
      throw new AuthenticationError(
        `requested authentication type ${requested} rejected: ${req.conn.peer} accepts ${offered.join(", ")}`,
        offered,
      );
    type = want;
  } else type = types[0]!;

  switch (type) {
    case REMOTE_AUTH_NONE:
      return "none";
    case REMOTE_AUTH_POLKIT:
      if (!req.calls.polkit) break;
      await wrap(req.calls.polkit(), "polkit", offered);
      return "polkit";
    case REMOTE_AUTH_SASL: {
      if (!req.calls.sasl) break;
      const credentials = new CredentialSource(
        req.auth,
        req.host,
        req.uriAuthFile,
      );
      const mech = await wrap(
        authenticateSasl({
          conn: req.conn,
          calls: req.calls.sasl,
          credentials,
          host: req.host,
          mechanism,
          authzid: req.auth.authzid,
        }),
        "sasl",
        offered,
      );
      return `sasl ${mech}`;
    }
  }
  throw new AuthenticationError(
    `${req.conn.peer} requires authentication type ${typeName(type)}, which this client does not implement (it does none, polkit and sasl)`,
    offered,
  );
}

/** Failures become AuthenticationErrors naming the type, with the daemon's error as cause. */
async function wrap<T>(
  p: Promise<T>,
  what: string,
  offered: readonly string[],
): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof AuthenticationError) throw e;
    let message: string;
    if (e instanceof VirtError && e.code === VIR_ERR_AUTH_FAILED)
      message = `${what} authentication failed: the server rejected the credentials (${e.remoteMessage ?? e.message})`;
    else if (e instanceof VirtError || e instanceof SaslError)
      message = `${what} authentication failed: ${e.message}`;
    else {
      const detail = (e as Error).message;
      message = detail.startsWith("authentication failed")
        ? `${what} ${detail}`
        : `${what} authentication could not complete: ${detail}`;
    }
    throw new AuthenticationError(message, offered, { cause: e });
  }
}
