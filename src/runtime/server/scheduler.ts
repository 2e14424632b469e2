/**
 * libvirt's worker pool (virThreadPool with max_workers and prio_workers), for async handlers:
 * at most `workers` calls run at once; `@priority: high` calls may also use `prioWorkers`
 * extra slots and always start before queued low-priority calls, so a high-priority call is
 * never queued behind low-priority ones.
 */
export type Job = () => Promise<void>;

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
  private readonly high: Job[] = [];
  private lowHead = 0;

  constructor(private readonly limits: SchedulerLimits) {}

  submit(job: Job, priority: "high" | "low"): void {
    if (priority === "high") {
      if (this.running < this.limits.workers) this.start(job, false);
      else if (this.runningPrio < this.limits.prioWorkers) this.start(job, true);
      else this.high.push(job);
      return;
    }
    if (this.running < this.limits.workers && this.high.length === 0 && this.lowHead === this.low.length) this.start(job, false);
    else this.low.push(job);
  }

  get stats(): SchedulerStats {
    return { running: this.running, runningPrio: this.runningPrio, queuedLow: this.low.length - this.lowHead, queuedHigh: this.high.length };
  }

  private start(job: Job, prio: boolean): void {
    if (prio) this.runningPrio++;
    else this.running++;
    let p: Promise<void>;
    try {
      p = job();
    } catch {
      p = Promise.resolve();
    }
    p.then(
      () => this.finished(prio),
      () => this.finished(prio),
    );
  }

  private finished(prio: boolean): void {
    if (prio) this.runningPrio--;
    else this.running--;
    const next = this.high.shift();
    if (next) {
      this.start(next, prio);
      return;
    }
    if (prio || this.lowHead === this.low.length) return;
    const job = this.low[this.lowHead]!;
    this.low[this.lowHead++] = undefined as unknown as Job;
    if (this.lowHead > 1024 && this.lowHead * 2 > this.low.length) {
      this.low.splice(0, this.lowHead);
      this.lowHead = 0;
    }
    this.start(job, false);
  }
}
