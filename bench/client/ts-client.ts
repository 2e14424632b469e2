/**
 * The generated TypeScript client, for bench/client/run.mjs: N calls to domainGetInfo in flight
 * on one connection (N async loops), for a fixed time after a warm-up, then one JSON line (calls,
 * seconds, calls per second, and the process's CPU seconds over that time).
 *
 *   node bench/.build/client/bench/client/ts-client.js URI CONCURRENCY SECONDS [BUSY_POLL_MS]
 *
 * Without BUSY_POLL_MS the connection runs with its defaults (adaptive busy-polling, window up
 * to 0.2 ms); BUSY_POLL_MS sets the connection's `busyPollMs` (0: never spin).
 */
import { RemoteClient } from "../../generated/remote_protocol/index.js";

const [uri, n, seconds] = [
  process.argv[2]!,
  Number(process.argv[3]),
  Number(process.argv[4]),
];
const busyPollMs =
  process.argv[5] === undefined ? undefined : Number(process.argv[5]);
// Like the C program (no event loop registered, so libvirt's client does not negotiate keepalive),
// do not ask libvirtd for keepalive: it would otherwise re-arm a timer on every message we send.
const client = await RemoteClient.connect(uri, {
  keepalive: false,
  busyPollMs,
});
const dom = await client.domainLookupByName("test");

async function phase(
  ms: number,
): Promise<{ calls: number; seconds: number; cpuSeconds: number }> {
  let stop = false;
  let calls = 0;
  const loop = async () => {
    while (!stop) {
      await client.domainGetInfo(dom);
      calls++;
    }
  };
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const timer = setTimeout(() => (stop = true), ms);
  await Promise.all(Array.from({ length: n }, loop));
  clearTimeout(timer);
  const cpu = process.cpuUsage(cpu0);
  return {
    calls,
    seconds: (performance.now() - t0) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

await phase(500); // JIT warm-up, not counted
const r = await phase(seconds * 1000);
console.log(
  JSON.stringify({
    ...r,
    callsPerSecond: Math.round((r.calls / r.seconds) * 10) / 10,
    failed: false,
  }),
);
await client.close();
