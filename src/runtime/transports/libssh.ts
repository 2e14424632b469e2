/**
 * `+libssh` / `+libssh2`: SSH in-process, as libvirt does with libssh (virnetlibsshsession.c),
 * here through the `ssh2` package (pure JavaScript), loaded only when such a URI is used.
 */
import type { Duplex } from "node:stream";
import type { ConnectingOptions } from "./connecting.js";
import type { SshSettings } from "./ssh.js";

/** `known_hosts_verify=`: ask (refuse, without a prompt), add unknown keys, or skip the check. */
export type KnownHostsVerify = "normal" | "auto" | "ignore";
/** `sshauth=` entries. */
export type SshAuthMethod =
  "agent" | "privkey" | "password" | "keyboard-interactive";

export interface LibsshSettings extends SshSettings {
  readonly port: number;
  readonly user: string;
  /** `known_hosts=` (default: libvirt's own, `$XDG_CONFIG_HOME/libvirt/known_hosts`). */
  readonly knownHosts: string;
  readonly knownHostsVerify: KnownHostsVerify;
  /** `sshauth=`, in order. */
  readonly authMethods: readonly SshAuthMethod[];
}

export interface LibsshTarget {
  readonly transport: "libssh";
  readonly ssh: LibsshSettings;
}

export async function openLibssh(
  target: LibsshTarget,
  _options: ConnectingOptions = {},
): Promise<Duplex> {
  throw new Error(
    `libssh:${target.ssh.host}: the libssh transport is not implemented yet`,
  );
}
