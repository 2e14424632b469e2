// Used from another repo as users will: `npm pack` this package and the runtime package
// (packages/runtime), install the generator as a devDependency and the runtime as a dependency
// of an empty consumer project whose `prebuild` runs `virt-rpcgen generate`, and build that
// project with `tsc --strict`; then run it and check the bytes it encodes (hand-computed
// below). The published generator carries no `prepare` script, no source maps and no copy of
// the runtime, and loads from CommonJS.
import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/protocol-files.js";
import { NPM_ENV, scratchProjectDir } from "../support/npm-project.js";
import { runOk } from "../support/run.js";

const work = scratchProjectDir("rpcgen-consumer-");

const run = (cmd: string, args: string[], cwd: string) =>
  runOk(cmd, args, { cwd, env: NPM_ENV });

describe("consumer project", () => {
  it("packs, installs, generates in prebuild and compiles under tsc --strict", async () => {
    // --ignore-scripts: pack the dist/ that `npm ci` built; re-running `prepare` here would
    // rebuild dist/ under the other test files that run the CLI at the same time.
    await run(
      "npm",
      ["pack", "--ignore-scripts", "--pack-destination", work],
      REPO_ROOT,
    );
    await run(
      "npm",
      ["pack", "--pack-destination", work],
      join(REPO_ROOT, "packages", "runtime"),
    );
    const tarballs = readdirSync(work).filter((f) => f.endsWith(".tgz"));
    const tarball = tarballs.find((f) => /^virt-rpcgen-\d/.test(f))!;
    const runtimeTarball = tarballs.find((f) =>
      f.startsWith("virt-rpcgen-runtime-"),
    )!;
    expect(tarball).toMatch(/^virt-rpcgen-.*\.tgz$/);
    expect(runtimeTarball).toMatch(/^virt-rpcgen-runtime-.*\.tgz$/);
    const packed = (
      await run("tar", ["-tzf", join(work, tarball)], work)
    ).split("\n");
    expect(packed.filter((f) => f.endsWith(".map"))).toEqual([]);
    expect(packed.filter((f) => f.startsWith("package/dist/runtime/"))).toEqual(
      [],
    );
    const manifest = JSON.parse(
      await run(
        "tar",
        ["-xzOf", join(work, tarball), "package/package.json"],
        work,
      ),
    ) as { scripts: Record<string, string> };
    expect(manifest.scripts).not.toHaveProperty("prepare");

    const app = join(work, "app");
    mkdirSync(join(app, "proto"), { recursive: true });
    mkdirSync(join(app, "src"), { recursive: true });
    copyFileSync(
      join(REPO_ROOT, "test", "fixtures", "demo_protocol.x"),
      join(app, "proto", "demo_protocol.x"),
    );
    const devDeps = JSON.parse(
      await run("npm", ["pkg", "get", "devDependencies"], REPO_ROOT),
    ) as Record<string, string>;
    const devDep = (name: string) => devDeps[name]!;
    // A Node TypeScript project, as users of a libvirt client are: typescript and @types/node.
    writeFileSync(
      join(app, "package.json"),
      JSON.stringify(
        {
          name: "consumer",
          private: true,
          type: "module",
          scripts: {
            prebuild:
              "virt-rpcgen generate proto/demo_protocol.x --out src/generated",
            build: "tsc -p .",
          },
          dependencies: {
            "virt-rpcgen-runtime": `file:../${runtimeTarball}`,
          },
          devDependencies: {
            "virt-rpcgen": `file:../${tarball}`,
            typescript: devDep("typescript"),
            "@types/node": devDep("@types/node"),
          },
        },
        null,
        2,
      ),
    );
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          outDir: "dist",
          rootDir: "src",
          types: ["node"],
        },
        include: ["src"],
      }),
    );
    writeFileSync(
      join(app, "src", "main.ts"),
      [
        `import { encodeToBytes } from "virt-rpcgen-runtime";`,
        // Code written against the generator's old runtime entry gets the same module.
        `import { encodeToBytes as compat } from "virt-rpcgen/runtime";`,
        `if (compat !== encodeToBytes) throw new Error("virt-rpcgen/runtime is another copy");`,
        `import { xdr_demo_point, xdr_demo_value, type demo_point } from "./generated/demo_protocol/index.js";`,
        `const p: demo_point = { x: -1, y: 2, z: 3n, w: 4n };`,
        `const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");`,
        `console.log(hex(encodeToBytes(xdr_demo_point, p)));`,
        `console.log(hex(encodeToBytes(xdr_demo_value, { kind: 1, red: 7 })));`,
      ].join("\n"),
    );
    await run("npm", ["install", "--no-package-lock", "--prefer-offline"], app);
    await run("npm", ["run", "build"], app);
    const out = (await run("node", ["dist/main.js"], app)).trim().split("\n");
    // int -1, unsigned 2, hyper 3, unsigned hyper 4 (RFC 4506 big-endian)
    expect(out[0]).toBe(
      "ffffffff" + "00000002" + "0000000000000003" + "0000000000000004",
    );
    // discriminant DEMO_RED (1), then int 7
    expect(out[1]).toBe("00000001" + "00000007");
    // The generated codecs import the runtime package's codec entry alone (no client, no
    // node:net); the generator loads from CommonJS.
    const codecsText = readFileSync(
      join(app, "src/generated/demo_protocol/codecs.ts"),
      "utf8",
    );
    expect(codecsText).toContain('from "virt-rpcgen-runtime/xdr";');
    expect(codecsText).not.toMatch(
      /from "virt-rpcgen-runtime(\/(client|server|rpc))?";/,
    );
    writeFileSync(
      join(app, "load.cjs"),
      `const g = require("virt-rpcgen");
       console.log(typeof g.generate, typeof g.parseXdr, g.DEFAULT_RUNTIME_IMPORT);
       console.log(g.parseXdr("a.x", "const A = 1;").definitions.length);`,
    );
    expect((await run("node", ["load.cjs"], app)).trim().split("\n")).toEqual([
      "function function virt-rpcgen-runtime",
      "1",
    ]);
  }, 300_000);
});
