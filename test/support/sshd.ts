// Test helper: a private OpenSSH server on 127.0.0.1 (Debian's openssh-server), with its own
// sshd_config, host key, client key and authorized_keys in a temp dir, on a free port. With
// `bindLibvirtDir` it runs in its own mount namespace (`unshare -m`) where that directory is
// bind-mounted over /run/libvirt, so commands run through it (virt-ssh-helper, nc) find a
// private libvirtd at libvirt's system socket paths. Nothing outside the namespace changes
// except /run/sshd, sshd's privilege separation directory, created when missing.
//
// The system `ssh` reads ~/.ssh of the account (not $HOME): `sshWrapper` is an `ssh` that
// takes this server's known_hosts and options instead, for libvirt's `command=` parameter, so
// the tests never touch the machine's ~/.ssh.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findTool } from "./libvirtd.js";
import { freePort } from "./free-port.js";
import { withRunLibvirtAt } from "./run-libvirt-mount.js";

export interface Sshd {
  dir: string;
  port: number;
  /** Private key whose public half is in authorized_keys (for `keyfile=`). */
  clientKey: string;
  /** known_hosts with this server's host key as `[127.0.0.1]:port`. */
  knownHosts: string;
  /** An executable `ssh` using knownHosts, for `command=`. */
  sshWrapper: string;
  output(): string;
  stop(): Promise<void>;
}

export interface StartSshdOptions {
  /** Bind-mount this directory over /run/libvirt inside sshd's mount namespace. */
  bindLibvirtDir?: string;
}

function waitForPort(port: number, deadline: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const s = createConnection({ host: "127.0.0.1", port });
      s.once("connect", () => {
        s.destroy();
        resolve();
      });
      s.once("error", () => {
        s.destroy();
        if (Date.now() > deadline)
          reject(new Error(`sshd did not listen on 127.0.0.1:${port}`));
        else setTimeout(attempt, 25);
      });
    };
    attempt();
  });
}

export async function startSshd(options: StartSshdOptions = {}): Promise<Sshd> {
  const sshd = findTool("sshd");
  if (!sshd) throw new Error("sshd not found (install openssh-server)");
  const dir = mkdtempSync(join(tmpdir(), "sshd-"));
  chmodSync(dir, 0o755);
  const keygen = (file: string) =>
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", file]);
  const hostKey = join(dir, "host_ed25519");
  const clientKey = join(dir, "id_ed25519");
  keygen(hostKey);
  keygen(clientKey);
  const authorized = join(dir, "authorized_keys");
  writeFileSync(authorized, readFileSync(`${clientKey}.pub`));
  const port = await freePort();
  const hostPub = readFileSync(`${hostKey}.pub`, "utf8").split(" ");
  const knownHosts = join(dir, "known_hosts");
  writeFileSync(
    knownHosts,
    `[127.0.0.1]:${port} ${hostPub[0]} ${hostPub[1]}\n`,
  );
  const config = join(dir, "sshd_config");
  writeFileSync(
    config,
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${authorized}`,
      `PidFile ${join(dir, "sshd.pid")}`,
      "PermitRootLogin prohibit-password",
      "PubkeyAuthentication yes",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "UsePAM no",
      "StrictModes no",
      "LogLevel ERROR",
      // The default post-quantum key exchange costs seconds on a loaded 2-core machine.
      "KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org",
      "",
    ].join("\n"),
  );
  const sshConfig = join(dir, "ssh_config");
  writeFileSync(
    sshConfig,
    [
      `UserKnownHostsFile ${knownHosts}`,
      "GlobalKnownHostsFile /dev/null",
      "StrictHostKeyChecking yes",
      "IdentitiesOnly yes",
      "BatchMode yes",
      "",
    ].join("\n"),
  );
  const sshWrapper = join(dir, "ssh");
  writeFileSync(
    sshWrapper,
    `#!/bin/sh\nexec ${findTool("ssh") ?? "ssh"} -F ${sshConfig} "$@"\n`,
  );
  chmodSync(sshWrapper, 0o755);
  mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });

  const run: [string, ...string[]] = [sshd, "-D", "-e", "-f", config];
  const [cmd, ...args] = options.bindLibvirtDir
    ? withRunLibvirtAt(options.bindLibvirtDir, run)
    : run;
  const child: ChildProcess = spawn(cmd, args, {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([
      waitForPort(port, Date.now() + 15_000),
      exited.then(() => {
        throw new Error(`sshd exited: ${output}`);
      }),
    ]);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    dir,
    port,
    clientKey,
    knownHosts,
    sshWrapper,
    output: () => output,
    stop,
  };
}
