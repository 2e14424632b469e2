/** Waiting for a stream to be ready, with the caller's abort signal and connect timeout. */
import type { Duplex } from "node:stream";

export interface ConnectingOptions {
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs?: number | undefined;
}

/**
 * Resolves when `stream` emits `event` (`connect`, `secureConnect`…); on an error, the abort
 * signal or the timeout it destroys the stream and rejects with
 * `cannot connect to <where>: <reason>` (the original error as `cause`).
 */
export function whenConnected(
  stream: Duplex,
  event: string,
  where: string,
  options: ConnectingOptions,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const cleanup = () => {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      stream.off("error", onError);
      stream.off("close", onClose);
      stream.off(event, onReady);
    };
    const fail = (e: unknown) => {
      cleanup();
      stream.destroy();
      reject(e);
    };
    const onError = (e: Error) =>
      fail(new Error(`cannot connect to ${where}: ${e.message}`, { cause: e }));
    const onClose = () =>
      fail(new Error(`cannot connect to ${where}: connection closed`));
    const onAbort = () => fail(options.signal!.reason);
    const onReady = () => {
      cleanup();
      resolve();
    };
    if (options.signal?.aborted) return onAbort();
    stream.once("error", onError);
    stream.once("close", onClose);
    stream.once(event, onReady);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.timeoutMs !== undefined) {
      timer = setTimeout(
        () =>
          fail(
            new Error(
              `cannot connect to ${where}: timed out after ${options.timeoutMs} ms`,
            ),
          ),
        options.timeoutMs,
      );
    }
  });
}
