/**
 * TLS credentials and the `SecureContext` built from them, kept between connections while the
 * files stay the same. libvirt reads and checks them for every connection; in Node that was
 * ~4.5 ms of CPU of each TLS connection (reading and parsing the key and the certificates,
 * building the context) in bench/connect. Any file that changes (inode, size, mtime or ctime),
 * appears or disappears makes the next connection load everything again, and so does the end
 * (or not yet the start) of a checked certificate's validity, so that the error is libvirt's.
 */
import { X509Certificate } from "node:crypto";
import { statSync } from "node:fs";
import {
  createSecureContext,
  type SecureContext,
  type SecureVersion,
} from "node:tls";
import type {
  LoadedTlsCredentials,
  TlsCredentialFiles,
} from "./tls-credentials.js";

export interface TlsContext {
  readonly creds: LoadedTlsCredentials;
  readonly context: SecureContext;
}

interface Entry extends TlsContext {
  readonly stamp: string;
  /** When the sanity check's verdict on the certificates' validity periods may change. */
  readonly notBefore: number;
  readonly notAfter: number;
}

/** Distinct credential sets kept (a process normally uses one or two). */
const MAX_ENTRIES = 8;
const cache = new Map<string, Entry>();

function stampOf(files: TlsCredentialFiles): string {
  return [files.cacert, files.cacrl, files.cert, files.key]
    .map((f) => {
      const st = statSync(f, { throwIfNoEntry: false });
      return st ? `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}` : "-";
    })
    .join("|");
}

/** The window in which the validity checks of `load` give the same answer. */
function validityWindow(creds: LoadedTlsCredentials): [number, number] {
  const certs = [...creds.caCerts];
  if (creds.cert !== undefined) {
    try {
      certs.push(new X509Certificate(creds.cert));
    } catch {
      // load() already judged it; an unparsable one is not cached past this connection
      return [0, 0];
    }
  }
  let notBefore = -Infinity;
  let notAfter = Infinity;
  for (const c of certs) {
    notBefore = Math.max(notBefore, Date.parse(c.validFrom));
    notAfter = Math.min(notAfter, Date.parse(c.validTo));
  }
  return [notBefore, notAfter];
}

/**
 * The credentials of `files` (`load` reads and checks them) and a context with them and
 * `versions`, from the cache when nothing changed. Throws what `load` or
 * `createSecureContext` throw (the caller words the latter).
 */
export function tlsContext(
  files: TlsCredentialFiles,
  sanityCheck: boolean,
  versions: { minVersion?: SecureVersion; maxVersion?: SecureVersion },
  load: () => LoadedTlsCredentials,
): TlsContext {
  const key = JSON.stringify([files, sanityCheck, versions]);
  const stamp = stampOf(files);
  const now = Date.now();
  const hit = cache.get(key);
  if (
    hit &&
    hit.stamp === stamp &&
    (!sanityCheck || (now >= hit.notBefore && now <= hit.notAfter))
  )
    return hit;
  cache.delete(key);
  const creds = load();
  let context: SecureContext;
  try {
    context = createSecureContext({
      ca: creds.ca,
      ...(creds.crl !== undefined ? { crl: creds.crl } : {}),
      ...(creds.cert !== undefined ? { cert: creds.cert, key: creds.key } : {}),
      ...versions,
    });
  } catch (e) {
    // Bad PEM, or a key that does not belong to the certificate.
    throw new Error(
      `Unable to set x509 key and certificate: ${files.key}, ${files.cert}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  const [notBefore, notAfter] = validityWindow(creds);
  if (cache.size >= MAX_ENTRIES)
    cache.delete(cache.keys().next().value as string);
  const entry: Entry = { creds, context, stamp, notBefore, notAfter };
  cache.set(key, entry);
  return entry;
}
