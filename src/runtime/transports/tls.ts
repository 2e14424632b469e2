/**
 * `+tls`: libvirt's TLS transport (virNetClientSetTLSSession, virnettlscontext.c) on Node's
 * `tls`. After the handshake the client checks the server's certificate as libvirt does (trusted
 * by our CA, valid now, not a CA, issued for the host name: see tls-hostname.ts), then waits
 * for the server's verdict on *our* certificate: libvirtd sends a single byte `1` when it
 * accepts us, and closes the connection otherwise. Only then does RPC traffic start.
 */
import { connect as tlsConnect, type TLSSocket } from "node:tls";
import type { Duplex } from "node:stream";
import { whenConnected, type ConnectingOptions } from "./connecting.js";
import {
  loadTlsCredentials,
  locateTlsCredentials,
  type LoadedTlsCredentials,
} from "./tls-credentials.js";
import { certificateMatchesHost } from "./tls-hostname.js";
import { mapTlsPriority } from "./tls-priority.js";
import { tlsContext } from "./tls-context-cache.js";

export const LIBVIRTD_TLS_PORT = 16514;

/** How to set up TLS, from the URI (`pkipath`, `no_verify`, `no_sanity`, `tls_priority`). */
export interface TlsSettings {
  /** `pkipath=`: the directory of cacert.pem, clientcert.pem, clientkey.pem (and cacrl.pem). */
  readonly pkipath?: string | undefined;
  /** Look in ~/.pki/libvirt first (libvirt does when not root). */
  readonly tryUserPkiPath: boolean;
  /** `no_verify=1` sets this false: a bad server certificate is then ignored. */
  readonly verify: boolean;
  /** `no_sanity=1` sets this false: our own certificate is not checked before connecting. */
  readonly sanityCheck: boolean;
  /** `tls_priority=`: a GnuTLS priority string (only protocol versions map to Node). */
  readonly priority?: string | undefined;
}

export interface TlsTarget {
  readonly transport: "tls";
  /** The URI's host (`localhost` when it has none): connected to and checked in the certificate. */
  readonly host: string;
  readonly port: number;
  readonly tls: TlsSettings;
}

/** Node's / OpenSSL's verification codes in the words libvirt uses. */
function libvirtReason(code: string): string {
  switch (code) {
    case "UNABLE_TO_GET_ISSUER_CERT":
    case "UNABLE_TO_GET_ISSUER_CERT_LOCALLY":
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "SELF_SIGNED_CERT_IN_CHAIN":
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
      return "The certificate hasn't got a known issuer.";
    case "CERT_REVOKED":
      return "The certificate has been revoked.";
    case "CERT_HAS_EXPIRED":
      return "The certificate has expired.";
    case "CERT_NOT_YET_VALID":
      return "The certificate is not yet active.";
    default:
      return "The certificate is not trusted.";
  }
}

/** What is wrong with the server's certificate, or null (virNetTLSContextValidCertificate). */
function serverCertificateProblem(
  socket: TLSSocket,
  target: TlsTarget,
  creds: LoadedTlsCredentials,
): string | null {
  if (!socket.authorized) {
    const code = String(socket.authorizationError ?? "");
    return `Certificate failed validation: ${libvirtReason(code)} (checked against CA certificate ${creds.files.cacert}; OpenSSL: ${code})`;
  }
  const cert = socket.getPeerX509Certificate();
  if (!cert) return "The certificate has no peers";
  if (!certificateMatchesHost(cert, target.host))
    return `Certificate [session] owner does not match the hostname ${target.host} (the certificate is for ${cert.subjectAltName ? cert.subjectAltName : cert.subject.replace(/\n/g, ", ")})`;
  if (cert.ca)
    return "The certificate [session] basic constraints show a CA, but we need one for a server";
  return null;
}

/** Waits for libvirtd's one-byte verdict on our certificate (1 = accepted). */
function readConfirmation(
  socket: TLSSocket,
  creds: LoadedTlsCredentials,
  options: ConnectingOptions,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const cleanup = () => {
      if (timer) clearTimeout(timer);
      socket.off("readable", onReadable);
      socket.off("end", onGone);
      socket.off("close", onGone);
      socket.off("error", onError);
      options.signal?.removeEventListener("abort", onAbort);
    };
    const fail = (e: unknown) => {
      cleanup();
      socket.destroy();
      reject(e);
    };
    // libvirtd closes the connection when it refuses our certificate or address.
    const hint = creds.noClientCert
      ? `the server refused us? ${creds.noClientCert}`
      : `the server refused us? we sent ${creds.files.cert}`;
    const refused = (why: string) => new Error(`${why} (${hint})`);
    const onReadable = () => {
      const byte = socket.read(1) as Buffer | null;
      if (byte === null) return;
      cleanup();
      if (byte[0] === 1) resolve();
      else
        fail(
          refused(
            "server verification (of our certificate or IP address) failed",
          ),
        );
    };
    const onGone = () =>
      fail(refused("Unable to read TLS confirmation: connection closed"));
    const onError = (e: Error) =>
      fail(refused(`Unable to read TLS confirmation: ${e.message}`));
    const onAbort = () => fail(options.signal!.reason);
    socket.on("readable", onReadable);
    socket.once("end", onGone);
    socket.once("close", onGone);
    socket.once("error", onError);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.timeoutMs !== undefined)
      timer = setTimeout(
        () =>
          fail(
            new Error(
              `timed out after ${options.timeoutMs} ms waiting for the TLS confirmation`,
            ),
          ),
        options.timeoutMs,
      );
    onReadable();
  });
}

/** Connects, runs the handshake and both certificate checks; resolves with the TLS stream. */
export async function openTls(
  target: TlsTarget,
  options: ConnectingOptions = {},
): Promise<Duplex> {
  const started = Date.now();
  const where = `tls:${target.host}:${target.port}`;
  const s = target.tls;
  const files = locateTlsCredentials(s.pkipath, s.tryUserPkiPath);
  const versions = s.priority ? mapTlsPriority(s.priority) : {};
  if (options.signal?.aborted) throw options.signal.reason;
  const { creds, context } = tlsContext(files, s.sanityCheck, versions, () =>
    loadTlsCredentials(files, s.sanityCheck),
  );
  let socket: TLSSocket;
  try {
    socket = tlsConnect({
      host: target.host,
      port: target.port,
      secureContext: context,
      // Verified below, in libvirt's way and words (and not at all with no_verify=1).
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
    });
  } catch (e) {
    throw new Error(
      `cannot start TLS with ${creds.files.cert}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  await whenConnected(socket, "secureConnect", where, options);
  socket.setNoDelay(true);
  const problem = serverCertificateProblem(socket, target, creds);
  if (problem && s.verify) {
    socket.destroy();
    throw new Error(`Failed to verify peer's certificate: ${problem}`);
  }
  const left =
    options.timeoutMs === undefined
      ? undefined
      : Math.max(0, options.timeoutMs - (Date.now() - started));
  await readConfirmation(socket, creds, {
    signal: options.signal,
    timeoutMs: left,
  });
  return socket;
}
