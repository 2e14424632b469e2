/**
 * The TypeScript side of bench/oncrpc/run.mjs, built from onc_demo.x's generated client and
 * server (test/oncrpc/generated/onc_demo):
 *
 *   node ts-peer.js client PORT PROGRAM IN_FLIGHT SECONDS [BUSY_POLL_MS]
 *       DEMO_ECHO calls, IN_FLIGHT at a time on one connection, for SECONDS after a warm-up
 *       (300 ms and at least 5000 calls),
 *       with the client's `busyPollMs` option (default: the client's default);
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
const WARM_UP_CALLS = 5000;

if (mode === "server") {
  const program = Number(process.argv[3]);
  const busyPollMicros = Number(process.argv[4] ?? 0);
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
    busyPollMicros,
  });
  const address = await server.listen({ host: "127.0.0.1", port: 0 });
  console.log(`port ${address.split(":")[1]}`);
  // Exit normally on SIGTERM (so `node --cpu-prof` writes its profile).
  process.once("SIGTERM", () => process.exit(0));
} else if (mode === "client") {
  const [port, program, inFlight, seconds, busyPollMs] = process.argv
    .slice(3)
    .map(Number) as [number, number, number, number, number | undefined];
  const client = await DemoV1Client.connect(
    { host: "127.0.0.1", port },
    { program, busyPollMs },
  );
  /** Calls for `ms`, and on until `minCalls` were made (at most `maxMs`). */
  const phase = async (ms: number, minCalls = 0, maxMs = ms) => {
    let calls = 0;
    const t0 = performance.now();
    const more = () => {
      const t = performance.now() - t0;
      return t < maxMs && (t < ms || calls < minCalls);
    };
    const loop = async () => {
      while (more()) {
        await client.demoEcho(calls);
        calls++;
      }
    };
    const cpu0 = process.cpuUsage();
    await Promise.all(Array.from({ length: inFlight }, loop));
    const cpu = process.cpuUsage(cpu0);
    return {
      calls,
      seconds: (performance.now() - t0) / 1000,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
    };
  };
  // Warm-up by calls, not only time: on a loaded machine 300 ms can be a few hundred calls,
  // too few for V8 to have optimised the call path, and the run would measure the interpreter.
  await phase(300, WARM_UP_CALLS, 10_000);
  console.log(JSON.stringify(await phase(seconds * 1000)));
  await client.close();
} else {
  console.error(
    "usage: ts-peer.js client PORT PROGRAM IN_FLIGHT SECONDS [BUSY_POLL_MS] | server PROGRAM [BUSY_POLL_MICROS]",
  );
  process.exit(2);
}
