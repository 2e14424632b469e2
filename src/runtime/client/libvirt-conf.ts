/**
 * The client configuration file libvirt reads on every open (virConfLoadConfig("libvirt.conf")):
 * /etc/libvirt/libvirt.conf as root, else $XDG_CONFIG_HOME/libvirt/libvirt.conf
 * (~/.config/libvirt/libvirt.conf). The remote driver takes `remote_mode`, `remote_proxy` and
 * `tls_priority` from it when the URI does not set them.
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export interface ClientConfig {
  readonly remote_mode?: string | undefined;
  readonly remote_proxy?: string | undefined;
  readonly tls_priority?: string | undefined;
}

export function clientConfigPath(euid: number, env: NodeJS.ProcessEnv): string {
  if (euid === 0) return "/etc/libvirt/libvirt.conf";
  const config = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config");
  return join(config, "libvirt", "libvirt.conf");
}

/** The string settings of a libvirt config file (`name = "value"`; comments ignored). */
export function parseClientConfig(text: string): ClientConfig {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(
      line,
    );
    if (m) out[m[1]!] = m[2] ?? m[3]!;
  }
  return out;
}

/** The file's settings, or none when it does not exist or cannot be read. */
export function readClientConfig(
  euid: number,
  env: NodeJS.ProcessEnv,
): ClientConfig {
  try {
    return parseClientConfig(readFileSync(clientConfigPath(euid, env), "utf8"));
  } catch {
    return {};
  }
}
