/**
 * The generated TypeScript client, for bench/connect/run.mjs: for a fixed time after a warm-up,
 * open a connection (`RemoteClient.connect`: socket, authentication, keepalive query, open),
 * make one connectGetVersion call and close it, sequentially; then one JSON line (connections,
 * seconds, connections per second, and the process's CPU seconds over that time).
 *
 *   node bench/.build/connect/bench/connect/ts-connect.js URI SECONDS [USER PASSWORD] [--no-keepalive]
 */
import { RemoteClient } from "../../generated/remote_protocol/index.js";

const args = process.argv.slice(2);
const noKeepalive = args.includes("--no-keepalive");
const [uri, seconds, user, password] = args.filter((a) => !a.startsWith("--"));
const options = {
  ...(user !== undefined ? { auth: { username: user, password } } : {}),
  ...(noKeepalive ? { keepalive: false as const } : {}),
};

async function once(): Promise<void> {
  const client = await RemoteClient.connect(uri!, options);
  await client.connectGetVersion();
  await client.close();
}

async function phase(ms: number) {
  let n = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const end = t0 + ms;
  while (performance.now() < end) {
    await once();
    n++;
  }
  const cpu = process.cpuUsage(cpu0);
  return {
    connections: n,
    seconds: (performance.now() - t0) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

await phase(500); // JIT warm-up, not counted
const r = await phase(Number(seconds) * 1000);
console.log(
  JSON.stringify({
    ...r,
    connectionsPerSecond: Math.round((r.connections / r.seconds) * 10) / 10,
    failed: false,
  }),
);
