/**
 * The TypeScript side of bench/oncrpc/run.mjs, built from onc_demo.x's generated client and
 * server (test/oncrpc/generated/onc_demo):
 *
 *   node ts-peer.js client PORT PROGRAM IN_FLIGHT SECONDS
 *       DEMO_ECHO calls, IN_FLIGHT at a time on one connection, for SECONDS after a warm-up;
 *       prints one JSON line: calls, seconds, cpuSeconds.
 *   node ts-peer.js server PROGRAM
 *       serves DEMO_PROG v1 on 127.0.0.1 (ephemeral port); prints "port N" and runs until killed.
 */
import { createOncRpcServer } from "../../src/runtime/index.js";
import {
  DemoV1Client,
  demoV1Server,
  type DemoV1Handlers,
} from "../../test/oncrpc/generated/onc_demo/index.js";

const mode = process.argv[2];

if (mode === "server") {
  const program = Number(process.argv[3]);
  const unused = () => {
    throw new Error("not part of the benchmark");
  };
  const handlers: DemoV1Handlers = {
    demoEcho: (x) => x,
    demoAdd: unused,
    demoLookup: unused,
    demoList: unused,
    demoChain: unused,
    demoReset: () => {},
    demoStats: unused,
  };
  const server = createOncRpcServer({
    programs: [demoV1Server(handlers, program)],
  });
  const address = await server.listen({ host: "127.0.0.1", port: 0 });
  console.log(`port ${address.split(":")[1]}`);
} else if (mode === "client") {
  const [port, program, inFlight, seconds] = process.argv
    .slice(3)
    .map(Number) as [number, number, number, number];
  const client = await DemoV1Client.connect(
    { host: "127.0.0.1", port },
    { program },
  );
  const phase = async (ms: number) => {
    let stop = false;
    let calls = 0;
    const loop = async () => {
      while (!stop) {
        await client.demoEcho(calls);
        calls++;
      }
    };
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const loops = Array.from({ length: inFlight }, loop);
    setTimeout(() => (stop = true), ms);
    await Promise.all(loops);
    const cpu = process.cpuUsage(cpu0);
    return {
      calls,
      seconds: (performance.now() - t0) / 1000,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
    };
  };
  await phase(300);
  console.log(JSON.stringify(await phase(seconds * 1000)));
  await client.close();
} else {
  console.error(
    "usage: ts-peer.js client PORT PROGRAM IN_FLIGHT SECONDS | server PROGRAM",
  );
  process.exit(2);
}
