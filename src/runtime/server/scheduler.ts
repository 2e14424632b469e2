/**
 * libvirt's worker pool (virThreadPool with max_workers and prio_workers), for handlers that may
 * be async: at most `workers` calls run at once; `@priority: high` calls may also use
 * `prioWorkers` extra slots and always start before queued low-priority calls, so a
 * high-priority call is never queued behind low-priority ones.
 *
 * A job that finishes synchronously (returns no promise) frees its slot at once, without a
 * promise or a microtask: the common case of an in-memory driver costs nothing here.
 */
export type Job = () => PromiseLike<void> | void;

export interface SchedulerLimits {
  readonly workers: number;
  readonly prioWorkers: number;
}

export interface SchedulerStats {
  readonly running: number;
  readonly runningPrio: number;
  readonly queuedLow: number;
  readonly queuedHigh: number;
}

export class Scheduler {
  private running = 0;
  private runningPrio = 0;
  private readonly low: Job[] = [];
  private lowHead = 0;
  private readonly high: Job[] = [];
  private draining = false;

  constructor(private readonly limits: SchedulerLimits) {}

  submit(job: Job, priority: "high" | "low"): void {
    if (priority === "high") this.high.push(job);
    else this.low.push(job);
    this.drain();
  }

  get stats(): SchedulerStats {
    return {
      running: this.running,
      runningPrio: this.runningPrio,
      queuedLow: this.low.length - this.lowHead,
      queuedHigh: this.high.length,
    };
  }

  /** Starts queued jobs while slots are free; high priority first. Never re-entered. */
  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      for (;;) {
        let job: Job | undefined;
        let prio = false;
        if (
          this.high.length > 0 &&
          (this.running < this.limits.workers ||
            this.runningPrio < this.limits.prioWorkers)
        ) {
          job = this.high.shift()!;
          prio = this.running >= this.limits.workers;
        } else if (
          this.lowHead < this.low.length &&
          this.running < this.limits.workers
        ) {
          job = this.takeLow();
        } else {
          break;
        }
        this.run(job, prio);
      }
    } finally {
      this.draining = false;
    }
  }

  private takeLow(): Job {
    const job = this.low[this.lowHead]!;
    this.low[this.lowHead++] = undefined as unknown as Job;
    if (this.lowHead === this.low.length) {
      this.low.length = 0;
      this.lowHead = 0;
    } else if (this.lowHead > 1024 && this.lowHead * 2 > this.low.length) {
      this.low.splice(0, this.lowHead);
      this.lowHead = 0;
    }
    return job;
  }

  private run(job: Job, prio: boolean): void {
    if (prio) this.runningPrio++;
    else this.running++;
    let pending: PromiseLike<void> | void;
    try {
      pending = job();
    } catch {
      pending = undefined;
    }
    if (pending && typeof pending.then === "function") {
      const done = () => {
        this.release(prio);
        this.drain();
      };
      pending.then(done, done);
    } else {
      this.release(prio);
    }
  }

  private release(prio: boolean): void {
    if (prio) this.runningPrio--;
    else this.running--;
  }
}
