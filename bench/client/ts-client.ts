/**
 * The generated TypeScript client, for bench/client/run.mjs: N calls to domainGetInfo in flight
 * on one connection (N async loops), for a fixed time after a warm-up, then one JSON line.
 *
 *   node bench/.build/client/bench/client/ts-client.js URI CONCURRENCY SECONDS [BUSY_POLL_MS]
 *
 * BUSY_POLL_MS > 0 turns on the connection's `busyPollMs` (default: off).
 */
import { RemoteClient } from "../../generated/remote_protocol/index.js";

const [uri, n, seconds, busyPollMs] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5] ?? 0)];
// Like the C program (no event loop registered, so libvirt's client does not negotiate keepalive),
// do not ask libvirtd for keepalive: it would otherwise re-arm a timer on every message we send.
const client = await RemoteClient.connect(uri, { keepalive: false, busyPollMs });
const dom = await client.domainLookupByName("test");

async function phase(ms: number): Promise<{ calls: number; seconds: number }> {
  let stop = false;
  let calls = 0;
  const loop = async () => {
    while (!stop) {
      await client.domainGetInfo(dom);
      calls++;
    }
  };
  const t0 = performance.now();
  const timer = setTimeout(() => (stop = true), ms);
  await Promise.all(Array.from({ length: n }, loop));
  clearTimeout(timer);
  return { calls, seconds: (performance.now() - t0) / 1000 };
}

await phase(500); // JIT warm-up, not counted
const r = await phase(seconds * 1000);
console.log(JSON.stringify({ calls: r.calls, seconds: r.seconds, callsPerSecond: Math.round((r.calls / r.seconds) * 10) / 10, failed: false }));
await client.close();
