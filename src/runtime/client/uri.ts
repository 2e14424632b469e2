/**
 * libvirt connection URIs, read the way libvirt 9.0.0's remote driver reads them
 * (remote_driver.c: remoteConnectOpen, doRemoteOpen; remote_sockets.c):
 * `driver[+transport]://[user@][host][:port]/path[?params]`.
 *
 * `test+unix:///default?socket=/tmp/x/libvirt-sock` → unix socket `/tmp/x/libvirt-sock`, and
 * the daemon is asked to open `test:///default`. Parameters the remote driver consumes itself
 * (`socket`, `name`, `mode`, `pkipath`…) are removed from the name; the others are passed on.
 * Without a transport: `unix` without a host, `tls` with one. URIs that libvirt serves inside
 * the client library (`test:///default`, `esx://…`, `qemu:///embed`…) never reach a daemon
 * there, and are refused here with a message saying so.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import type { TransportTarget } from "../rpc/transport.js";
import {
  chooseUnixSocket,
  defaultSocketContext,
  libvirtUserRuntimeDir,
  uriDaemonFlags,
  type RemoteMode,
  type SocketContext,
} from "../transports/local-socket.js";
import {
  sshProxyCommand,
  type SshProxy,
} from "../transports/ssh-proxy-command.js";
import type { KnownHostsVerify, SshAuthMethod } from "../transports/libssh.js";
import { LIBVIRTD_TLS_PORT } from "../transports/tls.js";
import { readClientConfig, type ClientConfig } from "./libvirt-conf.js";

/** Where to connect and which URI the daemon should open. */
export type ConnectTarget = TransportTarget & {
  /** The URI sent in the open call; null lets the daemon choose (`remote://`). */
  readonly name?: string | null | undefined;
};

export const LIBVIRTD_TCP_PORT = 16509;
export { LIBVIRTD_TLS_PORT };

/** What the URI's meaning depends on besides its text. */
export interface UriContext extends Partial<SocketContext> {
  /** The connection is opened read-only (VIR_CONNECT_RO): `-sock-ro`, `virt-ssh-helper -r`. */
  readonly readonly?: boolean | undefined;
  /** libvirt.conf's settings (default: read from where libvirt reads it). */
  readonly clientConfig?: ClientConfig | undefined;
}

/** Parameters the remote driver interprets and does not pass on (EXTRACT_URI_ARG_*). */
const REMOTE_PARAMS = new Set([
  "name",
  "command",
  "socket",
  "auth",
  "sshauth",
  "netcat",
  "keyfile",
  "pkipath",
  "known_hosts",
  "known_hosts_verify",
  "tls_priority",
  "mode",
  "proxy",
  "no_sanity",
  "no_verify",
  "no_tty",
  "authfile",
]);

const TRANSPORTS = ["tls", "unix", "ssh", "libssh2", "ext", "tcp", "libssh"];

/**
 * Drivers that Debian's libvirt client library serves in-process for URIs without a transport
 * (registered before the remote driver): the test driver for local paths, openvz and VMware
 * locally, ESX/vCenter/GSX and Hyper-V with a host.
 */
function servedInProcess(driver: string, host: string): boolean {
  switch (driver) {
    case "test":
    case "openvz":
    case "vmwareplayer":
    case "vmwarews":
    case "vmwarefusion":
      return host === "";
    case "esx":
    case "gsx":
    case "vpx":
    case "hyperv":
      return true;
    default:
      return false;
  }
}

/** Where the admin program's daemon listens (libvirt-admin.c, getSocketPath). */
function adminSocket(
  u: URL,
  driver: string,
  params: [string, string][],
  ctx: SocketContext,
): string {
  let socket: string | undefined;
  for (const [k, v] of params) {
    if (k === "socket") socket = v;
    else throw new Error(`Unknown URI parameter '${k}'`);
  }
  if (socket !== undefined) return socket;
  if (driver !== "libvirtd" && !driver.startsWith("virt"))
    throw new Error(`Unsupported URI scheme '${driver}'`);
  const base =
    driver === "libvirtd" ? "libvirt-admin-sock" : `${driver}-admin-sock`;
  if (u.pathname === "/system") return `/run/libvirt/${base}`;
  if (u.pathname === "/session")
    return join(libvirtUserRuntimeDir(ctx.env), base);
  throw new Error(`Invalid URI path '${u.pathname}', try '/system'`);
}

function boolParam(name: string, value: string): boolean {
  const n = Number(value.trim());
  if (!/^\s*[-+]?\d+\s*$/.test(value) || !Number.isInteger(n))
    throw new Error(`Failed to parse value of URI component ${name}`);
  return n !== 0;
}

function oneOf<T extends string>(
  what: string,
  value: string,
  allowed: readonly T[],
): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new Error(`Unknown ${what} '${value}'`);
}

/**
 * Resolves a libvirt URI to what to connect to and the name to open. `program` picks the
 * daemon's socket family (`admin` → `libvirt-admin-sock`/`virtqemud-admin-sock`…).
 */
export function parseLibvirtUri(
  uri: string,
  program = "remote",
  context: UriContext = {},
): ConnectTarget & { readonly name: string | null } {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    throw new Error(`invalid libvirt URI '${uri}'`);
  }
  const ctx = defaultSocketContext(context);
  const scheme = u.protocol.replace(/:$/, "");
  const plus = scheme.indexOf("+");
  const driver = plus === -1 ? scheme : scheme.slice(0, plus);
  const host = decodeURIComponent(u.hostname).replace(/^\[|\]$/g, "");
  const user = u.username ? decodeURIComponent(u.username) : undefined;
  const port = u.port ? Number(u.port) : undefined;
  const params = [...u.searchParams];
  const fail = (why: string): never => {
    throw new Error(`libvirt URI '${uri}': ${why}`);
  };

  if (program === "admin")
    return {
      path: adminSocket(u, driver, params, ctx),
      name: `${driver}://${u.pathname}`,
    };

  let transport: string;
  if (plus !== -1) {
    transport = scheme.slice(plus + 1).toLowerCase();
    if (!TRANSPORTS.includes(transport))
      fail(
        "transport in URL not recognised (should be tls|unix|ssh|ext|tcp|libssh2|libssh)",
      );
    if (transport === "unix" && host)
      fail(`using unix socket and remote server '${host}' is not supported.`);
  } else {
    if (servedInProcess(driver, host))
      fail(
        `libvirt serves ${driver}:// URIs inside its client library (its ${driver} driver), never through a daemon; ` +
          `to reach a daemon's ${driver} driver name a transport, e.g. ${driver}+unix://${u.pathname}`,
      );
    if (!host && u.pathname === "/embed")
      fail(
        "embedded drivers run inside the client process (libvirt loads them there); not possible from Node",
      );
    transport = host ? "tls" : "unix";
  }

  // EXTRACT_URI_ARG_*: names case-insensitive, the last one wins.
  const p: Record<string, string> = {};
  const passed: [string, string][] = [];
  for (const [k, v] of params) {
    const key = k.toLowerCase();
    if (REMOTE_PARAMS.has(key)) p[key] = v;
    else passed.push([k, v]);
  }
  const verify =
    p.no_verify === undefined || !boolParam("no_verify", p.no_verify);
  const sanity =
    p.no_sanity === undefined || !boolParam("no_sanity", p.no_sanity);
  const tty = p.no_tty === undefined || !boolParam("no_tty", p.no_tty);

  let name: string;
  if (p.name !== undefined) name = p.name;
  else if (driver === "remote") name = "";
  else {
    const query = passed.length
      ? "?" +
        passed
          .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
          .join("&")
      : "";
    name = `${driver}://${u.pathname}${query}${u.hash}`;
  }

  const config = context.clientConfig ?? readClientConfig(ctx.euid, ctx.env);
  const mode = oneOf<RemoteMode>(
    "remote mode",
    p.mode ?? config.remote_mode ?? "auto",
    ["auto", "legacy", "direct"],
  );
  const flags = uriDaemonFlags(scheme, u.pathname, !!context.readonly, ctx);
  const proxyParam = p.proxy ?? config.remote_proxy;
  const proxy: SshProxy =
    proxyParam !== undefined
      ? oneOf<SshProxy>("proxy type", proxyParam, ["auto", "netcat", "native"])
      : p.socket !== undefined
        ? "netcat"
        : flags.user
          ? "native"
          : "auto";
  const socketFor = (t: "unix" | "ssh" | "libssh") =>
    p.socket ?? chooseUnixSocket(t, mode, driver, flags, ctx);
  const remoteCommand = (t: "ssh" | "libssh") =>
    sshProxyCommand({
      proxy,
      netcat: p.netcat,
      socketPath: socketFor(t),
      driverUri: name,
      readonly: flags.readonly,
    });
  const hostname = host || "localhost";

  switch (transport) {
    case "unix":
      return { path: socketFor("unix"), name };
    case "tcp":
      return { host: hostname, port: port ?? LIBVIRTD_TCP_PORT, name };
    case "tls":
      return {
        transport: "tls",
        host: hostname,
        port: port ?? LIBVIRTD_TLS_PORT,
        tls: {
          pkipath: p.pkipath,
          tryUserPkiPath: ctx.euid !== 0,
          verify,
          sanityCheck: sanity,
          priority: p.tls_priority ?? config.tls_priority,
        },
        name,
      };
    case "ssh":
      return {
        transport: "ssh",
        ssh: {
          host: hostname,
          port,
          user,
          keyfile: p.keyfile,
          remoteCommand: remoteCommand("ssh"),
          binary: p.command ?? "ssh",
          noTty: !tty,
          noVerify: !verify,
        },
        name,
      };
    case "libssh":
    case "libssh2": {
      const home = ctx.env.HOME || homedir();
      const configDir = ctx.env.XDG_CONFIG_HOME || join(home, ".config");
      const keyfile =
        p.keyfile ??
        ["identity", "id_dsa", "id_ecdsa", "id_ed25519", "id_rsa"]
          .map((k) => join(home, ".ssh", k))
          .find((f) => ctx.exists(f));
      const methods = (
        p.sshauth ??
        (keyfile
          ? "agent,privkey,password,keyboard-interactive"
          : "agent,password,keyboard-interactive")
      )
        .split(",")
        .map((m) =>
          oneOf<SshAuthMethod>("authentication method", m.toLowerCase(), [
            "agent",
            "privkey",
            "password",
            "keyboard-interactive",
          ]),
        );
      return {
        transport: "libssh",
        ssh: {
          host: hostname,
          port: port ?? 22,
          user: user ?? "root",
          keyfile,
          remoteCommand: remoteCommand("libssh"),
          knownHosts:
            p.known_hosts ?? join(configDir, "libvirt", "known_hosts"),
          knownHostsVerify: oneOf<KnownHostsVerify>(
            "host key verification method",
            (p.known_hosts_verify ?? "normal").toLowerCase(),
            ["normal", "auto", "ignore"],
          ),
          authMethods: methods,
        },
        name,
      };
    }
    case "ext":
      if (p.command === undefined)
        fail("for 'ext' transport, command is required");
      return { transport: "ext", command: p.command!, name };
    default:
      return fail(`transport '${transport}' is not supported`);
  }
}
