/**
 * The command run on the far side of an SSH connection to reach the daemon, exactly as libvirt
 * 9.0.0 builds it (virnetclient.c, virNetClientSSHHelperCommand): `virt-ssh-helper URI` (which
 * picks the daemon's socket on that host) or `nc -U SOCKET`, or the first when installed and
 * the second otherwise (`proxy=auto`).
 */

/** `proxy=` (libvirt.conf: `remote_proxy`). */
export type SshProxy = "auto" | "netcat" | "native";

/** virBufferEscapeShell: quote only when the string has shell metacharacters. */
export function escapeShell(s: string): string {
  if (s === "") return "''";
  if (!/[\r\t\n !"#$&'()*;<>?[\\\]^`{|}~]/.test(s)) return s;
  return `'${s.replace(/'/g, "'\\''")}'`;
}

/** virNetClientDoubleEscapeShell: the string ends up inside `sh -c '…'` run by a shell. */
function doubleEscape(s: string): string {
  return escapeShell(escapeShell(s));
}

export interface ProxyCommandInput {
  readonly proxy: SshProxy;
  /** `netcat=`: the netcat binary on the far side (default `nc`). */
  readonly netcat?: string | undefined;
  /** The daemon's socket on the far side (`socket=`, or libvirt's default path). */
  readonly socketPath: string;
  /** The URI the far side's daemon opens (virt-ssh-helper picks the socket from it). */
  readonly driverUri: string;
  readonly readonly: boolean;
}

export function sshProxyCommand(input: ProxyCommandInput): string {
  let proxy = input.proxy;
  // A netcat path in the URI means the user wants netcat, not virt-ssh-helper.
  if (proxy === "auto" && input.netcat !== undefined) proxy = "netcat";
  const nc = doubleEscape(input.netcat ?? "nc");
  const uri = doubleEscape(input.driverUri);
  const nccmd =
    `if '${nc}' -q 2>&1 | grep "requires an argument" >/dev/null 2>&1; then ` +
    "ARG=-q0;" +
    "else " +
    "ARG=;" +
    "fi;" +
    `'${nc}' $ARG -U ${input.socketPath}`;
  const helpercmd = `virt-ssh-helper${input.readonly ? " -r " : " "}'${uri}'`;
  switch (proxy) {
    case "auto":
      return (
        "sh -c 'which virt-ssh-helper 1>/dev/null 2>&1; " +
        "if test $? = 0; then " +
        `    ${helpercmd}; ` +
        "else" +
        `    ${nccmd}; ` +
        "fi'"
      );
    case "netcat":
      return `sh -c '${nccmd}'`;
    case "native":
      if (input.netcat !== undefined)
        throw new Error("netcat path not valid with native proxy mode");
      return `sh -c '${helpercmd}'`;
  }
}
