// Locating (and, if needed, fetching) libvirt 9.0.0's protocol files for tests.
//
// The files are not committed; `npm run fetch-protocol` (scripts/fetch-protocol.mjs)
// downloads them from Debian's libvirt source package into protocol/libvirt-9.0.0/.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  ALL_PROTOCOLS,
  DEFAULT_PROTOCOL_DIR,
  REPO_ROOT,
} from "./rpcgen/build.mjs";

/** Repository root. */
export { REPO_ROOT };

/** Absolute path of protocol/libvirt-9.0.0 (flat: `<name>.x`, `<name>-structs`, SOURCE). */
export const LIBVIRT_PROTOCOL_DIR: string = DEFAULT_PROTOCOL_DIR;

/** Base names (without `.x`) of the 9 libvirt 9.0.0 XDR protocol files (the rpcgen harness's list). */
export const LIBVIRT_X_FILES = ALL_PROTOCOLS;

export type LibvirtProtocolName = (typeof LIBVIRT_X_FILES)[number];

/**
 * The 8 protocols that have a `<name>-structs` ABI listing (all but
 * log_protocol, for which libvirt does not maintain one).
 */
export const LIBVIRT_STRUCTS = [
  "remote_protocol",
  "qemu_protocol",
  "lxc_protocol",
  "admin_protocol",
  "virnetprotocol",
  "virkeepaliveprotocol",
  "lxc_monitor_protocol",
  "lock_protocol",
] as const satisfies readonly LibvirtProtocolName[];

/** All 17 expected file names in LIBVIRT_PROTOCOL_DIR. */
export const LIBVIRT_PROTOCOL_FILES: readonly string[] = [
  ...LIBVIRT_X_FILES.map((n) => `${n}.x`),
  ...LIBVIRT_STRUCTS.map((n) => `${n}-structs`),
];

/** Absolute path of `<name>.x`. */
export function protocolXPath(name: LibvirtProtocolName): string {
  return join(LIBVIRT_PROTOCOL_DIR, `${name}.x`);
}

/** Absolute path of `<name>-structs`. */
export function protocolStructsPath(
  name: (typeof LIBVIRT_STRUCTS)[number],
): string {
  return join(LIBVIRT_PROTOCOL_DIR, `${name}-structs`);
}

function missingProtocolFiles(): string[] {
  return LIBVIRT_PROTOCOL_FILES.filter(
    (f) => !existsSync(join(LIBVIRT_PROTOCOL_DIR, f)),
  );
}

/**
 * Ensure all 17 protocol files exist, running `node scripts/fetch-protocol.mjs`
 * synchronously if any is missing (honours LIBVIRT_SOURCE / LIBVIRT_TARBALL
 * from the environment). Returns LIBVIRT_PROTOCOL_DIR. Throws with the
 * script's output if fetching fails.
 */
export function ensureProtocolFiles(): string {
  if (missingProtocolFiles().length === 0) return LIBVIRT_PROTOCOL_DIR;
  try {
    execFileSync(
      process.execPath,
      [join(REPO_ROOT, "scripts", "fetch-protocol.mjs")],
      {
        cwd: REPO_ROOT,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        timeout: 10 * 60_000,
      },
    );
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    const detail = (e.stderr || e.stdout || e.message).trim();
    throw new Error(
      `scripts/fetch-protocol.mjs failed (try \`npm run fetch-protocol\`):\n${detail}`,
    );
  }
  const missing = missingProtocolFiles();
  if (missing.length) {
    throw new Error(
      `scripts/fetch-protocol.mjs succeeded but ${LIBVIRT_PROTOCOL_DIR} still lacks: ${missing.join(", ")}`,
    );
  }
  return LIBVIRT_PROTOCOL_DIR;
}
