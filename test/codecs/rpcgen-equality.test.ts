// Byte-for-byte agreement with rpcgen: for every struct and union of libvirt's 9 protocols,
// seeded random values encoded by the generated TypeScript codecs are accepted by rpcgen's C
// decoder, and C re-encodes them to exactly the same bytes; TypeScript decodes them back to
// the same values.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProtocols, type ProtocolModel } from "../../src/index.js";
import {
  LIBVIRT_X_FILES,
  REPO_ROOT,
  ensureProtocolFiles,
} from "../support/protocol-files.js";
import {
  buildRpcgenHarness,
  findRpcgenTools,
  type RpcgenHarness,
} from "../support/rpcgen-harness.js";
import { requireOrSkip } from "../support/libvirtd.js";
import { expectByteEqualToRpcgen } from "../support/rpcgen-byte-equality.js";

const tools = findRpcgenTools();
const available = requireOrSkip(
  `rpcgen toolchain (${tools.missing.join(", ")})`,
  tools.ok,
);
const VALUES_PER_TYPE = 12;

describe.skipIf(!available)(
  "generated codecs agree with rpcgen byte for byte",
  () => {
    let harness: RpcgenHarness;
    let protocols: ProtocolModel[];
    beforeAll(async () => {
      const dir = ensureProtocolFiles();
      protocols = loadProtocols(
        LIBVIRT_X_FILES.map((n) => join(dir, `${n}.x`)),
      );
      harness = await buildRpcgenHarness();
    }, 300_000);
    afterAll(async () => harness?.close());

    it("for every struct and union of the 9 libvirt protocols", async () => {
      let covered = 0;
      for (const p of protocols) {
        const decls = p.types.filter(
          (t) => t.kind === "struct" || t.kind === "union",
        );
        await expectByteEqualToRpcgen(
          harness,
          p.name,
          join(REPO_ROOT, "generated", p.name, "codecs.ts"),
          decls,
          VALUES_PER_TYPE,
        );
        covered += decls.length;
      }
      console.log(
        `rpcgen byte equality: ${covered} struct/union types of ${protocols.length} protocols, ${VALUES_PER_TYPE} values each`,
      );
      expect(covered).toBeGreaterThan(700);
    }, 300_000);
  },
);
