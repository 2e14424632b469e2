/**
 * An application using the generated client, for bench/busy-poll/run.mjs: idle for a while, then
 * one libvirt call in flight at a time (domainGetInfo in a loop), measuring over each phase its
 * own CPU time and its event loop's delay (p99), then one JSON line.
 *
 *   node bench/.build/client/bench/client/cohosted-app.js URI BUSY_POLL_MS SECONDS
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { RemoteClient } from "../../generated/remote_protocol/index.js";

const [uri, busyPollMs, seconds] = [
  process.argv[2]!,
  Number(process.argv[3]),
  Number(process.argv[4]),
];
const client = await RemoteClient.connect(uri, {
  keepalive: false,
  busyPollMs,
});
const dom = await client.domainLookupByName("test");

async function phase(withCalls: boolean) {
  const eld = monitorEventLoopDelay({ resolution: 1 });
  let stop = false;
  let calls = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  eld.enable();
  const loop = async () => {
    while (!stop) {
      await client.domainGetInfo(dom);
      calls++;
    }
  };
  const running = withCalls ? loop() : Promise.resolve();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  stop = true;
  await running;
  eld.disable();
  const s = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return {
    cpuShare: (cpu.user + cpu.system) / 1e6 / s,
    eldP99Ms: eld.percentile(99) / 1e6,
    callsPerSecond: calls / s,
  };
}

// The co-hosted workload starts now (run.mjs waits for this line).
process.stderr.write("ready\n");
const idle = await phase(false);
const busy = await phase(true);
await client.close();
console.log(JSON.stringify({ idle, busy }));
