// Output that earlier runs wrote and the current inputs no longer produce: `--check` fails on
// it, `generate` warns, and `generate --prune` removes what it wrote itself (unmodified).
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { run, runOk } from "../support/run.js";
import { REPO_ROOT } from "../support/protocol-files.js";

const cli = join(REPO_ROOT, "dist", "cli.js");
const dirs: string[] = [];
let cwd = REPO_ROOT;
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A temp folder with the fixtures in x/; the CLI runs there and writes to out/. */
function workspace(): { inputs: string; out: string } {
  const root = mkdtempSync(join(tmpdir(), "rpcgen-orphans-"));
  dirs.push(root);
  const inputs = join(root, "x");
  cpSync(join(REPO_ROOT, "test", "fixtures", "orphans"), inputs, {
    recursive: true,
  });
  cwd = root;
  return { inputs: "x", out: "out" };
}

const generate = (out: string, files: string[], ...extra: string[]) =>
  run(process.execPath, [cli, "generate", ...files, "--out", out, ...extra], {
    cwd,
  });
const generateOk = (out: string, files: string[], ...extra: string[]) =>
  runOk(process.execPath, [cli, "generate", ...files, "--out", out, ...extra], {
    cwd,
  });
const at = (path: string) => join(cwd, path);

describe("orphaned outputs", () => {
  it("a protocol dropped from the inputs: --check fails, generate warns and keeps it, --prune removes it", async () => {
    const { inputs, out } = workspace();
    const alpha = join(inputs, "alpha.x");
    const beta = join(inputs, "beta.x");
    await generateOk(out, [alpha, beta]);
    expect(existsSync(at(join(out, "beta", "codecs.ts")))).toBe(true);

    const check = await generate(out, [alpha], "--check");
    expect(check.status).toBe(1);
    expect(check.stderr).toContain("orphaned");
    expect(check.stderr).toContain(join(out, "beta", "codecs.ts"));
    expect(check.stderr).not.toContain("alpha");
    expect(existsSync(at(join(out, "beta", "codecs.ts")))).toBe(true);

    const warned = await generate(out, [alpha]);
    expect(warned.status).toBe(0);
    expect(warned.stderr).toContain("warning");
    expect(warned.stderr).toContain(join(out, "beta", "codecs.ts"));
    expect(existsSync(at(join(out, "beta", "codecs.ts")))).toBe(true);

    // The stamp still vouches for beta's files (the previous run wrote them): --prune goes.
    await generateOk(out, [alpha, beta]);
    const gen = await generate(out, [alpha], "--prune");
    expect(gen.status).toBe(0);
    expect(gen.stdout).toContain("removed");
    expect(gen.stderr).toBe("");
    expect(existsSync(at(join(out, "beta")))).toBe(false);
    expect(existsSync(at(join(out, "alpha", "codecs.ts")))).toBe(true);
    expect((await generate(out, [alpha], "--check")).status).toBe(0);
  });

  it("--prune keeps an orphaned file edited since it was written, with a warning naming it", async () => {
    const { inputs, out } = workspace();
    const alpha = join(inputs, "alpha.x");
    const beta = join(inputs, "beta.x");
    await generateOk(out, [alpha, beta]);
    const edited = join(out, "beta", "codecs.ts");
    const editedAt = at(edited);
    writeFileSync(editedAt, readFileSync(editedAt, "utf8") + "// mine\n");

    const gen = await generate(out, [alpha], "--prune");
    expect(gen.status).toBe(0);
    expect(gen.stderr).toContain("warning");
    expect(gen.stderr).toContain(edited);
    expect(readFileSync(editedAt, "utf8")).toContain("// mine");
    // The unedited files of that folder went.
    expect(existsSync(at(join(out, "beta", "index.ts")))).toBe(false);
    // Now unknown to the stamp: --check names its folder.
    const check = await generate(out, [alpha], "--check");
    expect(check.status).toBe(1);
    expect(check.stderr).toContain(join(out, "beta") + "/");
  });

  it("a generated folder the stamp does not know (copied in) fails --check even when everything else is up to date", async () => {
    const { inputs, out } = workspace();
    const alpha = join(inputs, "alpha.x");
    await generateOk(out, [alpha]);
    cpSync(at(join(out, "alpha")), at(join(out, "gamma")), { recursive: true });
    // A folder of hand-written files is none of our business.
    cpSync(at(inputs), at(join(out, "notes")), { recursive: true });

    const check = await generate(out, [alpha], "--check");
    expect(check.status).toBe(1);
    expect(check.stderr).toContain(join(out, "gamma") + "/");
    expect(check.stderr).not.toContain("notes");
    // generate never deletes what it cannot prove it wrote.
    const gen = await generate(out, [alpha], "--prune");
    expect(gen.status).toBe(0);
    expect(gen.stderr).toContain(join(out, "gamma") + "/");
    expect(existsSync(at(join(out, "gamma", "codecs.ts")))).toBe(true);
  });

  it("an output kind dropped from --emit: --prune removes its files", async () => {
    const { inputs, out } = workspace();
    const alpha = join(inputs, "alpha.x");
    await generateOk(out, [alpha], "--emit", "codecs,structs");
    expect(existsSync(at(join(out, "alpha", "alpha-structs")))).toBe(true);
    const gen = await generate(out, [alpha], "--emit", "codecs", "--prune");
    expect(gen.status).toBe(0);
    expect(existsSync(at(join(out, "alpha", "alpha-structs")))).toBe(false);
    expect(existsSync(at(join(out, "alpha", "codecs.ts")))).toBe(true);
  });
});
