// The proxy never changes what it forwards and keeps going when a message cannot be decoded:
// a raw socket sends libvirtd (through `virt-rpcgen trace`) a call whose arguments are garbage,
// then a good one; libvirtd answers both, the trace prints the bad call raw with the reason.
// Then the CLI's decode rejects bad bytes with the field path and exit status 1.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createConnection, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  requireTools,
  startLibvirtd,
  type Libvirtd,
} from "../support/libvirtd.js";
import { LIBVIRT_PROTOCOL_DIR, REPO_ROOT } from "../support/protocol-files.js";
import { startTraceCli, type TraceCli } from "../support/trace-cli.js";
import { FrameReader } from "../../src/runtime/rpc/framing.js";

const haveLibvirtd = requireTools("libvirtd");
const REMOTE_X = join(LIBVIRT_PROTOCOL_DIR, "remote_protocol.x");
const CLI = join(REPO_ROOT, "dist", "cli.js");

/** A libvirt frame: length, header (REMOTE_PROGRAM v1, CALL, status OK), payload. */
function call(proc: number, serial: number, payload: Uint8Array): Buffer {
  const b = Buffer.alloc(28 + payload.length);
  b.writeUInt32BE(b.length, 0);
  b.writeUInt32BE(0x20008086, 4);
  b.writeUInt32BE(1, 8);
  b.writeInt32BE(proc, 12);
  b.writeInt32BE(0, 16);
  b.writeUInt32BE(serial, 20);
  b.writeInt32BE(0, 24);
  Buffer.from(payload).copy(b, 28);
  return b;
}

describe.skipIf(!haveLibvirtd)("trace with undecodable messages", () => {
  let daemon: Libvirtd;
  let proxy: TraceCli;
  let dir: string;
  const proxyAt = (name: string) => ({
    socket: join(dir, `${name}.sock`),
    log: join(dir, `${name}.jsonl`),
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "wire-robust-"));
    daemon = await startLibvirtd();
    proxy = await startTraceCli([
      REMOTE_X,
      "--listen",
      join(dir, "proxy.sock"),
      "--connect",
      daemon.socket,
      "--output",
      join(dir, "trace.jsonl"),
    ]);
  }, 120_000);

  afterAll(async () => {
    await proxy?.stop();
    await daemon?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("prints a bad call raw with the reason and keeps forwarding", async () => {
    const socket: Socket = createConnection(join(dir, "proxy.sock"));
    const frames = new FrameReader();
    const replies: Uint8Array[] = [];
    socket.on("data", (c: Buffer) => replies.push(...frames.push(c)));
    await new Promise((r) => socket.once("connect", r));
    // REMOTE_PROC_DOMAIN_GET_INFO (16) with 6 bytes of arguments: not a remote_domain_get_info_args.
    const bad = call(16, 1, Buffer.from("garbag"));
    // REMOTE_PROC_CONNECT_GET_VERSION (4): no arguments.
    const good = call(4, 2, new Uint8Array(0));
    socket.write(Buffer.concat([bad, good]));
    for (let i = 0; i < 300 && replies.length < 2; i++)
      await new Promise((r) => setTimeout(r, 50));
    socket.destroy();
    // libvirtd got both calls as they were sent: it answered each serial (its worker threads
    // may answer the two calls in either order).
    const serials = replies.map((f) => Buffer.from(f).readUInt32BE(20));
    expect(serials.sort((a, b) => a - b)).toEqual([1, 2]);
    await proxy.stop();
    const lines = readFileSync(join(dir, "trace.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const badLine = lines.find(
      (l) => l.serial === 1 && l.type === "VIR_NET_CALL",
    )!;
    expect(badLine.procedure).toBe("REMOTE_PROC_DOMAIN_GET_INFO");
    expect(badLine.error).toMatch(/remote_domain_get_info_args\.dom/);
    expect(badLine.raw).toBe(bad.toString("hex"));
    const goodLine = lines.find(
      (l) => l.serial === 2 && l.type === "VIR_NET_CALL",
    )!;
    expect(goodLine.procedure).toBe("REMOTE_PROC_CONNECT_GET_VERSION");
    expect(goodLine.error).toBeUndefined();
    // Both replies are decoded (libvirtd's errors: the connection was never opened).
    // In serial order: libvirtd's workers may answer the two calls in either order.
    const answers = lines
      .filter((l) => l.type === "VIR_NET_REPLY")
      .sort((a, b) => Number(a.serial) - Number(b.serial));
    expect(answers.map((l) => [l.serial, l.status])).toEqual([
      [1, "VIR_NET_ERROR"],
      [2, "VIR_NET_ERROR"],
    ]);
    for (const a of answers) expect(a.body).toHaveProperty("message");
  });

  it("writes a line far longer than its output buffer whole, non-ASCII text included", async () => {
    // The lines go through a reused 128 KiB buffer: one of ~1.2 MB (300,000 characters of 1 to
    // 4 bytes of UTF-8) must come out whole, between two ordinary ones.
    const big = proxyAt("big");
    const started = await startTraceCli([
      REMOTE_X,
      "--listen",
      big.socket,
      "--connect",
      daemon.socket,
      "--output",
      big.log,
    ]);
    const xml = "<domain>é€😀</domain>".repeat(15_000);
    const bytes = Buffer.from(xml, "utf8");
    const arg = Buffer.alloc(4 + ((bytes.length + 3) & ~3));
    arg.writeUInt32BE(bytes.length, 0);
    bytes.copy(arg, 4);
    const socket: Socket = createConnection(big.socket);
    const frames = new FrameReader();
    const replies: Uint8Array[] = [];
    socket.on("data", (c: Buffer) => replies.push(...frames.push(c)));
    await new Promise((r) => socket.once("connect", r));
    // CONNECT_GET_VERSION, DOMAIN_DEFINE_XML (11) with the big string, CONNECT_GET_VERSION.
    socket.write(
      Buffer.concat([
        call(4, 1, new Uint8Array(0)),
        call(11, 2, arg),
        call(4, 3, new Uint8Array(0)),
      ]),
    );
    for (let i = 0; i < 300 && replies.length < 3; i++)
      await new Promise((r) => setTimeout(r, 50));
    socket.destroy();
    expect(replies).toHaveLength(3);
    await started.stop();
    const lines = readFileSync(big.log, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const calls = lines.filter((l) => l.type === "VIR_NET_CALL");
    expect(calls.map((l) => [l.serial, l.procedure])).toEqual([
      [1, "REMOTE_PROC_CONNECT_GET_VERSION"],
      [2, "REMOTE_PROC_DOMAIN_DEFINE_XML"],
      [3, "REMOTE_PROC_CONNECT_GET_VERSION"],
    ]);
    expect((calls[1]!.body as { xml: string }).xml).toBe(xml);
    expect(lines.filter((l) => l.type === "VIR_NET_REPLY")).toHaveLength(3);
  });

  it("decode gives the field path of bad bytes and exit status 1", async () => {
    const bytes = call(16, 1, Buffer.from("garbag")).toString("hex");
    const result = await new Promise<{ code: number | null; stderr: string }>(
      (resolve) =>
        execFile(
          process.execPath,
          [CLI, "decode", REMOTE_X, "--hex", bytes],
          (err, _stdout, stderr) =>
            resolve({ code: err ? (err.code as number) : 0, stderr }),
        ),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^virt-rpcgen: message 1 \(at byte 0\): XDR \S+: .* \(at remote_domain_get_info_args\.dom\.\S+\)\n$/,
    );
  });
});
