// libtirpc's own rpcb_prot.x, generated, against the machine's real rpcbind (started if not
// running; see test/support/oncrpc-peers.ts): RPCBPROC_DUMP lists what `rpcinfo -p` prints,
// and our server registers itself on listen (RPCBPROC_SET), answers `rpcinfo -T tcp`, and is
// gone again after close (RPCBPROC_UNSET).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createOncRpcServer,
  type OncRpcServer,
} from "../../src/runtime/index.js";
import { requireTools } from "./support.js";
import {
  ensureRpcbind,
  rpcinfo,
  uniqueProgram,
} from "../support/oncrpc-peers.js";
import * as rpcb from "./generated/rpcb_prot/index.js";
import { demoServerPrograms } from "./demo-server.js";

const available = requireTools("rpcbind", "rpcinfo");

/** `RPCBPROC_DUMP`'s linked list as an array. */
function entries(list: rpcb.rpcblist_ptr): rpcb.rpcb[] {
  const out: rpcb.rpcb[] = [];
  for (let node = list; node; node = node.rpcb_next) out.push(node.rpcb_map);
  return out;
}

/** The rows `rpcinfo -p` prints: IPv4 TCP/UDP registrations, `prog vers proto port`. */
function portmapRows(list: readonly rpcb.rpcb[]): string[] {
  return list
    .filter((e) => e.r_netid === "tcp" || e.r_netid === "udp")
    .map((e) => {
      const parts = e.r_addr.split(".");
      const port = Number(parts[4]) * 256 + Number(parts[5]);
      return `${e.r_prog} ${e.r_vers} ${e.r_netid} ${port}`;
    })
    .sort();
}

function parseRpcinfoP(text: string): string[] {
  return text
    .split("\n")
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 4)
    .map((f) => `${f[0]} ${f[1]} ${f[2]} ${f[3]}`)
    .sort();
}

describe.skipIf(!available)("rpcb_prot.x against rpcbind", () => {
  beforeAll(() => ensureRpcbind());

  async function dump(
    target: { host: string; port: number } | { path: string },
  ) {
    const client = await rpcb.Rpcbvers4Client.connect(target);
    try {
      return entries(await client.rpcbprocDump());
    } finally {
      await client.close();
    }
  }

  /** DUMP and `rpcinfo -p` again until both saw the same moment (other tests register too). */
  async function agreeingSnapshot() {
    for (let attempt = 0; ; attempt++) {
      const ours = portmapRows(await dump({ host: "127.0.0.1", port: 111 }));
      const theirs = parseRpcinfoP(await rpcinfo("-p", "127.0.0.1"));
      if (JSON.stringify(ours) === JSON.stringify(theirs) || attempt === 4)
        return { ours, theirs };
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it("RPCBPROC_DUMP (v4 over TCP) lists exactly what `rpcinfo -p` prints", async () => {
    const { ours, theirs } = await agreeingSnapshot();
    expect(theirs.length).toBeGreaterThanOrEqual(6); // rpcbind's own 3 versions × tcp/udp
    expect(ours).toEqual(theirs);
  });

  it("the same over rpcbind's unix socket (v4) and over UDP (v3)", async () => {
    const overUnix = await dump({ path: "/run/rpcbind.sock" });
    expect(
      overUnix.some((e) => e.r_prog === 100000 && e.r_netid === "tcp"),
    ).toBe(true);
    const v3 = await rpcb.RpcbversClient.connect({
      host: "127.0.0.1",
      port: 111,
      protocol: "udp",
    });
    const overUdp = entries(await v3.rpcbprocDump());
    await v3.close();
    const key = (e: rpcb.rpcb) =>
      `${e.r_prog}/${e.r_vers}/${e.r_netid}/${e.r_addr}`;
    // rpcbind's own registrations are in both, whatever else came and went meanwhile.
    const own = (l: rpcb.rpcb[]) =>
      l
        .filter((e) => e.r_prog === 100000)
        .map(key)
        .sort();
    expect(own(overUdp)).toEqual(own(overUnix));
  });

  describe("our server, registered on listen", () => {
    const program = uniqueProgram();
    let server: OncRpcServer;
    let port: number;
    beforeAll(async () => {
      server = createOncRpcServer({ programs: demoServerPrograms(program) });
      port = Number(
        (
          await server.listen({ host: "127.0.0.1", port: 0, rpcbind: true })
        ).split(":")[1],
      );
    });
    afterAll(() => server?.close());

    it("answers `rpcinfo -T tcp 127.0.0.1 <prog> <vers>` for both versions", async () => {
      for (const vers of ["1", "2"])
        expect(
          await rpcinfo("-T", "tcp", "127.0.0.1", String(program), vers),
        ).toBe(`program ${program} version ${vers} ready and waiting\n`);
    });

    it("is listed by RPCBPROC_DUMP and `rpcinfo -p` with its port", async () => {
      const mine = (rows: string[]) =>
        rows.filter((r) => r.startsWith(`${program} `));
      const { ours, theirs } = await agreeingSnapshot();
      expect(mine(theirs)).toEqual([
        `${program} 1 tcp ${port}`,
        `${program} 2 tcp ${port}`,
      ]);
      expect(mine(ours)).toEqual(mine(theirs));
    });

    it("is unregistered on close (RPCBPROC_UNSET)", async () => {
      await server.close();
      const left = (await dump({ host: "127.0.0.1", port: 111 })).filter(
        (e) => e.r_prog === program,
      );
      expect(left).toEqual([]);
      await expect(
        rpcinfo("-T", "tcp", "127.0.0.1", String(program), "1"),
      ).rejects.toThrow(/not registered|Program not registered/);
    });
  });
});
