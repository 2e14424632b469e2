// Builds the rpcgen C peers of test/fixtures/oncrpc/onc_demo.x (a libtirpc server under svc_run
// and a client), shared by the tests (test/oncrpc/) and the benchmark (bench/oncrpc/).
//
// rpcgen -h/-c/-m/-l writes the header, XDR routines, the dispatchers without a main, and the
// client stubs; demo_server.c and demo_client.c (next to this file) are the hand-written rest.
// Results are cached under $TMPDIR/virt-rpcgen-oncrpc-<hash of every input>; a build goes to a
// temporary directory renamed into place, so concurrent builds are safe.
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { cp, mkdir, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { findRpcgenTools } from "../rpcgen/build.mjs";

const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));
export const DEMO_X = resolve(
  HERE,
  "..",
  "..",
  "fixtures",
  "oncrpc",
  "onc_demo.x",
);
const SOURCES = ["demo_common.h", "demo_server.c", "demo_client.c"].map((f) =>
  join(HERE, f),
);

/**
 * Builds (or finds cached) `demo_server` and `demo_client`; resolves with their paths.
 * Throws when rpcgen, gcc or libtirpc-dev are missing.
 */
export async function buildDemoPeers({ opt = "-O2" } = {}) {
  const tools = findRpcgenTools();
  if (!tools.ok)
    throw new Error(
      `C peers need: ${tools.missing.join(", ")} (scripts/install-system-deps.sh)`,
    );
  const h = createHash("sha256");
  for (const f of [DEMO_X, ...SOURCES, fileURLToPath(import.meta.url)])
    h.update(readFileSync(f));
  h.update(opt + tools.cc + tools.rpcgen);
  const dir = join(
    tmpdir(),
    `virt-rpcgen-oncrpc-${h.digest("hex").slice(0, 16)}`,
  );
  const peers = {
    server: join(dir, "demo_server"),
    client: join(dir, "demo_client"),
    dir,
  };
  if (existsSync(peers.client)) return peers;
  const work = `${dir}.tmp-${randomBytes(4).toString("hex")}`;
  await mkdir(work, { recursive: true });
  try {
    await cp(DEMO_X, join(work, "onc_demo.x"));
    for (const f of SOURCES) await cp(f, join(work, f.slice(HERE.length + 1)));
    const rpcgen = (flag, out) =>
      run(tools.rpcgen, [flag, "onc_demo.x", "-o", out], { cwd: work });
    await rpcgen("-h", "onc_demo.h");
    await rpcgen("-c", "demo_xdr.c");
    await rpcgen("-m", "demo_svc.c");
    await rpcgen("-l", "demo_clnt.c");
    const cc = (out, srcs, libs = []) =>
      run(
        tools.cc,
        [
          opt,
          "-w",
          "-I.",
          ...tools.tirpcCflags,
          "-o",
          out,
          ...srcs,
          ...tools.tirpcLibs,
          ...libs,
        ],
        {
          cwd: work,
        },
      );
    await cc("demo_server", ["demo_server.c", "demo_svc.c", "demo_xdr.c"]);
    await cc(
      "demo_client",
      ["demo_client.c", "demo_clnt.c", "demo_xdr.c"],
      ["-lpthread"],
    );
    try {
      await rename(work, dir);
    } catch (e) {
      if (!existsSync(peers.client)) throw e; // someone else finished first otherwise
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return peers;
}
