// The CLI on hostile inputs, as a child process with its time and peak memory measured: each
// input ends in one located error line and exit 1 (or success), within 10 s of CPU time and
// 1 GiB. (Wall time only guards against a hang: with the suite's other processes on two cores
// it mostly measures them.)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_INPUT_BYTES } from "../../src/parser/limits.js";
import { runCliMeasured, type MeasuredRun } from "../support/measure-cli.js";
import { LIBVIRT_PROTOCOL_DIR } from "../support/protocol-files.js";

const MB50 = 50_000_000;
const GiB = 1024 ** 3;
const CPU_LIMIT_MS = 10_000;
const HANG_LIMIT_MS = 60_000;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "rpcgen-large-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** `text` repeated to exactly `size` bytes (ASCII). */
function repeatedTo(text: string, size: number): string {
  return text.repeat(Math.ceil(size / text.length)).slice(0, size);
}

function expectBounded(run: MeasuredRun): void {
  expect(run.cpuMs).toBeLessThan(CPU_LIMIT_MS);
  expect(run.wallMs).toBeLessThan(HANG_LIMIT_MS);
  expect(run.maxRssBytes).toBeLessThan(GiB);
}

async function structs(file: string): Promise<MeasuredRun> {
  return runCliMeasured(["structs", "--no-libvirt-defines", file]);
}

const tooLarge = (file: string) =>
  `${file}:1:1: error: input is ${MB50} bytes, more than virt-rpcgen's limit of ${MAX_INPUT_BYTES} (1 MiB) for a .x file\n`;

describe("50 MB inputs: a located error at once", () => {
  const inputs: [string, () => string | Uint8Array][] = [
    ["newlines", () => "\n".repeat(MB50)],
    ["NUL bytes", () => new Uint8Array(MB50)],
    [
      "valid definitions",
      () =>
        repeatedTo(
          "struct s { int a; unsigned hyper b; string c<>; };\n",
          MB50,
        ),
    ],
    [
      "remote_protocol.x repeated",
      () =>
        repeatedTo(
          readFileSync(join(LIBVIRT_PROTOCOL_DIR, "remote_protocol.x"), "utf8"),
          MB50,
        ),
    ],
  ];
  it.each(inputs)("%s", async (name, make) => {
    const file = write(`${name.replace(/\W+/g, "-")}.x`, make());
    const run = await structs(file);
    expect(run.stderr).toBe(tooLarge(file));
    expect(run.status).toBe(1);
    expectBounded(run);
  });
});

describe("inputs at the size limit", () => {
  it("1 MiB of newlines is an empty protocol", async () => {
    const file = write("newlines-1m.x", "\n".repeat(MAX_INPUT_BYTES));
    const run = await structs(file);
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe("/* -*- c -*- */\n");
    expect(run.status).toBe(0);
    expectBounded(run);
  });

  it("1 MiB of NUL bytes is an error at 1:1", async () => {
    const file = write("nul-1m.x", new Uint8Array(MAX_INPUT_BYTES));
    const run = await structs(file);
    expect(run.stderr).toBe(
      `${file}:1:1: error: control character U+0000 is not allowed in .x input\n`,
    );
    expect(run.status).toBe(1);
    expectBounded(run);
  });
});

describe("inputs that overflowed the stack or were accepted", () => {
  const cases: [string, string, (file: string) => string][] = [
    [
      "inline structs nested 300 deep",
      "struct s {" +
        " struct {".repeat(299) +
        " int x;" +
        " } y;".repeat(299) +
        " };\n",
      (f) =>
        `${f}:1:910: error: '{' nests deeper than 100 levels of braces and parentheses\n`,
    ],
    [
      "3,000 nested parentheses in #if",
      `#if ${"(".repeat(3000)}1${")".repeat(3000)}\n#endif\n`,
      (f) =>
        `${f}:1:1: error: #if expression nests parentheses deeper than 100 levels\n`,
    ],
    [
      "10,000 '!' in #if",
      `#if ${"!".repeat(10_000)}1\nconst A = B;\n#endif\n`,
      (f) =>
        `${f}:2:11: error: unknown constant 'B'; if a C header defines it, give its value with --define B=VALUE or in a defines file (--defines FILE, lines 'NAME = VALUE')\n`,
    ],
    [
      "typedef cycle",
      "typedef b a;\ntypedef a b;\n",
      (f) => `${f}:1:9: error: typedef cycle: a -> b -> a\n`,
    ],
    [
      "struct containing itself by value",
      "struct s { int x; s y; };\n",
      (f) =>
        `${f}:1:8: error: struct 's' contains itself by value (s -> s): its values would be infinite; recurse through '*' or a variable-length array\n`,
    ],
    [
      "case 4294967296 on an int discriminant",
      "union u switch (int d) { case 4294967296: int x; default: void; };\n",
      (f) =>
        `${f}:1:31: error: case '4294967296' (4294967296) is out of range for the discriminant (-2147483648 to 2147483647) in union 'u'\n`,
    ],
    [
      "program number above 2^32-1",
      "program P { version V { void f(void) = 1; } = 1; } = 4294967296;\n",
      (f) =>
        `${f}:1:54: error: program number of 'P' 4294967296 is out of range (0 to 4294967295)\n`,
    ],
  ];
  it.each(cases)("%s", async (name, text, expected) => {
    const file = write(`${name.replace(/\W+/g, "-")}.x`, text);
    const run = await structs(file);
    expect(run.stderr).toBe(expected(file));
    expect(run.status).toBe(1);
    expectBounded(run);
  });

  it("a chain of 3,000 constants is evaluated", async () => {
    const lines = ["const c0 = 1;"];
    for (let i = 1; i < 3000; i++) lines.push(`const c${i} = c${i - 1};`);
    // The last constant sizes an array, so the listing shows its value.
    lines.push("struct s { int a[c2999]; };");
    const file = write("consts.x", lines.join("\n") + "\n");
    const run = await runCliMeasured([
      "structs",
      "--structs-filter",
      ".",
      file,
    ]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(" a[1];");
    expectBounded(run);
  });
});

describe("command-line mistakes", () => {
  it("generate --out <a regular file> is one line, exit 1", async () => {
    const file = write("ok.x", "struct s { int x; };\n");
    const out = write("not-a-dir", "");
    const run = await runCliMeasured(["generate", file, "--out", out]);
    expect(run.stderr).toBe(`virt-rpcgen: --out ${out}: not a directory\n`);
    expect(run.status).toBe(1);
  });

  it("a file name with ESC is escaped in the diagnostic", async () => {
    const file = write("bad\x1b[2J.x", "struct s { foo x; };\n");
    const run = await structs(file);
    expect(run.stderr).toBe(
      `${file.replace("\x1b", "\\x1b")}:1:12: error: unknown type 'foo'\n`,
    );
    expect(run.status).toBe(1);
  });
});
