#!/usr/bin/env node
// Fetch libvirt 9.0.0's XDR protocol files (.x) and their ABI listings
// (*-structs) into protocol/libvirt-9.0.0/ (flat layout).
//
// Usage: npm run fetch-protocol            (or: node scripts/fetch-protocol.mjs)
//
// Sources, in order of preference:
//   LIBVIRT_SOURCE=<dir>   copy from a libvirt 9.0.0 source checkout/extraction
//   LIBVIRT_TARBALL=<file> extract from a local libvirt_9.0.0.orig.tar.xz
//   (default)              `apt-get source --download-only libvirt=<9.0.0-*>`
//                          from Debian's deb-src archive, then extract the
//                          needed members from libvirt_9.0.0.orig.tar.xz.
// Options:
//   --force                re-fetch even if all files are already present
//
// If apt has no deb-src entries: as root, a deb-src entry mirroring the
// configured Debian `deb` sources is added and `apt-get update` is run; as a
// normal user, the commands to do so are printed and the script exits 1.
//
// Plain Node ESM, no dependencies.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  chmodSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const UPSTREAM_VERSION = "9.0.0";
const SRC_PACKAGE = "libvirt";
const TARBALL = `${SRC_PACKAGE}_${UPSTREAM_VERSION}.orig.tar.xz`;
const TAR_PREFIX = `libvirt-${UPSTREAM_VERSION}/`;

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUT_DIR = join(REPO_ROOT, "protocol", `libvirt-${UPSTREAM_VERSION}`);

/** Output base name -> path inside the libvirt source tree. */
const FILES = [
  ["remote_protocol.x", "src/remote/remote_protocol.x"],
  ["qemu_protocol.x", "src/remote/qemu_protocol.x"],
  ["lxc_protocol.x", "src/remote/lxc_protocol.x"],
  ["admin_protocol.x", "src/admin/admin_protocol.x"],
  ["virnetprotocol.x", "src/rpc/virnetprotocol.x"],
  ["virkeepaliveprotocol.x", "src/rpc/virkeepaliveprotocol.x"],
  ["lxc_monitor_protocol.x", "src/lxc/lxc_monitor_protocol.x"],
  ["lock_protocol.x", "src/locking/lock_protocol.x"],
  ["log_protocol.x", "src/logging/log_protocol.x"],
  // log_protocol has no -structs file in libvirt.
  ["remote_protocol-structs", "src/remote_protocol-structs"],
  ["qemu_protocol-structs", "src/qemu_protocol-structs"],
  ["lxc_protocol-structs", "src/lxc_protocol-structs"],
  ["admin_protocol-structs", "src/admin_protocol-structs"],
  ["virnetprotocol-structs", "src/virnetprotocol-structs"],
  ["virkeepaliveprotocol-structs", "src/virkeepaliveprotocol-structs"],
  ["lxc_monitor_protocol-structs", "src/lxc_monitor_protocol-structs"],
  ["lock_protocol-structs", "src/lock_protocol-structs"],
];

class FetchError extends Error {
  /** @param {string} message @param {boolean} [raw] print message as-is (multi-line help) */
  constructor(message, raw = false) {
    super(message);
    this.raw = raw;
  }
}

function fail(message) {
  throw new FetchError(message);
}

function log(message) {
  process.stderr.write(`fetch-protocol: ${message}\n`);
}

function sha256File(path) {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

function isRoot() {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/** Run a command; never throws. Returns { status, stdout, stderr, error }. */
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    ...opts,
    env: { ...process.env, LC_ALL: "C", ...(opts.env ?? {}) },
  });
  return {
    status: r.status ?? -1,
    stdout: r.stdout ?? "",
    stderr: r.stderr ?? "",
    error: r.error,
  };
}

function lastLine(text) {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const errs = lines.filter((l) => l.startsWith("E:"));
  return (errs.length ? errs.join(" ") : lines.at(-1)) ?? "(no output)";
}

function missingFiles(dir) {
  return FILES.map(([name]) => name).filter(
    (name) => !existsSync(join(dir, name)),
  );
}

// ---------------------------------------------------------------------------
// Installing the files

/** Copy `srcRoot/<rel>` for every file into OUT_DIR (atomic per file). */
function installFrom(srcRoot, provenance) {
  const missing = FILES.filter(([, rel]) => !existsSync(join(srcRoot, rel)));
  if (missing.length) {
    fail(
      `${srcRoot} is missing ${missing.length} protocol file(s): ${missing
        .map(([, rel]) => rel)
        .join(", ")}`,
    );
  }
  mkdirSync(OUT_DIR, { recursive: true });
  const sums = [];
  for (const [name, rel] of FILES) {
    const src = join(srcRoot, rel);
    const tmp = join(OUT_DIR, `.${name}.tmp-${process.pid}`);
    copyFileSync(src, tmp);
    renameSync(tmp, join(OUT_DIR, name));
    sums.push(`${sha256File(join(OUT_DIR, name))}  ${name}`);
  }
  const source = [
    `libvirt ${UPSTREAM_VERSION} protocol files (${FILES.length} files)`,
    ...provenance,
    `fetched: ${new Date().toISOString()}`,
    "",
    "sha256 of installed files:",
    ...sums,
    "",
  ].join("\n");
  const tmp = join(OUT_DIR, `.SOURCE.tmp-${process.pid}`);
  writeFileSync(tmp, source);
  renameSync(tmp, join(OUT_DIR, "SOURCE"));
}

/** Extract the needed members of the upstream tarball and install them. */
function installFromTarball(tarball, workDir, provenance) {
  if (!existsSync(tarball)) fail(`tarball not found: ${tarball}`);
  const sum = sha256File(tarball);
  const extractDir = join(workDir, "extract");
  mkdirSync(extractDir, { recursive: true });
  const members = FILES.map(([, rel]) => TAR_PREFIX + rel);
  const r = run("tar", ["-xJf", tarball, "-C", extractDir, ...members]);
  if (r.error) fail(`cannot run tar: ${r.error.message}`);
  if (r.status !== 0) {
    const hint = run("xz", ["--version"]).error
      ? " (xz not found: install xz-utils)"
      : "";
    fail(
      `tar -xJf ${tarball} failed${hint}: ${r.stderr.trim().split("\n").join("; ")}`,
    );
  }
  installFrom(join(extractDir, TAR_PREFIX), [
    ...provenance,
    `tarball: ${TARBALL}`,
    `tarball-sha256: ${sum}`,
  ]);
}

// ---------------------------------------------------------------------------
// apt / deb-src handling

const NO_DEB_SRC = /deb-src'? URIs|'source' URIs|must put some .*source/i;

/** Lines that `deb-src` entries equivalent to the configured `deb` ones need. */
function planDebSrc() {
  const deb822 = "/etc/apt/sources.list.d/debian.sources";
  if (existsSync(deb822)) {
    const stanzas = readFileSync(deb822, "utf8")
      .split(/\n\s*\n/)
      .map((s) => s.trim())
      .filter((s) => /^Types:[ \t]*deb[ \t]*$/im.test(s));
    if (stanzas.length) {
      return {
        from: deb822,
        file: "/etc/apt/sources.list.d/debian-src.sources",
        content:
          stanzas
            .map((s) =>
              s.replace(/^Types:[ \t]*deb[ \t]*$/im, "Types: deb-src"),
            )
            .join("\n\n") + "\n",
        shell: `sed -e 's/^Types: deb$/Types: deb-src/' ${deb822}`,
      };
    }
  }
  const list = "/etc/apt/sources.list";
  if (existsSync(list)) {
    const lines = readFileSync(list, "utf8")
      .split("\n")
      .filter((l) => /^\s*deb\s/.test(l) && /debian/i.test(l))
      .map((l) => l.replace(/^\s*deb\s/, "deb-src "));
    if (lines.length) {
      return {
        from: list,
        file: "/etc/apt/sources.list.d/debian-src.list",
        content: lines.join("\n") + "\n",
        shell: `grep -E '^deb .*debian' ${list} | sed -e 's/^deb /deb-src /'`,
      };
    }
  }
  return null;
}

function ensureDebSrc() {
  const plan = planDebSrc();
  if (!plan) {
    fail(
      "apt has no deb-src entries and no Debian `deb` entries were found in " +
        "/etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list to derive them from; " +
        "add a deb-src line for Debian bookworm and run `apt-get update`, or set LIBVIRT_SOURCE=<libvirt-9.0.0 dir>",
    );
  }
  let target = plan.file;
  if (existsSync(target)) {
    // Never clobber an existing file; use a project-specific name instead.
    target = target.replace(/debian-src(\.\w+)$/, "virt-rpcgen-deb-src$1");
  }
  if (!isRoot()) {
    // Thrown (not process.exit) so the temp dir is still cleaned up.
    throw new FetchError(
      [
        "fetch-protocol: apt has no deb-src (source package) entries, so `apt-get source libvirt` cannot work.",
        "Run these commands (as root), then re-run `npm run fetch-protocol`:",
        "",
        `  sudo sh -c "${plan.shell} > ${target}"`,
        "  sudo apt-get update",
        "",
        "Alternatively set LIBVIRT_SOURCE=<path to a libvirt 9.0.0 source tree>.",
        "",
      ].join("\n"),
      true,
    );
  }
  log(
    `no deb-src entries configured; writing ${target} (derived from ${plan.from})`,
  );
  writeFileSync(target, plan.content);
  log("running apt-get update");
  const r = run("apt-get", ["update"], { stdio: ["ignore", "pipe", "pipe"] });
  if (r.status !== 0)
    fail(`apt-get update failed: ${lastLine(r.stderr || r.stdout)}`);
}

/** All versions of the libvirt source package apt knows, or null if no deb-src. */
function sourceVersions() {
  const r = run("apt-cache", ["showsrc", SRC_PACKAGE]);
  if (r.error) fail(`cannot run apt-cache: ${r.error.message}`);
  if (NO_DEB_SRC.test(r.stderr)) return null;
  const versions = [];
  for (const stanza of r.stdout.split(/\n\s*\n/)) {
    const pkg = /^Package:\s*(\S+)/m.exec(stanza)?.[1];
    const ver = /^Version:\s*(\S+)/m.exec(stanza)?.[1];
    if (pkg === SRC_PACKAGE && ver) versions.push(ver);
  }
  return versions;
}

function upstreamOf(debVersion) {
  return debVersion.replace(/^\d+:/, "").replace(/-[^-]*$/, "");
}

function pickVersion(versions) {
  const matching = [...new Set(versions)].filter(
    (v) => upstreamOf(v) === UPSTREAM_VERSION,
  );
  if (!matching.length) {
    fail(
      `apt knows no ${SRC_PACKAGE} source package with upstream version ${UPSTREAM_VERSION} ` +
        `(available: ${versions.length ? [...new Set(versions)].join(", ") : "none"}); ` +
        "use a Debian 12 (bookworm) deb-src entry or set LIBVIRT_SOURCE=<libvirt-9.0.0 dir>",
    );
  }
  let best = matching[0];
  for (const v of matching.slice(1)) {
    if (run("dpkg", ["--compare-versions", v, "gt", best]).status === 0)
      best = v;
  }
  return best;
}

/** Check the tarball against the .dsc's Checksums-Sha256, when the .dsc exists. */
function verifyAgainstDsc(workDir, tarball) {
  const dsc = readdirSync(workDir).find((f) => f.endsWith(".dsc"));
  if (!dsc) return null;
  const text = readFileSync(join(workDir, dsc), "utf8");
  const block =
    /^Checksums-Sha256:\s*\n((?:[ \t].*\n?)*)/m.exec(text)?.[1] ?? "";
  const line = block.split("\n").find((l) => l.trim().endsWith(` ${TARBALL}`));
  if (!line) return null;
  const expected = line.trim().split(/\s+/)[0];
  const actual = sha256File(tarball);
  if (expected !== actual) {
    fail(`${TARBALL} sha256 mismatch: ${actual} != ${expected} (from ${dsc})`);
  }
  return dsc;
}

function fetchViaApt(workDir) {
  if (run("apt-get", ["--version"]).error) {
    fail(
      "apt-get not found: this script needs Debian/Ubuntu apt with deb-src entries; " +
        "otherwise set LIBVIRT_SOURCE=<libvirt-9.0.0 source dir> or LIBVIRT_TARBALL=<libvirt_9.0.0.orig.tar.xz>",
    );
  }
  let versions = sourceVersions();
  if (versions === null) {
    ensureDebSrc();
    versions = sourceVersions();
    if (versions === null)
      fail("apt still reports no deb-src entries after adding them");
  }
  const version = pickVersion(versions);
  const dlDir = join(workDir, "apt");
  mkdirSync(dlDir);
  // Let apt's unprivileged `_apt` user write here (avoids the "unsandboxed" warning).
  if (isRoot()) {
    chmodSync(workDir, 0o755);
    chmodSync(dlDir, 0o777);
  }
  log(
    `downloading Debian source package ${SRC_PACKAGE}=${version} (apt-get source --download-only)`,
  );
  const r = run(
    "apt-get",
    ["source", "--download-only", `${SRC_PACKAGE}=${version}`],
    {
      cwd: dlDir,
    },
  );
  const tarball = join(dlDir, TARBALL);
  const haveTarball = existsSync(tarball) && statSync(tarball).size > 0;
  if (r.status !== 0) {
    if (NO_DEB_SRC.test(r.stderr))
      fail("apt-get source: no deb-src entries configured");
    if (!haveTarball) {
      fail(
        `apt-get source ${SRC_PACKAGE}=${version} failed: ${lastLine(r.stderr || r.stdout)}`,
      );
    }
    // Only the upstream tarball matters (e.g. the .debian.tar.xz may be missing).
    log(
      `warning: apt-get source exited ${r.status} but ${TARBALL} was downloaded; continuing`,
    );
  }
  if (!haveTarball) fail(`apt-get source did not produce ${TARBALL}`);
  const dsc = verifyAgainstDsc(dlDir, tarball);
  installFromTarball(tarball, workDir, [
    `source: Debian source package ${SRC_PACKAGE} ${version} (apt-get source)`,
    ...(dsc ? [`verified-against: ${dsc} Checksums-Sha256`] : []),
  ]);
}

// ---------------------------------------------------------------------------

function main() {
  const force = process.argv.includes("--force");
  if (!force && missingFiles(OUT_DIR).length === 0) {
    console.log(
      `fetch-protocol: all ${FILES.length} libvirt ${UPSTREAM_VERSION} protocol files already present in ${OUT_DIR}`,
    );
    return;
  }

  const fromDir = process.env.LIBVIRT_SOURCE;
  const fromTarball = process.env.LIBVIRT_TARBALL;
  if (fromDir) {
    const root = resolve(fromDir);
    if (!existsSync(root) || !statSync(root).isDirectory()) {
      fail(`LIBVIRT_SOURCE is not a directory: ${root}`);
    }
    // A checkout of another libvirt version would silently install the wrong
    // protocol revision under libvirt-9.0.0/, so check meson.build when present.
    const meson = join(root, "meson.build");
    let declared = "unknown (no meson.build)";
    if (existsSync(meson)) {
      declared =
        /^\s*version:\s*'([^']+)'/m.exec(readFileSync(meson, "utf8"))?.[1] ??
        "unknown";
      if (declared !== UPSTREAM_VERSION) {
        fail(
          `LIBVIRT_SOURCE=${root} is libvirt ${declared} (meson.build), expected ${UPSTREAM_VERSION}`,
        );
      }
    }
    installFrom(root, [
      `source: local libvirt tree LIBVIRT_SOURCE=${root} (version: ${declared})`,
    ]);
  } else {
    const workDir = mkdtempSync(join(tmpdir(), "fetch-protocol-"));
    try {
      if (fromTarball) {
        installFromTarball(resolve(fromTarball), workDir, [
          `source: local tarball LIBVIRT_TARBALL=${resolve(fromTarball)}`,
        ]);
      } else {
        fetchViaApt(workDir);
      }
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  }

  const missing = missingFiles(OUT_DIR);
  if (missing.length) fail(`still missing after fetch: ${missing.join(", ")}`);
  console.log(
    `fetch-protocol: installed ${FILES.length} libvirt ${UPSTREAM_VERSION} protocol files into ${OUT_DIR}`,
  );
}

try {
  main();
} catch (err) {
  if (err instanceof FetchError && err.raw) {
    process.stderr.write(err.message);
  } else {
    const msg =
      err instanceof FetchError ? err.message : (err?.stack ?? String(err));
    process.stderr.write(`fetch-protocol: error: ${msg}\n`);
  }
  process.exit(1);
}
