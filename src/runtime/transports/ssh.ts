/**
 * `+ssh`: the system `ssh` binary as libvirt runs it (virnetsocket.c,
 * virNetSocketNewConnectSSH), so ~/.ssh/config, the agent and known_hosts all apply:
 *
 *   ssh [-p PORT] [-l USER] [-i KEYFILE] -T -e none [-o BatchMode=yes]
 *       [-o StrictHostKeyChecking=no] -- HOST 'PROXY COMMAND'
 *
 * with the proxy command of ssh-proxy-command.ts, and libvirt's environment for it.
 */
import {
  childEnvironment,
  openCommand,
  type CommandStream,
} from "./command.js";
import type { ConnectingOptions } from "./connecting.js";

export interface SshSettings {
  readonly host: string;
  /** Only when the URI has one: otherwise ssh's own default (and ~/.ssh/config) applies. */
  readonly port?: number | undefined;
  /** The URI's user; none: ssh's default. */
  readonly user?: string | undefined;
  /** `keyfile=`. */
  readonly keyfile?: string | undefined;
  /** The command for the far side (see sshProxyCommand). */
  readonly remoteCommand: string;
}

export interface SshTarget {
  readonly transport: "ssh";
  readonly ssh: SshSettings & {
    /** `command=`: the ssh binary (default `ssh`). */
    readonly binary: string;
    /** `no_tty=1`: never prompt (`-o BatchMode=yes`). */
    readonly noTty: boolean;
    /** `no_verify=1`: accept unknown host keys (`-o StrictHostKeyChecking=no`). */
    readonly noVerify: boolean;
  };
}

/** Passed on to ssh besides libvirt's common set (Debian adds GPG_TTY and TERM). */
const SSH_ENV = [
  "XDG_RUNTIME_DIR",
  "KRB5CCNAME",
  "SSH_AUTH_SOCK",
  "SSH_ASKPASS",
  "GPG_TTY",
  "TERM",
  "OPENSSL_CONF",
  "DISPLAY",
  "XAUTHORITY",
];

/** The argv libvirt runs for an `+ssh` connection. */
export function sshArgv(target: SshTarget): string[] {
  const s = target.ssh;
  return [
    s.binary,
    ...(s.port !== undefined ? ["-p", String(s.port)] : []),
    ...(s.user !== undefined ? ["-l", s.user] : []),
    ...(s.keyfile !== undefined ? ["-i", s.keyfile] : []),
    "-T",
    "-e",
    "none",
    ...(s.noTty ? ["-o", "BatchMode=yes"] : []),
    ...(s.noVerify ? ["-o", "StrictHostKeyChecking=no"] : []),
    "--",
    s.host,
    s.remoteCommand,
  ];
}

export function openSsh(
  target: SshTarget,
  options: ConnectingOptions = {},
): Promise<CommandStream> {
  const s = target.ssh;
  return openCommand(
    sshArgv(target),
    childEnvironment(SSH_ENV),
    `ssh:${s.user ? `${s.user}@` : ""}${s.host}${s.port ? `:${s.port}` : ""}`,
    options,
  );
}
