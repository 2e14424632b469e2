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
import { basename, dirname, join, resolve } from "node:path";
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

/**
 * Builds (or finds cached) `demo_server` and `demo_client`; resolves with their paths.
 * Throws when rpcgen, gcc or libtirpc-dev are missing.
 */
export async function buildDemoPeers({ opt = "-O2" } = {}) {
  return buildPeers({
    name: "oncrpc",
    x: DEMO_X,
    stem: "demo",
    sources: ["demo_common.h", "demo_server.c", "demo_client.c"],
    rpcgenFlags: [],
    opt,
  });
}

export const MULTI_X = resolve(
  HERE,
  "..",
  "..",
  "fixtures",
  "oncrpc",
  "onc_multi.x",
);

/**
 * Builds (or finds cached) `multi_server` and `multi_client` of onc_multi.x with `rpcgen -N`
 * (multi-argument procedures, each argument a C parameter of its own).
 */
export async function buildMultiPeers({ opt = "-O2" } = {}) {
  return buildPeers({
    name: "oncrpc-multi",
    x: MULTI_X,
    stem: "multi",
    sources: ["multi_server.c", "multi_client.c"],
    rpcgenFlags: ["-N"],
    opt,
  });
}

/**
 * rpcgen `x` into <stem>_xdr.c, <stem>_svc.c, <stem>_clnt.c and its header, then compiles
 * <stem>_server and <stem>_client from them and `sources` (files next to this one).
 */
async function buildPeers({ name, x, stem, sources, rpcgenFlags, opt }) {
  const tools = findRpcgenTools();
  if (!tools.ok)
    throw new Error(
      `C peers need: ${tools.missing.join(", ")} (scripts/install-system-deps.sh)`,
    );
  const paths = sources.map((f) => join(HERE, f));
  const h = createHash("sha256");
  for (const f of [x, ...paths, fileURLToPath(import.meta.url)])
    h.update(readFileSync(f));
  h.update(opt + tools.cc + tools.rpcgen + rpcgenFlags.join(" "));
  const dir = join(
    tmpdir(),
    `virt-rpcgen-${name}-${h.digest("hex").slice(0, 16)}`,
  );
  const peers = {
    server: join(dir, `${stem}_server`),
    client: join(dir, `${stem}_client`),
    dir,
  };
  if (existsSync(peers.client)) return peers;
  const work = `${dir}.tmp-${randomBytes(4).toString("hex")}`;
  const xName = basename(x);
  await mkdir(work, { recursive: true });
  try {
    await cp(x, join(work, xName));
    for (const f of paths) await cp(f, join(work, basename(f)));
    const rpcgen = (flag, out) =>
      run(tools.rpcgen, [...rpcgenFlags, flag, xName, "-o", out], {
        cwd: work,
      });
    await rpcgen("-h", xName.replace(/\.x$/, ".h"));
    await rpcgen("-c", `${stem}_xdr.c`);
    await rpcgen("-m", `${stem}_svc.c`);
    await rpcgen("-l", `${stem}_clnt.c`);
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
    await cc(`${stem}_server`, [
      `${stem}_server.c`,
      `${stem}_svc.c`,
      `${stem}_xdr.c`,
    ]);
    await cc(
      `${stem}_client`,
      [`${stem}_client.c`, `${stem}_clnt.c`, `${stem}_xdr.c`],
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
