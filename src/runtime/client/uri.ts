/**
 * libvirt connection URIs, read the way the remote driver reads them (remote_driver.c,
 * doRemoteOpen): `driver[+transport]://[host[:port]]/path[?params]`.
 *
 * `test+unix:///default?socket=/tmp/x/libvirt-sock` → unix socket `/tmp/x/libvirt-sock`, and
 * the daemon is asked to open `test:///default`. Parameters the remote driver consumes itself
 * (`socket`, `name`, `mode`…) are removed from the name; the others are passed through.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import type { SocketTarget } from "../rpc/transport.js";

/** Where to connect and which URI the daemon should open. */
export type ConnectTarget = SocketTarget & {
  /** The URI sent in the open call; null lets the daemon choose (`remote://`). */
  readonly name?: string | null | undefined;
};

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

export const LIBVIRTD_TCP_PORT = 16509;

/**
 * Resolves a libvirt URI to a socket and the name to open. `program` picks the default socket
 * (`admin` → `libvirt-admin-sock`, else `libvirt-sock`).
 * Transports: `unix` (default without a host) and `tcp`; TLS and SSH are not implemented.
 */
export function parseLibvirtUri(
  uri: string,
  program = "remote",
): Required<Pick<ConnectTarget, "name">> & SocketTarget {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    throw new Error(`invalid libvirt URI '${uri}'`);
  }
  const scheme = u.protocol.replace(/:$/, "");
  const plus = scheme.indexOf("+");
  const driver = plus === -1 ? scheme : scheme.slice(0, plus);
  const host = u.hostname.replace(/^\[|\]$/g, "");
  const transport =
    plus === -1
      ? host && host !== "localhost"
        ? "tls"
        : "unix"
      : scheme.slice(plus + 1);

  const params = [...u.searchParams];
  const param = (k: string) => params.find(([n]) => n.toLowerCase() === k)?.[1];
  let name: string | null;
  const explicit = param("name");
  if (explicit !== undefined) name = explicit;
  else if (driver === "remote") name = "";
  else {
    const passed = params.filter(([k]) => !REMOTE_PARAMS.has(k.toLowerCase()));
    const query = passed.length
      ? "?" +
        passed
          .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
          .join("&")
      : "";
    name = `${driver}://${u.pathname}${query}${u.hash}`;
  }

  switch (transport) {
    case "unix":
      return {
        path: param("socket") ?? defaultSocket(driver, u.pathname, program),
        name,
      };
    case "tcp":
      return {
        host: host || "localhost",
        port: u.port ? Number(u.port) : LIBVIRTD_TCP_PORT,
        name,
      };
    default:
      throw new Error(
        `libvirt URI '${uri}': transport '${transport}' is not supported (use unix or tcp)`,
      );
  }
}

/** Where libvirtd listens by default: /run/libvirt as root or for `/system`, else the user's runtime dir. */
function defaultSocket(driver: string, path: string, program: string): string {
  const daemon =
    program === "admin" && driver !== "libvirtd" && driver !== ""
      ? driver
      : "libvirt";
  const file = program === "admin" ? `${daemon}-admin-sock` : "libvirt-sock";
  const system =
    path === "/system" || (path !== "/session" && process.getuid?.() === 0);
  if (system) return join("/run/libvirt", file);
  const runtime = process.env.XDG_RUNTIME_DIR ?? join(homedir(), ".cache");
  return join(runtime, "libvirt", file);
}
