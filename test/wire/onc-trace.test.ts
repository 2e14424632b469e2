// Plain ONC RPC (RFC 5531 record marking, rpcgen-style `program` blocks): a libtirpc client
// (test/support/onc/rpcb-client.c) asks the machine's rpcbind for its registrations through
// `virt-rpcgen trace rpcb_prot.x`, captured by tshark. The client must get what `rpcinfo` gets
// directly, the trace must decode the calls and replies (matched by xid), tshark's RPC dissector
// must agree on every message's xid, type, program, version and procedure, and decode | encode
// must give back every captured byte.
import { execFile, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findTool, requireOrSkip } from "../support/libvirtd.js";
import { REPO_ROOT } from "../support/protocol-files.js";
import { startTraceCli, type TraceCli } from "../support/trace-cli.js";
import { startCapture, tsharkPdml } from "../support/tshark.js";
import { loadProtocols } from "../../src/model/index.js";

const RPCB_X = "/usr/include/tirpc/rpc/rpcb_prot.x";
const CLI = join(REPO_ROOT, "dist", "cli.js");
const sh = promisify(execFile);
const haveTools = requireOrSkip(
  "rpcbind, rpcinfo, tshark, gcc, libtirpc-dev",
  findTool("rpcbind") !== null &&
    findTool("rpcinfo") !== null &&
    findTool("tshark") !== null &&
    findTool("gcc") !== null &&
    (() => {
      try {
        readFileSync(RPCB_X);
        return true;
      } catch {
        return false;
      }
    })(),
);

const listening111 = () =>
  new Promise<boolean>((resolve) => {
    const s = createConnection(111, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });

type Line = Record<string, unknown> & {
  xid: number;
  type: string;
  direction: string;
  procedure: unknown;
  body?: Record<string, unknown>;
};

describe.skipIf(!haveTools)(
  "virt-rpcgen trace with plain ONC RPC (rpcbind)",
  () => {
    let dir: string;
    let trace: TraceCli;
    let clientOut = "";
    let lines: Line[] = [];
    let rpcinfo = "";

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "wire-onc-"));
      // rpcbind is a machine singleton: started only when nothing listens on port 111.
      if (!(await listening111())) {
        spawn(findTool("rpcbind")!, ["-w"], {
          stdio: "ignore",
          detached: true,
        }).unref();
        for (let i = 0; i < 100 && !(await listening111()); i++)
          await new Promise((r) => setTimeout(r, 100));
      }
      const client = join(dir, "rpcb-client");
      const flags = execFileSync(
        "pkg-config",
        ["--cflags", "--libs", "libtirpc"],
        {
          encoding: "utf8",
        },
      )
        .trim()
        .split(/\s+/);
      execFileSync("gcc", [
        "-O1",
        "-o",
        client,
        join(REPO_ROOT, "test", "support", "onc", "rpcb-client.c"),
        ...flags,
      ]);
      trace = await startTraceCli([
        RPCB_X,
        "--listen",
        "tcp:127.0.0.1:0",
        "--connect",
        "tcp:127.0.0.1:111",
        "--output",
        join(dir, "trace.jsonl"),
      ]);
      const capture = await startCapture(
        trace.port!,
        join(dir, "capture.pcapng"),
      );
      try {
        clientOut = (await sh(client, [String(trace.port)])).stdout;
      } finally {
        await capture.stop();
        await trace.stop();
      }
      rpcinfo = (await sh(findTool("rpcinfo")!, [])).stdout;
      lines = readFileSync(join(dir, "trace.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Line);
    }, 180_000);

    afterAll(async () => {
      await trace?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    /** rpcinfo's registrations (program version netid address owner), sorted. */
    const registrations = () =>
      rpcinfo
        .trim()
        .split("\n")
        .slice(1)
        .map((l) => l.trim().split(/\s+/))
        .map(([prog, vers, netid, addr, , owner]) =>
          [prog, vers, netid, addr, owner].join(" "),
        )
        .sort();

    it("forwards the client's calls unchanged: it gets what rpcinfo gets", () => {
      const maps = clientOut
        .split("\n")
        .filter((l) => l.startsWith("map "))
        .map((l) => l.slice(4))
        .sort();
      expect(maps).toEqual(registrations());
      expect(clientOut).toMatch(/^getaddr \S+\.0\.111$/m);
    });

    it("decodes the calls and their replies by xid", () => {
      expect(
        lines.map((l) => `${l.direction} ${String(l.procedure)} ${l.type}`),
      ).toEqual([
        "client->server RPCBPROC_DUMP CALL",
        "server->client RPCBPROC_DUMP REPLY",
        "client->server RPCBPROC_GETADDR CALL",
        "server->client RPCBPROC_GETADDR REPLY",
      ]);
      for (const l of lines) expect(l.program).toBe("RPCBPROG");
      // The dump reply: rpcbind's list as a chain of rpcb_next pointers.
      const seen: string[] = [];
      type Node = {
        rpcb_map: Record<string, string | number>;
        rpcb_next: Node | null;
      } | null;
      for (let n = lines[1]!.body!.result as Node; n; n = n.rpcb_next) {
        const m = n.rpcb_map;
        seen.push(
          [m.r_prog, m.r_vers, m.r_netid, m.r_addr, m.r_owner].join(" "),
        );
      }
      expect(seen.sort()).toEqual(registrations());
      expect(lines[2]!.body).toEqual({
        arg1: {
          r_prog: 100000,
          r_vers: 4,
          r_netid: "tcp",
          r_addr: "",
          r_owner: "",
        },
      });
      expect(`getaddr ${(lines[3]!.body as { result: string }).result}`).toBe(
        /^getaddr .*$/m.exec(clientOut)![0],
      );
      expect(lines[3]!.status).toBe("SUCCESS");
    });

    it("agrees with tshark's RPC dissector and decode | encode gives back the bytes", async () => {
      const packets = await tsharkPdml(
        join(dir, "capture.pcapng"),
        trace.port!,
        /^(tcp\.dstport|tcp\.payload|rpc\.(xid|msgtyp|program|programversion|procedure))$/,
        "rpc",
      );
      const theirs: string[] = [];
      const bytes: Record<string, Buffer[]> = { c2s: [], s2c: [] };
      for (const fields of packets) {
        const dst = Number(fields.find((f) => f.name === "tcp.dstport")?.show);
        const payload = fields.find((f) => f.name === "tcp.payload")?.show;
        if (payload)
          bytes[dst === trace.port ? "c2s" : "s2c"]!.push(
            Buffer.from(payload.replace(/:/g, ""), "hex"),
          );
        const get = (n: string) =>
          fields.find((f) => f.name === `rpc.${n}`)?.show;
        if (get("xid") !== undefined)
          theirs.push(
            ["xid", "msgtyp", "program", "programversion", "procedure"]
              .map((n) => Number(get(n)))
              .join(" "),
          );
      }
      const model = loadProtocols([RPCB_X])[0]!;
      const prog = model.programs.find((p) => p.name === "RPCBPROG")!;
      const ours = lines.map((l) => {
        const version = prog.versions.find((v) => v.name === l.version)!;
        const proc = version.procedures.find((p) => p.name === l.procedure)!;
        return [
          l.xid,
          l.type === "CALL" ? 0 : 1,
          prog.number,
          version.number,
          proc.number,
        ].join(" ");
      });
      expect(theirs).toEqual(ours);
      for (const [key, parts] of Object.entries(bytes)) {
        const all = Buffer.concat(parts);
        expect(all.length).toBeGreaterThan(0);
        const file = join(dir, `${key}.bin`);
        writeFileSync(file, all);
        await sh("sh", [
          "-c",
          `"$0" "$1" decode "$2" --input "$3" | "$0" "$1" encode "$2" > "$3.again"`,
          process.execPath,
          CLI,
          RPCB_X,
          file,
        ]);
        expect(readFileSync(`${file}.again`).equals(all), key).toBe(true);
      }
    }, 120_000);
  },
);
