// The servers' busy-poller (libvirt server `busyPollMicros`, ONC server `busyPollMicros`): the
// event loop keeps turning for the window after each input, then sleeps again.
import { performance } from "node:perf_hooks";
import { describe, expect, it } from "vitest";
import { activityBusyPoller } from "../../src/runtime/rpc/busy-poll.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Share of `ms` the event loop spent running (not waiting in epoll). Spinning it is ~1 on an idle
 * machine, sleeping ~0; the bounds below sit well apart from both, since on a loaded machine
 * the process is also descheduled inside its zero-timeout epoll calls, which counts as idle.
 */
async function utilisation(ms: number): Promise<number> {
  const start = performance.eventLoopUtilization();
  await sleep(ms);
  return performance.eventLoopUtilization(start).utilization;
}

describe("activityBusyPoller", () => {
  it("spins for its window after an input, then lets the loop sleep", async () => {
    const activity = activityBusyPoller(200_000); // 200 ms
    activity();
    expect(await utilisation(100)).toBeGreaterThan(0.6);
    await sleep(150);
    expect(await utilisation(100)).toBeLessThan(0.3);
  });

  it("each input extends the window; 0 never spins", async () => {
    const activity = activityBusyPoller(60_000); // 60 ms
    activity();
    await sleep(40);
    activity();
    // 80 ms after the first input the second one's window still runs.
    await sleep(40);
    expect(await utilisation(15)).toBeGreaterThan(0.6);
    await sleep(80);
    const off = activityBusyPoller(0);
    off();
    expect(await utilisation(100)).toBeLessThan(0.3);
  });
});
