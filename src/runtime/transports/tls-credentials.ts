/**
 * The client's TLS credentials, found and checked as libvirt does (virnettlscontext.c,
 * virNetTLSContextLocateCredentials and virNetTLSContextSanityCheckCredentials):
 *
 * - `pkipath=DIR`: DIR/cacert.pem, DIR/cacrl.pem, DIR/clientcert.pem, DIR/clientkey.pem,
 *   whether or not they exist;
 * - otherwise, when not root: ~/.pki/libvirt/ for each file that exists there (certificate and
 *   key only as a pair);
 * - the rest from /etc/pki: CA/cacert.pem, CA/cacrl.pem, libvirt/clientcert.pem,
 *   libvirt/private/clientkey.pem.
 *
 * The CA certificate is required; the CRL, and the client certificate and key, may be missing
 * (the server may then refuse us). Unless `no_sanity=1`, our own certificate is checked before
 * connecting: validity dates, not a CA, issued by one of the CA certificates.
 */
import { X509Certificate } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export const LIBVIRT_PKI_DIR = "/etc/pki";

export interface TlsCredentialFiles {
  readonly cacert: string;
  readonly cacrl: string;
  readonly cert: string;
  readonly key: string;
}

/** Where libvirt looks for the client's credentials. */
export function locateTlsCredentials(
  pkipath: string | undefined,
  tryUserPkiPath: boolean,
  home: string = homedir(),
): TlsCredentialFiles {
  if (pkipath !== undefined)
    return {
      cacert: join(pkipath, "cacert.pem"),
      cacrl: join(pkipath, "cacrl.pem"),
      cert: join(pkipath, "clientcert.pem"),
      key: join(pkipath, "clientkey.pem"),
    };
  let cacert: string | undefined;
  let cacrl: string | undefined;
  let cert: string | undefined;
  let key: string | undefined;
  if (tryUserPkiPath) {
    const user = join(home, ".pki", "libvirt");
    if (existsSync(join(user, "cacert.pem"))) cacert = join(user, "cacert.pem");
    if (existsSync(join(user, "cacrl.pem"))) cacrl = join(user, "cacrl.pem");
    if (
      existsSync(join(user, "clientcert.pem")) &&
      existsSync(join(user, "clientkey.pem"))
    ) {
      cert = join(user, "clientcert.pem");
      key = join(user, "clientkey.pem");
    }
  }
  return {
    cacert: cacert ?? join(LIBVIRT_PKI_DIR, "CA", "cacert.pem"),
    cacrl: cacrl ?? join(LIBVIRT_PKI_DIR, "CA", "cacrl.pem"),
    cert: cert ?? join(LIBVIRT_PKI_DIR, "libvirt", "clientcert.pem"),
    key: key ?? join(LIBVIRT_PKI_DIR, "libvirt", "private", "clientkey.pem"),
  };
}

/** The PEM contents to hand to Node's TLS, and what was left out. */
export interface LoadedTlsCredentials {
  readonly files: TlsCredentialFiles;
  readonly ca: string;
  readonly caCerts: readonly X509Certificate[];
  readonly crl?: string | undefined;
  readonly cert?: string | undefined;
  readonly key?: string | undefined;
  /** Why no client certificate is sent (for the error when the server then refuses us). */
  readonly noClientCert?: string | undefined;
}

function readPem(kind: string, file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === "ENOENT"
        ? "No such file or directory"
        : err.code === "EACCES"
          ? "Permission denied"
          : err.message;
    throw new Error(`Cannot read ${kind} '${file}': ${why}`, { cause: e });
  }
}

/** Every certificate of a PEM file (libvirt reads up to 16 from cacert.pem). */
function parseCertificates(
  pem: string,
  file: string,
  kind: string,
): X509Certificate[] {
  const blocks =
    pem.match(
      /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g,
    ) ?? [];
  if (blocks.length === 0)
    throw new Error(
      `Unable to import ${kind} ${file}: no PEM certificate in it`,
    );
  return blocks.slice(0, 16).map((b) => {
    try {
      return new X509Certificate(b);
    } catch (e) {
      throw new Error(
        `Unable to import ${kind} ${file}: ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
  });
}

function checkTimes(cert: X509Certificate, what: string, file: string): void {
  const now = Date.now();
  if (Date.parse(cert.validTo) < now)
    throw new Error(`The ${what} ${file} has expired`);
  if (Date.parse(cert.validFrom) > now)
    throw new Error(`The ${what} ${file} is not yet active`);
}

/** Whether `cert` chains up to one of `cas` (at most 16 links, as libvirt's CA list). */
export function issuedByOneOf(
  cert: X509Certificate,
  cas: readonly X509Certificate[],
): boolean {
  let current = cert;
  for (let depth = 0; depth < 16; depth++) {
    const issuer = cas.find(
      (ca) => current.checkIssued(ca) && current.verify(ca.publicKey),
    );
    if (!issuer) return false;
    if (issuer.checkIssued(issuer)) return true; // a self-signed root
    if (issuer === current) return true;
    current = issuer;
  }
  return true;
}

/** Reads and checks the credentials; every error names the file it is about. */
export function loadTlsCredentials(
  files: TlsCredentialFiles,
  sanityCheck: boolean,
): LoadedTlsCredentials {
  const ca = readPem("CA certificate", files.cacert);
  const caCerts = parseCertificates(ca, files.cacert, "CA certificate list");
  const crl = existsSync(files.cacrl)
    ? readPem("CA revocation list", files.cacrl)
    : undefined;
  let cert: string | undefined;
  let key: string | undefined;
  let noClientCert: string | undefined;
  if (!existsSync(files.cert))
    noClientCert = `no client certificate was sent: ${files.cert} does not exist`;
  else if (!existsSync(files.key))
    noClientCert = `no client certificate was sent: its key ${files.key} does not exist`;
  else {
    cert = readPem("certificate", files.cert);
    key = readPem("private key", files.key);
  }
  if (sanityCheck) {
    for (const c of caCerts) {
      checkTimes(c, "CA certificate", files.cacert);
      if (!c.ca)
        throw new Error(
          `The certificate ${files.cacert} basic constraints do not show a CA`,
        );
    }
    if (cert !== undefined) {
      const own = parseCertificates(cert, files.cert, "client certificate")[0]!;
      checkTimes(own, "client certificate", files.cert);
      if (own.ca)
        throw new Error(
          `The certificate ${files.cert} basic constraints show a CA, but we need one for a client`,
        );
      if (!issuedByOneOf(own, caCerts))
        throw new Error(
          `Our own certificate ${files.cert} failed validation against ${files.cacert}: The certificate hasn't got a known issuer.`,
        );
    }
  }
  return { files, ca, caCerts, crl, cert, key, noClientCert };
}
