// A command in a private mount namespace where a directory of ours is bind-mounted over
// /run/libvirt (libvirt's system socket directory), so that what looks there — virt-ssh-helper,
// clients of system URIs — reaches a private libvirtd. Needs root (unshare -m).

/** The argv that runs `argv` with `dir` mounted over /run/libvirt. */
export function withRunLibvirtAt(
  dir: string,
  argv: readonly string[],
): [string, ...string[]] {
  return [
    "unshare",
    "-m",
    "--propagation",
    "private",
    "sh",
    "-c",
    'mount --bind "$0" /run/libvirt && exec "$@"',
    dir,
    ...argv,
  ];
}
