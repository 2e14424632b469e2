// virsh through `virt-rpcgen trace` to a real libvirtd (test driver), captured on loopback TCP
// by tshark: the proxy must carry every virsh command unchanged, its JSON lines must agree with
// what virsh printed and with tshark's libvirt dissector (Debian's libvirt-wireshark), and
// `decode | encode` must give back every captured byte.
import { execFile, spawn } from "node:child_process";
import {
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  findTool,
  requireTools,
  startLibvirtd,
  virsh,
  type Libvirtd,
} from "../support/libvirtd.js";
import { apiEnumValue, requireLibvirtApiXml } from "../support/libvirt-api.js";
import { LIBVIRT_PROTOCOL_DIR, REPO_ROOT } from "../support/protocol-files.js";
import { startTraceCli, type TraceCli } from "../support/trace-cli.js";
import { startCapture, tsharkFields, tsharkPdml } from "../support/tshark.js";
import { FrameReader } from "../../src/runtime/rpc/framing.js";
import { loadProtocols } from "../../src/model/index.js";
import { decodeMessage, WireProtocols } from "../../src/wire/message.js";

const haveTools = requireTools("libvirtd", "virsh", "tshark");
const haveApi = requireLibvirtApiXml();
const sh = promisify(execFile);
const REMOTE_X = join(LIBVIRT_PROTOCOL_DIR, "remote_protocol.x");
const CLI = join(REPO_ROOT, "dist", "cli.js");

type Line = Record<string, unknown> & {
  direction: string;
  connection: number;
  procedure: string;
  type: string;
  status: string;
  serial: number;
  body?: Record<string, unknown>;
  data?: { bytes: number };
  error?: string;
};

describe.skipIf(!haveTools || !haveApi)(
  "virsh through virt-rpcgen trace",
  () => {
    let daemon: Libvirtd;
    let trace: TraceCli;
    let dir: string;
    let uri: string;
    let lines: Line[] = [];
    const out: Record<string, string> = {};
    let postcopyError = "";

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "wire-trace-"));
      daemon = await startLibvirtd();
      trace = await startTraceCli([
        REMOTE_X,
        "--listen",
        "tcp:127.0.0.1:0",
        "--connect",
        daemon.socket,
        "--output",
        join(dir, "trace.jsonl"),
      ]);
      const port = trace.port!;
      uri = `test+tcp://127.0.0.1:${port}/default`;
      const capture = await startCapture(port, join(dir, "capture.pcapng"));
      try {
        out.list = await virsh(uri, "list", "--all");
        out.dominfo = await virsh(uri, "dominfo", "test");
        out.screenshot = await virsh(
          uri,
          "screenshot",
          "test",
          join(dir, "shot"),
        );
        // Events: a listener connection, then a state change from a second connection while the
        // first is open (the test driver's state is shared by open connections).
        const events = spawn(
          findTool("virsh")!,
          ["-c", uri, "event", "--loop", "--all", "--timeout", "60"],
          { env: { ...process.env, LC_ALL: "C" } },
        );
        let eventsOut = "";
        events.stdout.on("data", (c: Buffer) => (eventsOut += c.toString()));
        const eventsDone = new Promise<void>((r) =>
          events.once("exit", () => r()),
        );
        const waitFor = async (ok: () => boolean, what: string) => {
          for (let i = 0; i < 600 && !ok(); i++)
            await new Promise((r) => setTimeout(r, 100));
          if (!ok()) throw new Error(`timed out waiting for ${what}`);
        };
        // Registered once its callback-register calls were answered (the trace file says so).
        const traced = () => {
          try {
            return readFileSync(join(dir, "trace.jsonl"), "utf8");
          } catch {
            return "";
          }
        };
        await waitFor(
          () =>
            /"procedure":"REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY"[^\n]*"VIR_NET_REPLY"/.test(
              traced(),
            ),
          "virsh event to register",
        );
        out.suspend = await virsh(uri, "suspend", "test");
        out.resume = await virsh(uri, "resume", "test");
        await waitFor(
          () => (eventsOut.match(/event 'lifecycle'/g) ?? []).length >= 2,
          "two lifecycle events",
        );
        events.kill("SIGINT");
        await eventsDone;
        out.events = eventsOut;
        postcopyError = await virsh(uri, "migrate-postcopy", "test").then(
          () => "",
          (e: Error) => e.message,
        );
      } finally {
        await capture.stop();
        await trace.stop();
      }
      lines = readFileSync(join(dir, "trace.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Line);
    }, 240_000);

    afterAll(async () => {
      await trace?.stop();
      await daemon?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const calls = (procedure: string) =>
      lines.filter(
        (l) => l.procedure === procedure && l.type === "VIR_NET_CALL",
      );
    const replyTo = (call: Line) =>
      lines.find(
        (l) =>
          l.connection === call.connection &&
          l.serial === call.serial &&
          l.type === "VIR_NET_REPLY",
      )!;

    it("carries every virsh command and decodes every message", () => {
      expect(out.list).toMatch(/^\s*1\s+test\s+running\s*$/m);
      expect(out.dominfo).toMatch(/^Name:\s+test$/m);
      expect(out.screenshot).toContain("Screenshot saved");
      expect(out.events).toMatch(/Suspended[^]*Resumed/);
      expect(postcopyError).toContain("virDomainMigrateStartPostCopy");
      expect(lines.filter((l) => l.error !== undefined)).toEqual([]);
      for (const l of lines) {
        expect(l.program).toBe("REMOTE_PROGRAM");
        expect(l.procedure).toMatch(/^REMOTE_PROC_/);
      }
      // Every call has its reply (streams and events aside).
      for (const c of lines.filter((l) => l.type === "VIR_NET_CALL"))
        expect(replyTo(c), c.procedure).toBeDefined();
    });

    it("names the calls with their decoded arguments and replies", () => {
      const list = calls("REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS")[0]!;
      const domains = replyTo(list).body!.domains as {
        name: string;
        id: number;
      }[];
      expect(domains.map((d) => `${d.id} ${d.name}`)).toEqual(["1 test"]);

      const info = calls("REMOTE_PROC_DOMAIN_GET_INFO")[0]!;
      expect((info.body!.dom as { name: string }).name).toBe("test");
      const ret = replyTo(info).body!;
      const kib = (label: string) =>
        new RegExp(`^${label}:\\s+(\\d+) KiB$`, "m").exec(out.dominfo!)![1];
      expect(ret.maxMem).toBe(kib("Max memory"));
      expect(ret.memory).toBe(kib("Used memory"));
      expect(String(ret.nrVirtCpu)).toBe(
        /^CPU\(s\):\s+(\d+)$/m.exec(out.dominfo!)![1],
      );
      // The uuid virsh printed is the one on the wire (opaque data as base64).
      const uuid = /^UUID:\s+(\S+)$/m.exec(out.dominfo!)![1]!.replace(/-/g, "");
      const dom = info.body!.dom as { uuid: string };
      expect(Buffer.from(dom.uuid, "base64").toString("hex")).toBe(uuid);
    });

    it("shows the screenshot stream by size", () => {
      const call = calls("REMOTE_PROC_DOMAIN_SCREENSHOT")[0]!;
      expect(call.body).toMatchObject({ screen: 0, flags: 0 });
      expect(replyTo(call).body!.mime).toMatch(/^image\//);
      const data = lines.filter(
        (l) =>
          l.connection === call.connection &&
          l.procedure === "REMOTE_PROC_DOMAIN_SCREENSHOT" &&
          l.type === "VIR_NET_STREAM" &&
          l.data !== undefined,
      );
      const total = data.reduce((n, l) => n + l.data!.bytes, 0);
      expect(total).toBe(statSync(join(dir, "shot")).size);
    });

    it("decodes the lifecycle events virsh received", () => {
      const events = lines.filter(
        (l) => l.procedure === "REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE",
      );
      expect(events.map((e) => e.type)).toEqual([
        "VIR_NET_MESSAGE",
        "VIR_NET_MESSAGE",
      ]);
      const kinds = events.map(
        (e) => (e.body!.msg as { event: number; dom: { name: string } }).event,
      );
      expect(kinds).toEqual([
        apiEnumValue("VIR_DOMAIN_EVENT_SUSPENDED"),
        apiEnumValue("VIR_DOMAIN_EVENT_RESUMED"),
      ]);
      expect(out.events).toMatch(/lifecycle.*'test'.*Suspended/);
    });

    it("shows virDomainMigrateStartPostCopy with its error", () => {
      const call = calls("REMOTE_PROC_DOMAIN_MIGRATE_START_POST_COPY")[0]!;
      expect(call.api).toBe("virDomainMigrateStartPostCopy");
      expect(call.body).toMatchObject({ dom: { name: "test" }, flags: 0 });
      const reply = replyTo(call);
      expect(reply.status).toBe("VIR_NET_ERROR");
      expect(reply.body!.code).toBe(apiEnumValue("VIR_ERR_NO_SUPPORT"));
      expect(postcopyError).toContain(reply.body!.message as string);
    });

    /** The captured TCP payload of each direction of each connection, in order. */
    let streamsCache: Map<string, Buffer> | undefined;
    async function capturedStreams(): Promise<Map<string, Buffer>> {
      if (streamsCache) return streamsCache;
      const rows = await tsharkFields(
        join(dir, "capture.pcapng"),
        trace.port!,
        ["tcp.stream", "tcp.dstport", "tcp.payload"],
      );
      const streams = new Map<string, Buffer[]>();
      for (const [stream, dst, payload] of rows) {
        if (!payload) continue;
        const key = `${stream}/${Number(dst) === trace.port ? "c2s" : "s2c"}`;
        const parts = streams.get(key) ?? [];
        parts.push(Buffer.from(payload.replace(/:/g, ""), "hex"));
        streams.set(key, parts);
      }
      streamsCache = new Map(
        [...streams].map(([k, v]) => [k, Buffer.concat(v)]),
      );
      return streamsCache;
    }

    it("agrees with tshark's libvirt dissector on every message", async () => {
      const HEADER = [
        "program",
        "version",
        "procedure",
        "type",
        "serial",
        "status",
      ];
      const packets = await tsharkPdml(
        join(dir, "capture.pcapng"),
        trace.port!,
        /^(tcp\.stream|tcp\.dstport|libvirt\.(program|version|procedure|type|serial|status))$/,
      );
      // tshark's view: per connection and direction, each header as "name (number)" per field.
      const theirs = new Map<string, string[]>();
      for (const fields of packets) {
        const stream = fields.find((f) => f.name === "tcp.stream")?.show;
        const dst = fields.find((f) => f.name === "tcp.dstport")?.show;
        const key = `${stream}/${Number(dst) === trace.port ? "c2s" : "s2c"}`;
        const lv = fields.filter((f) => f.name.startsWith("libvirt."));
        for (let i = 0; i + HEADER.length <= lv.length; i += HEADER.length) {
          const header = lv.slice(i, i + HEADER.length).map((f, k) => {
            expect(f.name).toBe(`libvirt.${HEADER[k]}`);
            // "procedure: AUTH_LIST (66)" -> "AUTH_LIST 66"; "serial: 3" -> "3"
            const m = /^\w+: (\S+) \((\S+)\)$/.exec(f.showname);
            return m ? `${m[1]} ${Number(m[2])}` : String(Number(f.show));
          });
          const list = theirs.get(key) ?? [];
          list.push(header.join(" | "));
          theirs.set(key, list);
        }
      }
      // Ours: the same bytes through decode's decoder, names as tshark shortens them, and
      // the numbers of the header on the wire.
      const protocols = new WireProtocols(loadProtocols([REMOTE_X]));
      const ours = new Map<string, string[]>();
      for (const [key, bytes] of await capturedStreams()) {
        const frames = new FrameReader(Number.MAX_SAFE_INTEGER).push(bytes);
        const decoded = frames.map(
          (f) => decodeMessage(protocols, f) as unknown as Line,
        );
        ours.set(
          key,
          decoded.map((m, i) => {
            const v = new DataView(
              frames[i]!.buffer,
              frames[i]!.byteOffset + 4,
              24,
            );
            const short = (name: unknown, re: RegExp) =>
              String(name).replace(re, "");
            return [
              `${short(m.program, /_PROGRAM$/)} ${v.getUint32(0)}`,
              String(m.version),
              `${short(m.procedure, /^REMOTE_PROC_/)} ${v.getInt32(8)}`,
              `${short(m.type, /^VIR_NET_/)} ${v.getInt32(12)}`,
              String(m.serial),
              `${short(m.status, /^VIR_NET_/)} ${v.getInt32(20)}`,
            ].join(" | ");
          }),
        );
      }
      expect(theirs.size).toBeGreaterThan(0);
      expect([...theirs.keys()].sort()).toEqual([...ours.keys()].sort());
      for (const [key, list] of theirs)
        expect(list, key).toEqual(ours.get(key));
      // Every message of every virsh command was compared.
      const total = [...theirs.values()].reduce((n, l) => n + l.length, 0);
      expect(total).toBe(lines.length);
    }, 120_000);

    it("decode | encode gives back every captured byte", async () => {
      const streams = await capturedStreams();
      for (const dirn of ["c2s", "s2c"]) {
        // Each connection's messages, one connection after the other: still a message stream.
        const bytes = Buffer.concat(
          [...streams].filter(([k]) => k.endsWith(dirn)).map(([, v]) => v),
        );
        const file = join(dir, `all-${dirn}.bin`);
        writeFileSync(file, bytes);
        const { stdout } = await sh(
          "sh",
          [
            "-c",
            `"$0" "$1" decode "$2" --input "$3" | "$0" "$1" encode "$2" > "$3.again"`,
            process.execPath,
            CLI,
            REMOTE_X,
            file,
          ],
          { maxBuffer: 1024 * 1024 },
        );
        expect(stdout).toBe("");
        const again = readFileSync(`${file}.again`);
        expect(again.length).toBe(bytes.length);
        expect(again.equals(bytes)).toBe(true);
      }
    }, 120_000);
  },
);
