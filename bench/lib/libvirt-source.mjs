// The parts of the libvirt 9.0.0 source tree that bench/generate runs:
// libvirt's own code generators (src/rpc/genprotocol.pl, src/rpc/gendispatch.pl)
// and their input (src/remote/remote_protocol.x), plus the meson.build files
// that show how libvirt invokes them. Extracted into bench/.build/libvirt-9.0.0/.
//
// Where the tarball comes from, in order (same logic as scripts/fetch-protocol.mjs,
// copied minimally here; that script is not modified):
//   LIBVIRT_SOURCE=<dir>    a libvirt 9.0.0 source tree: members are copied from it
//   LIBVIRT_TARBALL=<file>  a local libvirt_9.0.0.orig.tar.xz
//   bench/.build/downloads/libvirt_9.0.0.orig.tar.xz  (kept from an earlier download)
//   `apt-get source --download-only libvirt=9.0.0-*` (Debian deb-src), checked
//   against the .dsc's Checksums-Sha256, kept in bench/.build/downloads/
//
// Plain Node ESM, no dependencies.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { BUILD_DIR } from "./common.mjs";

const VERSION = "9.0.0";
const TARBALL = `libvirt_${VERSION}.orig.tar.xz`;
const TAR_PREFIX = `libvirt-${VERSION}/`;

/** Where the members end up (a libvirt-shaped tree). */
export const LIBVIRT_DIR = join(BUILD_DIR, `libvirt-${VERSION}`);
const DOWNLOADS = join(BUILD_DIR, "downloads");

export const MEMBERS = [
  "meson.build",
  "src/rpc/genprotocol.pl",
  "src/rpc/gendispatch.pl",
  "src/remote/remote_protocol.x",
  "src/remote/meson.build",
  "src/access/meson.build",
  "src/rpc/meson.build",
];

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    ...opts,
    env: { ...process.env, LC_ALL: "C" },
  });
  return {
    status: r.status ?? -1,
    stdout: r.stdout ?? "",
    stderr: r.stderr ?? "",
    error: r.error,
  };
}

function sha256(path) {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

function complete() {
  return MEMBERS.every((m) => existsSync(join(LIBVIRT_DIR, m)));
}

function install(fromRoot, provenance) {
  const missing = MEMBERS.filter((m) => !existsSync(join(fromRoot, m)));
  if (missing.length)
    throw new Error(`${fromRoot} lacks ${missing.join(", ")}`);
  const declared = /^\s*version:\s*'([^']+)'/m.exec(
    readFileSync(join(fromRoot, "meson.build"), "utf8"),
  )?.[1];
  if (declared !== VERSION)
    throw new Error(
      `${fromRoot} is libvirt ${declared ?? "?"}, expected ${VERSION}`,
    );
  for (const m of MEMBERS) {
    const dst = join(LIBVIRT_DIR, m);
    mkdirSync(dirname(dst), { recursive: true });
    const tmp = `${dst}.tmp-${process.pid}`;
    copyFileSync(join(fromRoot, m), tmp);
    renameSync(tmp, dst);
  }
  writeFileSync(
    join(LIBVIRT_DIR, "SOURCE"),
    [...provenance, `extracted: ${new Date().toISOString()}`, ""].join("\n"),
  );
}

function installFromTarball(tarball, provenance) {
  const work = mkdtempSync(join(BUILD_DIR, "libvirt-extract-"));
  try {
    const r = run("tar", [
      "-xJf",
      tarball,
      "-C",
      work,
      ...MEMBERS.map((m) => TAR_PREFIX + m),
    ]);
    if (r.error || r.status !== 0) {
      throw new Error(
        `tar -xJf ${tarball} failed: ${(r.error?.message ?? r.stderr).trim()}`,
      );
    }
    install(join(work, TAR_PREFIX), [
      ...provenance,
      `tarball: ${tarball}`,
      `tarball-sha256: ${sha256(tarball)}`,
    ]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** `apt-get source --download-only libvirt=<9.0.0-*>` into bench/.build/downloads; returns the tarball path. */
function downloadViaApt(log) {
  const show = run("apt-cache", ["showsrc", "libvirt"]);
  if (show.error)
    throw new Error(
      `apt-cache not available (${show.error.message}); set LIBVIRT_TARBALL or LIBVIRT_SOURCE`,
    );
  const versions = [];
  for (const stanza of show.stdout.split(/\n\s*\n/)) {
    const pkg = /^Package:\s*(\S+)/m.exec(stanza)?.[1];
    const ver = /^Version:\s*(\S+)/m.exec(stanza)?.[1];
    if (
      pkg === "libvirt" &&
      ver &&
      ver.replace(/^\d+:/, "").replace(/-[^-]*$/, "") === VERSION
    )
      versions.push(ver);
  }
  if (!versions.length) {
    throw new Error(
      "apt knows no libvirt 9.0.0 source package (no deb-src entries for Debian 12?). " +
        "Either run `node scripts/fetch-protocol.mjs --force` as root (it adds deb-src entries), " +
        "or set LIBVIRT_TARBALL=<libvirt_9.0.0.orig.tar.xz> / LIBVIRT_SOURCE=<libvirt-9.0.0 dir>.",
    );
  }
  let best = versions[0];
  for (const v of versions.slice(1))
    if (run("dpkg", ["--compare-versions", v, "gt", best]).status === 0)
      best = v;

  mkdirSync(DOWNLOADS, { recursive: true });
  const dl = mkdtempSync(join(DOWNLOADS, "apt-"));
  try {
    if (typeof process.getuid === "function" && process.getuid() === 0)
      chmodSync(dl, 0o777); // for apt's _apt user
    log(
      `downloading Debian source package libvirt=${best} (apt-get source --download-only)`,
    );
    const r = run("apt-get", ["source", "--download-only", `libvirt=${best}`], {
      cwd: dl,
    });
    const got = join(dl, TARBALL);
    if (!existsSync(got) || statSync(got).size === 0) {
      throw new Error(
        `apt-get source libvirt=${best} failed: ${(r.stderr || r.stdout).trim().split("\n").slice(-3).join(" ")}`,
      );
    }
    const dsc = readdirSync(dl).find((f) => f.endsWith(".dsc"));
    if (dsc) {
      const text = readFileSync(join(dl, dsc), "utf8");
      const block =
        /^Checksums-Sha256:\s*\n((?:[ \t].*\n?)*)/m.exec(text)?.[1] ?? "";
      const expected = block
        .split("\n")
        .find((l) => l.trim().endsWith(` ${TARBALL}`))
        ?.trim()
        .split(/\s+/)[0];
      if (expected && expected !== sha256(got))
        throw new Error(`${TARBALL}: sha256 mismatch with ${dsc}`);
    }
    const kept = join(DOWNLOADS, TARBALL);
    renameSync(got, kept);
    writeFileSync(
      `${kept}.source`,
      `Debian source package libvirt ${best} (apt-get source)${dsc ? `, verified against ${dsc}` : ""}\n`,
    );
    return kept;
  } finally {
    rmSync(dl, { recursive: true, force: true });
  }
}

/**
 * Make sure bench/.build/libvirt-9.0.0/ holds MEMBERS; returns that directory.
 * @param {(m: string) => void} [log]
 */
export function ensureLibvirtSource(
  log = (m) => process.stderr.write(`libvirt-source: ${m}\n`),
) {
  if (complete()) return LIBVIRT_DIR;
  mkdirSync(LIBVIRT_DIR, { recursive: true });
  if (process.env.LIBVIRT_SOURCE) {
    const root = resolve(process.env.LIBVIRT_SOURCE);
    log(`copying libvirt members from LIBVIRT_SOURCE=${root}`);
    install(root, [`source: LIBVIRT_SOURCE=${root}`]);
  } else if (process.env.LIBVIRT_TARBALL) {
    const tb = resolve(process.env.LIBVIRT_TARBALL);
    log(`extracting libvirt members from LIBVIRT_TARBALL=${tb}`);
    installFromTarball(tb, [`source: LIBVIRT_TARBALL=${tb}`]);
  } else {
    const cached = join(DOWNLOADS, TARBALL);
    const tb = existsSync(cached) ? cached : downloadViaApt(log);
    const how = existsSync(`${tb}.source`)
      ? readFileSync(`${tb}.source`, "utf8").trim()
      : "cached tarball";
    log(`extracting libvirt members from ${tb}`);
    installFromTarball(tb, [`source: ${how}`]);
  }
  if (!complete()) throw new Error(`still missing members in ${LIBVIRT_DIR}`);
  return LIBVIRT_DIR;
}
