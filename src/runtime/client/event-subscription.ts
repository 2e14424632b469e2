/**
 * One registration of a libvirt event callback: `connect<Object>EventCallbackRegisterAny` with
 * an event ID (and optionally one object), the server's `*_msg` messages carrying the callback
 * ID it answered, and the matching deregister call when closed.
 *
 * ```ts
 * const sub = await client.events.domainLifecycle();          // registered with the daemon
 * sub.on((e) => console.log(virDomainEventType[e.event]));    // a listener …
 * for await (const e of sub) if (e.dom.name === "vm1") break; // … or an async iterator
 * await sub.close();                                          // deregistered
 * ```
 * A client kept connected (`keepConnected`) registers every open subscription again on the new
 * connection; their listeners and iterators go on without noticing.
 */
import type { XdrCodec } from "../xdr/codec.js";

/** How one family of event callbacks (domain, network…) is registered: generated per family. */
export interface EventFamilySpec<A> {
  /** `connect…EventCallbackRegisterAny`: args `(eventID, object)`, ret the callback ID. */
  readonly register: {
    readonly proc: number;
    readonly args: XdrCodec<A>;
    readonly ret: XdrCodec<{ callbackID: number }>;
  };
  /** `connect…EventCallbackDeregisterAny`. */
  readonly deregister: {
    readonly proc: number;
    readonly args: XdrCodec<{ callbackID: number }>;
  };
}

/** The client side a subscription needs (ProgramClient implements it). */
export interface EventHost {
  callProc<A, R>(
    proc: number,
    args: XdrCodec<A> | null,
    value: A,
    ret: XdrCodec<R> | null,
  ): Promise<R>;
  listen(event: string, listener: (msg: unknown) => void): () => void;
  forget(sub: EventSubscription<unknown>): void;
  /** Reports a listener's exception (it must not stop the others). */
  warn(e: unknown): void;
}

/** Events buffered while nobody listens or iterates; older ones are dropped beyond this. */
const BUFFER_LIMIT = 1024;

interface Waiter<T> {
  queue: T[];
  wake: (() => void) | null;
}

export class EventSubscription<T> implements AsyncIterable<T> {
  private callbackID: number | null = null;
  private stopListening: (() => void) | null = null;
  private readonly listeners = new Set<(event: T) => void>();
  private readonly waiters = new Set<Waiter<T>>();
  private buffer: T[] = [];
  private ended = false;
  private endError: Error | null = null;
  /** Events dropped because nobody took them (see BUFFER_LIMIT). */
  dropped = 0;

  constructor(
    private readonly host: EventHost,
    private readonly family: EventFamilySpec<unknown>,
    /** The event's `*_msg` procedure, by its name in the client's event map. */
    private readonly event: string,
    private readonly args: unknown,
    /** The payload from the message (which also carries the callback ID). */
    private readonly payload: (msg: unknown) => T,
  ) {}

  /** The callback ID the daemon gave this registration (it changes after a reconnect). */
  get id(): number | null {
    return this.callbackID;
  }

  get closed(): boolean {
    return this.ended;
  }

  /** Registers with the daemon (again, after a reconnect). */
  async register(): Promise<void> {
    this.stopListening?.();
    this.callbackID = null;
    // Listen first: a message may be read before the register call's reply is handled.
    const early: { id: number; msg: unknown }[] = [];
    this.stopListening = this.host.listen(this.event, (msg) => {
      const id = (msg as { callbackID: number }).callbackID;
      if (this.callbackID === null) early.push({ id, msg });
      else if (id === this.callbackID) this.deliver(msg);
    });
    try {
      const { callbackID } = await this.host.callProc(
        this.family.register.proc,
        this.family.register.args,
        this.args,
        this.family.register.ret,
      );
      this.callbackID = callbackID;
    } catch (e) {
      this.stopListening();
      this.stopListening = null;
      throw e;
    }
    for (const m of early) if (m.id === this.callbackID) this.deliver(m.msg);
  }

  /** Calls `listener` with every event; returns the function that stops it. */
  on(listener: (event: T) => void): () => void {
    this.listeners.add(listener);
    this.flushBuffer();
    return () => this.listeners.delete(listener);
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    const w: Waiter<T> = { queue: [], wake: null };
    this.waiters.add(w);
    this.flushBuffer();
    const finish = (): IteratorResult<T> => {
      this.waiters.delete(w);
      return { done: true, value: undefined };
    };
    return {
      next: async (): Promise<IteratorResult<T>> => {
        for (;;) {
          if (w.queue.length) return { done: false, value: w.queue.shift()! };
          if (this.ended) {
            if (this.endError !== null) {
              this.waiters.delete(w);
              throw this.endError;
            }
            return finish();
          }
          await new Promise<void>((resolve) => (w.wake = resolve));
          w.wake = null;
        }
      },
      return: (): Promise<IteratorResult<T>> => Promise.resolve(finish()),
    };
  }

  /** The next event (the next one `filter` accepts); rejects when the subscription ends first. */
  async once(filter?: (event: T) => boolean): Promise<T> {
    const it = this[Symbol.asyncIterator]();
    try {
      for (;;) {
        const r = await it.next();
        if (r.done) throw new Error("the event subscription was closed");
        if (!filter || filter(r.value)) return r.value;
      }
    } finally {
      await it.return?.();
    }
  }

  /** Deregisters from the daemon and ends the iterators. */
  async close(): Promise<void> {
    if (this.ended) return;
    const id = this.callbackID;
    this.end(null);
    if (id !== null)
      await this.host
        .callProc(
          this.family.deregister.proc,
          this.family.deregister.args,
          { callbackID: id },
          null,
        )
        .catch(() => undefined);
  }

  /** Ends the subscription without a deregister call (the connection is gone); `error` ends iterators with it. */
  end(error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.endError =
      error === null || error instanceof Error
        ? error
        : new Error("the event subscription ended", { cause: error });
    this.stopListening?.();
    this.stopListening = null;
    this.host.forget(this as EventSubscription<unknown>);
    for (const w of this.waiters) w.wake?.();
  }

  private deliver(msg: unknown): void {
    if (this.ended) return;
    const event = this.payload(msg);
    if (this.listeners.size === 0 && this.waiters.size === 0) {
      this.buffer.push(event);
      if (this.buffer.length > BUFFER_LIMIT) {
        this.buffer.shift();
        this.dropped++;
      }
      return;
    }
    this.emit(event);
  }

  private emit(event: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch (e) {
        this.host.warn(e);
      }
    }
    for (const w of this.waiters) {
      w.queue.push(event);
      w.wake?.();
    }
  }

  private flushBuffer(): void {
    const b = this.buffer;
    if (b.length === 0) return;
    this.buffer = [];
    queueMicrotask(() => b.forEach((e) => this.emit(e)));
  }
}
