/**
 * The base of every generated client class: one RPC program (remote, qemu, admin…) on an
 * `RpcConnection`. Generated subclasses add one method per procedure with a client side; the
 * rest stay reachable through `call`, typed by the generated call map, and server messages
 * through `on`, typed by the generated event map.
 *
 * ```ts
 * // generated
 * export class RemoteClient extends ProgramClient<RemoteCalls, RemoteEvents> {
 *   domainGetInfo(dom: remote.remote_nonnull_domain, options?: CallOptions) {
 *     return this.invoke(remote.REMOTE_PROC_DOMAIN_GET_INFO, remote.xdr_remote_domain_get_info_args, { dom }, remote.xdr_remote_domain_get_info_ret, options);
 *   }
 * }
 * ```
 */
import type { TraceProgram } from "../trace/tracer.js";
import type { XdrCodec } from "../xdr/codec.js";
import type { XdrReader } from "../xdr/reader.js";
import type {
  CallOptions,
  CallTarget,
  RpcConnection,
} from "../rpc/connection.js";
import { VirtStream, type StreamDirection } from "../rpc/streams.js";
import {
  openSession,
  type ConnectOptions,
  type HandshakeSpec,
} from "./handshake.js";
import type { ConnectTarget } from "./uri.js";
import {
  EventSubscription,
  type EventFamilySpec,
  type EventHost,
} from "./event-subscription.js";

/** `[args codec, ret codec, stream direction]` of one procedure callable through `call`. */
export type CallEntry = readonly [
  args: XdrCodec<unknown> | null,
  ret: XdrCodec<unknown> | null,
  stream?: StreamDirection,
];

/** What a generated client declares about its program. */
export interface ClientProgram {
  /** Short name for messages and default sockets: `remote`, `qemu`, `admin`… */
  readonly name: string;
  readonly program: number;
  readonly version: number;
  /** Procedures without a generated method, by number. */
  readonly calls: Readonly<Record<number, CallEntry>>;
  /** Server messages (`*_msg` procedures): number → [event name, payload codec]. */
  readonly events: Readonly<
    Record<number, readonly [name: string, msg: XdrCodec<unknown>]>
  >;
  /** libvirt's connection handshake, when the program has one (remote, admin). */
  readonly handshake?: HandshakeSpec | undefined;
  /** Every procedure's name and codecs, for `connect(uri, { trace })`. */
  readonly trace?: TraceProgram | undefined;
}

/** The shape of a generated call map entry. */
export interface CallSignature {
  args: unknown;
  ret: unknown;
}

/** A stream call's reply and its data stream. */
export interface StreamReply<R> {
  readonly result: R;
  readonly stream: VirtStream;
}

/** Options of calls that open a stream. */
export interface StreamCallOptions extends CallOptions {
  /** Read holes of sparse streams as zeros (default true); `hole` events come either way. */
  readonly fillHoles?: boolean | undefined;
  /**
   * Override the direction the annotations give: libvirt's console and channel streams
   * (`@readstream` on `domainOpenConsole`/`domainOpenChannel`) carry data both ways, so pass
   * `"both"` to write to them too.
   */
  readonly direction?: StreamDirection | undefined;
}

/**
 * A flags argument: members of libvirt's enum for it (`Flags<virDomainMigrateFlags>`), their
 * bitwise-OR (a `number`, as TypeScript types `|`), any `number` variable, or `0`. The enums are
 * TypeScript enums, so a member of another enum is a compile error; `flags(A, B)` combines
 * members and keeps the enum's type.
 */
export type Flags<E extends number> = E | 0;

/** Combines members of one flags enum, keeping its type: `flags(VIR_MIGRATE_LIVE, VIR_MIGRATE_PEER2PEER)`. */
export function flags<E extends number>(...members: E[]): E {
  let v = 0;
  for (const m of members) v |= m;
  return v as E;
}

/** How `keepConnected` reconnects. */
export interface ReconnectOptions extends ConnectOptions {
  /** Delay before the first attempt, doubled after each failure up to `maxDelayMs` (default 100 ms). */
  readonly initialDelayMs?: number | undefined;
  /** Longest delay between attempts (default 5 s). */
  readonly maxDelayMs?: number | undefined;
  /** Attempts before giving up (default: unlimited). Calls waiting for the reconnect then fail. */
  readonly maxAttempts?: number | undefined;
}

/** What `onReconnect` listeners hear. */
export type ReconnectEvent =
  | { readonly type: "disconnected"; readonly error: Error }
  | { readonly type: "reconnected"; readonly attempts: number }
  | {
      readonly type: "failed";
      readonly error: unknown;
      readonly attempts: number;
    };

export type ClientEventListener<T> = (msg: T) => void;

export class ProgramClient<
  C extends { [P in keyof C]: CallSignature } = Record<never, never>,
  E extends object = Record<never, never>,
> {
  private readonly listeners = new Map<
    string,
    Set<ClientEventListener<never>>
  >();
  /** One call target per procedure, made once: calls allocate no strings. */
  private readonly targets = new Map<number, CallTarget>();
  private unsubscribe: (() => void) | null = null;
  private conn: RpcConnection;
  private readonly subscriptions = new Set<EventSubscription<unknown>>();
  private reconnect: {
    readonly target: string | ConnectTarget;
    readonly options: ReconnectOptions;
    readonly listeners: Set<(e: ReconnectEvent) => void>;
  } | null = null;
  /** Set while reconnecting: calls wait for it. */
  private reconnecting: Promise<void> | null = null;
  private closing = false;
  private resubscribing = false;

  constructor(
    /** The connection this client talks on; other programs (qemu, lxc) can share it. */
    connection: RpcConnection,
    /** The program as the generated code declares it. */
    readonly program: ClientProgram,
  ) {
    this.conn = connection;
  }

  /** The connection this client talks on (a new one after `keepConnected` reconnected). */
  get connection(): RpcConnection {
    return this.conn;
  }

  /**
   * Reconnects to `target` whenever the connection is lost (the daemon restarted, the network
   * dropped), with the delays of `options`, and registers every open event subscription again
   * (`client.events…`): listeners and iterators go on. Calls made while reconnecting wait for
   * it; calls in flight when the connection went fail with its error (they may or may not have
   * run). `close()` stops it. `target` and `options` are those given to `connect`.
   */
  keepConnected(
    target: string | ConnectTarget,
    options: ReconnectOptions = {},
  ): this {
    const first = this.reconnect === null;
    this.reconnect = {
      target,
      options,
      listeners: this.reconnect?.listeners ?? new Set(),
    };
    if (first) this.watch(this.conn);
    return this;
  }

  /** Hears `keepConnected`'s disconnects, reconnects and failures; returns the function that stops it. */
  onReconnect(listener: (e: ReconnectEvent) => void): () => void {
    if (!this.reconnect)
      throw new Error("onReconnect needs keepConnected() first");
    const set = this.reconnect.listeners;
    set.add(listener);
    return () => set.delete(listener);
  }

  /**
   * Registers an event callback with the server (generated `client.events.*` methods call
   * this); resolves once the server answered with its callback ID.
   */
  async subscribe<K extends keyof E & string, A, T>(
    family: EventFamilySpec<A>,
    event: K,
    args: A,
    payload: (msg: E[K]) => T,
  ): Promise<EventSubscription<T>> {
    const sub = new EventSubscription<T>(
      this.eventHost,
      family,
      event,
      args,
      payload as (msg: unknown) => T,
    );
    await sub.register();
    this.subscriptions.add(sub as EventSubscription<unknown>);
    return sub;
  }

  private readonly eventHost: EventHost = {
    // Re-registering after a reconnect goes ahead of the calls waiting for the reconnect.
    callProc: (proc, args, value, ret) =>
      this.resubscribing
        ? this.conn.call(this.target(proc), args, value, ret)
        : this.invoke(proc, args, value, ret),
    listen: (event, listener) => this.on(event as keyof E & string, listener),
    forget: (sub) => void this.subscriptions.delete(sub),
    warn: (e) => this.conn.warn(e),
  };

  private watch(conn: RpcConnection): void {
    void conn.whenClosed.then((error) => {
      if (this.closing || !this.reconnect || this.conn !== conn) return;
      this.tell({ type: "disconnected", error });
      const run = this.reconnectLoop();
      this.reconnecting = run;
      run.then(
        () => {
          if (this.reconnecting === run) this.reconnecting = null;
        },
        () => undefined,
      );
    });
  }

  private tell(e: ReconnectEvent): void {
    for (const l of [...(this.reconnect?.listeners ?? [])]) {
      try {
        l(e);
      } catch (err) {
        this.conn.warn(err);
      }
    }
  }

  private async reconnectLoop(): Promise<void> {
    const r = this.reconnect!;
    let delay = r.options.initialDelayMs ?? 100;
    const max = r.options.maxDelayMs ?? 5_000;
    for (let attempt = 1; ; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (this.closing) throw new Error(`${this.program.name} client closed`);
      let conn: RpcConnection;
      try {
        conn = await openSession(this.program, r.target, r.options);
      } catch (error) {
        if (
          r.options.maxAttempts !== undefined &&
          attempt >= r.options.maxAttempts
        ) {
          this.tell({ type: "failed", error, attempts: attempt });
          for (const s of [...this.subscriptions]) s.end(error);
          throw error;
        }
        delay = Math.min(delay * 2, max);
        continue;
      }
      if (this.closing) {
        await conn.close();
        throw new Error(`${this.program.name} client closed`);
      }
      this.adopt(conn);
      // Events first: calls waiting for the reconnect run once every callback is registered
      // again, so none of their events is missed.
      this.resubscribing = true;
      try {
        for (const s of [...this.subscriptions]) {
          try {
            await s.register();
          } catch (e) {
            // Lost again: the next reconnect registers it; any other failure ends it.
            if (!conn.closed) s.end(e);
          }
        }
      } finally {
        this.resubscribing = false;
      }
      this.tell({ type: "reconnected", attempts: attempt });
      return;
    }
  }

  /** Moves the client (and its event listeners) onto a new connection. */
  private adopt(conn: RpcConnection): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.conn = conn;
    this.targets.clear();
    if (this.listeners.size > 0)
      this.unsubscribe = conn.onMessage(this.program.program, (proc, body) =>
        this.dispatch(proc, body),
      );
    this.watch(conn);
  }

  /**
   * Calls a procedure that has no generated method, by number (`REMOTE_PROC_CONNECT_OPEN`…),
   * with its args struct; resolves with its ret struct (`undefined` for none). Procedures with a
   * stream resolve with a `StreamReply`.
   */
  call<P extends keyof C & number>(
    proc: P,
    args: C[P]["args"],
    options?: StreamCallOptions,
  ): Promise<C[P]["ret"]> {
    const entry = this.program.calls[proc];
    if (!entry)
      return Promise.reject(
        new Error(
          `${this.program.name} procedure ${proc} is not callable through call()`,
        ),
      );
    const [a, r, stream] = entry;
    if (stream)
      return this.invokeStream(proc, a, args, r, stream, false, options);
    return this.invoke(proc, a, args, r, options);
  }

  /** Listens for a server message; returns the function that stops listening. */
  on<K extends keyof E & string>(
    event: K,
    listener: ClientEventListener<E[K]>,
  ): () => void {
    const set =
      this.listeners.get(event) ?? new Set<ClientEventListener<never>>();
    set.add(listener);
    this.listeners.set(event, set);
    this.unsubscribe ??= this.connection.onMessage(
      this.program.program,
      (proc, body) => this.dispatch(proc, body),
    );
    return () => this.off(event, listener);
  }

  off<K extends keyof E & string>(
    event: K,
    listener: ClientEventListener<E[K]>,
  ): void {
    const set = this.listeners.get(event);
    if (!set) return;
    set.delete(listener);
    if (set.size === 0) this.listeners.delete(event);
    if (this.listeners.size === 0 && this.unsubscribe) {
      this.unsubscribe();
      this.unsubscribe = null;
    }
  }

  /** The next `event` (optionally the next one `filter` accepts), as a promise. */
  once<K extends keyof E & string>(
    event: K,
    filter?: (msg: E[K]) => boolean,
    options?: { signal?: AbortSignal },
  ): Promise<E[K]> {
    return new Promise((resolve, reject) => {
      const signal = options?.signal;
      if (signal?.aborted) return reject(signal.reason);
      const stop = () => {
        off();
        stopClose();
        signal?.removeEventListener("abort", onAbort);
      };
      const off = this.on(event, (msg) => {
        if (filter && !filter(msg)) return;
        stop();
        resolve(msg);
      });
      let closed = false;
      const stopClose = () => (closed = true);
      void this.connection.whenClosed.then((e) => {
        if (closed) return;
        stop();
        reject(e);
      });
      const onAbort = () => {
        stop();
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /**
   * Ends the session: the handshake's close procedure (`REMOTE_PROC_CONNECT_CLOSE`) when the
   * program has one, then the connection. Other clients sharing the connection end with it.
   */
  async close(): Promise<void> {
    this.closing = true;
    for (const s of [...this.subscriptions]) s.end(null);
    const close = this.program.handshake?.close;
    let letPeerClose = false;
    if (close && !this.connection.closed) {
      this.connection.beginClose();
      const closing = this.invoke(close.proc, null, undefined, null, {
        timeoutMs: 5_000,
      }).catch(() => undefined);
      // On a socket, CONNECT_CLOSE is sent and its reply not waited for: libvirtd ends the
      // session and then closes the connection itself (which the socket waits for in the
      // background); the reply carries nothing, and a failed close is ignored here as by
      // libvirt's client. Waiting would only cost every short-lived connection a round trip.
      letPeerClose = !this.reconnecting && this.connection.canLetPeerClose;
      if (!letPeerClose) await closing;
    }
    await this.connection.close({ letPeerClose });
  }

  /** One call of this program. */
  protected invoke<A, R>(
    proc: number,
    args: XdrCodec<A> | null,
    value: A,
    ret: XdrCodec<R> | null,
    options?: CallOptions,
  ): Promise<R> {
    if (this.reconnecting)
      return this.reconnecting.then(() =>
        this.conn.call(this.target(proc), args, value, ret, options),
      );
    return this.conn.call(this.target(proc), args, value, ret, options);
  }

  private target(proc: number): CallTarget {
    let t = this.targets.get(proc);
    if (!t) {
      const p = this.program;
      t = {
        program: p.program,
        version: p.version,
        proc,
        label: `${p.name} procedure ${proc}`,
      };
      this.targets.set(proc, t);
    }
    return t;
  }

  /** One call that opens a data stream; resolves once the server accepted the call. */
  protected invokeStream<A, R>(
    proc: number,
    args: XdrCodec<A> | null,
    value: A,
    ret: XdrCodec<R> | null,
    direction: StreamDirection,
    sparse: boolean,
    options?: StreamCallOptions,
  ): Promise<StreamReply<R>> {
    const target = this.target(proc);
    const stream = new VirtStream(target, {
      direction: options?.direction ?? direction,
      sparse,
      fillHoles: options?.fillHoles,
    });
    return this.connection
      .callWithSerial(target, args, value, ret, options, (serial) =>
        stream.attach(this.connection, serial),
      )
      .then(
        (result) => {
          stream.accepted();
          return { result, stream };
        },
        (e: unknown) => {
          stream.callFailed();
          throw e;
        },
      );
  }

  /** `invokeStream` for procedures whose ret is void: resolves with the stream alone. */
  protected invokeStreamOnly<A>(
    proc: number,
    args: XdrCodec<A> | null,
    value: A,
    direction: StreamDirection,
    sparse: boolean,
    options?: StreamCallOptions,
  ): Promise<VirtStream> {
    return this.invokeStream(
      proc,
      args,
      value,
      null,
      direction,
      sparse,
      options,
    ).then((r) => r.stream);
  }

  private dispatch(proc: number, body: XdrReader): void {
    const entry = this.program.events[proc];
    if (!entry) {
      this.connection.stats.eventsIgnored++;
      return;
    }
    const set = this.listeners.get(entry[0]);
    if (!set || set.size === 0) {
      this.connection.stats.eventsIgnored++;
      return;
    }
    let msg: unknown;
    try {
      msg = entry[1].decode(body);
      body.done();
    } catch (e) {
      this.connection.warn(
        new Error(
          `undecodable ${this.program.name} event ${entry[0]} (${proc}): ${(e as Error).message}`,
          { cause: e },
        ),
      );
      return;
    }
    for (const l of [...set]) {
      try {
        (l as ClientEventListener<unknown>)(msg);
      } catch (e) {
        this.connection.warn(e);
      }
    }
  }
}
