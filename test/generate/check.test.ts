// generated/ is checked in: it must match what the generator makes from protocol/, and
// `generate --check` must notice any edit of a generated file.
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run, runOk, type RunResult } from "../support/run.js";
import { describe, expect, it } from "vitest";
import {
  LIBVIRT_X_FILES,
  REPO_ROOT,
  ensureProtocolFiles,
} from "../support/protocol-files.js";

const dir = ensureProtocolFiles();
const cli = join(REPO_ROOT, "dist", "cli.js");
const inputs = LIBVIRT_X_FILES.map((n) => join(dir, `${n}.x`));

function check(outDir: string): Promise<RunResult> {
  return run(process.execPath, [
    cli,
    "generate",
    ...inputs,
    "--out",
    outDir,
    "--check",
  ]);
}

describe("generate --check", () => {
  it("passes on the checked-in generated/ tree", async () => {
    const r = await check(join(REPO_ROOT, "generated"));
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("fails after an edit of a generated file, and after a deletion, naming each file", async () => {
    const copy = mkdtempSync(join(tmpdir(), "rpcgen-check-"));
    try {
      cpSync(join(REPO_ROOT, "generated"), copy, { recursive: true });
      expect((await check(copy)).status).toBe(0);
      const codecs = join(copy, "qemu_protocol", "codecs.ts");
      writeFileSync(
        codecs,
        readFileSync(codecs, "utf8").replace(
          "flags: number;",
          "flags: number; // edited",
        ),
      );
      rmSync(join(copy, "lxc_protocol", "lxc_protocol-structs"));
      const r = await check(copy);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("qemu_protocol/codecs.ts");
      expect(r.stderr).toContain("lxc_protocol/lxc_protocol-structs");
      expect(r.stderr).not.toContain("remote_protocol/codecs.ts");
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe("the committed stamp", () => {
  it("is current: generate finds generated/ up to date, also after examples were built into dist/", async () => {
    const copy = mkdtempSync(join(tmpdir(), "rpcgen-stamp-"));
    // What `npm run example:*` leaves next to the generator; it is not part of it.
    const probe = join(REPO_ROOT, "dist", "examples-build", "stamp-probe.js");
    try {
      cpSync(join(REPO_ROOT, "generated"), copy, { recursive: true });
      mkdirSync(join(REPO_ROOT, "dist", "examples-build"), { recursive: true });
      writeFileSync(probe, "export {};\n");
      const stamp = readFileSync(join(copy, ".virt-rpcgen-stamp.json"), "utf8");
      // As `npm run generate` runs it: the shell's glob hands the files over sorted.
      const out = await runOk(process.execPath, [
        cli,
        "generate",
        ...[...inputs].sort(),
        "--out",
        copy,
      ]);
      expect(out).toContain("is up to date");
      expect(readFileSync(join(copy, ".virt-rpcgen-stamp.json"), "utf8")).toBe(
        stamp,
      );
    } finally {
      rmSync(probe, { force: true });
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe("the runtime's own generated codecs", () => {
  it("src/runtime/generated matches virnetprotocol.x and virkeepaliveprotocol.x", async () => {
    const files = ["virnetprotocol", "virkeepaliveprotocol"].map((n) =>
      join(dir, `${n}.x`),
    );
    const out = join(REPO_ROOT, "src", "runtime", "generated");
    const args = [
      cli,
      "generate",
      ...files,
      "--out",
      out,
      "--runtime-import",
      "../../xdr/index.js",
      "--emit",
      "codecs,structs",
      "--check",
    ];
    await runOk(process.execPath, args);
  });
});

describe("generate --check and the prettier config", () => {
  const demo = join(REPO_ROOT, "test", "fixtures", "demo_protocol.x");
  const gen = (out: string, ...more: string[]) =>
    run(process.execPath, [
      cli,
      "generate",
      demo,
      "--out",
      out,
      "--no-libvirt-defines",
      ...more,
    ]);

  it("reports a config added, edited or removed since generate as stale, naming it", async () => {
    const out = mkdtempSync(join(tmpdir(), "rpcgen-check-prettier-"));
    try {
      expect((await gen(out)).status).toBe(0);
      expect((await gen(out, "--check")).status).toBe(0);
      // A config that prints the same text: the outputs are unchanged, the stamp is not.
      writeFileSync(join(out, ".prettierrc.json"), '{ "semi": true }\n');
      let r = await gen(out, "--check");
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(
        "prettier config changed: .prettierrc.json (added)",
      );
      expect((await gen(out)).status).toBe(0);
      const stamp = JSON.parse(
        readFileSync(join(out, ".virt-rpcgen-stamp.json"), "utf8"),
      ) as { prettier: { configs: Record<string, unknown> } };
      expect(stamp.prettier.configs).toEqual({
        ".prettierrc.json": { semi: true },
      });
      expect((await gen(out, "--check")).status).toBe(0);
      // A config that changes the text: stale files, and the config named.
      writeFileSync(join(out, ".prettierrc.json"), '{ "semi": false }\n');
      r = await gen(out, "--check");
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(
        "prettier config changed: .prettierrc.json (edited)",
      );
      expect(r.stderr).toContain("demo_protocol/codecs.ts");
      expect((await gen(out)).status).toBe(0);
      expect(
        readFileSync(join(out, "demo_protocol", "codecs.ts"), "utf8"),
      ).not.toMatch(/;\n/);
      rmSync(join(out, ".prettierrc.json"));
      r = await gen(out, "--check");
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(
        "prettier config changed: .prettierrc.json (removed)",
      );
      // A plain run (no --check) sees the change too and rewrites the outputs.
      expect((await gen(out)).stdout).not.toContain("up to date");
      expect((await gen(out, "--check")).status).toBe(0);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
