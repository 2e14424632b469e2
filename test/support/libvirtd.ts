// Test helpers: a private, throw-away libvirtd serving libvirt's built-in
// "test" hypervisor driver over unix sockets in a temp dir, plus tool lookup
// and CI-aware skipping.
//
// Recipe (verified on Debian 12, libvirt 9.0.0-4+deb12u2, as root in a
// container without systemd/dbus/polkit, and as an unprivileged user):
//
//   base=$(mktemp -d); mkdir $base/libvirt $base/drivers
//   cat > $base/libvirtd.conf <<EOF
//   listen_tcp = 0
//   listen_tls = 0
//   unix_sock_dir = "$base/libvirt"     # root only, see below
//   unix_sock_rw_perms = "0700"
//   unix_sock_ro_perms = "0700"
//   unix_sock_admin_perms = "0700"
//   auth_unix_rw = "none"               # no polkit needed
//   auth_unix_ro = "none"
//   audit_level = 0                     # don't touch the kernel audit netlink
//   log_outputs = "3:stderr"            # warnings/errors -> our pipe
//   EOF
//   LIBVIRT_DRIVER_DIR=$base/drivers XDG_RUNTIME_DIR=$base \
//     libvirtd -f $base/libvirtd.conf --pid-file $base/libvirtd.pid   # no --daemon
//   virsh -c "test+unix:///default?socket=$base/libvirt/libvirt-sock" list --all
//
// Readiness = libvirt-sock answers one RPC (see probeRpc); typically ~30 ms
// after spawn. SIGTERM shuts it down cleanly (sockets + pid file removed) in
// ~5 ms. Several daemons can run concurrently (separate temp dirs).
//
// How the test driver is found with an EMPTY LIBVIRT_DRIVER_DIR: the "test"
// driver (src/test/test_driver.c) is not a loadable module; it is compiled
// into libvirt.so.0 (package libvirt0) and registered by virInitialize()
// (`#ifdef WITH_TEST testRegister()`). libvirtd's daemonInitialize() loads the
// hypervisor/network/storage/... modules with virDriverLoadModule(name, ...,
// required=false), which silently skips modules absent from LIBVIRT_DRIVER_DIR.
// So the empty dir just keeps qemu/network/storage/etc. out of the daemon
// (faster start, no /var/lib/libvirt, no dnsmasq/qemu probing). The client's
// `test+unix://` URI means: remote driver over the unix socket, and the daemon
// opens `test:///default` in-process.
//
// test:///default state semantics (libvirt test driver): all connections that
// are open at the same time share ONE driver instance; when the last one
// closes it is freed, so the next connection starts again from the pristine
// default config (domain "test", id 1, running). Each `virsh` invocation is
// its own connection, so changes made by one virsh call are NOT seen by the
// next unless another connection is held open meanwhile.
//
// Privileged vs unprivileged: libvirtd only honours unix_sock_dir for all three
// sockets when running as root; unprivileged it creates only `libvirt-sock`
// there (no -ro, no admin socket). Without unix_sock_dir an unprivileged
// libvirtd puts libvirt-sock and libvirt-admin-sock in $XDG_RUNTIME_DIR/libvirt,
// so for non-root we omit unix_sock_dir and point XDG_RUNTIME_DIR at the temp
// base dir, giving the same paths. There is no read-only socket when
// unprivileged (`roSocket` then names a path that does not exist).
// As root libvirtd additionally creates /run/libvirt/common/system.token
// (shared, harmless); unprivileged it logs two harmless D-Bus "errors".
import { spawn, execFile, type ChildProcess } from "node:child_process";
import {
  accessSync,
  chownSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

// ---------------------------------------------------------------------------
// Tool lookup and CI-aware skipping

const SBIN_DIRS = ["/usr/local/sbin", "/usr/sbin", "/sbin"];

/**
 * Absolute path of an executable, searching $PATH and the sbin dirs (libvirtd
 * lives in /usr/sbin, which is often not in a normal user's PATH), or null.
 * `LIBVIRTD`, `VIRSH`, `RPCGEN` env vars (upper-cased tool name) override.
 */
export function findTool(name: string): string | null {
  const override = process.env[name.toUpperCase().replace(/[^A-Z0-9]/g, "_")];
  const candidates = override
    ? [override]
    : [
        ...(process.env.PATH ?? "").split(delimiter).filter(Boolean),
        ...SBIN_DIRS,
      ].map((d) => join(d, name));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // keep looking
    }
  }
  return null;
}

/** True when running under CI (`CI=true`), where missing tools are failures. */
export const IS_CI: boolean = process.env.CI === "true";

/**
 * Decide whether tests needing tool `name` can run. Returns `available`
 * unchanged when true. When false: throws under CI (`CI=true`) so the test
 * file fails loudly; otherwise prints a warning and returns false so the
 * caller can skip, e.g.
 *
 *   const haveLibvirtd = requireOrSkip('libvirtd', findTool('libvirtd') !== null);
 *   describe.skipIf(!haveLibvirtd)('against libvirtd', () => { ... });
 */
export function requireOrSkip(name: string, available: boolean): boolean {
  if (available) return true;
  const hint = "install with: sudo scripts/install-system-deps.sh";
  if (IS_CI) {
    throw new Error(
      `required tool '${name}' is not available and CI=true (${hint})`,
    );
  }
  console.warn(
    `[skip] '${name}' not available; skipping tests that need it (${hint})`,
  );
  return false;
}

/**
 * requireOrSkip for executables: whether every one of `names` is found by findTool (the first
 * missing one fails under CI=true, or is warned about and skipped otherwise), e.g.
 *
 *   const ready = requireTools("libvirtd", "virsh", "openssl");
 */
export function requireTools(...names: string[]): boolean {
  return names.every((name) => requireOrSkip(name, findTool(name) !== null));
}

/** `requireOrSkip(name, findTool(name) !== null)`. */
export function requireTool(name: string): boolean {
  return requireOrSkip(name, findTool(name) !== null);
}

/** Run `virsh -c <uri> ...args`; resolves to stdout, rejects with stderr. */
export function virsh(uri: string, ...args: string[]): Promise<string> {
  const bin = findTool("virsh") ?? "virsh";
  return new Promise((resolve, reject) => {
    execFile(
      bin,
      ["-c", uri, ...args],
      {
        encoding: "utf8",
        timeout: 30_000,
        env: { ...process.env, LC_ALL: "C" },
      },
      (err, stdout, stderr) => {
        if (err) {
          reject(
            new Error(
              `virsh -c ${uri} ${args.join(" ")} failed: ${stderr.trim() || err.message}`,
            ),
          );
        } else {
          resolve(stdout);
        }
      },
    );
  });
}

// ---------------------------------------------------------------------------
// libvirtd

export interface Libvirtd {
  /** Directory holding the sockets (socket === join(dir, 'libvirt-sock')). */
  dir: string;
  /** Temp dir holding everything (dir, config, pid file, empty driver dir); removed by stop(). */
  baseDir: string;
  /** Read-write socket: `<dir>/libvirt-sock`. */
  socket: string;
  /** Admin socket: `<dir>/libvirt-admin-sock`. */
  adminSocket: string;
  /** Read-only socket: `<dir>/libvirt-sock-ro` (only exists when privileged). */
  roSocket: string;
  /** `test+unix:///default?socket=<socket>` */
  uri: string;
  /** Config file passed with -f. */
  configFile: string;
  /** libvirtd's pid (the direct child; no --daemon; a new one after restart()). */
  readonly pid: number;
  /** Whether libvirtd runs as root (privileged mode). */
  privileged: boolean;
  /** What libvirtd wrote to stdout/stderr so far. */
  output(): string;
  /** SIGTERM (then SIGKILL after 5 s), wait for exit, remove baseDir. Idempotent. */
  stop(): Promise<void>;
  /**
   * Stops libvirtd (its clients see the connection close) and starts a new one on the same
   * sockets and config; resolves once it answers. The test driver's state starts afresh.
   */
  restart(): Promise<void>;
}

export interface StartLibvirtdOptions {
  /** Max time to wait for the socket to accept connections (default 20 s). */
  timeoutMs?: number;
  /** Extra lines appended to libvirtd.conf. */
  extraConfig?: string;
  /**
   * Connection driver modules to load besides the built-in test driver, by short name
   * (`storage` → libvirt_driver_storage.so from the system's connection-driver dir), e.g. to
   * reach the real storage driver with `storage+unix:///system?socket=…`.
   */
  drivers?: string[];
  /**
   * Run libvirtd as this user (uid and gid) when we are root, i.e. unprivileged: its drivers
   * then keep all state under the temp dir (`storage:///session`) instead of the machine-wide
   * /run/libvirt (whose storage driver allows one daemon at a time).
   */
  runAs?: { uid: number; gid: number };
  /**
   * Listen for TLS on 127.0.0.1:`port` with these server credentials (libvirtd's `key_file`,
   * `cert_file`, `ca_file`, `crl_file`); libvirtd then runs with `--listen`. The daemon checks
   * client certificates unless `noVerifyCertificate`.
   */
  tls?: {
    port: number;
    keyFile: string;
    certFile: string;
    caFile: string;
    crlFile?: string;
    noVerifyCertificate?: boolean;
  };
  /** Listen for plain TCP on 127.0.0.1:`port` (`--listen`; `auth_tcp` via extraConfig). */
  tcp?: { port: number };
  /** Extra command line arguments (e.g. `--listen` for listen_tcp/listen_tls). */
  args?: string[];
  /** Extra environment (e.g. `SASL_CONF_PATH` for a private SASL config). */
  env?: Record<string, string>;
}

const MAX_OUTPUT = 64 * 1024;
/** Where Debian (and other distributions) install libvirt's loadable connection drivers. */
const SYSTEM_DRIVER_DIRS = [
  "/usr/lib/x86_64-linux-gnu/libvirt/connection-driver",
  "/usr/lib/aarch64-linux-gnu/libvirt/connection-driver",
  "/usr/lib64/libvirt/connection-driver",
  "/usr/lib/libvirt/connection-driver",
];

/** Whether `startLibvirtd({ drivers: [name] })` can load that driver module here. */
export function haveDriverModule(name: string): boolean {
  return SYSTEM_DRIVER_DIRS.some((dir) =>
    existsSync(join(dir, `libvirt_driver_${name}.so`)),
  );
}
const live = new Set<{ child: ChildProcess; baseDir: string }>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort if a test forgets stop(): never leave daemons or temp dirs behind.
  process.on("exit", () => {
    for (const d of live) {
      try {
        d.child.kill("SIGKILL");
      } catch {
        // already gone
      }
      rmSync(d.baseDir, { recursive: true, force: true });
    }
  });
}

function makeBaseDir(): string {
  // sun_path is limited to 108 bytes; fall back to /tmp if TMPDIR is long.
  const longest = "libvirtd-XXXXXX/libvirt/libvirt-admin-sock".length + 1;
  const parent = tmpdir().length + longest < 100 ? tmpdir() : "/tmp";
  return mkdtempSync(join(parent, "libvirtd-"));
}

/**
 * Readiness probe: connect to `path` and make one real RPC call,
 * REMOTE_PROC_CONNECT_CLOSE, which needs no open connection; libvirtd replies
 * and then closes the socket itself. Resolves true once a reply arrived.
 * (A bare connect+close also works as a probe, but makes libvirtd log
 * "End of file while reading data: Input/output error" for each attempt.)
 */
function probeRpc(path: string, timeoutMs = 2_000): Promise<boolean> {
  // virNetMessageHeader: prog, vers, proc, type=CALL(0), serial, status=OK(0),
  // preceded by the 4-byte total length (which counts itself).
  const REMOTE_PROGRAM = 0x20008086;
  const REMOTE_PROTOCOL_VERSION = 1;
  const REMOTE_PROC_CONNECT_CLOSE = 2;
  const msg = Buffer.alloc(28);
  [
    28,
    REMOTE_PROGRAM,
    REMOTE_PROTOCOL_VERSION,
    REMOTE_PROC_CONNECT_CLOSE,
    0,
    1,
    0,
  ].forEach((v, i) => msg.writeUInt32BE(v, i * 4));
  return new Promise((resolve) => {
    let received = 0;
    let done = false;
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(received >= 28), timeoutMs);
    const sock = createConnection(path);
    sock.once("connect", () => sock.write(msg));
    sock.on("data", (chunk: Buffer) => {
      received += chunk.length;
    });
    // Wait for libvirtd to close first so it does not log an EOF error.
    sock.once("end", () => finish(received >= 28));
    sock.once("error", () => finish(false));
    sock.once("close", () => finish(received >= 28));
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Start a private libvirtd (test driver only) as a child process and wait
 * until its read-write socket accepts connections and answers an RPC call.
 */
export async function startLibvirtd(
  options: StartLibvirtdOptions = {},
): Promise<Libvirtd> {
  const bin = findTool("libvirtd");
  if (!bin) {
    throw new Error(
      "libvirtd not found in PATH or /usr/sbin (install with: sudo scripts/install-system-deps.sh)",
    );
  }
  const timeoutMs = options.timeoutMs ?? 20_000;
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const runAs = isRoot ? options.runAs : undefined;
  const privileged = isRoot && !runAs;

  const baseDir = makeBaseDir();
  const dir = join(baseDir, "libvirt");
  const driverDir = join(baseDir, "drivers");
  mkdirSync(dir, { mode: 0o700 });
  mkdirSync(driverDir);
  for (const d of options.drivers ?? []) {
    const so = `libvirt_driver_${d}.so`;
    const found = SYSTEM_DRIVER_DIRS.map((dir) => join(dir, so)).find((p) =>
      existsSync(p),
    );
    if (!found)
      throw new Error(
        `libvirt driver module ${so} not found in ${SYSTEM_DRIVER_DIRS.join(", ")}`,
      );
    symlinkSync(found, join(driverDir, so));
  }
  const configFile = join(baseDir, "libvirtd.conf");
  const pidFile = join(baseDir, "libvirtd.pid");
  const socket = join(dir, "libvirt-sock");
  const adminSocket = join(dir, "libvirt-admin-sock");
  const roSocket = join(dir, "libvirt-sock-ro");

  const network = options.tls || options.tcp;
  // A setting given in extraConfig replaces ours (libvirt's config reader takes the first).
  const overridden = new Set(
    (options.extraConfig ?? "")
      .split("\n")
      .map((l) => /^\s*(\w+)\s*=/.exec(l)?.[1])
      .filter((k): k is string => k !== undefined),
  );
  const conf = [
    ...(options.tcp
      ? ["listen_tcp = 1", `tcp_port = "${options.tcp.port}"`]
      : ["listen_tcp = 0"]),
    ...(options.tls
      ? [
          "listen_tls = 1",
          `tls_port = "${options.tls.port}"`,
          `key_file = "${options.tls.keyFile}"`,
          `cert_file = "${options.tls.certFile}"`,
          `ca_file = "${options.tls.caFile}"`,
          ...(options.tls.crlFile
            ? [`crl_file = "${options.tls.crlFile}"`]
            : []),
          `tls_no_verify_certificate = ${options.tls.noVerifyCertificate ? 1 : 0}`,
        ]
      : ["listen_tls = 0"]),
    ...(network ? ['listen_addr = "127.0.0.1"'] : []),
    // Privileged libvirtd puts all three sockets in unix_sock_dir; unprivileged
    // only the rw one, so there we use $XDG_RUNTIME_DIR/libvirt (= dir) instead.
    ...(privileged ? [`unix_sock_dir = "${dir}"`] : []),
    'unix_sock_rw_perms = "0700"',
    'unix_sock_ro_perms = "0700"',
    'unix_sock_admin_perms = "0700"',
    'auth_unix_rw = "none"',
    'auth_unix_ro = "none"',
    "audit_level = 0",
    'log_outputs = "3:stderr"',
  ]
    .filter((l) => !overridden.has(/^(\w+)/.exec(l)?.[1] ?? ""))
    .concat([options.extraConfig ?? "", ""])
    .join("\n");
  writeFileSync(configFile, conf);
  if (runAs)
    for (const p of [baseDir, dir, driverDir, configFile])
      chownSync(p, runAs.uid, runAs.gid);

  let output = "";
  const collect = (chunk: Buffer) => {
    if (output.length < MAX_OUTPUT) output += chunk.toString("utf8");
  };
  // One libvirtd process; restart() replaces it with a new one on the same sockets.
  const args = [
    "-f",
    configFile,
    "--pid-file",
    pidFile,
    // Without socket activation libvirtd opens its TCP/TLS listeners only with --listen.
    ...(network && !options.args?.includes("--listen") ? ["--listen"] : []),
    ...(options.args ?? []),
  ];
  const launch = () => {
    const child = spawn(bin, args, {
      cwd: baseDir,
      stdio: ["ignore", "pipe", "pipe"],
      ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
      env: {
        ...process.env,
        ...(runAs ? { HOME: baseDir } : {}),
        LIBVIRT_DRIVER_DIR: driverDir,
        // Only used when unprivileged: keep runtime/config/cache inside baseDir.
        XDG_RUNTIME_DIR: baseDir,
        XDG_CONFIG_HOME: join(baseDir, "config"),
        XDG_CACHE_HOME: join(baseDir, "cache"),
        LC_ALL: "C",
        ...options.env,
      },
    });
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    // Held in an object so TypeScript does not narrow it to `null` in the loop below.
    const state: {
      exited?: { code: number | null; signal: NodeJS.Signals | null };
      spawnError?: Error;
    } = {};
    const exitPromise = new Promise<void>((resolve) => {
      child.once("exit", (code, signal) => {
        state.exited = { code, signal };
        resolve();
      });
      child.once("error", (err) => {
        state.spawnError = err;
        state.exited ??= { code: null, signal: null };
        resolve();
      });
    });
    return { child, state, exitPromise };
  };
  let current = launch();
  const entry = { child: current.child, baseDir };
  live.add(entry);
  installExitHook();

  const terminate = async () => {
    if (!current.state.exited) {
      current.child.kill("SIGTERM");
      const killTimer = setTimeout(() => current.child.kill("SIGKILL"), 5_000);
      await current.exitPromise;
      clearTimeout(killTimer);
    }
  };
  let stopped: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      await terminate();
      live.delete(entry);
      rmSync(baseDir, { recursive: true, force: true });
    })();
    return stopped;
  };

  const describeFailure = (why: string) =>
    `libvirtd failed to start: ${why}\n  command: LIBVIRT_DRIVER_DIR=${driverDir} ${bin} ${args.join(" ")}\n  output:\n${
      output.trim().replace(/^/gm, "    ") || "    (none)"
    }`;

  const waitReady = async () => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = current.state;
      if (state.exited) {
        const why = state.spawnError
          ? `spawn error: ${state.spawnError.message}`
          : `exited early (code ${state.exited.code}, signal ${state.exited.signal})`;
        await stop();
        throw new Error(describeFailure(why));
      }
      if (await probeRpc(socket)) break;
      if (Date.now() > deadline) {
        await stop();
        throw new Error(
          describeFailure(
            `${socket} did not accept connections within ${timeoutMs} ms`,
          ),
        );
      }
      await sleep(25);
    }
  };
  await waitReady();

  const restart = async () => {
    await terminate();
    current = launch();
    entry.child = current.child;
    await waitReady();
  };

  return {
    dir,
    baseDir,
    socket,
    adminSocket,
    roSocket,
    uri: `test+unix:///default?socket=${socket}`,
    configFile,
    get pid() {
      return current.child.pid!;
    },
    privileged,
    output: () => output,
    stop,
    restart,
  };
}
