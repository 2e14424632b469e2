/**
 * A standard ONC-RPC server (RFC 5531) over TCP and unix sockets, answering exactly as a libtirpc
 * server does (server-dispatch.ts), optionally registered with rpcbind while it listens.
 *
 * ```ts
 * const server = createOncRpcServer({ programs: [exampleProgV1Server(handlers)] });
 * await server.listen({ host: "127.0.0.1", port: 0, rpcbind: true });
 * ```
 */
import { existsSync, lstatSync, unlinkSync } from "node:fs";
import {
  createServer,
  type AddressInfo,
  type Server,
  type Socket,
} from "node:net";
import { activityBusyPoller } from "../rpc/busy-poll.js";
import { DEFAULT_RECORD_LIMITS, type RecordLimits } from "./record-reader.js";
import {
  rpcbSet,
  rpcbUnset,
  universalAddress,
  type RpcbEntry,
  type RpcbindOptions,
} from "./rpcbind.js";
import { ServerConnection } from "./server-connection.js";
import { programTable } from "./server-dispatch.js";
import type { OncRpcServerProgram } from "./server-program.js";

export interface OncRpcServerLimits {
  /** Incoming fragments and records (default 4 MiB each). */
  readonly record: RecordLimits;
  /** Asynchronous calls running at once per connection before its input is not read. */
  readonly maxCallsInFlight: number;
  /** Unsent reply bytes per connection above which its input is not read. */
  readonly outputHighWater: number;
  /** Connections at once; more are closed on accept. */
  readonly maxConnections: number;
}

export const DEFAULT_ONCRPC_SERVER_LIMITS: OncRpcServerLimits = {
  record: DEFAULT_RECORD_LIMITS,
  maxCallsInFlight: 64,
  outputHighWater: 4 * 1024 * 1024,
  maxConnections: 1024,
};

export interface OncRpcServerOptions {
  readonly programs: readonly OncRpcServerProgram[];
  readonly limits?: Partial<OncRpcServerLimits>;
  /** Diagnostics (dropped connections, failed handlers). Default: nothing. */
  readonly log?: (line: string) => void;
  /** Largest record-marking fragment written (default: one fragment per reply). */
  readonly fragmentSize?: number;
  /** Where rpcbind is, for `listen({ rpcbind: true })`. */
  readonly rpcbind?: RpcbindOptions;
  /**
   * Keep the event loop polling (without sleeping) for this many microseconds after each
   * input, as the libvirt server's `busyPollMicros`: a call arriving meanwhile is read at once
   * instead of after the CPU wakes up (tens of microseconds on virtual machines). Costs CPU
   * while clients are active; 0 (the default) disables.
   */
  readonly busyPollMicros?: number;
}

export type OncRpcListenOptions = (
  { readonly path: string } | { readonly host?: string; readonly port: number }
) & {
  /** Register every program/version with rpcbind (RPCBPROC_SET) now, and unset on close. */
  readonly rpcbind?: boolean;
};

export interface OncRpcServer {
  /** Starts a listener; resolves with its address (a path, or `host:port`). */
  listen(options: OncRpcListenOptions): Promise<string>;
  /** Unregisters from rpcbind, stops listening and closes every connection. */
  close(): Promise<void>;
  /** Registrations made with rpcbind (removed on close). */
  readonly registrations: readonly Omit<RpcbEntry, "owner">[];
  readonly connections: number;
}

export function createOncRpcServer(options: OncRpcServerOptions): OncRpcServer {
  const limits: OncRpcServerLimits = {
    ...DEFAULT_ONCRPC_SERVER_LIMITS,
    ...options.limits,
    record: { ...DEFAULT_RECORD_LIMITS, ...options.limits?.record },
  };
  const log = options.log ?? (() => {});
  const table = programTable(options.programs);
  const activity = activityBusyPoller(options.busyPollMicros ?? 0);
  const connections = new Set<ServerConnection>();
  const listeners: Server[] = [];
  const registrations: Omit<RpcbEntry, "owner">[] = [];

  const accept = (socket: Socket, peer: string) => {
    if (connections.size >= limits.maxConnections) {
      log(`too many connections (${connections.size}); dropping ${peer}`);
      socket.destroy();
      return;
    }
    connections.add(
      new ServerConnection(
        socket,
        peer,
        table,
        limits,
        log,
        (c) => connections.delete(c),
        options.fragmentSize,
        activity,
      ),
    );
  };

  const entriesFor = (
    address: string | AddressInfo,
  ): Omit<RpcbEntry, "owner">[] =>
    options.programs.map((p) =>
      typeof address === "string"
        ? {
            program: p.program,
            version: p.version,
            netid: "unix",
            addr: address,
          }
        : {
            program: p.program,
            version: p.version,
            netid: address.family === "IPv6" ? "tcp6" : "tcp",
            addr: universalAddress(address.address, address.port),
          },
    );

  return {
    registrations,
    get connections() {
      return connections.size;
    },
    async listen(listen) {
      const srv = await new Promise<Server>((resolve, reject) => {
        const unix = "path" in listen;
        const srv = createServer((socket) =>
          accept(
            socket,
            unix
              ? `unix:${listen.path}`
              : `tcp:${socket.remoteAddress}:${socket.remotePort}`,
          ),
        );
        srv.once("error", reject);
        const ready = () => {
          srv.off("error", reject);
          srv.on("error", (e) => log(`listener error: ${e.message}`));
          resolve(srv);
        };
        if (unix) {
          // A socket file left by a previous run is replaced.
          if (existsSync(listen.path) && lstatSync(listen.path).isSocket())
            unlinkSync(listen.path);
          srv.listen(listen.path, ready);
        } else srv.listen(listen.port, listen.host ?? "127.0.0.1", ready);
      });
      listeners.push(srv);
      const a = srv.address()!;
      if (listen.rpcbind) {
        const entries = entriesFor(a);
        try {
          await rpcbSet(entries, options.rpcbind);
        } catch (e) {
          srv.close();
          listeners.splice(listeners.indexOf(srv), 1);
          throw e;
        }
        registrations.push(...entries);
      }
      return typeof a === "string" ? a : `${a.address}:${a.port}`;
    },
    async close() {
      const unset = registrations.splice(0);
      const unsetError =
        unset.length === 0
          ? null
          : await rpcbUnset(unset, options.rpcbind).then(
              () => null,
              (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
            );
      const closing = listeners.map(
        (s) => new Promise<void>((resolve) => s.close(() => resolve())),
      );
      listeners.length = 0;
      for (const c of [...connections]) c.close();
      await Promise.all(closing);
      if (unsetError) throw unsetError;
    },
  };
}
