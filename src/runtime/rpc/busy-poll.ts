/**
 * Adaptive busy-polling: while an answer is due, keep Node's event loop turning for a short
 * window instead of letting it sleep in epoll, so the peer's next message finds this process
 * awake.
 *
 * Why: when a process sleeps, the peer's write has to wake it, and on a virtual machine waking
 * an idle vCPU is an inter-processor interrupt that the *writer* pays for (measured on the
 * bench VM: libvirtd spends ~2 µs more kernel time per reply when the client sleeps between
 * replies, and with libvirtd as the bottleneck that is ~15% of throughput). While `setImmediate`
 * callbacks are pending, libuv polls for I/O without blocking, so re-arming one keeps the
 * process on its CPU.
 *
 * Spinning costs CPU, so the window adapts the way Linux's haltpoll cpuidle governor does:
 * - an answer that arrives while spinning: the window was right, keep it;
 * - an answer that arrives after we stopped spinning, but within `maxMs` of the last activity:
 *   the window was too short, double it (from `maxMs / 4` when it was off);
 * - an answer that comes later than `maxMs`: spinning for it is pointless (slow calls), halve
 *   the window; below `maxMs / 16` it turns off, until answers get quick again.
 * So a connection whose calls take milliseconds stops spinning after a few of them, and one
 * whose answers come within microseconds keeps spinning while busy; nothing spins while idle.
 *
 * Pacing: each turn of the event loop allocates (an `Immediate`, ~200 bytes), and turning a
 * million times a second made V8's young generation grow and its scavenges take ~2.5 ms; during
 * a scavenge nothing is read, and the daemon ran dry (measured: 1.3 GB allocated per 150k calls
 * against 0.4 GB without spinning). So between turns the spinner waits a little, without
 * allocating: an eighth of the time that the calls in flight beyond `PACE_RESERVE` keep the peer
 * busy (their number times the mean time between answers), at most `MAX_PACE_MS`. With few calls
 * in flight it does not wait at all (every microsecond is latency then); with 32 in flight on
 * libvirtd (~13 µs per answer) it waits ~40 µs, while 400 µs of work are queued at the daemon.
 */

export interface BusyPollStats {
  /** The current window in ms (0: not spinning at present; it grows back when answers are quick). */
  readonly windowMs: number;
  /** Answers read while spinning (the peer did not have to wake us). */
  readonly hits: number;
  /** Answers that came after the spinning stopped. */
  readonly misses: number;
}

export interface BusyPollClock {
  now(): number;
  /** Runs `cb` on a later turn of the event loop without letting it block. */
  defer(cb: () => void): void;
  /** Waits about `ms` without yielding (between two turns). */
  pause(ms: number): void;
}

/** Longest wait between two turns of the spin. */
export const MAX_PACE_MS = 0.05;
/**
 * Calls in flight that get no pacing: with up to this many, the spinner turns freely (measured
 * with libvirtd: pacing 8 calls in flight cost 10–15% of throughput, pacing 32 gained 10%).
 */
const PACE_RESERVE = 8;
/** Longer than this between two looks at the clock (beyond the pace) means we were busy. */
const STALL_MS = 0.05;

const nodeClock: BusyPollClock = {
  now: () => performance.now(),
  defer: (cb) => void setImmediate(cb),
  pause: burn,
};

/**
 * Waits about `ms` on the CPU without allocating or reading the clock (`performance.now()` in a
 * tight loop allocates in Node 20): a calibrated number of integer multiply-adds.
 */
function burn(ms: number): void {
  multiplyAdds(Math.round(ms * (itersPerMs ??= calibrate())));
}
/** The loop `burn` waits with; calibrated on itself, so the JIT treats both runs alike. */
function multiplyAdds(n: number): void {
  let x = sink;
  for (let i = 0; i < n; i++) x = (Math.imul(x, 1103515245) + 12345) | 0;
  sink = x;
}
let sink = 1;
let itersPerMs: number | undefined;
function calibrate(): number {
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    multiplyAdds(100_000);
    best = Math.min(best, performance.now() - t0);
  }
  return 100_000 / Math.max(best, 1e-3);
}

export class AdaptiveBusyPoll {
  private window: number;
  private spinning = false;
  /** Last send or receive, in ms of the clock. */
  private lastActivity = 0;
  /** The spin gave up while an answer was still due: the next input grades the window. */
  private gaveUp = false;
  /** Mean ms between answers read while spinning (exponentially weighted). */
  private interval = 0;
  /** Last input (answers or not), in ms of the clock. */
  private lastInput = 0;
  private hits = 0;
  private misses = 0;
  /** Ms spent spinning for nothing since the last activity. */
  private idleSpun = 0;

  /**
   * `maxMs`: the largest window (0 disables busy-polling). `due`: how many answers are expected
   * (calls in flight); nothing spins while there are none.
   */
  constructor(
    private readonly maxMs: number,
    private readonly due: () => number,
    private readonly clock: BusyPollClock = nodeClock,
  ) {
    if (!(maxMs >= 0) || !Number.isFinite(maxMs))
      throw new RangeError(
        `busy-poll window must be a finite number of ms ≥ 0, not ${maxMs}`,
      );
    this.window = maxMs;
  }

  get stats(): BusyPollStats {
    return { windowMs: this.window, hits: this.hits, misses: this.misses };
  }

  /** Something was sent that awaits an answer. */
  sent(): void {
    if (this.maxMs === 0) return; // off: not even a look at the clock per call
    this.lastActivity = this.clock.now();
    this.idleSpun = 0;
    this.spin();
  }

  /**
   * Input arrived, with `answers` of the answers that were due (call after handling it, so `due`
   * tells whether more are expected).
   */
  received(answers: number): void {
    if (this.maxMs === 0) return;
    const now = this.clock.now();
    if (this.spinning) {
      this.hits++;
      // Per answer: paced turns read several at once, and counting them as one would stretch the
      // interval, which stretches the pace, which stretches the interval…
      if (answers > 0)
        this.interval +=
          (Math.min(now - this.lastInput, this.maxMs) / answers -
            this.interval) /
          8;
    } else if (this.gaveUp) {
      this.misses++;
      this.adapt(now - this.lastActivity);
    }
    this.gaveUp = false;
    this.lastActivity = this.lastInput = now;
    this.idleSpun = 0;
    this.spin();
  }

  private adapt(waitedMs: number): void {
    if (waitedMs <= this.maxMs) {
      this.window =
        this.window === 0
          ? this.maxMs / 4
          : Math.min(this.maxMs, this.window * 2);
    } else {
      this.window /= 2;
      if (this.window < this.maxMs / 16) this.window = 0;
    }
  }

  private spin(): void {
    if (this.spinning || this.maxMs === 0 || this.due() === 0) return;
    if (this.window === 0) {
      // Sleeping while an answer is due: its arrival grades the (zero) window too.
      this.gaveUp = true;
      return;
    }
    this.spinning = true;
    this.idleSpun = 0;
    spinnerFor(this.clock).join(this);
  }

  /** The pause this poller wants between turns (ms). */
  pace(): number {
    return Math.min(
      MAX_PACE_MS,
      (Math.max(0, this.due() - PACE_RESERVE) * this.interval) / 8,
    );
  }

  /**
   * One look of the shared spinner: `spun` ms went by since its last look while turning (not
   * counted when `stalled`: the process was busy, not waiting). Returns whether to go on.
   */
  keepSpinning(spun: number, stalled: boolean): boolean {
    if (this.due() === 0) {
      this.spinning = false;
      return false;
    }
    // Only time spent turning for nothing counts against the window: not a stall of this
    // process, and not (as when every connection spun on its own) another connection's turns.
    if (stalled) this.lastActivity = this.clock.now();
    else this.idleSpun += spun;
    if (this.idleSpun > this.window) {
      this.spinning = false;
      this.gaveUp = true;
      return false;
    }
    return true;
  }
}

/**
 * One spinning loop per clock (one per process for the real one), whatever the number of
 * connections: each turn asks every member whether to go on, pauses for the largest pace any
 * of them wants, and re-arms itself while any member remains.
 */
class Spinner {
  private readonly members = new Set<AdaptiveBusyPoll>();
  private turning = false;
  private turns = 0;
  private lastLook = 0;
  private pace = 0;

  constructor(private readonly clock: BusyPollClock) {}

  get size(): number {
    return this.members.size;
  }

  get active(): boolean {
    return this.turning;
  }

  join(p: AdaptiveBusyPoll): void {
    this.members.add(p);
    if (this.turning) return;
    this.turning = true;
    this.turns = 0;
    this.pace = p.pace();
    this.lastLook = this.clock.now();
    this.clock.defer(this.turn);
  }

  private readonly turn = (): void => {
    // Unpaced, a turn is a fraction of a microsecond of work: look at the clock every 8th only.
    if (this.pace > 0 || (++this.turns & 7) === 0) {
      const now = this.clock.now();
      const spun = now - this.lastLook;
      const stalled = spun > this.pace + STALL_MS;
      this.lastLook = now;
      let pace = 0;
      for (const p of this.members) {
        if (!p.keepSpinning(spun, stalled)) this.members.delete(p);
        else pace = Math.max(pace, p.pace());
      }
      this.pace = pace;
    } else {
      for (const p of this.members)
        if (!p.keepSpinning(0, false)) this.members.delete(p);
    }
    if (this.members.size === 0) {
      this.turning = false;
      return;
    }
    if (this.pace > 0) this.clock.pause(this.pace);
    this.clock.defer(this.turn);
  };
}

const spinners = new WeakMap<BusyPollClock, Spinner>();
function spinnerFor(clock: BusyPollClock): Spinner {
  let s = spinners.get(clock);
  if (!s) spinners.set(clock, (s = new Spinner(clock)));
  return s;
}

/** The process-wide spinner's state (for tests and monitoring). */
export function busyPollSpinner(clock: BusyPollClock = nodeClock): {
  readonly spinning: boolean;
  readonly members: number;
} {
  const s = spinnerFor(clock);
  return { spinning: s.active, members: s.size };
}

/**
 * A server's busy-polling: call the returned function on every input. While immediates are
 * pending, libuv polls for I/O without blocking; re-arming one until `micros` after the last
 * input keeps the event loop (and its CPU) awake for the next call. 0 gives a no-op.
 */
export function activityBusyPoller(micros: number): () => void {
  if (!(micros > 0)) return () => {};
  let hotUntil = 0;
  let spinning = false;
  const spin = () => {
    if (performance.now() < hotUntil) setImmediate(spin);
    else spinning = false;
  };
  return () => {
    hotUntil = performance.now() + micros / 1000;
    if (spinning) return;
    spinning = true;
    setImmediate(spin);
  };
}
