/**
 * OpenSSH known_hosts files, as libssh reads and writes them for libvirt's `+libssh`
 * (`known_hosts=`, `known_hosts_verify=`): plain and hashed (`|1|salt|hmac`) host patterns,
 * `[host]:port` for ports other than 22, `*`/`?` wildcards and `!` negations, `@revoked` keys.
 */
import { createHash, createHmac } from "node:crypto";
import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";

/** How known_hosts names a host: `host`, or `[host]:port` when the port is not 22. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** The key type inside an SSH public key blob (its first string). */
export function keyType(blob: Buffer): string {
  if (blob.length < 4) return "unknown";
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString("latin1");
}

/** OpenSSH's fingerprint: `SHA256:` and the unpadded base64 of the blob's SHA-256. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split("")
      .map((c) =>
        c === "*"
          ? ".*"
          : c === "?"
            ? "."
            : c.replace(/[.+^${}()|[\]\\]/g, "\\$&"),
      )
      .join("")}$`,
    "i",
  );
  return re.test(name);
}

function hostMatches(patterns: string, name: string): boolean {
  if (patterns.startsWith("|1|")) {
    const [, , salt, hash] = patterns.split("|");
    if (!salt || !hash) return false;
    const mac = createHmac("sha1", Buffer.from(salt, "base64"))
      .update(name)
      .digest("base64");
    return mac === hash;
  }
  let matched = false;
  for (const p of patterns.split(",")) {
    if (p.startsWith("!")) {
      if (globMatch(p.slice(1), name)) return false;
    } else if (globMatch(p, name)) matched = true;
  }
  return matched;
}

export type HostKeyState = "known" | "changed" | "revoked" | "unknown";

/** What `file` says of `blob` as the key of `name` (a missing file knows nothing). */
export function checkKnownHost(
  file: string,
  name: string,
  blob: Buffer,
): HostKeyState {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return "unknown";
  }
  const b64 = blob.toString("base64");
  let state: HostKeyState = "unknown";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const fields = line.split(/\s+/);
    const marker = fields[0]!.startsWith("@") ? fields.shift() : undefined;
    const [patterns, , key] = fields;
    if (!patterns || !key || !hostMatches(patterns, name)) continue;
    if (marker === "@revoked") {
      if (key === b64) return "revoked";
      continue;
    }
    if (marker !== undefined) continue; // @cert-authority: not for plain host keys
    if (key === b64) return "known";
    state = "changed";
  }
  return state;
}

/** Appends `name`'s key, as libssh does for known_hosts_verify=auto. */
export function addKnownHost(file: string, name: string, blob: Buffer): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  appendFileSync(
    file,
    `${name} ${keyType(blob)} ${blob.toString("base64")}\n`,
    {
      mode: 0o600,
    },
  );
}
