// The runtime package as an application installs it: `npm pack` packages/runtime, install only
// that tarball (offline) into a CommonJS project and an ES-module (`nodenext`) project, put code
// generated for a small protocol (codecs, client, server) into each, compile it with
// `tsc --strict` under every module resolution a project may use, and run a codec round trip
// whose bytes are computed by hand below. Also: the package's installed size and that it brings
// no dependencies, and that its `/xdr` entry loads none of Node's networking modules.
import {
  cpSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/protocol-files.js";
import { NPM_ENV, scratchProjectDir } from "../support/npm-project.js";
import { runOk, tscDiagnostics } from "../support/run.js";

const work = scratchProjectDir("rpcgen-runtime-pkg-");
const env = NPM_ENV;
const RUNTIME_DIR = join(REPO_ROOT, "packages", "runtime");
const TYPES = join(REPO_ROOT, "node_modules", "@types");

let tarball = "";
const generated = join(work, "generated");

beforeAll(async () => {
  // Packs the dist/ that `npm run build` made (the package has no prepare script to rebuild it).
  await runOk("npm", ["pack", "--pack-destination", work], {
    cwd: RUNTIME_DIR,
    env,
  });
  tarball = join(
    work,
    readdirSync(work).find((f) => /^virt-rpcgen-runtime-.*\.tgz$/.test(f))!,
  );
  await runOk(
    process.execPath,
    [
      join(REPO_ROOT, "dist", "cli.js"),
      "generate",
      join(REPO_ROOT, "test", "fixtures", "demo_protocol.x"),
      "--out",
      generated,
      "--runtime-import",
      "virt-rpcgen-runtime",
    ],
    { env },
  );
}, 120_000);

// Encodes with the generated codecs, checks the bytes, decodes them back.
const MAIN_TS = `
import { decodeFromBytes, encodeToBytes, XdrError } from "virt-rpcgen-runtime/xdr";
import {
  xdr_demo_point,
  xdr_demo_value,
  DEMO_PROC_PING,
  type demo_point,
  type demo_value,
} from "./generated/demo_protocol/index.js";
import type { DemoClient } from "./generated/demo_protocol/client.js";

const hex = (b: Uint8Array): string =>
  Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const p: demo_point = { x: -1, y: 2, z: 3n, w: 4n };
const v: demo_value = { kind: 1, red: 7 };
const pBytes = encodeToBytes(xdr_demo_point, p);
const vBytes = encodeToBytes(xdr_demo_value, v);
const p2 = decodeFromBytes(xdr_demo_point, pBytes);
const v2 = decodeFromBytes(xdr_demo_value, vBytes);
let truncated = "";
try {
  decodeFromBytes(xdr_demo_point, pBytes.subarray(0, 6));
} catch (e) {
  truncated = e instanceof XdrError ? e.code : "not an XdrError";
}
const ping: keyof DemoClient = "ping";
console.log(
  JSON.stringify({
    point: hex(pBytes),
    value: hex(vBytes),
    back: [p2.x, p2.y, String(p2.z), String(p2.w), v2.kind, v2.kind === 1 ? v2.red : null],
    truncated,
    proc: DEMO_PROC_PING,
    ping,
  }),
);
`;

// Which of Node's public modules loading an entry adds (internal/ ones are Node's loader).
const probe = (load: string) => `
const before = new Set(process.moduleLoadList);
${load}
const added = process.moduleLoadList
  .filter((m) => !before.has(m) && m.startsWith("NativeModule ") && !m.includes("internal/"))
  .map((m) => m.slice("NativeModule ".length));
console.log(JSON.stringify(added));
`;

interface Project {
  readonly dir: string;
  readonly installed: string[];
  readonly size: number;
}

async function project(
  name: string,
  type: "commonjs" | "module",
  tsconfigs: Record<string, object>,
): Promise<Project> {
  const dir = join(work, name);
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name, private: true, type }, null, 2),
  );
  cpSync(generated, join(dir, "src", "generated"), { recursive: true });
  writeFileSync(join(dir, "src", "main.ts"), MAIN_TS);
  for (const [file, options] of Object.entries(tsconfigs))
    writeFileSync(
      join(dir, file),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          lib: ["ES2022"],
          strict: true,
          noUncheckedIndexedAccess: true,
          types: ["node"],
          typeRoots: [TYPES],
          // As most projects do; the runtime's own .d.ts are checked when it is built.
          skipLibCheck: true,
          rootDir: "src",
          outDir: "dist",
          ...options,
        },
        include: ["src"],
      }),
    );
  await runOk("npm", ["install", "--offline", "--no-package-lock", tarball], {
    cwd: dir,
    env,
  });
  const installed = readdirSync(join(dir, "node_modules")).filter(
    (f) => !f.startsWith("."),
  );
  const du = await runOk("du", ["-sb", join(dir, "node_modules")], { env });
  return { dir, installed, size: Number(du.split("\t")[0]) };
}

// A project with nothing but the package, shared by the size check and the probes.
let plain: Promise<Project> | undefined;
const plainProject = () => (plain ??= project("plain-app", "commonjs", {}));

async function compileAndRun(p: Project, tsconfigs: string[]) {
  const diagnostics = await Promise.all(
    tsconfigs.map((tsconfig) => tscDiagnostics(tsconfig, p.dir)),
  );
  expect(diagnostics).toEqual(tsconfigs.map(() => ""));
  return JSON.parse(
    await runOk(process.execPath, ["dist/main.js"], { cwd: p.dir, env }),
  ) as unknown;
}

const EXPECTED = {
  // int -1, unsigned 2, hyper 3, unsigned hyper 4 (RFC 4506 big-endian)
  point: "ffffffff" + "00000002" + "0000000000000003" + "0000000000000004",
  // discriminant DEMO_RED (1), then int 7
  value: "00000001" + "00000007",
  back: [-1, 2, "3", "4", 1, 7],
  truncated: "truncated",
  proc: 1,
  ping: "ping",
};

// Concurrent: each test is mostly a child process (npm, tsc, node) in its own project.
describe.concurrent("virt-rpcgen-runtime installed alone", () => {
  it("has no dependencies and installs in under 1 MB", async () => {
    const p = await plainProject();
    const manifest = JSON.parse(
      readFileSync(
        join(p.dir, "node_modules", "virt-rpcgen-runtime", "package.json"),
        "utf8",
      ),
    ) as Record<string, unknown>;
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.scripts).not.toHaveProperty("prepare");
    expect(p.installed).toEqual(["virt-rpcgen-runtime"]);
    const files = (
      await runOk("find", ["node_modules/virt-rpcgen-runtime", "-type", "f"], {
        cwd: p.dir,
        env,
      })
    ).split("\n");
    expect(files.filter((f) => f.endsWith(".map"))).toEqual([]);
    expect(
      files.filter((f) => f.endsWith(".ts") && !/\.d\.m?ts$/.test(f)),
    ).toEqual([]);
    console.log(
      `virt-rpcgen-runtime installed size: ${p.size} bytes (${(p.size / 1024).toFixed(0)} KiB, ${files.length - 1} files)`,
    );
    expect(p.size).toBeLessThan(1_000_000);
  });

  it("compiles generated code in a CommonJS project (node10 and node16) and round-trips", async () => {
    const p = await project("cjs-app", "commonjs", {
      "tsconfig.json": { module: "CommonJS", moduleResolution: "Node10" },
      "tsconfig.node16.json": {
        module: "Node16",
        moduleResolution: "Node16",
        noEmit: true,
      },
    });
    expect(p.installed).toEqual(["virt-rpcgen-runtime"]);
    expect(
      await compileAndRun(p, ["tsconfig.node16.json", "tsconfig.json"]),
    ).toEqual(EXPECTED);
    // The compiled main.js is CommonJS: it loaded the runtime with require().
    expect(readFileSync(join(p.dir, "dist", "main.js"), "utf8")).toContain(
      'require("virt-rpcgen-runtime/xdr")',
    );
  });

  it("compiles generated code in a nodenext ES-module project (and under bundler) and round-trips", async () => {
    const p = await project("esm-app", "module", {
      "tsconfig.json": { module: "NodeNext", moduleResolution: "NodeNext" },
      "tsconfig.bundler.json": {
        module: "ESNext",
        moduleResolution: "Bundler",
        noEmit: true,
      },
    });
    expect(p.installed).toEqual(["virt-rpcgen-runtime"]);
    expect(
      await compileAndRun(p, ["tsconfig.bundler.json", "tsconfig.json"]),
    ).toEqual(EXPECTED);
    expect(readFileSync(join(p.dir, "dist", "main.js"), "utf8")).toContain(
      'from "virt-rpcgen-runtime/xdr"',
    );
  });

  it("import and require give the same classes; /xdr loads none of Node's networking modules", async () => {
    const p = await plainProject();
    const run = async (file: string, text: string) => {
      writeFileSync(join(p.dir, file), text);
      return JSON.parse(
        await runOk(process.execPath, [file], { cwd: p.dir, env }),
      ) as unknown;
    };
    // The probe sees what an entry loads: the whole runtime loads the transports' modules.
    const all = (await run(
      "all.cjs",
      probe(`require("virt-rpcgen-runtime");`),
    )) as string[];
    expect(all).toEqual(
      expect.arrayContaining(["net", "tls", "child_process", "dgram"]),
    );
    expect(
      await run("xdr.cjs", probe(`require("virt-rpcgen-runtime/xdr");`)),
    ).toEqual([]);
    expect(
      await run("xdr.mjs", probe(`await import("virt-rpcgen-runtime/xdr");`)),
    ).toEqual([]);
    // Only the XDR files of the package are loaded, nothing else of it.
    const loaded = (await run(
      "files.cjs",
      `require("virt-rpcgen-runtime/xdr");
       console.log(JSON.stringify(Object.keys(require.cache).filter((f) => f.includes("virt-rpcgen-runtime"))));`,
    )) as string[];
    expect(loaded.length).toBeGreaterThan(1);
    expect(loaded.filter((f) => !f.includes("/dist/xdr/"))).toEqual([]);
    // One copy of each class, whichever way a module loads the package.
    expect(
      await run(
        "same.mjs",
        `import { createRequire } from "node:module";
         import * as esm from "virt-rpcgen-runtime";
         import { XdrError } from "virt-rpcgen-runtime/xdr";
         const cjs = createRequire(import.meta.url)("virt-rpcgen-runtime");
         console.log(JSON.stringify([esm.XdrError === cjs.XdrError, XdrError === cjs.XdrError, esm.ProgramClient === cjs.ProgramClient]));`,
      ),
    ).toEqual([true, true, true]);
  });
});
