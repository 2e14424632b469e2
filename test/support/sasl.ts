// Test helpers: a private libvirtd that demands SASL (cyrus-sasl's sasldb with users made by
// saslpasswd2), on TCP (auth_tcp = "sasl") and on its unix socket (auth_unix_rw = "sasl").
//
// Recipe (verified with libvirt 9.0.0 and cyrus-sasl 2.1.28 on Debian 12):
//   saslpasswd2 -p -f $dir/passwd.db -a libvirt -c alice   # password on stdin
//   $dir/libvirt.conf:  mech_list: scram-sha-256 digest-md5
//                       sasldb_path: $dir/passwd.db
//   SASL_CONF_PATH=$dir libvirtd --listen -f libvirtd.conf  # listen_tcp = 1, auth_tcp = "sasl"
// libvirtd's sasl_server_init("libvirt") reads <SASL_CONF_PATH>/libvirt.conf (cyrus honours
// SASL_CONF_PATH from the environment unless the process is setuid), so the machine's
// /etc/sasl2/libvirt.conf is never touched.
//
// What libvirtd then offers: over plain TCP it requires a SASL security layer of >= 56 bits
// (remote_daemon_dispatch.c: minSSF 56 unless the channel is a unix socket or TLS), so of the
// two only DIGEST-MD5 (qop=auth-conf) is offered; on the unix socket both are.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLibvirtd, type Libvirtd } from "./libvirtd.js";

/** A TCP port on 127.0.0.1 that was free a moment ago (bind port 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      s.close(() =>
        typeof addr === "object" && addr
          ? resolve(addr.port)
          : reject(new Error("no port")),
      );
    });
  });
}

export interface SaslLibvirtd {
  daemon: Libvirtd;
  port: number;
  /** `test+tcp://127.0.0.1:<port>/default` */
  tcpUri: string;
  /** `test+unix:///default?socket=…` (also SASL). */
  unixUri: string;
  /** Directory with libvirt.conf and the sasldb (removed by stop). */
  saslDir: string;
  /** Writes an auth.conf for virsh / libvirt clients and returns its path. */
  authFile(user: string, password: string): string;
  stop(): Promise<void>;
}

export async function startSaslLibvirtd(options: {
  mechanisms: string[];
  users: Record<string, string>;
}): Promise<SaslLibvirtd> {
  const saslDir = mkdtempSync(join(tmpdir(), "sasl-"));
  const db = join(saslDir, "passwd.db");
  try {
    writeFileSync(
      join(saslDir, "libvirt.conf"),
      `mech_list: ${options.mechanisms.join(" ")}\nsasldb_path: ${db}\n`,
    );
    for (const [user, password] of Object.entries(options.users))
      execFileSync(
        "saslpasswd2",
        ["-p", "-f", db, "-a", "libvirt", "-c", user],
        {
          input: password,
        },
      );
  } catch (e) {
    rmSync(saslDir, { recursive: true, force: true });
    throw e;
  }
  let daemon: Libvirtd | undefined;
  let port = 0;
  // The port may be taken between freePort and libvirtd's bind: try a few.
  for (let attempt = 0; !daemon; attempt++) {
    port = await freePort();
    try {
      daemon = await startLibvirtd({
        args: ["--listen"],
        env: { SASL_CONF_PATH: saslDir },
        extraConfig: [
          "listen_tcp = 1",
          'listen_addr = "127.0.0.1"',
          `tcp_port = "${port}"`,
          'auth_tcp = "sasl"',
          'auth_unix_rw = "sasl"',
        ].join("\n"),
      });
    } catch (e) {
      if (attempt >= 3 || !/address already in use/i.test(String(e))) {
        rmSync(saslDir, { recursive: true, force: true });
        throw e;
      }
    }
  }
  let files = 0;
  return {
    daemon,
    port,
    tcpUri: `test+tcp://127.0.0.1:${port}/default`,
    unixUri: daemon.uri,
    saslDir,
    authFile(user, password) {
      const path = join(saslDir, `auth-${files++}.conf`);
      writeFileSync(
        path,
        `[credentials-test]\nauthname=${user}\npassword=${password}\n\n[auth-libvirt-default]\ncredentials=test\n`,
      );
      return path;
    },
    async stop() {
      await daemon.stop();
      rmSync(saslDir, { recursive: true, force: true });
    },
  };
}
