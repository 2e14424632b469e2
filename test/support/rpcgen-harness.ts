// Reference XDR codec for tests: libvirt's .x files compiled with rpcgen
// (rpcsvc-proto) against libtirpc, driven as a child process.
//
//   const h = await buildRpcgenHarness();            // all 9 protocols
//   const [r] = await h.roundTrip([{ protocol: 'remote_protocol',
//     type: 'remote_domain_migrate_start_post_copy_args', bytes }]);
//   // r.ok ? r.bytes (= C decode + re-encode of `bytes`) : r.error
//   await h.close();
//
// Build/caching: test/support/rpcgen/build.mjs (cold ~1.5 s, warm ~20 ms).
// C driver and wire format: test/support/rpcgen/harness-main.c.
//
// What "the C side" means for comparisons (libtirpc 1.3.3 + rpcgen 1.4.3):
// decoding is exactly libvirt's (same rpcgen output, same genprotocol.pl
// fixups), so anything xdr_<type> accepts/rejects here libvirtd does too.
import { spawn, type ChildProcess } from "node:child_process";
import {
  ALL_PROTOCOLS,
  buildHarnessBinary,
  findRpcgenTools as findTools,
  type RpcgenProgram,
} from "./rpcgen/build.mjs";
import { ensureProtocolFiles } from "./protocol-files.js";

export interface RpcgenHarness {
  /** Type names (struct, union, typedef, enum) available, per protocol. */
  readonly types: ReadonlyMap<string /*protocol*/, readonly string[]>;
  /** For each item: decode `bytes` with xdr_<type> (XDR_DECODE over xdrmem), then re-encode the decoded C value with XDR_ENCODE, and return the re-encoded bytes; ok=false with a reason if decoding fails or not all input bytes were consumed. Batched: one round trip to the C process for many items. */
  roundTrip(
    items: readonly { protocol: string; type: string; bytes: Uint8Array }[],
  ): Promise<
    ({ ok: true; bytes: Uint8Array } | { ok: false; error: string })[]
  >;
  close(): Promise<void>;
  /** Build details (executable path, whether it came from the cache, build time). */
  readonly build: RpcgenProgram;
}

export type RoundTripResult =
  { ok: true; bytes: Uint8Array } | { ok: false; error: string };

/** Whether rpcgen, gcc (or $CC), pkg-config and libtirpc-dev are available. */
export function findRpcgenTools(): { ok: boolean; missing: string[] } {
  const t = findTools();
  return { ok: t.ok, missing: [...t.missing] };
}

/** Error text prefix for items the C process crashed on (never expected; a libtirpc bug if seen). */
export const CRASH_PREFIX = "rpcgen harness crashed";

export interface BuildRpcgenHarnessOptions {
  /** Optimisation level for the rpcgen objects (default '-O1'). */
  opt?: string;
  /** Build progress messages. */
  log?: (message: string) => void;
}

export async function buildRpcgenHarness(
  protocols: readonly string[] = ALL_PROTOCOLS,
  options: BuildRpcgenHarnessOptions = {},
): Promise<RpcgenHarness> {
  const tools = findTools();
  if (!tools.ok) {
    throw new Error(
      `rpcgen harness needs: ${tools.missing.join(", ")} (install with: sudo scripts/install-system-deps.sh)`,
    );
  }
  const protocolDir = ensureProtocolFiles();
  const build = await buildHarnessBinary({
    protocols,
    protocolDir,
    ...(options.opt !== undefined ? { opt: options.opt } : {}),
    ...(options.log !== undefined ? { log: options.log } : {}),
  });
  const types = new Map<string, readonly string[]>();
  for (const p of build.protocols)
    types.set(p, Object.freeze([...(build.gen.types[p] ?? [])]));
  return new Harness(build, types);
}

// ---------------------------------------------------------------------------

const MAX_KEY = 4096;

/** FIFO of byte chunks with cheap "have N bytes?" and "take N bytes". */
class ByteQueue {
  private chunks: Buffer[] = [];
  private head = 0; // offset into chunks[0]
  length = 0;

  push(b: Buffer): void {
    if (b.length === 0) return;
    this.chunks.push(b);
    this.length += b.length;
  }

  /** Copy of the next n bytes (n <= length), consumed. */
  take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let off = 0;
    while (off < n) {
      const c = this.chunks[0]!;
      const k = Math.min(n - off, c.length - this.head);
      out.set(c.subarray(this.head, this.head + k), off);
      off += k;
      this.head += k;
      if (this.head === c.length) {
        this.chunks.shift();
        this.head = 0;
      }
    }
    this.length -= n;
    return out;
  }

  /** Peek byte i (i < length) without consuming. */
  peek(i: number): number {
    let idx = this.head + i;
    for (const c of this.chunks) {
      if (idx < c.length) return c[idx]!;
      idx -= c.length;
    }
    throw new RangeError("peek past end");
  }
}

interface BatchOutcome {
  results: RoundTripResult[];
  /** Set if the process died before answering all items. */
  crash?: string;
}

/** One running C process. */
class Proc {
  readonly child: ChildProcess;
  private readonly q = new ByteQueue();
  private stderrTail = "";
  private exitInfo: string | null = null;
  private pending: {
    expect: number;
    results: RoundTripResult[];
    resolve: (o: BatchOutcome) => void;
  } | null = null;
  readonly exited: Promise<void>;

  constructor(binary: string) {
    this.child = spawn(binary, [], { stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdin!.on("error", () => {
      // EPIPE after a crash: reported through 'exit'.
    });
    this.child.stdout!.on("data", (b: Buffer) => {
      this.q.push(b);
      this.drain();
    });
    this.child.stderr!.on("data", (b: Buffer) => {
      this.stderrTail = (this.stderrTail + b.toString("utf8")).slice(-4000);
    });
    this.exited = new Promise((resolve) => {
      const done = (info: string) => {
        if (this.exitInfo !== null) return;
        this.exitInfo = info;
        // Let the last stdout/stderr data events run first.
        setImmediate(() => {
          this.drain();
          this.fail();
          resolve();
        });
      };
      this.child.on("error", (err) => done(`spawn error: ${err.message}`));
      this.child.on("close", (code, signal) =>
        done(signal ? `signal ${signal}` : `exit code ${code}`),
      );
    });
  }

  get alive(): boolean {
    return this.exitInfo === null;
  }

  send(
    items: readonly { protocol: string; type: string; bytes: Uint8Array }[],
  ): Promise<BatchOutcome> {
    if (this.pending) throw new Error("internal: batch already pending");
    return new Promise((resolve) => {
      this.pending = { expect: items.length, results: [], resolve };
      if (!this.alive) {
        this.fail();
        return;
      }
      let size = 4;
      const keys = items.map((it) =>
        Buffer.from(`${it.protocol}:${it.type}`, "utf8"),
      );
      items.forEach((it, i) => (size += 8 + keys[i]!.length + it.bytes.length));
      const buf = Buffer.allocUnsafe(size);
      let o = buf.writeUInt32LE(items.length, 0);
      items.forEach((it, i) => {
        o = buf.writeUInt32LE(keys[i]!.length, o);
        o += keys[i]!.copy(buf, o);
        o = buf.writeUInt32LE(it.bytes.length, o);
        buf.set(it.bytes, o);
        o += it.bytes.length;
      });
      this.child.stdin!.write(buf);
    });
  }

  private drain(): void {
    const p = this.pending;
    if (!p) return;
    while (p.results.length < p.expect && this.q.length >= 5) {
      const len =
        (this.q.peek(1) |
          (this.q.peek(2) << 8) |
          (this.q.peek(3) << 16) |
          (this.q.peek(4) << 24)) >>>
        0;
      if (this.q.length < 5 + len) break;
      const status = this.q.take(5)[0];
      const payload = this.q.take(len);
      p.results.push(
        status === 0
          ? { ok: true, bytes: payload }
          : { ok: false, error: Buffer.from(payload).toString("utf8") },
      );
    }
    if (p.results.length === p.expect) {
      this.pending = null;
      p.resolve({ results: p.results });
    }
  }

  private fail(): void {
    const p = this.pending;
    if (!p || this.exitInfo === null) return;
    this.pending = null;
    const tail = this.stderrTail.trim();
    p.resolve({
      results: p.results,
      crash: `${this.exitInfo}${tail ? `; stderr: ${tail}` : ""}`,
    });
  }

  async close(): Promise<void> {
    if (this.alive) {
      this.child.stdin!.end();
      const timer = setTimeout(() => this.child.kill("SIGKILL"), 5000);
      await this.exited;
      clearTimeout(timer);
    }
  }
}

class Harness implements RpcgenHarness {
  private proc: Proc | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    readonly build: RpcgenProgram,
    readonly types: ReadonlyMap<string, readonly string[]>,
  ) {}

  roundTrip(
    items: readonly { protocol: string; type: string; bytes: Uint8Array }[],
  ): Promise<RoundTripResult[]> {
    if (this.closed)
      return Promise.reject(new Error("rpcgen harness is closed"));
    const run = this.chain.then(() => this.runBatch(items));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async runBatch(
    items: readonly { protocol: string; type: string; bytes: Uint8Array }[],
  ): Promise<RoundTripResult[]> {
    const results = new Array<RoundTripResult>(items.length);
    // Reject locally what the wire format cannot carry.
    const send: number[] = [];
    items.forEach((it, i) => {
      const keyLen = Buffer.byteLength(`${it.protocol}:${it.type}`, "utf8");
      if (keyLen > MAX_KEY)
        results[i] = {
          ok: false,
          error: `type name too long (${keyLen} bytes)`,
        };
      else if (!(it.bytes instanceof Uint8Array))
        results[i] = { ok: false, error: "bytes is not a Uint8Array" };
      else send.push(i);
    });
    let start = 0;
    while (start < send.length) {
      if (!this.proc || !this.proc.alive)
        this.proc = new Proc(this.build.binary);
      const proc = this.proc;
      const outcome = await proc.send(send.slice(start).map((i) => items[i]!));
      outcome.results.forEach((r, k) => (results[send[start + k]!] = r));
      start += outcome.results.length;
      if (outcome.crash !== undefined) {
        this.proc = null;
        if (outcome.crash.startsWith("spawn error")) {
          throw new Error(`cannot run ${this.build.binary}: ${outcome.crash}`);
        }
        // Responses are flushed per item, so the crash was on the first unanswered one.
        if (start < send.length) {
          const i = send[start]!;
          results[i] = {
            ok: false,
            error: `${CRASH_PREFIX} (${outcome.crash}) on ${items[i]!.protocol}:${items[i]!.type}`,
          };
          start++;
        }
      }
    }
    return results;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chain;
    const p = this.proc;
    this.proc = null;
    if (p) await p.close();
  }
}
