// Every way a call can be refused, against the rpcgen-built C server (libtirpc) and ours:
// the same raw call records get byte-identical replies from both, and our client turns each
// refusal into its typed error.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AUTH_NONE_AUTH,
  AUTH_SYS,
  AuthError,
  GarbageArgumentsError,
  OncRpcClient,
  ProcedureUnavailableError,
  ProgramMismatchError,
  ProgramUnavailableError,
  RecordReader,
  RpcMismatchError,
  RpcSystemError,
  authSys,
} from "../../src/runtime/index.js";
import type { XdrCodec } from "../../src/runtime/xdr/codec.js";
import { rpcgenPeersAvailable } from "./support.js";
import {
  buildDemoPeers,
  startBothServers,
  uniqueProgram,
  type BothServers,
} from "../support/oncrpc-peers.js";
import {
  RawConnection,
  callMessage,
  record,
  words,
} from "../support/oncrpc-raw.js";
import { demoServerPrograms } from "./demo-server.js";

const available = rpcgenPeersAvailable();
const xdrInt: XdrCodec<number> = {
  name: "int",
  encode: (w, v) => w.int(v),
  decode: (r) => r.int(),
};

describe.skipIf(!available)(
  "error replies: libtirpc's C server and ours",
  () => {
    const program = uniqueProgram();
    let servers: BothServers;

    beforeAll(async () => {
      servers = await startBothServers(
        await buildDemoPeers(),
        program,
        demoServerPrograms(program, { failEcho: 666 }),
      );
    });
    afterAll(() => servers?.stop());

    const call = (
      over: Partial<{ prog: number; vers: number; proc: number }>,
      args?: Uint8Array,
      cred = AUTH_NONE_AUTH,
    ) =>
      callMessage(
        {
          xid: 0x1234abcd,
          prog: program,
          vers: 1,
          proc: 1,
          cred,
          verf: AUTH_NONE_AUTH,
          ...over,
        },
        args,
      );

    const cases: [string, Uint8Array, string][] = [
      ["NULL procedure", call({ proc: 0 }), "accepted SUCCESS, no results"],
      ["DEMO_ECHO", call({}, words(7)), "SUCCESS 7"],
      ["wrong program", call({ prog: program ^ 1 }, words(7)), "PROG_UNAVAIL"],
      ["wrong version", call({ vers: 3 }, words(7)), "PROG_MISMATCH 1..2"],
      [
        "NULL on a wrong version",
        call({ vers: 9, proc: 0 }),
        "PROG_MISMATCH 1..2",
      ],
      ["unknown procedure", call({ proc: 99 }, words(7)), "PROC_UNAVAIL"],
      [
        "garbage arguments (truncated int)",
        call({}, new Uint8Array(2)),
        "GARBAGE_ARGS",
      ],
      [
        "garbage arguments (string longer than its bound)",
        call({ proc: 3 }, words(1000, 0x41414141)),
        "GARBAGE_ARGS",
      ],
      [
        "trailing bytes after the arguments",
        call({}, words(7, 8)),
        "SUCCESS 7 (ignored, as svc_getargs)",
      ],
      [
        "AUTH_SYS credential",
        call(
          {},
          words(5),
          authSys({ stamp: 1, machinename: "m", uid: 1, gid: 2, gids: [3] }),
        ),
        "SUCCESS 5",
      ],
      [
        "malformed AUTH_SYS credential",
        call({}, words(5), { flavor: AUTH_SYS, body: words(1, 1000) }),
        "AUTH_ERROR AUTH_BADCRED",
      ],
      [
        "unknown credential flavor",
        call({}, words(5), { flavor: 250, body: new Uint8Array(0) }),
        "AUTH_ERROR (rejected credential)",
      ],
    ];

    it.each(cases)("%s: the same reply bytes (%s)", async (_name, message) => {
      const replies: (string | null)[] = [];
      for (const port of [servers.c.port, servers.tsPort]) {
        const conn = await RawConnection.open(port);
        conn.write(record(message));
        const reply = await conn.next();
        conn.close();
        replies.push(reply ? Buffer.from(reply).toString("hex") : null);
      }
      expect(replies[0]).not.toBeNull();
      expect(replies[1]).toBe(replies[0]);
    });

    it("a call of RPC version 3: libtirpc drops the connection, ours answers RPC_MISMATCH 2..2 (RFC 5531)", async () => {
      const bytes = call({}, words(7));
      new DataView(bytes.buffer).setUint32(8, 3); // rpcvers
      const cConn = await RawConnection.open(servers.c.port);
      cConn.write(record(bytes));
      expect(await cConn.next()).toBeNull();
      expect(cConn.closed).toBe(true);
      const ours = await RawConnection.open(servers.tsPort);
      ours.write(record(bytes));
      const reply = await ours.next();
      ours.close();
      expect(Buffer.from(reply!).toString("hex")).toBe(
        Buffer.from(words(0x1234abcd, 1, 1, 0, 2, 2)).toString("hex"),
      );
    });

    describe.each([
      ["the C server", () => servers.c.port],
      ["our server", () => servers.tsPort],
    ])("our client's typed errors from %s", (_name, port) => {
      let client: OncRpcClient;
      beforeAll(async () => {
        client = await OncRpcClient.connect({
          host: "127.0.0.1",
          port: port(),
        });
      });
      afterAll(() => client?.close());

      it("PROG_UNAVAIL", async () => {
        await expect(
          client.call(
            { program: program ^ 1, version: 1, proc: 1 },
            xdrInt,
            1,
            xdrInt,
          ),
        ).rejects.toBeInstanceOf(ProgramUnavailableError);
      });
      it("PROG_MISMATCH with the version range", async () => {
        const e = await client
          .call({ program, version: 7, proc: 1 }, xdrInt, 1, xdrInt)
          .catch((e: unknown) => e);
        expect(e).toBeInstanceOf(ProgramMismatchError);
        expect([
          (e as ProgramMismatchError).low,
          (e as ProgramMismatchError).high,
        ]).toEqual([1, 2]);
        expect((e as Error).message).toContain("versions 1..2");
      });
      it("PROC_UNAVAIL", async () => {
        await expect(
          client.call({ program, version: 1, proc: 42 }, xdrInt, 1, xdrInt),
        ).rejects.toBeInstanceOf(ProcedureUnavailableError);
      });
      it("GARBAGE_ARGS", async () => {
        // DEMO_ADD's arguments cut short after the name's length word.
        await expect(
          client.call({ program, version: 1, proc: 2 }, xdrInt, 40, xdrInt),
        ).rejects.toBeInstanceOf(GarbageArgumentsError);
      });
      it("AUTH_ERROR for a flavor the server does not know", async () => {
        const e = await client
          .call({ program, version: 1, proc: 1 }, xdrInt, 1, xdrInt, {
            cred: { flavor: 250, body: new Uint8Array(0) },
          })
          .catch((e: unknown) => e);
        expect(e).toBeInstanceOf(AuthError);
        expect((e as AuthError).authStatName).toBe("AUTH_REJECTEDCRED");
      });
      it("still answers on the same connection afterwards", async () => {
        expect(
          await client.call(
            { program, version: 1, proc: 1 },
            xdrInt,
            9,
            xdrInt,
          ),
        ).toBe(9);
      });
    });

    it("SYSTEM_ERR when a handler throws (ours; an rpcgen server has no way to send it)", async () => {
      const client = await OncRpcClient.connect({
        host: "127.0.0.1",
        port: servers.tsPort,
      });
      await expect(
        client.call({ program, version: 1, proc: 1 }, xdrInt, 666, xdrInt),
      ).rejects.toBeInstanceOf(RpcSystemError);
      await client.close();
    });

    it("RPC_MISMATCH from a server that speaks another RPC version", async () => {
      // Our server answers RPC version 3 calls with RPC_MISMATCH 2..2; a reply claiming 3..4 is
      // built here by hand and fed to our client through a tiny relay.
      const { createServer } = await import("node:net");
      const relay = createServer((s) => {
        // Whole call records, however TCP cuts or merges the client's writes.
        const calls = new RecordReader();
        s.on("data", (d: Buffer) => {
          for (const call of calls.push(d)) {
            const xid = Buffer.from(call).readUInt32BE(0);
            s.write(record(words(xid, 1, 1, 0, 3, 4)));
          }
        });
      });
      await new Promise<void>((r) => relay.listen(0, "127.0.0.1", r));
      const port = (relay.address() as { port: number }).port;
      const client = await OncRpcClient.connect({ host: "127.0.0.1", port });
      const e = await client
        .call({ program, version: 1, proc: 1 }, xdrInt, 1, xdrInt)
        .catch((e: unknown) => e);
      expect(e).toBeInstanceOf(RpcMismatchError);
      expect([
        (e as RpcMismatchError).low,
        (e as RpcMismatchError).high,
      ]).toEqual([3, 4]);
      await client.close();
      relay.close();
    });
  },
);
