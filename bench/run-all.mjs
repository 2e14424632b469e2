#!/usr/bin/env node
// `npm run bench`: every benchmark of package.json (its `bench:<name>` scripts), one after the
// other so none competes with another for the CPUs, each writing its table to bench/results/.
// Stops at the first that fails; says at the end which ran and how long each took.
//
//   npm run bench [-- --only trace,oncrpc] [-- --list]
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values: opt } = parseArgs({
  options: {
    only: { type: "string" },
    list: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
const scripts = Object.keys(
  JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts,
)
  .filter((s) => s.startsWith("bench:"))
  .map((s) => s.slice("bench:".length));

if (opt.help) {
  process.stdout.write(`npm run bench -- [options]
  --only A,B   run only these benchmarks (of: ${scripts.join(", ")})
  --list       print the benchmarks' names and stop
Each benchmark takes its own options: npm run bench:<name> -- --help
`);
  process.exit(0);
}
if (opt.list) {
  process.stdout.write(scripts.join("\n") + "\n");
  process.exit(0);
}
const chosen = opt.only ? opt.only.split(",").map((s) => s.trim()) : scripts;
const unknown = chosen.filter((s) => !scripts.includes(s));
if (unknown.length > 0) {
  process.stderr.write(
    `npm run bench: no benchmark ${unknown.join(", ")} (there are: ${scripts.join(", ")})\n`,
  );
  process.exit(2);
}

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const ran = [];
for (const name of chosen) {
  process.stderr.write(`\nnpm run bench: ${name}\n`);
  const t0 = performance.now();
  const r = spawnSync(npm, ["run", "--silent", `bench:${name}`], {
    cwd: root,
    stdio: "inherit",
  });
  const seconds = (performance.now() - t0) / 1000;
  ran.push(`${name} ${seconds.toFixed(0)} s`);
  if (r.status !== 0) {
    process.stderr.write(
      `\nnpm run bench: ${name} failed (${r.signal ?? `exit ${r.status}`}); ran: ${ran.join(", ")}\n`,
    );
    process.exit(1);
  }
}
process.stderr.write(`\nnpm run bench: done: ${ran.join(", ")}\n`);
