// `virt-rpcgen decode` / `encode` with ONC framing on a record sent in several fragments (RFC
// 5531 §11): the bytes are built by hand here (a DEMO_ECHO(42) call, 44 bytes, as fragments of
// 12 and 32), so what decode must say is known without the code under test.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/protocol-files.js";
import { run, runOk } from "../support/run.js";

const CLI = join(REPO_ROOT, "dist", "cli.js");
const DEMO_X = join(REPO_ROOT, "test/fixtures/oncrpc/onc_demo.x");

const words = (...w: number[]) =>
  w.map((x) => (x >>> 0).toString(16).padStart(8, "0")).join("");
// xid 7, CALL, rpcvers 2, DEMO_PROG 0x20000100, version 1, DEMO_ECHO, AUTH_NONE cred and verf, 42.
const call = words(7, 0, 2, 0x20000100, 1, 1, 0, 0, 0, 0, 42);
const record =
  words(12) + call.slice(0, 24) + words(0x80000000 | 32) + call.slice(24);

describe("decode --framing onc, a record in two fragments", () => {
  it("gives the call with its fragment sizes, and encode gives back the bytes", async () => {
    const out = await runOk(process.execPath, [
      CLI,
      "decode",
      DEMO_X,
      "--hex",
      record + record,
    ]);
    const lines = out.trim().split("\n");
    expect(lines).toHaveLength(2);
    const m = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(m).toMatchObject({
      xid: 7,
      program: "DEMO_PROG",
      version: "DEMO_V1",
      procedure: "DEMO_ECHO",
      type: "CALL",
      fragments: [12, 32],
      body: { arg1: 42 },
    });
    const hex = await runOk("sh", [
      "-c",
      `"$0" "$1" decode "$2" --hex "$3" | "$0" "$1" encode "$2" --output-format hex`,
      process.execPath,
      CLI,
      DEMO_X,
      record + record,
    ]);
    expect(hex.trim()).toBe(record + record);
  });

  it("input ending inside a record is an error, also right after a fragment header", async () => {
    // 20 bytes: the first fragment (header and 12 bytes) and the second's header; 4: a header.
    for (const [cut, left] of [
      [40, 20],
      [32, 16],
      [8, 4],
    ] as const) {
      const r = await run(process.execPath, [
        CLI,
        "decode",
        DEMO_X,
        "--hex",
        record + record.slice(0, cut),
      ]);
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toContain(
        `ends inside a message: ${left} bytes after message 1`,
      );
    }
  });
});
