/**
 * Host name verification as libvirt does it: `gnutls_x509_crt_check_hostname` on the server's
 * certificate with the URI's host (or `localhost`). That differs from Node's default check:
 *
 * - an IP address matches an `IP Address` subjectAltName, and failing that is compared as a
 *   string with the DNS names and the CN (gnutls accepts certificates that put their IP there);
 * - the CN is used only when the certificate has no DNS subjectAltName, and only when there is
 *   exactly one CN;
 * - a wildcard matches within the leftmost label only, never across dots.
 */
import { isIP } from "node:net";
import type { X509Certificate } from "node:crypto";

/** `127.0.0.1`, `::1` and `0:0:0:0:0:0:0:1` in one spelling. */
function canonicalIp(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  return new URL(`http://[${ip}]/`).hostname.replace(/^\[|\]$/g, "");
}

/** The entries of Node's `subjectAltName` string (`DNS:a, IP Address:1.2.3.4`). */
function altNames(cert: X509Certificate): { dns: string[]; ip: string[] } {
  const dns: string[] = [];
  const ip: string[] = [];
  for (const entry of (cert.subjectAltName ?? "").split(", ")) {
    const value = entry.replace(/^[^:]*:/, "").replace(/^"(.*)"$/, "$1");
    if (entry.startsWith("DNS:")) dns.push(value);
    else if (entry.startsWith("IP Address:")) ip.push(canonicalIp(value));
  }
  return { dns, ip };
}

/** gnutls' `_gnutls_hostname_compare`: case-insensitive, `*` stays within one label. */
function namesMatch(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, "");
  const h = host.toLowerCase().replace(/\.$/, "");
  const star = p.indexOf("*");
  if (star === -1) return p === h;
  const firstDot = p.indexOf(".");
  // Only in the leftmost label, and not a wildcard for a whole top-level domain.
  if (firstDot === -1 || star > firstDot || p.split(".").length < 3)
    return false;
  const [label, ...rest] = p.split(".");
  const [hostLabel, ...hostRest] = h.split(".");
  if (rest.join(".") !== hostRest.join(".") || hostLabel === undefined)
    return false;
  const [prefix, suffix] = [label!.slice(0, star), label!.slice(star + 1)];
  return (
    !suffix.includes("*") &&
    hostLabel.length >= prefix.length + suffix.length &&
    hostLabel.startsWith(prefix) &&
    hostLabel.endsWith(suffix)
  );
}

/** Whether `cert` is the certificate of `host`, as gnutls decides it. */
export function certificateMatchesHost(
  cert: X509Certificate,
  host: string,
): boolean {
  const { dns, ip } = altNames(cert);
  if (isIP(host) && ip.includes(canonicalIp(host))) return true;
  if (dns.length > 0) return dns.some((d) => namesMatch(d, host));
  const cns = cert.subject
    .split("\n")
    .filter((line) => line.startsWith("CN="))
    .map((line) => line.slice(3));
  return cns.length === 1 && namesMatch(cns[0]!, host);
}
