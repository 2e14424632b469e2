// The adaptive busy-poll policy (src/runtime/rpc/busy-poll.ts), on a fake clock: when it spins,
// when it stops, and how its window shrinks and grows (the haltpoll rules in its header).
import { describe, expect, it } from "vitest";
import {
  AdaptiveBusyPoll,
  busyPollSpinner,
  type BusyPollClock,
} from "../../src/runtime/rpc/busy-poll.js";

class FakeLoop implements BusyPollClock {
  t = 0;
  /** Waits between turns, in ms. */
  pauses: number[] = [];
  queue: (() => void)[] = [];
  pause(ms: number): void {
    this.pauses.push(ms);
    this.t += ms;
  }
  now(): number {
    return this.t;
  }
  defer(cb: () => void): void {
    this.queue.push(cb);
  }
  get spinning(): boolean {
    return this.queue.length > 0;
  }
  /** One turn of the event loop: runs what was deferred before it. */
  turn(): void {
    const q = this.queue;
    this.queue = [];
    for (const cb of q) cb();
  }
  /** Turns the loop, `stepMs` of time per turn, until `untilMs` (or until nothing is deferred). */
  runUntil(untilMs: number, stepMs = 0.001): void {
    while (this.t < untilMs && this.spinning) {
      this.t += stepMs;
      this.turn();
    }
  }
}

function setup(maxMs = 0.2) {
  const loop = new FakeLoop();
  let inFlight = 0;
  const poll = new AdaptiveBusyPoll(maxMs, () => inFlight, loop);
  return {
    loop,
    poll,
    send: (): void => {
      inFlight++;
      poll.sent();
    },
    /** `count` replies arrive (in one read) at `at` ms. */
    reply: (at: number, count = 1): void => {
      loop.runUntil(at);
      loop.t = Math.max(loop.t, at);
      inFlight -= count;
      poll.received(count);
    },
  };
}

describe("adaptive busy-polling", () => {
  it("spins while a reply is due and stops as soon as none is", () => {
    const { loop, poll, send, reply } = setup();
    expect(loop.spinning).toBe(false);
    send();
    expect(loop.spinning).toBe(true);
    reply(0.05); // within the window: a hit
    loop.turn();
    expect(loop.spinning).toBe(false); // nothing in flight any more: the next turn stops
    expect(poll.stats).toEqual({ windowMs: 0.2, hits: 1, misses: 0 });
  });

  it("keeps spinning between replies while more are due", () => {
    const { loop, poll, send, reply } = setup();
    send();
    send();
    reply(0.1);
    expect(loop.spinning).toBe(true);
    reply(0.25); // 0.15 ms after the last reply: still within the window
    expect(poll.stats.hits).toBe(2);
    loop.turn();
    expect(loop.spinning).toBe(false);
  });

  it("stops spinning once the window has passed since the last activity", () => {
    const { loop, send } = setup();
    send();
    loop.runUntil(1);
    expect(loop.spinning).toBe(false);
    expect(loop.t).toBeGreaterThan(0.2);
    expect(loop.t).toBeLessThan(0.22); // the clock is read every 8 turns
  });

  it("halves the window for a reply slower than the largest window, and doubles it for one it just missed", () => {
    const { poll, send, reply } = setup(0.2);
    send();
    reply(0.5); // slow: spinning for it was pointless
    expect(poll.stats).toEqual({ windowMs: 0.1, hits: 0, misses: 1 });
    send();
    reply(0.5 + 0.15); // missed by 0.05 ms, within 0.2: the window was too short
    expect(poll.stats).toEqual({ windowMs: 0.2, hits: 0, misses: 2 });
    send();
    reply(0.65 + 0.19); // caught
    expect(poll.stats).toEqual({ windowMs: 0.2, hits: 1, misses: 2 });
  });

  it("turns off after a few slow replies, stays off while they are slow, and comes back when they are quick", () => {
    const { loop, poll, send, reply } = setup(0.2);
    let t = 0;
    const windows: number[] = [];
    for (let i = 0; i < 6; i++) {
      send();
      reply((t += 5)); // 5 ms calls
      windows.push(poll.stats.windowMs);
    }
    expect(windows).toEqual([0.1, 0.05, 0.025, 0.0125, 0, 0]);
    send();
    expect(loop.spinning).toBe(false); // off: the next call sleeps
    reply((t += 0.08)); // but its reply was quick
    expect(poll.stats.windowMs).toBe(0.05); // back on, from a quarter of the largest window
    send();
    expect(loop.spinning).toBe(true);
    reply((t += 0.03));
    expect(poll.stats.hits).toBe(1);
  });

  it("does not wait between turns with one call in flight: every microsecond would be latency", () => {
    const { loop, send, reply } = setup();
    let t = 0;
    for (let i = 0; i < 50; i++) {
      send();
      reply((t += 0.04));
    }
    expect(loop.pauses).toEqual([]);
  });

  it("with more than 8 calls in flight, waits an eighth of the time the extra ones keep the peer busy between turns, at most 0.05 ms", () => {
    const pacesWith = (inFlight: number, perRead = 1) => {
      const { loop, send, reply } = setup();
      for (let i = 0; i < inFlight; i++) send();
      let t = 0;
      for (let i = 0; i < 200; i++) {
        reply((t += 0.016 * perRead), perRead); // an answer every 16 µs…
        for (let j = 0; j < perRead; j++) send(); // …and the caller makes its next call at once
      }
      const last = loop.pauses.slice(-5);
      return last.length ? last.reduce((a, b) => a + b, 0) / last.length : 0;
    };
    expect(pacesWith(8)).toBe(0);
    // 16 in flight: the 8 beyond the reserve keep the peer busy 8 × 16 µs; an eighth is 16 µs.
    expect(pacesWith(16)).toBeCloseTo(0.016, 3);
    // 40 in flight: 32 × 16 µs / 8 = 64 µs, capped.
    expect(pacesWith(40)).toBeCloseTo(0.05, 6);
    // Answers read 4 at a time every 64 µs are still one per 16 µs (counting reads instead
    // would pace 4× longer, and so read more at a time, and so pace longer still).
    expect(pacesWith(16, 4)).toBeCloseTo(0.016, 3);
  });

  it("does not give up when its own process was busy (a GC pause) rather than waiting", () => {
    const { loop, poll, send, reply } = setup(0.2);
    send();
    loop.runUntil(0.05);
    loop.t += 1; // a 1 ms stall between two turns: no turn saw the window pass idle
    loop.runUntil(1.1);
    expect(loop.spinning).toBe(true);
    reply(1.12);
    expect(poll.stats).toEqual({ windowMs: 0.2, hits: 1, misses: 0 });
  });

  it("never spins with busyPollMs 0", () => {
    const { loop, poll, send, reply } = setup(0);
    send();
    expect(loop.spinning).toBe(false);
    reply(0.01);
    expect(poll.stats).toEqual({ windowMs: 0, hits: 0, misses: 0 });
  });

  it("rejects a window that is not a finite number of ms ≥ 0", () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new AdaptiveBusyPoll(bad, () => 0)).toThrow(RangeError);
    }
  });
});

describe("one spinner for every connection", () => {
  it("several connections share one loop, and each stops within its window when its replies stall", () => {
    const loop = new FakeLoop();
    const polls = Array.from(
      { length: 4 },
      () => new AdaptiveBusyPoll(0.2, () => 1, loop),
    );
    for (const p of polls) p.sent();
    let mostQueued = 0;
    // A turn of the shared loop with four members: ~4 µs.
    while (loop.spinning && loop.t < 50) {
      mostQueued = Math.max(mostQueued, loop.queue.length);
      loop.t += 0.004;
      loop.turn();
    }
    expect(mostQueued).toBe(1);
    expect(loop.spinning).toBe(false);
    // Window 0.2 ms, plus up to one look (8 unpaced turns) late.
    expect(loop.t).toBeLessThan(0.2 + 8 * 0.004 + 0.01);
    expect(busyPollSpinner(loop)).toEqual({ spinning: false, members: 0 });
  });
});
