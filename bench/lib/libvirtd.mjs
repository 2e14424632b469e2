// A private libvirtd for the benchmarks (test driver only, pinned to one CPU): the recipe of
// test/support/libvirtd.ts, in plain Node for bench/client and bench/busy-poll.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { existsSync } from "node:fs";
import { die } from "./common.mjs";

/** Absolute path of an executable on $PATH or in the sbin directories (libvirtd lives there). */
export function which(name) {
  for (const d of [
    ...(process.env.PATH ?? "").split(":"),
    "/usr/sbin",
    "/sbin",
  ]) {
    if (d && existsSync(join(d, name))) return join(d, name);
  }
  die(`${name} not found (Debian: scripts/install-system-deps.sh)`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts libvirtd pinned to CPU `cpu`; resolves with its URI, pid and a stop function (also run
 * at exit).
 * @param {{ cpu: string, maxClientRequests: number }} options
 */
export async function startLibvirtd({ cpu, maxClientRequests }) {
  const base = mkdtempSync(join(tmpdir(), "bench-libvirtd-"));
  const dir = join(base, "libvirt");
  mkdirSync(dir, { mode: 0o700 });
  mkdirSync(join(base, "drivers"));
  const root = process.getuid?.() === 0;
  writeFileSync(
    join(base, "libvirtd.conf"),
    [
      "listen_tcp = 0",
      "listen_tls = 0",
      ...(root ? [`unix_sock_dir = "${dir}"`] : []),
      'unix_sock_rw_perms = "0700"',
      'unix_sock_admin_perms = "0700"',
      'auth_unix_rw = "none"',
      'auth_unix_ro = "none"',
      "audit_level = 0",
      'log_outputs = "3:stderr"',
      `max_client_requests = ${maxClientRequests}`,
      "",
    ].join("\n"),
  );
  const child = spawn(
    "taskset",
    [
      "-c",
      cpu,
      which("libvirtd"),
      "-f",
      join(base, "libvirtd.conf"),
      "--pid-file",
      join(base, "libvirtd.pid"),
    ],
    {
      cwd: base,
      stdio: "ignore",
      env: {
        ...process.env,
        LIBVIRT_DRIVER_DIR: join(base, "drivers"),
        XDG_RUNTIME_DIR: base,
        XDG_CONFIG_HOME: join(base, "config"),
        XDG_CACHE_HOME: join(base, "cache"),
      },
    },
  );
  const socket = join(dir, "libvirt-sock");
  const deadline = Date.now() + 20_000;
  while (
    !(await new Promise((resolve) =>
      createConnection(socket)
        .once("connect", function () {
          this.destroy();
          resolve(true);
        })
        .once("error", () => resolve(false)),
    ))
  ) {
    if (Date.now() > deadline || child.exitCode !== null)
      die(`libvirtd did not start (${base})`);
    await sleep(50);
  }
  const stop = () => {
    child.kill("SIGTERM");
    rmSync(base, { recursive: true, force: true });
  };
  process.on("exit", stop);
  return { uri: `test+unix:///default?socket=${socket}`, pid: child.pid, stop };
}
