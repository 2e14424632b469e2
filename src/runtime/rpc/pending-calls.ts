/**
 * The calls of one client connection that await their reply, keyed by the number the reply
 * carries (libvirt's serial, ONC-RPC's xid). Shared by the libvirt client (connection.ts) and
 * the ONC-RPC client (oncrpc/client.ts), which keep the same promises:
 * - a call can be abandoned with an AbortSignal (rejects with `signal.reason`) or a timeout
 *   (rejects with `CallTimeoutError`); it leaves the table then, so a late reply finds nothing
 *   and the client counts it as late;
 * - when the connection goes, every call still here is rejected at once with the same reason.
 * Reading replies (headers, status, decoding) stays with each client: only the bookkeeping is
 * shared.
 */
import type { XdrCodec } from "../xdr/codec.js";
import { CallTimeoutError } from "./virt-error.js";

/** One call awaiting its reply. `target` is the client's own description of the call. */
export interface PendingCall<T> {
  readonly target: T;
  /** Decodes the result (null: void). */
  readonly ret: XdrCodec<unknown> | null;
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: unknown) => void;
  timer: NodeJS.Timeout | undefined;
  /** Resends the call until it is answered (ONC-RPC over UDP). */
  retransmit: NodeJS.Timeout | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

export class PendingCalls<T> {
  private readonly calls = new Map<number, PendingCall<T>>();

  /**
   * `label` names a call and `peer` the other side in timeout messages (`<label> got no reply
   * from <peer> within <ms> ms`); both are asked only when a call times out.
   */
  constructor(
    private readonly label: (target: T) => string,
    private readonly peer: () => string,
  ) {}

  get size(): number {
    return this.calls.size;
  }

  has(id: number): boolean {
    return this.calls.has(id);
  }

  get(id: number): PendingCall<T> | undefined {
    return this.calls.get(id);
  }

  /**
   * Registers a call under `id` and returns its promise: it settles when the client settles the
   * call (after `settle`), when `timeoutMs` passes (undefined: never) or `signal` aborts.
   */
  add<R>(
    id: number,
    target: T,
    ret: XdrCodec<R> | null,
    timeoutMs: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const call: PendingCall<T> = {
        target,
        ret,
        resolve: resolve as (v: unknown) => void,
        reject,
        timer: undefined,
        retransmit: undefined,
        signal: undefined,
        onAbort: undefined,
      };
      if (timeoutMs !== undefined) {
        call.timer = setTimeout(() => {
          if (this.calls.get(id) !== call) return;
          this.settle(id, call);
          reject(
            new CallTimeoutError(
              `${this.label(target)} got no reply from ${this.peer()} within ${timeoutMs} ms`,
              timeoutMs,
            ),
          );
        }, timeoutMs);
      }
      if (signal) {
        call.signal = signal;
        call.onAbort = () => {
          if (this.calls.get(id) !== call) return;
          this.settle(id, call);
          reject(signal.reason);
        };
        signal.addEventListener("abort", call.onAbort, { once: true });
      }
      this.calls.set(id, call);
    });
  }

  /** Runs `resend` every `ms` until the call under `id` leaves the table. */
  resendEvery(id: number, ms: number, resend: () => void): void {
    const call = this.calls.get(id);
    if (call) call.retransmit = setInterval(resend, ms);
  }

  /**
   * Takes `call` (the one under `id`) out of the table and stops its timers and abort listener:
   * the caller resolves or rejects it next.
   */
  settle(id: number, call: PendingCall<T>): void {
    this.calls.delete(id);
    release(call);
  }

  /** Rejects every call with `reason` and empties the table (in the order they were added). */
  rejectAll(reason: unknown): void {
    const calls = [...this.calls.values()];
    this.calls.clear();
    for (const call of calls) {
      release(call);
      call.reject(reason);
    }
  }

  /** ` (N calls pending)` for messages, or nothing when none are. */
  pendingNote(): string {
    const n = this.calls.size;
    return n ? ` (${n} call${n === 1 ? "" : "s"} pending)` : "";
  }
}

function release(call: PendingCall<unknown>): void {
  if (call.timer) clearTimeout(call.timer);
  if (call.retransmit) clearInterval(call.retransmit);
  if (call.onAbort) call.signal!.removeEventListener("abort", call.onAbort);
}
