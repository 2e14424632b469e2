/**
 * The per-direction loop every tracer shares (the library hook's, and the CLI's libvirt and
 * ONC RPC tracers): each direction has its own splitter turning chunks into whole messages;
 * every message becomes one line (or none, when filtered out). When a direction's framing is
 * lost (a bad length), one line says so with the bytes, and that direction is not decoded any
 * more: its message boundaries are gone.
 */
import { formatTraceLine, rawHex, type TraceDirection } from "./trace-line.js";

/**
 * Splits a byte stream into messages (FrameReader, RecordReader); throws when framing is lost.
 * A splitter keeps no view of a chunk once `push` returns (what spans chunks is copied), and
 * the messages it returns are only read before `observe` returns: the caller may reuse its
 * chunks, and none is copied for the tracer.
 */
export interface MessageSplitter<M> {
  push(chunk: Uint8Array): readonly M[];
}

export interface WireTracer {
  /**
   * Bytes that went `direction`, seen at `time` (ms since the epoch; default now). They are
   * read before this returns, never kept: the caller may reuse them.
   */
  observe(direction: TraceDirection, chunk: Uint8Array, time?: number): void;
}

export interface ObserveLoopOptions<M> {
  readonly split: () => MessageSplitter<M>;
  /** One line for a message (no newline), or null to leave it out. */
  readonly describe: (
    direction: TraceDirection,
    message: M,
    time: number,
  ) => string | null;
  readonly write: (line: string) => void;
  readonly connection?: number | undefined;
}

export function observeLoop<M>(options: ObserveLoopOptions<M>): WireTracer {
  const { describe, write, connection } = options;
  // Two directions: two fields, no map lookup per chunk. null: framing lost.
  let toServer: MessageSplitter<M> | null | undefined;
  let toClient: MessageSplitter<M> | null | undefined;

  return {
    observe(direction, chunk, time = Date.now()) {
      const toServerSide = direction === "client->server";
      let splitter = toServerSide ? toServer : toClient;
      if (splitter === null) return;
      if (splitter === undefined) {
        splitter = options.split();
        if (toServerSide) toServer = splitter;
        else toClient = splitter;
      }
      let messages: readonly M[];
      try {
        messages = splitter.push(chunk);
      } catch (e) {
        if (toServerSide) toServer = null;
        else toClient = null;
        write(
          formatTraceLine({
            time: new Date(time),
            direction,
            connection,
            error: `${e instanceof Error ? e.message : String(e)}; not decoding this direction any more`,
            raw: rawHex(chunk),
          }),
        );
        return;
      }
      for (const m of messages) {
        const line = describe(direction, m, time);
        if (line !== null) write(line);
      }
    },
  };
}
