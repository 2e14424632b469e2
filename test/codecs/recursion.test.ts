// Recursive types at run time (test/fixtures/recursive_protocol.x): a linked list of a million
// nodes encodes and decodes (its codec is a loop), and other recursion stops at the runtime's
// depth limit with an XdrError that names the path. Bytes are written out by hand (RFC 4506:
// big-endian words, an optional as a 0/1 word before its value, an array as a count).
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  decodeFromBytes,
  encodeToBytes,
  MAX_XDR_DEPTH,
  XdrError,
  type XdrCodec,
} from "virt-rpcgen/runtime";
import { generate } from "../../src/index.js";
import { REPO_ROOT } from "../support/protocol-files.js";

interface Node {
  v: number;
  next: Node | null;
}
interface Tree {
  v: number;
  kids: Tree[];
}
interface Pair {
  left: Pair | null;
  v: number;
  right: Pair | null;
}
type Expr = { op: 0; literal: number } | { op: 1; negated: Expr | null };

let rec: {
  xdr_rec_node: XdrCodec<Node>;
  xdr_rec_tree: XdrCodec<Tree>;
  xdr_rec_pair: XdrCodec<Pair>;
  xdr_rec_expr: XdrCodec<Expr>;
};

beforeAll(async () => {
  const out = join(REPO_ROOT, "test", ".generated", "recursion");
  await generate({
    files: [join(REPO_ROOT, "test", "fixtures", "recursive_protocol.x")],
    outDir: out,
    emit: ["codecs"],
    libvirtDefines: false,
  });
  rec = (await import(
    join(out, "recursive_protocol", "codecs.ts")
  )) as typeof rec;
}, 120_000);

/** Big-endian 32-bit words. */
function words(...ws: number[]): Uint8Array {
  return wordsOf(ws);
}

function wordsOf(ws: readonly number[]): Uint8Array {
  const b = new Uint8Array(ws.length * 4);
  const view = new DataView(b.buffer);
  ws.forEach((w, i) => view.setUint32(i * 4, w >>> 0));
  return b;
}

function caught(f: () => unknown): XdrError {
  try {
    f();
  } catch (e) {
    if (e instanceof XdrError) return e;
    throw e;
  }
  throw new Error("no error");
}

describe("a linked list (struct whose last member points to itself)", () => {
  it("three nodes: the bytes by hand", () => {
    const list: Node = { v: 1, next: { v: 2, next: { v: 3, next: null } } };
    const bytes = words(1, 1, 2, 1, 3, 0);
    expect(encodeToBytes(rec.xdr_rec_node, list)).toEqual(bytes);
    expect(decodeFromBytes(rec.xdr_rec_node, bytes)).toEqual(list);
  });

  it("1,000,000 nodes encode and decode", () => {
    const N = 1_000_000;
    const head: Node = { v: 0, next: null };
    let last = head;
    for (let i = 1; i < N; i++) {
      const n: Node = { v: i, next: null };
      last.next = n;
      last = n;
    }
    const bytes = encodeToBytes(rec.xdr_rec_node, head);
    // Each node is its value and the presence word of `next`: 8 bytes.
    expect(bytes.length).toBe(N * 8);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    expect([view.getUint32(0), view.getUint32(4)]).toEqual([0, 1]);
    expect([view.getUint32(N * 8 - 8), view.getUint32(N * 8 - 4)]).toEqual([
      N - 1,
      0,
    ]);
    const decoded = decodeFromBytes(rec.xdr_rec_node, bytes);
    let count = 0;
    for (let n: Node | null = decoded; n; n = n.next) {
      if (n.v !== count) throw new Error(`node ${count} has value ${n.v}`);
      count++;
    }
    expect(count).toBe(N);
  });

  it("an error names the node by its number of links", () => {
    // 100 nodes each saying another follows, then the input ends.
    const bytes = wordsOf(Array.from({ length: 100 }, () => [7, 1]).flat());
    const e = caught(() => decodeFromBytes(rec.xdr_rec_node, bytes));
    expect(e.code).toBe("truncated");
    expect(e.pathString).toBe("rec_node.next(×100).v");
    const short = caught(() =>
      decodeFromBytes(rec.xdr_rec_node, words(7, 1, 7, 2)),
    );
    expect(short.code).toBe("bad-bool");
    expect(short.pathString).toBe("rec_node.next.next");
  });

  it("a list that links back to an earlier node is an error, not an endless loop", () => {
    const a: Node = { v: 1, next: null };
    const b: Node = { v: 2, next: null };
    const c: Node = { v: 3, next: a };
    a.next = b;
    b.next = c;
    const e = caught(() => encodeToBytes(rec.xdr_rec_node, a));
    expect(e.code).toBe("value-out-of-range");
    expect(e.message).toMatch(/the list links back to an earlier node/);
  });

  it("a list inside another struct, through a typedef of the pointer", async () => {
    const mod = (await import(
      join(
        REPO_ROOT,
        "test",
        ".generated",
        "recursion",
        "recursive_protocol",
        "codecs.ts",
      )
    )) as { xdr_rec_holder: XdrCodec<{ items: Node | null; count: number }> };
    const v = { items: { v: 5, next: { v: 6, next: null } }, count: 2 };
    const bytes = words(1, 5, 1, 6, 0, 2);
    expect(encodeToBytes(mod.xdr_rec_holder, v)).toEqual(bytes);
    expect(decodeFromBytes(mod.xdr_rec_holder, bytes)).toEqual(v);
  });
});

describe("other recursion is depth-limited", () => {
  /** A tree `depth` nodes deep, one child per level: value then count of children. */
  const treeBytes = (depth: number) =>
    wordsOf(
      Array.from({ length: depth }, (_, i) => [
        i,
        i < depth - 1 ? 1 : 0,
      ]).flat(),
    );
  const tree = (depth: number): Tree => {
    let t: Tree = { v: depth - 1, kids: [] };
    for (let i = depth - 2; i >= 0; i--) t = { v: i, kids: [t] };
    return t;
  };

  it(`a tree ${MAX_XDR_DEPTH} levels deep encodes and decodes`, () => {
    expect(MAX_XDR_DEPTH).toBe(1000);
    const bytes = treeBytes(MAX_XDR_DEPTH);
    expect(encodeToBytes(rec.xdr_rec_tree, tree(MAX_XDR_DEPTH))).toEqual(bytes);
    expect(decodeFromBytes(rec.xdr_rec_tree, bytes)).toEqual(
      tree(MAX_XDR_DEPTH),
    );
  });

  it("one level deeper is an XdrError naming the path, decoding and encoding", () => {
    const path = "rec_tree" + ".kids[0]".repeat(MAX_XDR_DEPTH);
    const d = caught(() =>
      decodeFromBytes(rec.xdr_rec_tree, treeBytes(MAX_XDR_DEPTH + 1)),
    );
    expect(d.code).toBe("too-deep");
    expect(d.pathString).toBe(path);
    // The 1001st node starts after 1000 nodes of two words each.
    expect(d.offset).toBe(MAX_XDR_DEPTH * 8);
    const e = caught(() =>
      encodeToBytes(rec.xdr_rec_tree, tree(MAX_XDR_DEPTH + 1)),
    );
    expect(e.code).toBe("too-deep");
    expect(e.pathString).toBe(path);
  });

  it("a million levels of nesting are rejected at the limit, not by the stack", () => {
    const d = caught(() =>
      decodeFromBytes(rec.xdr_rec_tree, treeBytes(1_000_000)),
    );
    expect(d.code).toBe("too-deep");
  });

  it("a pointer that is not a list tail counts too (left in rec_pair)", () => {
    // left, left, … each: presence 1; at the bottom: presence 0, v, right absent.
    const depth = MAX_XDR_DEPTH + 1;
    const bytes = words(...new Array<number>(depth).fill(1), 0, 9, 0);
    const e = caught(() => decodeFromBytes(rec.xdr_rec_pair, bytes));
    expect(e.code).toBe("too-deep");
    expect(e.pathString).toBe("rec_pair" + ".left".repeat(MAX_XDR_DEPTH));
    // Its right-hand side is still a loop: a long right spine is fine.
    const spine = wordsOf([
      ...Array.from({ length: 100_000 }, (_, i) => [0, i, 1]).flat(),
      0,
      7,
      0,
    ]);
    let n = 0;
    for (
      let p: Pair | null = decodeFromBytes(rec.xdr_rec_pair, spine);
      p;
      p = p.right
    )
      n++;
    expect(n).toBe(100_001);
  });

  it("mutual recursion through a union and a typedef", () => {
    // op 1, negated present, … then op 0, literal 42.
    const levels = (n: number) =>
      words(...new Array<number[]>(n).fill([1, 1]).flat(), 0, 42);
    const ok = decodeFromBytes(rec.xdr_rec_expr, levels(10));
    let x: Expr | null = ok;
    let n = 0;
    while (x && x.op === 1) {
      x = x.negated;
      n++;
    }
    expect(n).toBe(10);
    expect(x).toEqual({ op: 0, literal: 42 });
    const e = caught(() =>
      decodeFromBytes(rec.xdr_rec_expr, levels(MAX_XDR_DEPTH)),
    );
    expect(e.code).toBe("too-deep");
    expect(e.pathString.startsWith("rec_expr.negated.negated")).toBe(true);
  });
});
