/**
 * libvirt's `tls_priority` is a GnuTLS priority string (`NORMAL:-VERS-TLS1.3`). Node's TLS is
 * OpenSSL, so only the part that has an equivalent maps: the base levels (`NORMAL`, `SYSTEM`,
 * `SECURE128`…, `@KEYWORD` system policies: OpenSSL's defaults) and the protocol versions
 * (`+VERS-…`/`-VERS-…`, `VERS-ALL`). Anything else (cipher, MAC, key exchange and group
 * choices) is refused with a message naming it rather than silently ignored.
 */
import type { SecureVersion } from "node:tls";

const VERSIONS: readonly SecureVersion[] = [
  "TLSv1",
  "TLSv1.1",
  "TLSv1.2",
  "TLSv1.3",
];
const GNUTLS_VERSION: Record<string, SecureVersion> = {
  "VERS-TLS1.0": "TLSv1",
  "VERS-TLS1.1": "TLSv1.1",
  "VERS-TLS1.2": "TLSv1.2",
  "VERS-TLS1.3": "TLSv1.3",
};
const BASE_LEVELS = new Set([
  "NORMAL",
  "PERFORMANCE",
  "SYSTEM",
  "PFS",
  "SECURE",
  "SECURE128",
  "SECURE192",
  "SECURE256",
]);
/** Versions enabled by a base level when the string does not change them (Node's defaults). */
const DEFAULT_ENABLED: readonly SecureVersion[] = ["TLSv1.2", "TLSv1.3"];

export interface TlsVersionRange {
  readonly minVersion: SecureVersion;
  readonly maxVersion: SecureVersion;
}

/** The TLS versions a GnuTLS priority string allows, or an error naming what does not map. */
export function mapTlsPriority(priority: string): TlsVersionRange {
  const enabled = new Set<SecureVersion>(DEFAULT_ENABLED);
  const tokens = priority.split(":").filter(Boolean);
  tokens.forEach((token, i) => {
    if (i === 0 && (BASE_LEVELS.has(token) || token.startsWith("@"))) return;
    if (token.startsWith("%")) return; // session flags (%SERVER_PRECEDENCE…): nothing to map
    const sign = token[0];
    const what = token.slice(1);
    if ((sign === "+" || sign === "-") && what === "VERS-ALL") {
      for (const v of VERSIONS) {
        if (sign === "+") enabled.add(v);
        else enabled.delete(v);
      }
      return;
    }
    const version = GNUTLS_VERSION[what];
    if ((sign === "+" || sign === "-") && version) {
      if (sign === "+") enabled.add(version);
      else enabled.delete(version);
      return;
    }
    throw new Error(
      `tls_priority '${priority}': '${token}' has no equivalent in Node's TLS (only the base level and +/-VERS-… protocol versions map)`,
    );
  });
  const on = VERSIONS.filter((v) => enabled.has(v));
  if (on.length === 0)
    throw new Error(
      `tls_priority '${priority}' enables no TLS protocol version`,
    );
  const min = VERSIONS.indexOf(on[0]!);
  const max = VERSIONS.indexOf(on[on.length - 1]!);
  if (on.length !== max - min + 1)
    throw new Error(
      `tls_priority '${priority}' enables non-contiguous protocol versions (${on.join(", ")}); Node's TLS takes a range`,
    );
  return { minVersion: on[0]!, maxVersion: on[on.length - 1]! };
}
