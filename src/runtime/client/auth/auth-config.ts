/**
 * libvirt's client credential file, auth.conf (virauthconfig.c, docs/auth.rst):
 *
 *     [credentials-prod]
 *     authname=alice
 *     password=secret
 *
 *     [auth-libvirt-myhost]        # or [auth-libvirt-default] for any host
 *     credentials=prod
 *
 * Found as libvirt finds it (virAuthGetConfigFilePathURI): the URI's `authfile=`, else
 * `$LIBVIRT_AUTH_FILE`, else `$XDG_CONFIG_HOME/libvirt/auth.conf` (~/.config), else
 * `/etc/libvirt/auth.conf` — the first that exists.
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export class AuthConfig {
  private constructor(
    readonly path: string,
    private readonly groups: ReadonlyMap<string, ReadonlyMap<string, string>>,
  ) {}

  /** Parses an auth.conf text (a GKeyFile: `[group]`, `key=value`, `#` comments). */
  static parse(path: string, text: string): AuthConfig {
    const groups = new Map<string, Map<string, string>>();
    let current: Map<string, string> | null = null;
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.trim();
      if (line === "" || line.startsWith("#")) return;
      const group = /^\[([^\]]+)\]$/.exec(line);
      if (group) {
        current = groups.get(group[1]!) ?? new Map();
        groups.set(group[1]!, current);
        return;
      }
      const eq = line.indexOf("=");
      if (eq <= 0 || current === null)
        throw new Error(`${path}:${i + 1}: expected '[group]' or 'key=value'`);
      current.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
    });
    return new AuthConfig(path, groups);
  }

  /** Reads `path`. */
  static load(path: string): AuthConfig {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      throw new Error(
        `cannot read auth file ${path}: ${(e as Error).message}`,
        { cause: e },
      );
    }
    return AuthConfig.parse(path, text);
  }

  /** The file libvirt would use, or null: `explicit` (URI `authfile=`), env, user, system. */
  static locate(explicit: string | undefined): string | null {
    if (explicit) return explicit;
    const env = process.env.LIBVIRT_AUTH_FILE;
    if (env) return env;
    const configHome =
      process.env.XDG_CONFIG_HOME || join(homedir(), ".config");
    for (const p of [
      join(configHome, "libvirt", "auth.conf"),
      "/etc/libvirt/auth.conf",
    ])
      if (existsSync(p)) return p;
    return null;
  }

  /**
   * `credname` (`authname`, `username`, `password`, `realm`) for `service` on `host`:
   * `[auth-<service>-<host>]`, else `[auth-<service>-default]`, names a `[credentials-X]` group.
   */
  lookup(service: string, host: string, credname: string): string | undefined {
    const auth =
      this.groups.get(`auth-${service}-${host}`) ??
      this.groups.get(`auth-${service}-default`);
    const set = auth?.get("credentials");
    if (set === undefined) return undefined;
    return this.groups.get(`credentials-${set}`)?.get(credname);
  }
}
