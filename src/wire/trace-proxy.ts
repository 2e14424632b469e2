/**
 * The logging proxy behind `virt-rpcgen trace`: every client that connects gets its own
 * connection to the real server; bytes are forwarded as they come, unchanged, and the chunk is
 * handed to the tracer after forwarding. Nothing the tracer does (or fails to do) touches the
 * forwarded stream.
 *
 * Tracing is kept off the forwarding path: a chunk is written to the other side first, then
 * queued with the time it arrived; the queue is decoded once the event loop has handled the
 * sockets that were ready (setImmediate), so a burst of messages is forwarded before any of
 * it is decoded. The tracer reads the chunks in place (Node's own 'data' buffers), no copies.
 */
import {
  createConnection,
  createServer,
  type Server,
  type Socket,
} from "node:net";
import type { WireTracer, TraceDirection } from "virt-rpcgen-runtime/trace";
import { describeAddress, type SocketAddress } from "./address.js";

export interface TraceProxy {
  /** Where it listens (the real port when 0 was asked for). */
  readonly address: string;
  close(): Promise<void>;
}

export async function startTraceProxy(options: {
  readonly listen: SocketAddress;
  readonly upstream: SocketAddress;
  /** A tracer per proxied connection (numbered from 1). */
  readonly tracerFor: (connection: number) => WireTracer;
  /** Called after each batch of queued chunks has been traced (to write out the lines). */
  readonly traced?: () => void;
  readonly log?: (message: string) => void;
}): Promise<TraceProxy> {
  const log = options.log ?? (() => {});
  const sockets = new Set<Socket>();
  let count = 0;

  // Chunks waiting to be traced, in arrival order across all connections.
  let queue: {
    tracer: WireTracer;
    direction: TraceDirection;
    chunk: Buffer;
    time: number;
  }[] = [];
  const drain = () => {
    const batch = queue;
    queue = [];
    for (const q of batch) q.tracer.observe(q.direction, q.chunk, q.time);
    options.traced?.();
  };

  const server: Server = createServer({ pauseOnConnect: true }, (client) => {
    const n = ++count;
    const tracer = options.tracerFor(n);
    const upstream = createConnection(options.upstream);
    sockets.add(client);
    sockets.add(upstream);
    client.setNoDelay?.(true);
    upstream.setNoDelay?.(true);
    const forward = (from: Socket, to: Socket, direction: TraceDirection) => {
      from.on("data", (chunk: Buffer) => {
        if (!to.write(chunk)) from.pause();
        if (queue.length === 0) setImmediate(drain);
        queue.push({ tracer, direction, chunk, time: Date.now() });
      });
      to.on("drain", () => from.resume());
      from.on("end", () => to.end());
    };
    forward(client, upstream, "client->server");
    forward(upstream, client, "server->client");
    upstream.on("connect", () => client.resume());
    const done = (which: string) => (e?: Error) => {
      if (e) log(`connection ${n}: ${which}: ${e.message}`);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", done("client"));
    upstream.on("error", done("server"));
    client.on("close", () => {
      sockets.delete(client);
      upstream.end();
    });
    upstream.on("close", () => {
      sockets.delete(upstream);
      client.end();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    if ("path" in options.listen) server.listen(options.listen.path, resolve);
    else server.listen(options.listen.port, options.listen.host, resolve);
  });
  const a = server.address();
  const address =
    a === null || typeof a === "string"
      ? describeAddress(options.listen)
      : describeAddress({ host: a.address, port: a.port });
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => {
          drain();
          resolve();
        });
      }),
  };
}
