/** Opening the byte stream a connection runs on: a unix socket or TCP. */
import { createConnection, type Socket } from "node:net";

export type SocketTarget =
  { readonly path: string } | { readonly host: string; readonly port: number };

export interface SocketOptions {
  readonly signal?: AbortSignal | undefined;
  /** Give up connecting after this many ms. */
  readonly timeoutMs?: number | undefined;
}

/** `unix:/run/libvirt/libvirt-sock` or `tcp:host:16509`, for messages. */
export function describeTarget(t: SocketTarget): string {
  return "path" in t ? `unix:${t.path}` : `tcp:${t.host}:${t.port}`;
}

/** Resolves once connected; rejects with the transport's error (ENOENT, ECONNREFUSED…). */
export function openSocket(
  target: SocketTarget,
  options: SocketOptions = {},
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(options.signal.reason);
    const socket =
      "path" in target
        ? createConnection({ path: target.path })
        : createConnection({ host: target.host, port: target.port });
    let timer: NodeJS.Timeout | undefined;
    const cleanup = () => {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      socket.off("error", onError);
      socket.off("connect", onConnect);
    };
    const fail = (e: unknown) => {
      cleanup();
      socket.destroy();
      reject(e);
    };
    const onError = (e: Error) =>
      fail(
        new Error(`cannot connect to ${describeTarget(target)}: ${e.message}`, {
          cause: e,
        }),
      );
    const onAbort = () => fail(options.signal!.reason);
    const onConnect = () => {
      cleanup();
      if ("host" in target) socket.setNoDelay(true);
      resolve(socket);
    };
    socket.once("error", onError);
    socket.once("connect", onConnect);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.timeoutMs !== undefined) {
      timer = setTimeout(
        () =>
          fail(
            new Error(
              `cannot connect to ${describeTarget(target)}: timed out after ${options.timeoutMs} ms`,
            ),
          ),
        options.timeoutMs,
      );
    }
  });
}
