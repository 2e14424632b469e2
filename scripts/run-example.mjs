#!/usr/bin/env node
// Runs an example from examples/<name>/main.ts: compiles what is stale (the package to dist/,
// then examples/ and the generated/ code they import to dist/examples-build/), then runs it in
// this process with the remaining arguments.
//
//   node scripts/run-example.mjs server --socket /tmp/ex.sock      (npm run example:server -- …)
//
// Builds are skipped when their outputs are newer than every input, and serialized with a lock
// directory, so test files that start examples in parallel never rewrite files another is loading.
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [name, ...args] = process.argv.slice(2);
if (
  !name ||
  !/^[\w-]+$/.test(name) ||
  !existsSync(join(root, "examples", name, "main.ts"))
) {
  console.error(
    `usage: node scripts/run-example.mjs <example> [args…] (examples: ${readdirSync(join(root, "examples")).join(", ")})`,
  );
  process.exit(2);
}

function newest(dir, ext) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p, ext));
    else if (e.name.endsWith(ext)) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}
const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);
const tsc = (project) =>
  execFileSync(
    process.execPath,
    [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", project],
    { cwd: root, stdio: "inherit" },
  );

// `tsc -p tsconfig.json` rewrites every output, so dist/index.js dates the package build (the
// runtime package, packages/runtime/dist, is built with it);
// the examples build is incremental and dated by a stamp this script writes.
const distMark = join(root, "dist", "index.js");
const examplesStamp = join(root, "dist", "examples-build", ".example-stamp");
const staleDist = () =>
  newest(join(root, "src"), ".ts") > mtime(distMark) ||
  !existsSync(join(root, "packages", "runtime", "dist", "index.js"));
const staleExamples = () =>
  Math.max(
    newest(join(root, "examples"), ".ts"),
    newest(join(root, "generated"), ".ts"),
    mtime(distMark),
  ) > mtime(examplesStamp);

if (staleDist() || staleExamples()) {
  const lock = join(root, "dist", ".example-build-lock");
  mkdirSync(join(root, "dist"), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than the deadline is left over from a killed build.
      if (Date.now() - mtime(lock) > 120_000)
        rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${lock}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    if (staleDist()) {
      tsc("packages/runtime/tsconfig.json");
      tsc("tsconfig.json");
    }
    if (staleExamples()) {
      tsc("tsconfig.examples.json");
      mkdirSync(dirname(examplesStamp), { recursive: true });
      writeFileSync(examplesStamp, "");
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

process.argv = [
  process.argv[0],
  join(root, "dist", "examples-build", "examples", name, "main.js"),
  ...args,
];
await import(pathToFileURL(process.argv[1]).href);
