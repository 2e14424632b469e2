/**
 * Which daemon socket a URI goes to, exactly as libvirt 9.0.0's remote driver picks it
 * (remote_sockets.c: remoteGetURIDaemonInfo, remoteGetUNIXSocket):
 *
 * - the user's session daemon for `…:///session`, and for `test+…://` URIs, when not root:
 *   `$XDG_RUNTIME_DIR/libvirt/` (or `$XDG_CACHE_HOME`, `~/.cache` without it);
 * - otherwise the system daemons' `/var/run/libvirt/` (`-sock-ro` for read-only connections);
 * - `mode=direct`: the driver's modular daemon (`virtqemud-sock` for `qemu://`…);
 *   `mode=legacy`: libvirtd's `libvirt-sock` (also where virtproxyd listens);
 *   `mode=auto` (default): the modular daemon's socket when it exists, else `libvirt-sock`
 *   when that exists, else the build's default — legacy in Debian's and Ubuntu's libvirt
 *   (`-Dremote_default_mode=legacy`), direct upstream (`autostartDirect`).
 *
 * Over SSH the same choice is made for the far side, without probing (always legacy in auto).
 * libvirt may also start a session daemon when none runs (LIBVIRT_AUTOSTART); this client
 * never starts daemons.
 */
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** `mode=` (libvirt.conf: `remote_mode`). */
export type RemoteMode = "auto" | "legacy" | "direct";

/** What the choice depends on: who we are, the environment and the filesystem. */
export interface SocketContext {
  readonly euid: number;
  readonly env: NodeJS.ProcessEnv;
  readonly exists: (path: string) => boolean;
  /**
   * libvirt built with `remote_default_mode=direct` (upstream's default): probe the modular
   * daemons' sockets when the URI names no driver, and prefer them when no socket exists.
   * Debian's libvirt is built with `legacy` (false, the default here).
   */
  readonly autostartDirect: boolean;
}

export function defaultSocketContext(
  overrides: Partial<SocketContext> = {},
): SocketContext {
  return {
    euid: overrides.euid ?? process.geteuid?.() ?? 0,
    env: overrides.env ?? process.env,
    exists: overrides.exists ?? existsSync,
    autostartDirect: overrides.autostartDirect ?? false,
  };
}

/** LOCALSTATEDIR "/run/libvirt": where clients look for the system daemons. */
export const SYSTEM_SOCKET_DIR = "/var/run/libvirt";
/** RUNSTATEDIR "/libvirt": where the driver probe looks. */
const PROBE_SOCKET_DIR = "/run/libvirt";

/** GLib's g_get_user_runtime_dir: $XDG_RUNTIME_DIR, else the cache dir. */
export function userRuntimeDir(env: NodeJS.ProcessEnv): string {
  if (env.XDG_RUNTIME_DIR) return env.XDG_RUNTIME_DIR;
  if (env.XDG_CACHE_HOME) return env.XDG_CACHE_HOME;
  return join(env.HOME || homedir(), ".cache");
}

/** virGetUserRuntimeDirectory: where session daemons put their sockets. */
export function libvirtUserRuntimeDir(env: NodeJS.ProcessEnv): string {
  return join(userRuntimeDir(env), "libvirt");
}

/** How the URI is served: session daemon (`user`) or read-only socket. */
export interface DaemonFlags {
  readonly user: boolean;
  readonly readonly: boolean;
}

/** remoteGetURIDaemonInfo (the autostart part aside). */
export function uriDaemonFlags(
  scheme: string,
  path: string,
  readonly: boolean,
  ctx: SocketContext,
): DaemonFlags {
  const user =
    path !== "" &&
    (path === "/session" || scheme.startsWith("test+")) &&
    ctx.euid > 0;
  return { user, readonly };
}

/** remoteGetUNIXSocketHelper. */
function socketPath(
  prefix: string,
  flags: DaemonFlags,
  ctx: SocketContext,
): string {
  if (flags.user) return join(libvirtUserRuntimeDir(ctx.env), `${prefix}-sock`);
  return `${SYSTEM_SOCKET_DIR}/${prefix}-${flags.readonly ? "sock-ro" : "sock"}`;
}

/** remoteProbe*DriverFromSocket: the first modular daemon whose socket exists. */
function probeDriver(flags: DaemonFlags, ctx: SocketContext): string | null {
  const suffix = flags.readonly ? "sock-ro" : "sock";
  if (ctx.euid !== 0) {
    // Session: qemu (vbox is not built by Debian); then by installed daemon binary.
    const dir = libvirtUserRuntimeDir(ctx.env);
    if (ctx.exists(join(dir, `virtqemud-${suffix}`))) return "qemu";
    for (const sbin of ["/usr/sbin/virtqemud"])
      if (ctx.exists(sbin)) return "qemu";
    return null;
  }
  for (const driver of ["xen", "qemu", "lxc", "vbox", "bhyve", "vz"])
    if (ctx.exists(`${PROBE_SOCKET_DIR}/virt${driver}d-${suffix}`))
      return driver;
  return null;
}

/** remoteGetUNIXSocket: the socket for `driver` (null: the URI names none). */
export function chooseUnixSocket(
  transport: "unix" | "ssh" | "libssh",
  mode: RemoteMode,
  driver: string | null,
  flags: DaemonFlags,
  ctx: SocketContext,
): string {
  if (driver === null && mode !== "legacy" && ctx.autostartDirect)
    driver = probeDriver(flags, ctx);
  const direct =
    driver !== null ? socketPath(`virt${driver}d`, flags, ctx) : null;
  const legacy = socketPath("libvirt", flags, ctx);
  if (mode === "auto") {
    if (transport === "unix") {
      if (direct !== null && ctx.exists(direct)) mode = "direct";
      else if (ctx.exists(legacy)) mode = "legacy";
      else mode = ctx.autostartDirect ? "direct" : "legacy";
    } else {
      // The far side is probed by virt-ssh-helper there, not from here.
      mode = "legacy";
    }
  }
  if (mode === "legacy") return legacy;
  if (transport !== "unix")
    throw new Error(
      `Cannot use direct socket mode for ${transport === "libssh" ? "libssh" : "ssh"} transport`,
    );
  if (direct === null)
    throw new Error("Cannot use direct socket mode if no URI is set");
  return direct;
}
