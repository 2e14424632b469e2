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
import type { XdrCodec } from "../xdr/codec.js";
import type { XdrReader } from "../xdr/reader.js";
import type {
  CallOptions,
  CallTarget,
  RpcConnection,
} from "../rpc/connection.js";
import { VirtStream, type StreamDirection } from "../rpc/streams.js";
import type { HandshakeSpec } from "./handshake.js";

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
 * A flags argument: any number, with the members of libvirt's enum for it offered by editors
 * (`Flags<virDomainMigrateFlags>` accepts `VIR_MIGRATE_LIVE | VIR_MIGRATE_PEER2PEER` and `0`).
 */
export type Flags<E extends number> = E | (number & {});

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

  constructor(
    /** The connection this client talks on; other programs (qemu, lxc) can share it. */
    readonly connection: RpcConnection,
    /** The program as the generated code declares it. */
    readonly program: ClientProgram,
  ) {}

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
    const close = this.program.handshake?.close;
    if (close && !this.connection.closed) {
      this.connection.beginClose();
      await this.invoke(close.proc, null, undefined, null, {
        timeoutMs: 5_000,
      }).catch(() => undefined);
    }
    await this.connection.close();
  }

  /** One call of this program. */
  protected invoke<A, R>(
    proc: number,
    args: XdrCodec<A> | null,
    value: A,
    ret: XdrCodec<R> | null,
    options?: CallOptions,
  ): Promise<R> {
    return this.connection.call(this.target(proc), args, value, ret, options);
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
