// The semantics of onc_demo.x (written in the .x next to each procedure), in TypeScript: the
// same as test/support/oncrpc/demo_server.c, so the C client's output must not change whichever
// server it talks to.
import {
  procedure,
  type OncRpcServerProgram,
} from "../../src/runtime/index.js";
import type { XdrCodec } from "../../src/runtime/xdr/codec.js";
import * as demo from "./generated/onc_demo/index.js";

const xdrInt: XdrCodec<number> = {
  name: "int",
  encode: (w, v) => w.int(v),
  decode: (r) => r.int(),
};
const xdrVoid = null;

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

export function demoServerPrograms(
  program: number,
  options: DemoServerOptions = {},
): OncRpcServerProgram[] {
  const h = demoHandlers;
  return [
    {
      name: "DEMO_PROG v1",
      program,
      version: 1,
      procedures: new Map([
        [
          1,
          procedure("DEMO_ECHO", xdrInt, xdrInt, (x: number) => {
            if (x === options.failEcho) throw new Error("asked to fail");
            return h.echo(x);
          }),
        ],
        [
          2,
          procedure(
            "DEMO_ADD",
            demo.xdr_demo_add_args,
            demo.xdr_demo_add_result,
            h.add,
          ),
        ],
        [
          3,
          procedure(
            "DEMO_LOOKUP",
            demo.xdr_demo_name,
            demo.xdr_demo_lookup_result,
            h.lookup,
          ),
        ],
        [4, procedure("DEMO_LIST", xdrVoid, demo.xdr_demo_inventory, h.list)],
        [5, procedure("DEMO_CHAIN", xdrInt, demo.xdr_demo_chain, h.chain)],
        [6, procedure("DEMO_RESET", xdrVoid, xdrVoid, h.reset)],
        [
          7,
          procedure(
            "DEMO_STATS",
            demo.xdr_demo_inventory,
            demo.xdr_demo_stats,
            h.stats,
          ),
        ],
      ]),
    },
    {
      name: "DEMO_PROG v2",
      program,
      version: 2,
      procedures: new Map([
        [1, procedure("DEMO_ECHO2", xdrInt, xdrInt, h.echo2)],
      ]),
    },
  ];
}
