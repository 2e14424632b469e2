/**
 * Outgoing messages, batched: every message queued during one turn of the event loop goes out in
 * a single socket write (flushed on `process.nextTick`, i.e. after the promise jobs that queued
 * them). With many calls in flight this is one syscall per batch instead of one per message.
 *
 * Shared by libvirt's outbox (outbox.ts) and ONC-RPC's record writer (oncrpc/record-writer.ts):
 * they differ in how a message is framed and in what happens to the buffer a batch was written
 * in (`handOver`), not in when batches go out or how `whenFlushed` waiters are told.
 */
import { XdrWriter } from "../xdr/writer.js";

const noop = () => {};

export abstract class BatchedWriter {
  /** Where messages are appended (subclasses frame them here and call `schedule`). */
  protected w: XdrWriter;
  /** While set, `schedule` leaves the flush to whoever set it (see RecordWriter.batch). */
  protected batching = false;
  private scheduled = false;
  private waiters: (() => void)[] = [];

  constructor(initialCapacity: number) {
    this.w = new XdrWriter(initialCapacity);
  }

  /** Calls `cb` once everything queued so far has been handed to the transport. */
  whenFlushed(cb: () => void): void {
    if (this.w.pos === 0 && !this.scheduled) cb();
    else this.waiters.push(cb);
  }

  /** Writes what is queued now (normally done on the next tick). */
  flush(): void {
    this.scheduled = false;
    const w = this.w;
    if (w.pos === 0) return this.release();
    const waiters = this.waiters;
    this.waiters = [];
    const done =
      waiters.length === 0 ? noop : () => waiters.forEach((cb) => cb());
    this.handOver(w, done);
  }

  /** Drops what is queued and releases waiters (the connection is gone). */
  discard(): void {
    this.w.reset();
    this.release();
  }

  /** Whether anything is queued or waits for a flush. */
  protected get hasWork(): boolean {
    return this.w.pos > 0 || this.waiters.length > 0;
  }

  /**
   * Gives the batch in `w` (not empty) to the transport, which calls `done` once it took it,
   * and leaves `this.w` ready for the next batch.
   */
  protected abstract handOver(w: XdrWriter, done: () => void): void;

  /** Flushes on the next tick (call after queueing a message). */
  protected schedule(): void {
    if (this.scheduled || this.batching) return;
    this.scheduled = true;
    process.nextTick(() => this.flush());
  }

  private release(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const cb of waiters) cb();
  }
}
