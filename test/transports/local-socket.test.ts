// Local socket choice against virsh: for each situation (which daemon sockets exist, root or
// not, read-only or not), virsh (LIBVIRT_DEBUG=1: "Chosen UNIX socket …") and our client pick
// the same socket, and both really connect to it: every candidate path is a listening socket
// that records who connected. System paths are made private with a mount namespace
// (`unshare -m`, a directory bind-mounted over /run/libvirt, inside that namespace only);
// session paths with a private XDG_RUNTIME_DIR. Non-root runs are as `nobody`.
import { spawn } from "node:child_process";
import {
  chmodSync,
  chownSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
} from "node:fs";
import { createConnection, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { requireOrSkip, requireTools } from "../support/libvirtd.js";
import { withRunLibvirtAt } from "../support/run-libvirt-mount.js";

const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;
const ready =
  requireTools("virsh", "unshare", "setpriv") &&
  requireOrSkip("root (for a mount namespace and running as nobody)", isRoot);

/**
 * The built runtime package, copied where `nobody` can read it: a checkout inside a private
 * directory (`mktemp -d` makes them 0700) is out of nobody's reach.
 */
function readableRuntime(): { entry: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "runtime-for-nobody-"));
  chmodSync(dir, 0o755);
  const pkg = join(dir, "virt-rpcgen-runtime");
  cpSync(resolve("packages/runtime/dist"), join(pkg, "dist"), {
    recursive: true,
  });
  cpSync(resolve("packages/runtime/package.json"), join(pkg, "package.json"));
  return { entry: join(pkg, "dist", "index.js"), dir };
}
const runtimeCopy = readableRuntime();
const RUNTIME = runtimeCopy.entry;

interface Run {
  /** A directory bind-mounted over /run/libvirt for this run. */
  systemDir: string;
  /** Run as nobody (else root). */
  nobody: boolean;
  env: Record<string, string>;
}

/** Runs argv in a private mount namespace with `systemDir` over /run/libvirt. */
function runIsolated(
  run: Run,
  argv: string[],
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const inner = run.nobody
    ? [
        "setpriv",
        `--reuid=${NOBODY}`,
        `--regid=${NOBODY}`,
        "--clear-groups",
        ...argv,
      ]
    : argv;
  const [cmd, ...args] = withRunLibvirtAt(run.systemDir, inner);
  const child = spawn(cmd, args, {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      LC_ALL: "C",
      ...run.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  return new Promise((done) =>
    child.once("close", (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    }),
  );
}

interface Case {
  readonly uri: string;
  readonly readonly: boolean;
}

/**
 * What virsh's remote driver chose for each case, in one virsh run (`connect` after
 * `connect`): the socket from its debug log ("Chosen UNIX socket …"), or null when libvirt
 * opened the URI without a socket (in-process drivers).
 */
async function virshChoices(run: Run, cases: readonly Case[]) {
  const commands = cases
    .map((c) => `connect ${c.readonly ? "--readonly " : ""}'${c.uri}'`)
    .join("; ");
  const r = await runIsolated(
    { ...run, env: { ...run.env, LIBVIRT_DEBUG: "1", LIBVIRT_AUTOSTART: "0" } },
    ["virsh", commands],
  );
  // One segment of the log per open, starting where libvirt splits the URI.
  const segments = r.stderr
    .split(/virConnectOpenInternal:\d+ : Split "/)
    .slice(1);
  if (segments.length !== cases.length)
    throw new Error(
      `virsh opened ${segments.length} URIs, expected ${cases.length}:\n${r.stderr.slice(-3000)}`,
    );
  return segments.map((seg) => ({
    socket: /Chosen UNIX socket (\S+)/.exec(seg)?.[1] ?? null,
    inProcess: /driver \d+ Test returned SUCCESS/.test(seg),
  }));
}

/** The socket our client chose for each case (and connected to, in order), or its error. */
async function ourChoices(run: Run, cases: readonly Case[]) {
  const script = `
    const { parseLibvirtUri, openTransport } = await import(${JSON.stringify(RUNTIME)});
    for (const c of JSON.parse(process.argv[1])) {
      try {
        const t = parseLibvirtUri(c.uri, "remote", { readonly: c.readonly });
        console.log(JSON.stringify({ socket: t.path }));
        const s = await openTransport(t, { timeoutMs: 5000 }).catch(() => null);
        s?.destroy();
      } catch (e) {
        console.log(JSON.stringify({ error: e.message }));
      }
    }`;
  const r = await runIsolated(run, [
    process.execPath,
    "--input-type=module",
    "-e",
    script,
    JSON.stringify(cases),
  ]);
  const lines = r.stdout.trim().split("\n").filter(Boolean);
  if (lines.length !== cases.length)
    throw new Error(
      `our client answered ${lines.length} of ${cases.length}: ${r.stdout}${r.stderr}`,
    );
  return lines.map((l) => JSON.parse(l) as { socket?: string; error?: string });
}

/** What takeHits' own connections send first, to be told apart from the clients'. */
const MARKER = Buffer.from("takeHits marker\n");

/** Listening sockets that record which of them got a connection. */
class Candidates {
  private hits: { shownAs: string; marker: boolean }[] = [];
  private servers: { server: Server; path: string }[] = [];
  private markerSeen = new Map<string, () => void>();
  async listen(path: string, shownAs: string, owner?: number): Promise<void> {
    const server = createServer((s) => {
      const hit = { shownAs, marker: false };
      this.hits.push(hit);
      // End after the client's first message, so it reads EOF rather than dying of SIGPIPE.
      s.on("error", () => {});
      s.once("data", (first: Buffer) => {
        if (first.equals(MARKER)) {
          hit.marker = true;
          this.markerSeen.get(path)?.();
        }
        s.end();
      });
      setTimeout(() => s.destroy(), 5000).unref();
    });
    await new Promise<void>((r) => server.listen(path, r));
    chmodSync(path, 0o777);
    if (owner !== undefined) chownSync(path, owner, owner);
    this.servers.push({ server, path });
  }
  /**
   * The connections so far. The clients have exited, but their last connections may still
   * wait in a listening socket's accept queue; a connection of ours to each socket queues
   * behind them (accepts are first in, first out), so once all of ours are seen, all of
   * theirs have been counted — however long the event loop took to get to them.
   */
  async takeHits(): Promise<string[]> {
    await Promise.all(
      this.servers.map(
        ({ path }) =>
          new Promise<void>((resolve, reject) => {
            this.markerSeen.set(path, resolve);
            const s = createConnection(path, () => s.end(MARKER));
            s.on("error", reject);
          }),
      ),
    );
    this.markerSeen.clear();
    return this.hits
      .splice(0)
      .filter((h) => !h.marker)
      .map((h) => h.shownAs);
  }
  async close(): Promise<void> {
    await Promise.all(
      this.servers.map(({ server }) => new Promise((r) => server.close(r))),
    );
  }
}

describe.skipIf(!ready)("local socket choice, compared with virsh", () => {
  const dirs: string[] = [];
  let candidates: Candidates;
  afterEach(async () => {
    await candidates?.close();
  });
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    rmSync(runtimeCopy.dir, { recursive: true, force: true });
  });

  /** A private /run/libvirt and a private session runtime dir with the named sockets. */
  async function situation(
    system: string[],
    session: string[],
  ): Promise<Run & { runtime: string }> {
    const base = mkdtempSync(join(tmpdir(), "sockets-"));
    dirs.push(base);
    chmodSync(base, 0o755);
    const systemDir = join(base, "run-libvirt");
    const runtime = join(base, "xdg");
    mkdirSync(systemDir);
    mkdirSync(join(runtime, "libvirt"), { recursive: true });
    chownSync(runtime, NOBODY, NOBODY);
    chownSync(join(runtime, "libvirt"), NOBODY, NOBODY);
    candidates = new Candidates();
    for (const name of system)
      await candidates.listen(
        join(systemDir, name),
        `/var/run/libvirt/${name}`,
      );
    for (const name of session)
      await candidates.listen(
        join(runtime, "libvirt", name),
        join(runtime, "libvirt", name),
        NOBODY,
      );
    return {
      systemDir,
      runtime,
      nobody: false,
      env: {
        HOME: runtime,
        XDG_RUNTIME_DIR: runtime,
        XDG_CONFIG_HOME: join(runtime, "config"),
        XDG_CACHE_HOME: join(runtime, "cache"),
      },
    };
  }

  const MODULAR = [
    "virtqemud-sock",
    "virtqemud-sock-ro",
    "libvirt-sock",
    "libvirt-sock-ro",
  ];
  const LEGACY = ["libvirt-sock", "libvirt-sock-ro"];
  const rw = (uri: string): Case => ({ uri, readonly: false });
  const ro = (uri: string): Case => ({ uri, readonly: true });

  it.each([
    // as nobody, system sockets, session sockets, cases
    [
      false,
      MODULAR,
      MODULAR,
      [
        rw("qemu:///system"),
        ro("qemu:///system"),
        rw("qemu:///session"),
        rw("lxc:///system"),
        rw("qemu:///system?mode=legacy"),
        rw("test+unix:///default"),
      ],
    ],
    [
      false,
      LEGACY,
      [],
      [
        rw("qemu:///system"),
        ro("qemu:///system"),
        rw("qemu:///session"),
        rw("qemu:///system?mode=direct"),
      ],
    ],
    [
      true,
      MODULAR,
      MODULAR,
      [rw("qemu:///session"), rw("qemu:///system"), rw("test+unix:///default")],
    ],
    [true, [], LEGACY, [rw("qemu:///session"), rw("test+unix:///default")]],
  ] as [boolean, string[], string[], Case[]][])(
    "nobody: %s, system sockets %j, session sockets %j",
    async (nobody, system, session, cases) => {
      const run = { ...(await situation(system, session)), nobody };
      const theirs = await virshChoices(run, cases);
      const virshHits = await candidates.takeHits();
      const ours = await ourChoices(run, cases);
      expect(ours).toEqual(theirs.map((t) => ({ socket: t.socket })));
      // Both connected where they said, as often (nothing where nothing listens). Compared as
      // sorted lists: accepts on different listening sockets are reported in no fixed order.
      expect([...(await candidates.takeHits())].sort()).toEqual(
        [...virshHits].sort(),
      );
      expect(virshHits.length).toBeGreaterThan(0);
    },
    120_000,
  );

  it("test:///default: virsh opens it in-process (no socket); our client says libvirt does", async () => {
    const run = await situation(MODULAR, []);
    const [theirs] = await virshChoices(run, [rw("test:///default")]);
    expect(theirs).toEqual({ socket: null, inProcess: true });
    expect(await candidates.takeHits()).toEqual([]);
    const [ours] = await ourChoices(run, [rw("test:///default")]);
    expect(ours!.error).toContain(
      "libvirt serves test:// URIs inside its client library",
    );
  }, 60_000);
});
