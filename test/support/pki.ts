// Test certificates made with openssl, laid out as libvirt wants them: a CA, a server
// certificate for 127.0.0.1 (as libvirtd's key_file/cert_file) and a client certificate, with
// the client's files in a `pkipath=` directory (cacert.pem, clientcert.pem, clientkey.pem).
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface TestPki {
  /** `pkipath=` for the client: cacert.pem, clientcert.pem, clientkey.pem. */
  clientDir: string;
  /** For libvirtd: cacert.pem, servercert.pem, serverkey.pem. */
  serverDir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
}

function openssl(cwd: string, ...args: string[]): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

/** A self-signed CA in `dir` (ca.pem, ca-key.pem). */
export function makeCa(dir: string, cn: string): void {
  mkdirSync(dir, { recursive: true });
  openssl(
    dir,
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-keyout",
    "ca-key.pem",
    "-out",
    "ca.pem",
    "-subj",
    `/CN=${cn}`,
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  );
}

/** A certificate signed by the CA in `caDir`, written to `dir/<name>cert.pem`, `<name>key.pem`. */
export function issue(
  caDir: string,
  dir: string,
  name: string,
  subject: string,
  extensions: string,
): void {
  mkdirSync(dir, { recursive: true });
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, extensions);
  openssl(
    dir,
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    `${name}key.pem`,
    "-out",
    `${name}.csr`,
    "-subj",
    subject,
  );
  openssl(
    dir,
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    join(caDir, "ca.pem"),
    "-CAkey",
    join(caDir, "ca-key.pem"),
    "-CAcreateserial",
    "-days",
    "2",
    "-out",
    `${name}cert.pem`,
    "-extfile",
    ext,
  );
}

const SERVER_EXT = [
  "basicConstraints=critical,CA:FALSE",
  "keyUsage=critical,digitalSignature,keyEncipherment",
  "extendedKeyUsage=serverAuth",
  "subjectAltName=IP:127.0.0.1",
].join("\n");
const CLIENT_EXT = [
  "basicConstraints=critical,CA:FALSE",
  "keyUsage=critical,digitalSignature,keyEncipherment",
  "extendedKeyUsage=clientAuth",
].join("\n");

/** CA, server and client credentials under `base`. */
export function makePki(base: string): TestPki {
  const caDir = join(base, "ca");
  const serverDir = join(base, "server");
  const clientDir = join(base, "client");
  makeCa(caDir, "virt-rpcgen test CA");
  issue(caDir, serverDir, "server", "/O=virt-rpcgen/CN=127.0.0.1", SERVER_EXT);
  issue(caDir, clientDir, "client", "/O=virt-rpcgen/CN=client", CLIENT_EXT);
  for (const d of [serverDir, clientDir])
    execFileSync("cp", [join(caDir, "ca.pem"), join(d, "cacert.pem")]);
  return {
    clientDir,
    serverDir,
    caCert: join(serverDir, "cacert.pem"),
    serverCert: join(serverDir, "servercert.pem"),
    serverKey: join(serverDir, "serverkey.pem"),
  };
}
