// Compiled (not run) by typecheck.test.ts: what users write against generated ONC-RPC modules
// type-checks, and what the .x forbids does not (each @ts-expect-error must be an error).
import * as demo from "./generated/onc_demo/index.js";
import * as rpcb from "./generated/rpcb_prot/index.js";

export async function usage(
  client: demo.DemoV1Client,
  r: rpcb.Rpcbvers4Client,
): Promise<void> {
  const n: number = await client.demoEcho(1);
  const res = await client.demoLookup("x");
  if (res.status === demo.DEMO_FOUND) console.log(res.item.name, n);
  // @ts-expect-error DEMO_ECHO takes an int
  await client.demoEcho("1");
  // @ts-expect-error DEMO_LIST takes no argument
  await client.demoList(1);
  const list: rpcb.rpcblist_ptr = await r.rpcbprocDump();
  const ok: boolean = await r.rpcbprocSet(list!.rpcb_map);
  console.log(ok);
}

export const handlers: demo.DemoV2Handlers = {
  demoEcho2: (x, ctx) => x + ctx.xid,
};

export const wrong: demo.DemoV2Handlers = {
  // @ts-expect-error DEMO_ECHO2 returns an int
  demoEcho2: () => "x",
};
