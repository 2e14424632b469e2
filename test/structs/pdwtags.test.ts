// The structs listing checked against the real toolchain libvirt's check uses: rpcgen's C for a
// protocol exercising every construct (test/fixtures/demo_protocol.x), compiled with gcc -g,
// read back by pdwtags and filtered exactly as libvirt's scripts/check-remote-protocol.py does.
import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  emitStructsListing,
  loadProtocol,
  unifiedDiff,
} from "../../src/index.js";
import { findTool, requireOrSkip } from "../support/libvirtd.js";
import { REPO_ROOT } from "../support/protocol-files.js";

const tools = ["rpcgen", "gcc", "pdwtags", "pkg-config"];
const available = requireOrSkip(
  `rpcgen, gcc and pdwtags`,
  tools.every((t) => findTool(t) !== null),
);

/** check-remote-protocol.py's processing of `pdwtags --verbose` output. */
function checkRemoteProtocolListing(
  pdwtagsOutput: string,
  prefix: RegExp,
): string {
  const bits = pdwtagsOutput.split(
    /\n*(?:\/\* \d+ \*\/|\/\* <[0-9a-fA-F]+> \S+:\d+ \*\/)\n/,
  );
  const out = ["/* -*- c -*- */"];
  for (let bit of bits) {
    const m = /^(struct|enum)\s+(\S+)/.exec(bit);
    if (!m || !prefix.test(m[2]!)) continue;
    bit = bit
      .replace(/\t*\/\*.*?\*\//g, "")
      .replace(/\s+\n/g, "\n")
      .replace(/\s+$/, "")
      .replace(/\t/g, "        ");
    out.push(bit);
  }
  return out.join("\n") + "\n";
}

describe.skipIf(!available)(
  "structs listing against rpcgen + gcc + pdwtags",
  () => {
    it("matches for a protocol with every XDR construct", () => {
      const dir = mkdtempSync(join(tmpdir(), "rpcgen-pdwtags-"));
      try {
        const x = join(REPO_ROOT, "test", "fixtures", "demo_protocol.x");
        copyFileSync(x, join(dir, "demo_protocol.x"));
        writeFileSync(join(dir, "demo_header.h"), "");
        execFileSync(
          "rpcgen",
          ["-h", "demo_protocol.x", "-o", "demo_protocol.h"],
          { cwd: dir },
        );
        execFileSync(
          "rpcgen",
          ["-c", "demo_protocol.x", "-o", "demo_protocol.c"],
          { cwd: dir },
        );
        // libvirt's genprotocol.pl maps rpcgen's quad_t to the fixed-width types.
        for (const f of ["demo_protocol.h", "demo_protocol.c"]) {
          const p = join(dir, f);
          writeFileSync(
            p,
            readFileSync(p, "utf8")
              .replace(/\bxdr_u_quad_t\b/g, "xdr_uint64_t")
              .replace(/\bxdr_quad_t\b/g, "xdr_int64_t")
              .replace(/\bu_quad_t\b/g, "uint64_t")
              .replace(/\bquad_t\b/g, "int64_t"),
          );
        }
        const cflags = execFileSync("pkg-config", ["--cflags", "libtirpc"], {
          encoding: "utf8",
        })
          .trim()
          .split(/\s+/)
          .filter(Boolean);
        execFileSync(
          "gcc",
          [
            "-g",
            "-O0",
            "-c",
            ...cflags,
            "demo_protocol.c",
            "-o",
            "demo_protocol.o",
          ],
          { cwd: dir },
        );
        const dwarf = execFileSync(
          "pdwtags",
          ["--verbose", "demo_protocol.o"],
          { cwd: dir, encoding: "utf8", maxBuffer: 64 << 20 },
        );
        const expected = checkRemoteProtocolListing(dwarf, /^demo_/);
        const actual = emitStructsListing(loadProtocol(x), {
          filter: /^demo_/,
        });
        expect(expected).toContain("struct demo_everything {");
        expect(unifiedDiff("pdwtags", "virt-rpcgen", expected, actual)).toBe(
          "",
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
