// The server runtime in-process, driven by a raw peer: error replies as libvirt sends them (the
// connection stays usable), ACL enforcement before handlers, priority scheduling, the per-client
// call limit, keepalive, events and both stream directions.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  bindProgram,
  createRpcServer,
  type AccessChecker,
  type EventTable,
  type ProcedureTable,
  type ProgramSpec,
  type RpcServer,
  type ServerClient,
  type XdrCodec,
} from "../../src/runtime/index.js";
import { PLAIN_PROCEDURE, u32 } from "../support/hand-written-program.js";
import {
  RawPeer,
  VIR_NET_CONTINUE,
  VIR_NET_ERROR,
  VIR_NET_MESSAGE,
  VIR_NET_OK,
  VIR_NET_STREAM,
  decode,
  decodeError,
} from "../support/raw-rpc.js";

const PROG = 0x31337;
const flagged: XdrCodec<{
  obj: { name: string };
  flags: number;
  source: number;
}> = {
  name: "flagged",
  encode(w, x) {
    w.string(x.obj.name);
    w.uint(x.flags);
    w.int(x.source);
  },
  decode: (r) => ({
    obj: { name: r.string(64) },
    flags: r.uint(),
    source: r.int(),
  }),
};

const procedures = {
  echo: {
    ...PLAIN_PROCEDURE,
    proc: 1,
    name: "T_PROC_ECHO",
    api: "tEcho",
    args: u32,
    ret: u32,
  },
  slow: {
    ...PLAIN_PROCEDURE,
    proc: 2,
    name: "T_PROC_SLOW",
    api: "tSlow",
    args: u32,
    ret: u32,
  },
  fast: {
    ...PLAIN_PROCEDURE,
    proc: 3,
    name: "T_PROC_FAST",
    api: "tFast",
    args: u32,
    ret: u32,
    priority: "high",
  },
  guarded: {
    ...PLAIN_PROCEDURE,
    proc: 4,
    name: "T_PROC_GUARDED",
    api: "tGuarded",
    args: flagged,
    ret: null,
    aclTarget: "obj",
    acl: [
      { object: "thing", permission: "read", text: "thing:read" },
      {
        object: "thing",
        permission: "write",
        text: "thing:write:F_LIVE",
        flags: { mask: 2, set: true, names: "F_LIVE" },
      },
      {
        object: "thing",
        permission: "save",
        text: "thing:save:!F_A|F_B",
        flags: { mask: 12, set: false, names: "F_A|F_B" },
      },
      {
        object: "thing",
        permission: "agent",
        text: "thing:agent::source:SRC_AGENT",
        param: { name: "source", value: 1, valueName: "SRC_AGENT" },
      },
    ],
  },
  unimplemented: {
    ...PLAIN_PROCEDURE,
    proc: 5,
    name: "T_PROC_UNIMPLEMENTED",
    api: "tUnimplemented",
    args: null,
    ret: null,
  },
  download: {
    ...PLAIN_PROCEDURE,
    proc: 6,
    name: "T_PROC_DOWNLOAD",
    api: "tDownload",
    args: u32,
    ret: null,
    stream: "send",
  },
  upload: {
    ...PLAIN_PROCEDURE,
    proc: 7,
    name: "T_PROC_UPLOAD",
    api: "tUpload",
    args: null,
    ret: u32,
    stream: "receive",
  },
  list: {
    ...PLAIN_PROCEDURE,
    proc: 8,
    name: "T_PROC_LIST",
    api: "tList",
    args: null,
    ret: u32,
    aclFilter: [
      { object: "thing", permission: "getattr", text: "thing:getattr" },
    ],
  },
  subscribe: {
    ...PLAIN_PROCEDURE,
    proc: 9,
    name: "T_PROC_SUBSCRIBE",
    api: "tSubscribe",
    args: null,
    ret: null,
  },
} as const satisfies ProcedureTable;
const events = {
  tick: { prog: PROG, vers: 1, proc: 100, name: "T_PROC_TICK", msg: u32 },
} as const satisfies EventTable;
const spec: ProgramSpec<typeof procedures, typeof events> = {
  name: "t",
  program: PROG,
  version: 1,
  procedures,
  events,
};

// ---- a server whose handlers tests can observe and hold

const checks: string[] = [];
let deny = new Set<string>();
const checker: AccessChecker = (identity, object, permission) => {
  checks.push(
    `${object.type}:${permission}:${(object.target as { name?: string } | null)?.name ?? "-"}`,
  );
  return !deny.has(`${object.type}:${permission}`);
};
const ran: string[] = [];
let gates: (() => void)[] = [];
const uploads: Promise<number>[] = [];
let subscriber: ServerClient | null = null;

const program = bindProgram(spec, {
  echo: ({ v }) => ({ v: v + 1 }),
  slow: ({ v }) => new Promise((resolve) => gates.push(() => resolve({ v }))),
  fast: ({ v }) => ({ v: v * 2 }),
  guarded: (args) => {
    ran.push(`guarded flags=${args.flags}`);
  },
  download: ({ v }, ctx) => {
    void (async () => {
      for (let i = 0; i < v; i++)
        await ctx.stream.write(new Uint8Array(300_000).fill(i + 1));
      ctx.stream.end();
    })();
  },
  upload: (_args, ctx) => {
    uploads.push(
      (async () => {
        let n = 0;
        for await (const chunk of ctx.stream) n += chunk.length;
        return n;
      })(),
    );
    return { v: 0 };
  },
  list: async (_args, ctx) => {
    const visible = await ctx.aclFilter([
      { name: "a" },
      { name: "b" },
      { name: "c" },
    ]);
    return { v: visible.length };
  },
  subscribe: (_args, ctx) => {
    subscriber = ctx.client;
  },
});

let dir: string;
let server: RpcServer;
let socket: string;
const log: string[] = [];
const peers: RawPeer[] = [];
const peer = async () => {
  const p = await RawPeer.connect(socket);
  peers.push(p);
  return p;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rpc-dispatch-"));
  socket = join(dir, "sock");
  server = createRpcServer({
    programs: [program],
    accessChecker: checker,
    driverName: "Test",
    limits: {
      workers: 2,
      prioWorkers: 1,
      maxClientRequests: 3,
      keepaliveInterval: 0,
    },
    log: (l) => log.push(l),
  });
  await server.listen({ path: socket });
});
afterEach(() => {
  for (const g of gates) g();
  gates = [];
  deny = new Set();
  checks.length = 0;
  ran.length = 0;
  for (const p of peers.splice(0)) p.close();
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("error replies keep the connection", () => {
  it("answers unknown program, version, procedure and malformed arguments like libvirt, then still serves", async () => {
    const p = await peer();
    p.send({ prog: 0x999, vers: 1, proc: 1, serial: 10 });
    p.send({ prog: PROG, vers: 7, proc: 1, serial: 11 });
    p.send({ prog: PROG, vers: 1, proc: 77, serial: 12 });
    // echo wants 4 bytes of arguments: send none, then 2.
    p.send({ prog: PROG, proc: 1, serial: 13 });
    p.write(
      withLength(
        p
          .frame({ prog: PROG, proc: 1, serial: 17 }, u32, { v: 1 })
          .subarray(0, 30),
      ),
    );
    p.send({ prog: PROG, proc: 5, serial: 14 });
    p.send({ prog: PROG, proc: 1, serial: 15, status: VIR_NET_ERROR });

    const expectError = async (
      serial: number,
      code: number,
      domain: number,
      message: string,
    ) => {
      const f = await p.reply(serial);
      expect(f.header.status).toBe(VIR_NET_ERROR);
      expect(decodeError(f)).toMatchObject({ code, domain, message, level: 2 });
      return f;
    };
    const unknownProg = await expectError(
      10,
      39,
      7,
      "Cannot find program 2457 version 1",
    );
    expect(unknownProg.header).toMatchObject({ prog: 0x999, vers: 1, proc: 1 });
    await expectError(11, 39, 7, `Cannot find program ${PROG} version 7`);
    await expectError(12, 39, 7, "unknown procedure: 77");
    await expectError(13, 39, 7, "Unable to decode message payload");
    await expectError(17, 39, 7, "Unable to decode message payload");
    await expectError(
      14,
      3,
      0,
      "this function is not supported by the connection driver: tUnimplemented",
    );
    await expectError(15, 39, 7, "Unexpected message status 1");

    p.send({ prog: PROG, proc: 1, serial: 16 }, u32, { v: 41 });
    const ok = await p.reply(16);
    expect(ok.header.status).toBe(VIR_NET_OK);
    expect(decode(u32, ok)).toEqual({ v: 42 });
    expect(p.closed).toBe(false);
  });

  it("answers a keepalive PING with a PONG", async () => {
    const p = await peer();
    p.send({
      prog: 0x6b656570,
      vers: 1,
      proc: 1,
      type: VIR_NET_MESSAGE,
      serial: 0,
    });
    const pong = await p.next((f) => f.header.prog === 0x6b656570);
    expect(pong.header).toMatchObject({
      proc: 2,
      type: VIR_NET_MESSAGE,
      status: VIR_NET_OK,
    });
  });
});

/** A frame whose length word is fixed up after truncating its body. */
function withLength(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setUint32(0, out.length);
  return out;
}

describe("ACL rules before the handler", () => {
  const call = async (
    p: RawPeer,
    serial: number,
    flags: number,
    source = 0,
  ) => {
    p.send({ prog: PROG, proc: 4, serial }, flagged, {
      obj: { name: "box" },
      flags,
      source,
    });
    return p.reply(serial);
  };

  it("checks every applicable rule with the object the call names, and runs the handler when all pass", async () => {
    const p = await peer();
    expect((await call(p, 1, 0)).header.status).toBe(VIR_NET_OK);
    // flags 0: thing:write (needs F_LIVE) does not apply; `!F_A|F_B` (mask 12 clear) does.
    expect(checks).toEqual(["thing:read:box", "thing:save:box"]);
    checks.length = 0;
    expect((await call(p, 2, 2 | 4, 1)).header.status).toBe(VIR_NET_OK);
    // F_LIVE set: write applies; F_A set: save does not; source == SRC_AGENT: agent applies.
    expect(checks).toEqual([
      "thing:read:box",
      "thing:write:box",
      "thing:agent:box",
    ]);
    expect(ran).toEqual(["guarded flags=0", "guarded flags=6"]);
  });

  it("answers a denial with libvirt's access-denied error and never runs the handler", async () => {
    const p = await peer();
    deny = new Set(["thing:write"]);
    const allowed = await call(p, 1, 0);
    expect(allowed.header.status).toBe(VIR_NET_OK);
    const denied = await call(p, 2, 2);
    expect(denied.header.status).toBe(VIR_NET_ERROR);
    expect(decodeError(denied)).toMatchObject({
      code: 88,
      domain: 55,
      message: "access denied: 'Test' denied access",
    });
    expect(ran).toEqual(["guarded flags=0"]);
  });

  it("gives @aclfilter procedures a filter for the objects they return", async () => {
    const p = await peer();
    deny = new Set(["thing:getattr"]);
    p.send({ prog: PROG, proc: 8, serial: 1 });
    expect(decode(u32, await p.reply(1))).toEqual({ v: 0 });
    deny = new Set();
    p.send({ prog: PROG, proc: 8, serial: 2 });
    expect(decode(u32, await p.reply(2))).toEqual({ v: 3 });
  });
});

describe("scheduling and limits", () => {
  it("never queues a high-priority call behind low-priority ones", async () => {
    // Two clients fill both ordinary workers with calls that wait.
    const a = await peer();
    const b = await peer();
    a.send({ prog: PROG, proc: 2, serial: 1 }, u32, { v: 1 });
    b.send({ prog: PROG, proc: 2, serial: 1 }, u32, { v: 2 });
    await until(() => gates.length === 2);
    const c = await peer();
    c.send({ prog: PROG, proc: 2, serial: 5 }, u32, { v: 3 }); // low: must wait for a worker
    c.send({ prog: PROG, proc: 3, serial: 6 }, u32, { v: 21 }); // high: runs now
    const fast = await c.reply(6, 2000);
    expect(decode(u32, fast)).toEqual({ v: 42 });
    await expect(c.reply(5, 200)).rejects.toThrow(/timed out/);
    expect(gates.length).toBe(2);
    gates.shift()!();
    await until(() => gates.length === 2); // the queued low call got the freed worker
    for (const g of gates.splice(0)) g();
    expect(decode(u32, await c.reply(5))).toEqual({ v: 3 });
  });

  it("stops reading a client at its calls-in-flight limit; others are served meanwhile", async () => {
    const flood = await peer();
    for (let i = 0; i < 50; i++)
      flood.send({ prog: PROG, proc: 2, serial: 100 + i }, u32, { v: i });
    await until(() => gates.length === 2);
    const client = server.clients.values();
    let held = 0;
    for (const c of client) held = Math.max(held, c.callsInFlight);
    expect(held).toBe(3); // maxClientRequests: the rest of the flood is not even read
    const other = await peer();
    other.send({ prog: PROG, proc: 3, serial: 1 }, u32, { v: 5 });
    expect(decode(u32, await other.reply(1))).toEqual({ v: 10 });
    // Release everything: all 50 answered in order of arrival.
    const answered: number[] = [];
    while (answered.length < 50) {
      for (const g of gates.splice(0)) g();
      const f = await flood.next(() => true, 2000);
      answered.push(f.header.serial);
    }
    expect(answered).toEqual(Array.from({ length: 50 }, (_, i) => 100 + i));
  });
});

describe("events and streams", () => {
  it("sends events to a client as VIR_NET_MESSAGE with serial 0", async () => {
    const p = await peer();
    p.send({ prog: PROG, proc: 9, serial: 1 });
    await p.reply(1);
    subscriber!.sendEvent(events.tick, { v: 7 });
    const ev = await p.next((f) => f.header.type === VIR_NET_MESSAGE);
    expect(ev.header).toMatchObject({
      prog: PROG,
      vers: 1,
      proc: 100,
      serial: 0,
      status: VIR_NET_OK,
    });
    expect(decode(u32, ev)).toEqual({ v: 7 });
  });

  it("sends stream data after the reply, in chunks of at most 262120 bytes, then EOF; confirms the client's finish", async () => {
    const p = await peer();
    p.send({ prog: PROG, proc: 6, serial: 3 }, u32, { v: 2 });
    const frames = [];
    for (;;) {
      const f = await p.next();
      frames.push(f);
      if (f.header.type === VIR_NET_STREAM && f.payload.length === 0) break;
    }
    expect(frames[0]!.header).toMatchObject({
      type: 1,
      serial: 3,
      status: VIR_NET_OK,
    });
    const data = frames.slice(1, -1);
    expect(
      data.every(
        (f) =>
          f.header.type === VIR_NET_STREAM &&
          f.header.status === VIR_NET_CONTINUE &&
          f.header.serial === 3,
      ),
    ).toBe(true);
    expect(Math.max(...data.map((f) => f.payload.length))).toBe(262120);
    expect(data.reduce((n, f) => n + f.payload.length, 0)).toBe(600_000);
    p.send({
      prog: PROG,
      proc: 6,
      serial: 3,
      type: VIR_NET_STREAM,
      status: VIR_NET_OK,
    });
    const confirm = await p.next();
    expect(confirm.header).toMatchObject({
      type: VIR_NET_STREAM,
      status: VIR_NET_OK,
      serial: 3,
    });
    expect(confirm.payload.length).toBe(0);
  });

  it("receives stream data until the client's finish, then confirms", async () => {
    const p = await peer();
    p.send({ prog: PROG, proc: 7, serial: 4 });
    expect((await p.reply(4)).header.status).toBe(VIR_NET_OK);
    const chunk = new Uint8Array(100_000).fill(9);
    for (let i = 0; i < 5; i++)
      p.write(
        withRawPayload(
          p.frame({
            prog: PROG,
            proc: 7,
            serial: 4,
            type: VIR_NET_STREAM,
            status: VIR_NET_CONTINUE,
          }),
          chunk,
        ),
      );
    p.send({
      prog: PROG,
      proc: 7,
      serial: 4,
      type: VIR_NET_STREAM,
      status: VIR_NET_OK,
    });
    const confirm = await p.next((f) => f.header.type === VIR_NET_STREAM);
    expect(confirm.header.status).toBe(VIR_NET_OK);
    expect(await uploads.at(-1)).toBe(500_000);
  });

  it("a client that disconnects mid-stream ends the stream and leaves the server serving", async () => {
    const p = await peer();
    p.send({ prog: PROG, proc: 7, serial: 4 });
    await p.reply(4);
    p.write(
      withRawPayload(
        p.frame({
          prog: PROG,
          proc: 7,
          serial: 4,
          type: VIR_NET_STREAM,
          status: VIR_NET_CONTINUE,
        }),
        new Uint8Array(1000),
      ),
    );
    await new Promise((r) => setTimeout(r, 50));
    p.close();
    await expect(uploads.at(-1)).rejects.toThrow(/client disconnected/);
    const q = await peer();
    q.send({ prog: PROG, proc: 1, serial: 1 }, u32, { v: 1 });
    expect(decode(u32, await q.reply(1))).toEqual({ v: 2 });
  });
});

function withRawPayload(frame: Uint8Array, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(frame.length + payload.length);
  out.set(frame);
  out.set(payload, frame.length);
  new DataView(out.buffer).setUint32(0, out.length);
  return out;
}

async function until(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("listeners and the client limit", () => {
  it("serves TCP as well, and closes connections beyond maxClients", async () => {
    const small = createRpcServer({
      programs: [program],
      limits: { maxClients: 2, keepaliveInterval: 0, busyPollMicros: 500 },
    });
    const addr = await small.listen({ port: 0 });
    const port = Number(addr.split(":").at(-1));
    try {
      const a = await RawPeer.connect({ port });
      const b = await RawPeer.connect({ port });
      a.send({ prog: PROG, proc: 1, serial: 1 }, u32, { v: 1 });
      expect(decode(u32, await a.reply(1))).toEqual({ v: 2 });
      const c = await RawPeer.connect({ port });
      await c.closedPromise;
      b.send({ prog: PROG, proc: 1, serial: 1 }, u32, { v: 2 });
      expect(decode(u32, await b.reply(1))).toEqual({ v: 3 });
      expect([...small.clients].map((x) => x.identity.transport)).toEqual([
        "tcp",
        "tcp",
      ]);
      a.close();
      await until(() => small.clients.size === 1);
      const d = await RawPeer.connect({ port });
      d.send({ prog: PROG, proc: 1, serial: 1 }, u32, { v: 3 });
      expect(decode(u32, await d.reply(1))).toEqual({ v: 4 });
      for (const p of [b, d]) p.close();
    } finally {
      await small.close();
    }
  });

  it("drops a client that never reads its events instead of buffering them forever", async () => {
    const lines: string[] = [];
    const small = createRpcServer({
      programs: [program],
      limits: { outputHighWater: 64 * 1024, keepaliveInterval: 0 },
      log: (l) => lines.push(l),
    });
    const path = join(dir, "small.sock");
    await small.listen({ path });
    try {
      const p = await RawPeer.connect(path);
      p.socket.pause();
      p.send({ prog: PROG, proc: 9, serial: 1 });
      await until(() => subscriber !== null && small.clients.has(subscriber));
      const blob: XdrCodec<Uint8Array> = {
        name: "blob",
        encode: (w, x) => w.varOpaque(x),
        decode: (r) => r.varOpaque(),
      };
      const big = {
        prog: PROG,
        vers: 1,
        proc: 101,
        name: "T_PROC_BLOB",
        msg: blob,
      };
      const chunk = new Uint8Array(64 * 1024);
      for (let i = 0; i < 64 && !subscriber!.isClosed; i++) {
        subscriber!.sendEvent(big, chunk);
        await new Promise((r) => setImmediate(r));
      }
      expect(subscriber!.isClosed).toBe(true);
      expect(
        lines.some((l) =>
          /bytes of output unread; closing the connection/.test(l),
        ),
      ).toBe(true);
      await until(() => small.clients.size === 0);
    } finally {
      await small.close();
    }
  });
});
