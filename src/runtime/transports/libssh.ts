/**
 * `+libssh` / `+libssh2`: SSH inside the process, as libvirt does with libssh
 * (virnetsocket.c, virNetSocketNewConnectLibssh; virnetlibsshsession.c), here through the
 * `ssh2` package (pure JavaScript; loaded only when such a URI is used, an optional peer
 * dependency). It runs the same far-side command as `+ssh` (see ssh-proxy-command.ts).
 *
 * As libvirt: user `root` and port 22 unless the URI says otherwise; host keys checked against
 * libvirt's own known_hosts ($XDG_CONFIG_HOME/libvirt/known_hosts, or `known_hosts=`) with
 * `known_hosts_verify=normal` (an unknown host is refused: there is no one to ask),
 * `auto` (unknown keys are added) or `ignore`; authentication methods in `sshauth=` order
 * (default `agent,privkey,password,keyboard-interactive`; the key is `keyfile=` or the first of
 * ~/.ssh/identity, id_dsa, id_ecdsa, id_ed25519, id_rsa). Password and keyboard-interactive
 * need a credentials callback, which this transport does not take: they are skipped.
 */
import { readFileSync } from "node:fs";
import { Duplex } from "node:stream";
import type { ConnectingOptions } from "./connecting.js";
import {
  addKnownHost,
  checkKnownHost,
  fingerprint,
  knownHostsName,
} from "./known-hosts.js";
import type { SshSettings } from "./ssh.js";

/** `known_hosts_verify=`: refuse unknown hosts, add them, or skip the check. */
export type KnownHostsVerify = "normal" | "auto" | "ignore";
/** `sshauth=` entries. */
export type SshAuthMethod =
  "agent" | "privkey" | "password" | "keyboard-interactive";

export interface LibsshSettings extends SshSettings {
  readonly port: number;
  readonly user: string;
  /** `known_hosts=` (default: libvirt's own, `$XDG_CONFIG_HOME/libvirt/known_hosts`). */
  readonly knownHosts: string;
  readonly knownHostsVerify: KnownHostsVerify;
  /** `sshauth=`, in order. */
  readonly authMethods: readonly SshAuthMethod[];
}

export interface LibsshTarget {
  readonly transport: "libssh";
  readonly ssh: LibsshSettings;
}

/** The parts of ssh2's API used here (the package is optional: no static import). */
interface Ssh2Channel extends Duplex {
  readonly stderr: NodeJS.ReadableStream;
}
interface Ssh2Client {
  on(event: "ready", cb: () => void): this;
  on(event: "error", cb: (e: Error) => void): this;
  on(event: "close", cb: () => void): this;
  connect(config: Record<string, unknown>): this;
  exec(
    command: string,
    cb: (e: Error | undefined, ch: Ssh2Channel) => void,
  ): this;
  end(): this;
}
type Ssh2Module = { Client: new () => Ssh2Client };

/** Not a literal: TypeScript must not look for the optional package's types. */
const SSH2_PACKAGE: string = "ssh2";

async function loadSsh2(): Promise<Ssh2Module> {
  try {
    const m = (await import(SSH2_PACKAGE)) as Ssh2Module & {
      default?: Ssh2Module;
    };
    return m.Client ? m : m.default!;
  } catch (e) {
    throw new Error(
      "the libssh transport needs the 'ssh2' package (npm install ssh2)",
      { cause: e },
    );
  }
}

/** The host key check libvirt's libssh session makes (virNetLibsshCheckHostKey). */
function hostKeyProblem(s: LibsshSettings, blob: Buffer): string | null {
  if (s.knownHostsVerify === "ignore") return null;
  const name = knownHostsName(s.host, s.port);
  const state = checkKnownHost(s.knownHosts, name, blob);
  switch (state) {
    case "known":
      return null;
    case "revoked":
      return `the host key ${fingerprint(blob)} of '${s.host}:${s.port}' is marked revoked in '${s.knownHosts}'`;
    case "changed":
      return (
        `!!! SSH HOST KEY VERIFICATION FAILED !!!: Identity of host '${s.host}:${s.port}' differs from stored identity. ` +
        `Please verify the new host key '${fingerprint(blob)}' to avoid possible man in the middle attack. The key is stored in '${s.knownHosts}'.`
      );
    case "unknown":
      if (s.knownHostsVerify === "auto") {
        addKnownHost(s.knownHosts, name, blob);
        return null;
      }
      return (
        `host key ${fingerprint(blob)} of '${s.host}:${s.port}' is not in '${s.knownHosts}' and there is no one to ask: ` +
        "add it there, or use known_hosts_verify=auto (add unknown keys) or known_hosts_verify=ignore"
      );
  }
}

/** The next authentication to try, in `sshauth=` order, skipping what cannot be done. */
function authMethods(s: LibsshSettings): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const method of s.authMethods) {
    if (method === "agent" && process.env.SSH_AUTH_SOCK)
      out.push({
        type: "agent",
        username: s.user,
        agent: process.env.SSH_AUTH_SOCK,
      });
    else if (method === "privkey" && s.keyfile !== undefined) {
      let key: Buffer;
      try {
        key = readFileSync(s.keyfile);
      } catch (e) {
        throw new Error(
          `cannot read private key '${s.keyfile}': ${(e as Error).message}`,
          { cause: e },
        );
      }
      out.push({ type: "publickey", username: s.user, key });
    }
  }
  return out;
}

/** The exec channel as a connection's stream: its exit status and stderr become the error. */
class ChannelStream extends Duplex {
  private stderr = "";
  private exitCode: number | null = null;

  constructor(
    private readonly channel: Ssh2Channel,
    private readonly client: Ssh2Client,
  ) {
    super({ allowHalfOpen: false });
    channel.stderr.on("data", (c: Buffer) => {
      this.stderr = (this.stderr + c.toString("utf8")).slice(-4096);
    });
    channel.on("exit", (code: number | null) => {
      this.exitCode = code;
    });
    channel.on("data", (c: Buffer) => {
      if (!this.push(c)) channel.pause();
    });
    channel.on("close", () => {
      const said = this.stderr.trim();
      if ((this.exitCode !== null && this.exitCode !== 0) || said)
        this.destroy(
          new Error(
            `remote command exited with status ${this.exitCode ?? "?"}${said ? `: ${said}` : ""}`,
          ),
        );
      else this.push(null);
      client.end();
    });
    channel.on("error", (e: Error) => this.destroy(e));
  }

  override _read(): void {
    this.channel.resume();
  }

  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    done: (e?: Error | null) => void,
  ): void {
    this.channel.write(chunk, (e?: Error | null) => done(e));
  }

  override _final(done: (e?: Error | null) => void): void {
    this.channel.end();
    done();
  }

  override _destroy(err: Error | null, done: (e?: Error | null) => void): void {
    this.channel.destroy();
    this.client.end();
    done(err);
  }
}

/** Connects, checks the host key, authenticates and starts the far-side command. */
export async function openLibssh(
  target: LibsshTarget,
  options: ConnectingOptions = {},
): Promise<Duplex> {
  const s = target.ssh;
  const { Client } = await loadSsh2();
  const methods = authMethods(s);
  if (options.signal?.aborted) throw options.signal.reason;
  return new Promise<Duplex>((resolve, reject) => {
    const client = new Client();
    let hostKeyError: string | null = null;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (e: unknown, stream?: Duplex) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      if (stream) resolve(stream);
      else {
        client.end();
        reject(e);
      }
    };
    const onAbort = () => finish(options.signal!.reason);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.timeoutMs !== undefined)
      timer = setTimeout(
        () => finish(new Error(`timed out after ${options.timeoutMs} ms`)),
        options.timeoutMs,
      );
    client.on("error", (e: Error & { level?: string }) => {
      const why =
        hostKeyError ??
        (e.level === "client-authentication"
          ? `authentication failed for user '${s.user}' (tried: ${
              methods.map((m) => m.type).join(", ") || "no usable method"
            }${s.keyfile ? `, key ${s.keyfile}` : ""})`
          : e.message);
      finish(new Error(why, { cause: e }));
    });
    client.on("close", () =>
      finish(new Error(hostKeyError ?? "SSH connection closed")),
    );
    client.on("ready", () => {
      client.exec(s.remoteCommand, (e, channel) => {
        if (e) finish(new Error(`cannot run the remote command: ${e.message}`));
        else finish(null, new ChannelStream(channel, client));
      });
    });
    const queue = [...methods];
    client.connect({
      host: s.host,
      port: s.port,
      username: s.user,
      readyTimeout: options.timeoutMs ?? 20_000,
      hostVerifier: (key: Buffer) => {
        hostKeyError = hostKeyProblem(s, key);
        return hostKeyError === null;
      },
      authHandler: (
        _left: unknown,
        _partial: unknown,
        next: (m: Record<string, unknown> | false) => void,
      ) => next(queue.shift() ?? false),
    });
  });
}
