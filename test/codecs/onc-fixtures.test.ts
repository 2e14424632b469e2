// Every construct rpcgen accepts, checked against rpcgen itself. test/fixtures/onc/*.x cover
// every type construct, every union shape and program blocks with rpcgen -N multi-argument
// procedures: rpcgen accepts each file (header, XDR routines, client and server stubs) and gcc
// compiles its C; for every type, seeded random values encoded by our codecs are decoded and
// re-encoded by rpcgen's C to the same bytes, and our codecs decode those bytes back to the same
// values. Our TypeScript for the fixtures and for every .x file Debian installs (rpcsvc-proto,
// libtirpc-dev) compiles under tsc --strict, and a type test (test/fixtures/onc/narrowing.ts)
// proves that checking a union's discriminant narrows it.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  generate,
  loadProtocols,
  type ProtocolModel,
} from "../../src/index.js";
import { REPO_ROOT } from "../support/protocol-files.js";
import {
  buildRpcgenHarness,
  findRpcgenTools,
  type RpcgenHarness,
} from "../support/rpcgen-harness.js";
import { tscDiagnostics } from "../support/run.js";
import { requireOrSkip } from "../support/libvirtd.js";
import { findRpcgenTools as findRpcgenBinaries } from "../support/rpcgen/build.mjs";
import { expectByteEqualToRpcgen } from "../support/rpcgen-byte-equality.js";

const FIXTURE_DIR = join(REPO_ROOT, "test", "fixtures", "onc");
const FIXTURES = ["onc_types", "onc_unions", "onc_programs"];
const fixtureFile = (name: string) => join(FIXTURE_DIR, `${name}.x`);
/** Where the generated TypeScript goes; narrowing.ts and tsconfig.json import it from here. */
const OUT = join(REPO_ROOT, "test", ".generated", "onc");
/** Constants only C knows, given as the error message says (--define NAME=VALUE). */
const FIXTURE_DEFINES = new Map([["ONC_C_ONLY_SIZE", 6]]);

/** Every .x file of Debian's rpcsvc-proto and libtirpc-dev packages. */
const RPCSVC = [
  "bootparam_prot",
  "key_prot",
  "klm_prot",
  "mount",
  "nfs_prot",
  "nis",
  "nis_callback",
  "nis_object",
  "nlm_prot",
  "rex",
  "rquota",
  "rstat",
  "rusers",
  "sm_inter",
  "spray",
  "yp",
  "yppasswd",
].map((n) => `/usr/include/rpcsvc/${n}.x`);
const SYSTEM_X = [
  "/usr/include/tirpc/rpc/rpcb_prot.x",
  "/usr/include/tirpc/rpcsvc/crypt.x",
  ...RPCSVC,
];
/**
 * What the system files need that they do not define: rpcgen's RPC_HDR (their imports and
 * `%#define`s sit in `#ifdef RPC_HDR`), MAXNETNAMELEN from <rpc/auth_des.h> (key_prot.x) and
 * nlm_prot.x's `%#define LM_MAXSTRLEN 1024` and `%#define MAXNAMELEN LM_MAXSTRLEN+1`.
 */
const SYSTEM_MACROS = new Map([["RPC_HDR", ""]]);
const SYSTEM_DEFINES = new Map([
  ["MAXNETNAMELEN", 255],
  ["LM_MAXSTRLEN", 1024],
  ["MAXNAMELEN", 1025],
]);

const VALUES_PER_TYPE = 16;

const tools = findRpcgenTools();
const available = requireOrSkip(
  `rpcgen toolchain (${tools.missing.join(", ")})`,
  tools.ok,
);
const systemFilesPresent = requireOrSkip(
  "the .x files of rpcsvc-proto and libtirpc-dev",
  SYSTEM_X.every((f) => existsSync(f)),
);

describe.skipIf(!available)("rpcgen-style protocols against rpcgen", () => {
  let harness: RpcgenHarness;
  let fixtures: ProtocolModel[];
  beforeAll(async () => {
    rmSync(OUT, { recursive: true, force: true });
    await generate({
      files: FIXTURES.map(fixtureFile),
      outDir: OUT,
      libvirtDefines: false,
      defines: FIXTURE_DEFINES,
      force: true,
    });
    fixtures = loadProtocols(FIXTURES.map(fixtureFile), {
      libvirtDefines: false,
      defines: FIXTURE_DEFINES,
    });
    harness = await buildRpcgenHarness(FIXTURES, {
      xFiles: FIXTURES.map(fixtureFile),
      rpcgenFlags: ["-N"],
    });
  }, 300_000);
  afterAll(async () => harness?.close());

  it("rpcgen -N accepts every fixture: header, XDR routines, client and server stubs", () => {
    const dir = mkdtempSync(join(tmpdir(), "onc-rpcgen-"));
    try {
      for (const name of FIXTURES) {
        for (const mode of ["-h", "-c", "-l", "-m"]) {
          const r = spawnSync(
            findRpcgenBinaries().rpcgen!,
            [
              "-N",
              mode,
              fixtureFile(name),
              "-o",
              join(dir, `${name}${mode}.c`),
            ],
            { encoding: "utf8" },
          );
          expect(`${r.status} ${r.stderr}`, `rpcgen -N ${mode} ${name}.x`).toBe(
            "0 ",
          );
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // The harness build compiled rpcgen's C for each fixture with gcc.
    expect([...harness.types.keys()]).toEqual(FIXTURES);
  });

  it("codecs are byte-equal to rpcgen's C in both directions, for every type", async () => {
    let covered = 0;
    for (const p of fixtures) {
      // libtirpc's own types (netobj) have no rpcgen routine in this file; C has them built in.
      const decls = p.types.filter((t) => t.loc.file === p.file);
      await expectByteEqualToRpcgen(
        harness,
        p.name,
        join(OUT, p.name, "codecs.ts"),
        decls,
        VALUES_PER_TYPE,
      );
      covered += decls.length;
    }
    console.log(
      `rpcgen byte equality: ${covered} types of ${fixtures.length} fixture protocols, ${VALUES_PER_TYPE} values each`,
    );
    expect(covered).toBeGreaterThanOrEqual(30);
  }, 120_000);

  it.runIf(systemFilesPresent)(
    "TypeScript for the fixtures and every system .x file compiles under --strict; union checks narrow",
    async () => {
      await generate({
        files: SYSTEM_X,
        outDir: OUT,
        libvirtDefines: false,
        macros: SYSTEM_MACROS,
        defines: SYSTEM_DEFINES,
        force: true,
      });
      for (const f of SYSTEM_X) {
        const name = f.replace(/^.*\//, "").replace(/\.x$/, "");
        expect(existsSync(join(OUT, name, "codecs.ts")), name).toBe(true);
      }
      expect(await tscDiagnostics(join(FIXTURE_DIR, "tsconfig.json"))).toBe("");
    },
    180_000,
  );
});
