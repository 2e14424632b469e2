/**
 * An RPC server in the manner of libvirt's virNetServer: listeners (unix sockets, TCP), the
 * programs it serves, a worker pool with priority slots, an access checker, and limits.
 *
 * ```ts
 * const server = createRpcServer({ programs: [remoteServerProgram(handlers)], accessChecker });
 * await server.listen({ path: "/run/my.sock" });
 * ```
 */
import {
  createWireTracer,
  traceSocket,
  type TraceOption,
} from "../trace/tracer.js";
import { traceProgramOf } from "../trace/server-program.js";
import { existsSync, lstatSync, unlinkSync } from "node:fs";
import {
  createServer,
  type AddressInfo,
  type Server,
  type Socket,
} from "node:net";
import {
  VIR_NET_MESSAGE_LEN_MAX,
  VIR_NET_MESSAGE_MAX,
} from "../generated/virnetprotocol/codecs.js";
import { activityBusyPoller } from "../rpc/busy-poll.js";
import type { MessageHeader } from "../rpc/framing.js";
import { allowAll, type AccessChecker, type ClientIdentity } from "./acl.js";
import { ServerClient, type ClientHost } from "./client.js";
import { dispatchCall, type CallRecord, type DispatchEnv } from "./dispatch.js";
import type { ServerProgram } from "./program.js";
import { Scheduler } from "./scheduler.js";

export interface ServerLimits {
  /** Largest frame accepted, length word included (libvirt: 32 MiB + 4). */
  readonly maxMessage: number;
  /** Connections at once; more are closed on accept (libvirt `max_clients`, 5000). */
  readonly maxClients: number;
  /** Calls in flight per client before its socket is no longer read (`max_client_requests`, 5). */
  readonly maxClientRequests: number;
  /** Calls running at once (`max_workers`, 20). */
  readonly workers: number;
  /** Extra slots only high-priority calls use (`prio_workers`, 5). */
  readonly prioWorkers: number;
  /** Bytes of unsent output per client above which its input is not read. */
  readonly outputHighWater: number;
  /** Seconds between keepalive PINGs to a silent client; 0 disables (`keepalive_interval`). */
  readonly keepaliveInterval: number;
  /** Unanswered PINGs before the client is dropped (`keepalive_count`). */
  readonly keepaliveCount: number;
  /**
   * Microseconds to keep polling for input after input arrived, instead of sleeping in the
   * kernel (like Linux's SO_BUSY_POLL); 0 disables. Trades CPU for latency: waking an idle
   * CPU costs tens of microseconds per call on virtual machines.
   */
  readonly busyPollMicros: number;
  /**
   * Bytes one connection may hold: the frame it is sending (as far as it arrived), frames read
   * but not yet dispatched, the frames of its calls in flight and its unsent output. Beyond it
   * the connection is closed (`stats.droppedOverClientBudget`).
   */
  readonly maxClientMemory: number;
  /**
   * Bytes all connections together may hold (the same accounting). Beyond it the connection
   * holding the most is closed, then the next, until the total fits again
   * (`stats.droppedOverServerBudget`).
   */
  readonly maxServerMemory: number;
}

/** What the server counts (for monitoring; read `server.stats`). */
export interface ServerStats {
  /** Bytes all connections hold now (see `ServerLimits.maxServerMemory`). */
  memory: number;
  /** The most they held at once. */
  peakMemory: number;
  /** Connections closed for going over `maxClientMemory`. */
  droppedOverClientBudget: number;
  /** Connections closed (largest first) for the total going over `maxServerMemory`. */
  droppedOverServerBudget: number;
  /** Connections closed because they sent no whole message for too long (keepalive). */
  droppedByKeepalive: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  maxMessage: VIR_NET_MESSAGE_MAX + VIR_NET_MESSAGE_LEN_MAX,
  maxClients: 5000,
  maxClientRequests: 5,
  workers: 20,
  prioWorkers: 5,
  outputHighWater: 4 * 1024 * 1024,
  keepaliveInterval: 5,
  keepaliveCount: 5,
  busyPollMicros: 0,
  maxClientMemory: 96 * 1024 * 1024,
  maxServerMemory: 256 * 1024 * 1024,
};

export interface RpcServerOptions {
  readonly programs: readonly ServerProgram[];
  /** Called for every applicable ACL rule before a handler runs; default allows everything. */
  readonly accessChecker?: AccessChecker;
  /** Name in access-denied errors ("access denied: '<name>' denied access"). */
  readonly driverName?: string;
  readonly limits?: Partial<ServerLimits>;
  /** Called once per answered call (for logs and metrics). */
  readonly onCall?: (record: CallRecord) => void;
  /** Diagnostics (dropped connections, protocol errors). Default: nothing. */
  readonly log?: (line: string) => void;
  /**
   * Print every message both ways as one JSON line, as `virt-rpcgen trace` does: `true` (to
   * stderr), a function taking each line, or `{ write, procedures }`.
   */
  readonly trace?: TraceOption | undefined;
  /** Extra identity attributes for a new connection. */
  readonly identify?: (
    socket: Socket,
    listener: ListenOptions,
  ) => Record<string, string | number | boolean>;
}

export type ListenOptions =
  | { readonly path: string; readonly readonly?: boolean }
  | {
      readonly host?: string;
      readonly port: number;
      readonly readonly?: boolean;
    };

export interface RpcServer {
  /** Starts a listener; resolves with its address (a path, or `host:port`). */
  listen(options: ListenOptions): Promise<string>;
  /** Stops listening and closes every client. */
  close(): Promise<void>;
  readonly clients: ReadonlySet<ServerClient>;
  readonly limits: ServerLimits;
  readonly stats: Readonly<ServerStats>;
}

export function createRpcServer(options: RpcServerOptions): RpcServer {
  const limits: ServerLimits = { ...DEFAULT_SERVER_LIMITS, ...options.limits };
  const log = options.log ?? (() => {});
  const programs = new Map<string, ServerProgram>();
  for (const p of options.programs) {
    const key = `${p.spec.program}/${p.spec.version}`;
    if (programs.has(key))
      throw new Error(`program ${p.spec.name} (${key}) is registered twice`);
    programs.set(key, p);
  }
  const tracePrograms = options.trace
    ? options.programs.map((p) => traceProgramOf(p.spec))
    : [];
  const scheduler = new Scheduler(limits);
  const env: DispatchEnv = {
    program: (prog, vers) => programs.get(`${prog}/${vers}`),
    access: options.accessChecker ?? allowAll,
    driverName: options.driverName ?? "remote",
    schedule: (job, priority) => scheduler.submit(job, priority),
    onCall: options.onCall,
  };
  const clients = new Set<ServerClient>();
  const listeners: Server[] = [];
  let nextId = 1;
  let keepaliveTimer: NodeJS.Timeout | null = null;
  const stats: ServerStats = {
    memory: 0,
    peakMemory: 0,
    droppedOverClientBudget: 0,
    droppedOverServerBudget: 0,
    droppedByKeepalive: 0,
  };

  /** Budgets: the client itself over its own, then the largest clients over the server's. */
  const memoryChanged = (client: ServerClient, delta: number) => {
    stats.memory += delta;
    if (stats.memory > stats.peakMemory) stats.peakMemory = stats.memory;
    if (client.accountedMemory > limits.maxClientMemory) {
      stats.droppedOverClientBudget++;
      log(
        `client ${client.identity.id}: holds ${client.accountedMemory} bytes, over its budget of ${limits.maxClientMemory}; closing the connection`,
      );
      client.close();
    }
    while (stats.memory > limits.maxServerMemory) {
      let largest: ServerClient | null = null;
      for (const c of clients)
        if (largest === null || c.accountedMemory > largest.accountedMemory)
          largest = c;
      if (largest === null || largest.accountedMemory === 0) break;
      stats.droppedOverServerBudget++;
      log(
        `client ${largest.identity.id}: holds ${largest.accountedMemory} bytes, the most while all clients hold ${stats.memory}, over the server's budget of ${limits.maxServerMemory}; closing the connection`,
      );
      largest.close();
    }
  };

  const host: ClientHost = {
    maxMessage: limits.maxMessage,
    maxClientRequests: limits.maxClientRequests,
    outputHighWater: limits.outputHighWater,
    dispatchCall: (
      client: ServerClient,
      header: MessageHeader,
      frame: Uint8Array,
      offset: number,
      done: () => void,
    ) => dispatchCall(env, client, header, frame, offset, done),
    log,
    clientClosed: (client) => {
      if (clients.delete(client)) stats.memory -= client.accountedMemory;
    },
    memoryChanged,
    activity: activityBusyPoller(limits.busyPollMicros),
  };

  const accept = (socket: Socket, listen: ListenOptions) => {
    if (clients.size >= limits.maxClients) {
      log(
        `too many clients (${clients.size}/${limits.maxClients}); dropping a new connection`,
      );
      socket.destroy();
      return;
    }
    const unix = "path" in listen;
    const identity: ClientIdentity = {
      id: nextId++,
      transport: unix ? "unix" : "tcp",
      address: unix
        ? listen.path
        : `${socket.remoteAddress ?? "?"}:${socket.remotePort ?? 0}`,
      readonly: listen.readonly ?? false,
      attributes: options.identify?.(socket, listen) ?? {},
    };
    if (options.trace)
      traceSocket(
        socket,
        createWireTracer(tracePrograms, options.trace, identity.id),
        "client->server",
      );
    clients.add(new ServerClient(socket, identity, host));
  };

  /**
   * Keepalive, as libvirt's server does it: a PING to a client silent for an interval, closing
   * it after `keepaliveCount` more. Silence is judged fairly: a sweep that finds a client past
   * the limit decides only after the event loop's next poll phase (setImmediate), so input that
   * waited unread (after a long stall of this process, say) counts first; and time this
   * process spent stalled is not held against anyone.
   */
  const startKeepalive = () => {
    if (keepaliveTimer || limits.keepaliveInterval <= 0) return;
    const intervalMs = limits.keepaliveInterval * 1000;
    const deadAfter = intervalMs * (limits.keepaliveCount + 1);
    let lastSweep = Date.now();
    let heardSince = 0;
    const silentFor = (c: ServerClient, now: number) =>
      Math.min(c.idleMs, now - heardSince);
    keepaliveTimer = setInterval(() => {
      const now = Date.now();
      // The timer came very late: this process was stalled, and could not hear anyone.
      if (now - lastSweep > 2 * intervalMs) heardSince = now;
      lastSweep = now;
      const suspects: ServerClient[] = [];
      for (const c of clients) {
        if (c.awaitingServer) continue;
        const idle = silentFor(c, now);
        if (idle > deadAfter) suspects.push(c);
        else if (idle > intervalMs) c.ping();
      }
      if (suspects.length === 0) return;
      setImmediate(() => {
        const later = Date.now();
        for (const c of suspects) {
          if (
            c.isClosed ||
            c.awaitingServer ||
            silentFor(c, later) <= deadAfter
          )
            continue;
          stats.droppedByKeepalive++;
          log(
            `client ${c.identity.id}: no keepalive response; closing the connection`,
          );
          c.close();
        }
      });
    }, intervalMs);
    keepaliveTimer.unref();
  };

  return {
    limits,
    clients,
    stats,
    listen(listen) {
      return new Promise((resolve, reject) => {
        const srv = createServer({ pauseOnConnect: false }, (socket) =>
          accept(socket, listen),
        );
        srv.once("error", reject);
        const ready = () => {
          srv.off("error", reject);
          srv.on("error", (e) => log(`listener error: ${e.message}`));
          listeners.push(srv);
          startKeepalive();
          const a = srv.address();
          resolve(
            typeof a === "string"
              ? a
              : `${(a as AddressInfo).address}:${(a as AddressInfo).port}`,
          );
        };
        if ("path" in listen) {
          // A socket file left by a previous run is replaced, as libvirtd does.
          if (existsSync(listen.path) && lstatSync(listen.path).isSocket())
            unlinkSync(listen.path);
          srv.listen(listen.path, ready);
        } else {
          srv.listen(listen.port, listen.host ?? "127.0.0.1", ready);
        }
      });
    },
    async close() {
      if (keepaliveTimer) clearInterval(keepaliveTimer);
      keepaliveTimer = null;
      const closing = listeners.map(
        (s) => new Promise<void>((resolve) => s.close(() => resolve())),
      );
      listeners.length = 0;
      for (const c of [...clients]) c.close();
      await Promise.all(closing);
    },
  };
}
