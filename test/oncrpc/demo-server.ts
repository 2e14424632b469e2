// The semantics of onc_demo.x (written in the .x next to each procedure), in TypeScript: the
// same as test/support/oncrpc/demo_server.c, so the C client's output must not change whichever
// server it talks to.
import type { OncRpcServerProgram } from "../../src/runtime/index.js";
import * as demo from "./generated/onc_demo/index.js";

export function demoItemFor(name: string): demo.demo_item {
  const n = Buffer.byteLength(name);
  return {
    name,
    count: n,
    price: BigInt(-1000 * n),
    color: (n % 3) as demo.demo_color,
    tag: Uint8Array.of(0x74, 0x61, 0x67, n ? Buffer.from(name)[0]! : 0),
    rating: n % 2 ? n : null,
  };
}

export const demoHandlers = {
  echo: (x: number): number => x,
  add: (a: demo.demo_add_args): demo.demo_add_result =>
    a.item.name === ""
      ? { code: 1, message: "empty name" }
      : { code: 0, total: a.item.count * (a.replace ? 1 : 2) },
  lookup: (name: string): demo.demo_lookup_result =>
    name === ""
      ? { status: demo.DEMO_BAD_NAME, reason: "empty" }
      : name === "missing"
        ? { status: demo.DEMO_NOT_FOUND }
        : { status: demo.DEMO_FOUND, item: demoItemFor(name) },
  list: (): demo.demo_inventory => ({
    items: ["a", "bb", "ccc"].map(demoItemFor),
    revision: 7n,
  }),
  chain: (n: number): demo.demo_chain => {
    let head: demo.demo_chain = null;
    for (let i = Math.min(n, 50) - 1; i >= 0; i--)
      head = { item: demoItemFor(`n${i}`), next: head };
    return head;
  },
  reset: (): void => {},
  stats: (inv: demo.demo_inventory): demo.demo_stats => {
    const n = inv.items.length;
    const sum = inv.items.reduce((s, it) => s + Number(it.price), 0);
    return {
      items: BigInt(n),
      mean_price: n ? sum / n : 0,
      counts: inv.items.slice(0, 16).map((it) => it.count),
      ratio: 0.5,
      digest: Uint8Array.from(inv.items.map((it) => it.tag[0]!)),
    };
  },
  echo2: (x: number): number => 2 * x,
};

export interface DemoServerOptions {
  /** DEMO_ECHO of this value throws (to provoke SYSTEM_ERR). */
  readonly failEcho?: number;
}

/** Both versions of DEMO_PROG, served under `program`, from the generated dispatch tables. */
export function demoServerPrograms(
  program: number,
  options: DemoServerOptions = {},
): OncRpcServerProgram[] {
  const h = demoHandlers;
  const v1: demo.DemoV1Handlers = {
    demoEcho: (x) => {
      if (x === options.failEcho) throw new Error("asked to fail");
      return h.echo(x);
    },
    demoAdd: h.add,
    demoLookup: h.lookup,
    demoList: h.list,
    demoChain: h.chain,
    demoReset: h.reset,
    demoStats: h.stats,
  };
  return [
    demo.demoV1Server(v1, program),
    demo.demoV2Server({ demoEcho2: h.echo2 }, program),
  ];
}
