// Pieces of hand-written RPC programs for runtime tests (no generator involved): a one-word
// codec and the fields every procedure-table entry repeats.
import type { XdrCodec } from "../../src/runtime/index.js";

/** One unsigned 32-bit word, as a struct `{ v }`. */
export const u32: XdrCodec<{ v: number }> = {
  name: "u32",
  encode: (w, x) => w.uint(x.v),
  decode: (r) => ({ v: r.uint() }),
};

/** A plain procedure: generated side, low priority, no stream, no ACL rules. */
export const PLAIN_PROCEDURE = {
  side: "generated",
  priority: "low",
  stream: null,
  acl: [],
  aclFilter: [],
  aclTarget: null,
} as const;
