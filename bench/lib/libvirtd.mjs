// libvirt for the benchmarks: a private libvirtd (test driver only, pinned to one CPU; the recipe
// of test/support/libvirtd.ts, in plain Node), its version, and C clients built against
// Debian's libvirt-dev.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { REPO_ROOT, log, mtime, newestMtime } from "./common.mjs";
import {
  socketTmpdir,
  startPinned,
  waitForSockets,
  which,
} from "./processes.mjs";

export { which };

/**
 * Starts libvirtd pinned to the CPU list `cpu`, listening on a unix socket in a private
 * temporary directory (auth none unless `authUnixRw` says otherwise). Resolves once it accepts
 * connections there (and on `configure`'s `waitFor` addresses); `stop()` ends it and removes the
 * directory (an exit handler does too if the benchmark ends first).
 *
 * `configure(base)` may add to the set-up before libvirtd starts: files in `base`, lines of
 * libvirtd.conf (with `listen: true`, the TCP/TLS ones: libvirtd then runs with --listen) and
 * environment variables.
 * @param {{
 *   cpu: string,
 *   maxClientRequests?: number,
 *   authUnixRw?: string,
 *   listen?: boolean,
 *   configure?: (base: string) => Promise<{conf?: string[], env?: Record<string,string>, waitFor?: {host: string, port: number}[]}>,
 * }} options
 */
export async function startLibvirtd(options) {
  const base = mkdtempSync(join(socketTmpdir(), "bench-libvirtd-"));
  const dir = join(base, "libvirt");
  mkdirSync(dir, { mode: 0o700 });
  mkdirSync(join(base, "drivers"));
  const extra = (await options.configure?.(base)) ?? {};
  const root = process.getuid?.() === 0;
  const conf = join(base, "libvirtd.conf");
  writeFileSync(
    conf,
    [
      ...(options.listen ? [] : ["listen_tcp = 0", "listen_tls = 0"]),
      ...(extra.conf ?? []),
      ...(root ? [`unix_sock_dir = "${dir}"`] : []),
      'unix_sock_rw_perms = "0700"',
      'unix_sock_admin_perms = "0700"',
      `auth_unix_rw = "${options.authUnixRw ?? "none"}"`,
      'auth_unix_ro = "none"',
      "audit_level = 0",
      'log_outputs = "3:stderr"',
      ...(options.maxClientRequests
        ? [`max_client_requests = ${options.maxClientRequests}`]
        : []),
      "",
    ].join("\n"),
  );
  const proc = startPinned(
    options.cpu,
    which("libvirtd"),
    [
      ...(options.listen ? ["--listen"] : []),
      "-f",
      conf,
      "--pid-file",
      join(base, "libvirtd.pid"),
    ],
    {
      LIBVIRT_DRIVER_DIR: join(base, "drivers"),
      XDG_RUNTIME_DIR: base,
      XDG_CONFIG_HOME: join(base, "config"),
      XDG_CACHE_HOME: join(base, "cache"),
      ...(extra.env ?? {}),
    },
    { ownGroup: false },
  );
  // Interrupted or failed: a SIGTERM and removing the directory is all an exit handler can do.
  const atExit = () => {
    proc.kill();
    rmSync(base, { recursive: true, force: true });
  };
  process.on("exit", atExit);
  const socket = join(dir, "libvirt-sock");
  try {
    await waitForSockets([socket, ...(extra.waitFor ?? [])], {
      alive: proc.alive,
      what: `libvirtd (${base})`,
    });
  } catch (e) {
    await proc.stop();
    throw new Error(`${e.message}\n${proc.output()}`);
  }
  return {
    uri: `test+unix:///default?socket=${socket}`,
    socket,
    /** The socket directory (sshd bind-mounts it over /run/libvirt). */
    dir,
    base,
    pid: proc.pid,
    async stop() {
      await proc.stop();
      rmSync(base, { recursive: true, force: true });
      process.off("exit", atExit);
    },
  };
}

/** `libvirtd --version`, e.g. "libvirtd (libvirt) 9.0.0". */
export function libvirtdVersion() {
  return execFileSync(which("libvirtd"), ["--version"], {
    encoding: "utf8",
  }).trim();
}

/**
 * Compiles a C client of the benchmarks (repo-relative `src`) with gcc -O2 against libvirt
 * (pkg-config) into `exe`, unless `exe` is newer than `src` and the headers in bench/c;
 * returns `exe`.
 * @param {string} src
 * @param {string} exe
 * @param {{ prefix: string, libs?: string[] }} options
 */
export function buildLibvirtClient(src, exe, { prefix, libs = [] }) {
  const source = join(REPO_ROOT, src);
  const newestInput = Math.max(
    mtime(source),
    newestMtime(join(REPO_ROOT, "bench", "c"), /\.h$/),
  );
  if (mtime(exe) > newestInput) return exe;
  log(prefix, `compiling ${src} (gcc -O2, libvirt-dev)`);
  mkdirSync(dirname(exe), { recursive: true });
  const flags = execFileSync("pkg-config", ["--cflags", "--libs", "libvirt"], {
    encoding: "utf8",
  })
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  execFileSync("gcc", ["-O2", "-Wall", "-o", exe, source, ...flags, ...libs], {
    stdio: "inherit",
  });
  return exe;
}
