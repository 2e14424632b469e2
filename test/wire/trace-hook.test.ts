// The library hook: `RemoteClient.connect(uri, { trace })` and `createRpcServer({ trace })`
// print the same lines as `virt-rpcgen trace`, whose lines are checked against virsh and
// tshark in trace-virsh.test.ts. Here the generated client talks to a real libvirtd through the
// CLI proxy, and every line the client printed must match the proxy's line for that message.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createRpcServer } from "virt-rpcgen/runtime";
import {
  RemoteClient,
  remoteServerProgram,
} from "../../generated/remote_protocol/index.js";
import {
  requireTools,
  startLibvirtd,
  type Libvirtd,
} from "../support/libvirtd.js";
import { LIBVIRT_PROTOCOL_DIR } from "../support/protocol-files.js";
import { startTraceCli, type TraceCli } from "../support/trace-cli.js";

const haveLibvirtd = requireTools("libvirtd");
const REMOTE_X = join(LIBVIRT_PROTOCOL_DIR, "remote_protocol.x");

type Line = Record<string, unknown>;
const HEADER = [
  "direction",
  "program",
  "version",
  "procedure",
  "api",
  "type",
  "serial",
  "status",
];
const headerOf = (l: Line) => HEADER.map((k) => l[k]);

describe.skipIf(!haveLibvirtd)("trace hook", () => {
  let daemon: Libvirtd;
  let proxy: TraceCli;
  let dir: string;
  const clientLines: Line[] = [];
  let proxyLines: Line[] = [];
  let postcopy = "";

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "wire-hook-"));
    daemon = await startLibvirtd();
    const sock = join(dir, "proxy.sock");
    proxy = await startTraceCli([
      REMOTE_X,
      "--listen",
      sock,
      "--connect",
      daemon.socket,
      "--output",
      join(dir, "trace.jsonl"),
    ]);
    const client = await RemoteClient.connect(
      `test+unix:///default?socket=${sock}`,
      { trace: (line) => clientLines.push(JSON.parse(line) as Line) },
    );
    const { domains } = await client.connectListAllDomains(1);
    await client.domainGetInfo(domains[0]!);
    postcopy = await client.domainMigrateStartPostCopy(domains[0]!).then(
      () => "",
      (e: Error) => e.message,
    );
    await client.close();
    await proxy.stop();
    proxyLines = readFileSync(join(dir, "trace.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Line);
  }, 120_000);

  afterAll(async () => {
    await proxy?.stop();
    await daemon?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("prints the proxy's line for every message of the connection", () => {
    expect(postcopy).toContain("virDomainMigrateStartPostCopy");
    expect(clientLines.length).toBeGreaterThan(6);
    expect(clientLines.map(headerOf)).toEqual(proxyLines.map(headerOf));
    for (const l of clientLines) expect(l.error).toBeUndefined();
  });

  it("decodes the bodies as the proxy does", () => {
    const bodies = (lines: Line[], procedure: string) =>
      lines.filter((l) => l.procedure === procedure).map((l) => l.body);
    for (const p of [
      "REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS",
      "REMOTE_PROC_DOMAIN_GET_INFO",
      "REMOTE_PROC_DOMAIN_MIGRATE_START_POST_COPY",
    ]) {
      const ours = bodies(clientLines, p);
      expect(ours.length, p).toBe(2);
      expect(ours, p).toEqual(bodies(proxyLines, p));
    }
  });

  it("keeps only the procedures asked for", async () => {
    const lines: Line[] = [];
    const client = await RemoteClient.connect(daemon.uri, {
      trace: {
        write: (l) => lines.push(JSON.parse(l) as Line),
        procedures: ["virDomainGetInfo", "connectListAllDomains"],
      },
    });
    const { domains } = await client.connectListAllDomains(1);
    await client.domainGetInfo(domains[0]!);
    await client.close();
    expect(
      lines.map((l) => `${String(l.procedure)} ${String(l.type)}`),
    ).toEqual([
      "REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS VIR_NET_CALL",
      "REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS VIR_NET_REPLY",
      "REMOTE_PROC_DOMAIN_GET_INFO VIR_NET_CALL",
      "REMOTE_PROC_DOMAIN_GET_INFO VIR_NET_REPLY",
    ]);
  });

  it("prints the same lines on the server side", async () => {
    const serverLines: Line[] = [];
    const server = createRpcServer({
      programs: [
        remoteServerProgram({
          authList: () => ({ types: [] }),
          connectSupportsFeature: () => ({ supported: 0 }),
          connectOpen: () => {},
          connectClose: () => {},
          connectListAllDomains: () => ({
            domains: [{ name: "d", uuid: new Uint8Array(16), id: 7 }],
            ret: 1,
          }),
          domainGetInfo: () => ({
            state: 1,
            maxMem: 2n ** 60n,
            memory: 1024n,
            nrVirtCpu: 1,
            cpuTime: 0n,
          }),
        }),
      ],
      trace: (l) => serverLines.push(JSON.parse(l) as Line),
    });
    const sock = join(dir, "server.sock");
    await server.listen({ path: sock });
    const lines: Line[] = [];
    const client = await RemoteClient.connect(
      `test+unix:///default?socket=${sock}`,
      { trace: (l) => lines.push(JSON.parse(l) as Line) },
    );
    const { domains } = await client.connectListAllDomains(1);
    const info = await client.domainGetInfo(domains[0]!);
    await client.close();
    // close() sends CONNECT_CLOSE without waiting for its reply (as libvirt's client does on
    // a socket); the server must still trace that last call before the test closes it.
    await vi.waitFor(
      () => expect(serverLines.length).toBeGreaterThanOrEqual(lines.length),
      { timeout: 5000 },
    );
    await server.close();
    expect(info.maxMem).toBe(2n ** 60n);
    const strip = (l: Line) => {
      const rest = { ...l };
      delete rest.time;
      delete rest.connection;
      return rest;
    };
    expect(serverLines.map(strip)).toEqual(lines.map(strip));
    expect(
      serverLines.find(
        (l) =>
          l.procedure === "REMOTE_PROC_DOMAIN_GET_INFO" &&
          l.type === "VIR_NET_REPLY",
      )!.body,
    ).toMatchObject({ maxMem: "1152921504606846976", memory: "1024" });
  });
});
