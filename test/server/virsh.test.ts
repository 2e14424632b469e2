// libvirt's own C client, Debian's `virsh`, against the example server (generated remote_protocol
// skeleton + in-memory driver), started with `npm run example:server -- --socket <path>`.
// The driver keeps its state for the life of the server, so these run in order.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findTool, requireTools, virsh } from "../support/libvirtd.js";
import {
  startExampleServer,
  type ExampleServer,
} from "../support/example-server.js";

const haveVirsh = requireTools("virsh");

describe.skipIf(!haveVirsh)("virsh against the example server", () => {
  let srv: ExampleServer;
  let work: string;
  const run = (...args: string[]) => virsh(srv.uri, ...args);

  beforeAll(async () => {
    srv = await startExampleServer();
    work = mkdtempSync(join(tmpdir(), "rpcgen-virsh-"));
  });
  afterAll(async () => {
    await srv?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("version", async () => {
    const out = await run("version");
    expect(out).toContain("Using API: TEST 9.0.0\n");
    expect(out).toContain("Running hypervisor: TEST 0.0.2\n");
    // One log line per call, named after the procedure.
    expect(srv.output()).toMatch(
      /call client=\d+ REMOTE_PROC_CONNECT_GET_VERSION \(remote proc 4\) serial=\d+ ok/,
    );
  });

  it("list --all", async () => {
    expect(await run("list", "--all")).toBe(
      [
        " Id   Name    State",
        "------------------------",
        " 1    test    running",
        " 2    beta    running",
        " -    alpha   shut off",
        "",
        "",
      ].join("\n"),
    );
  });

  it("dominfo", async () => {
    const info = parseColumns(await run("dominfo", "test"));
    expect(info).toMatchObject({
      Id: "1",
      Name: "test",
      UUID: "6695eb01-f6a4-8304-79aa-97f2502e193f",
      "OS Type": "linux",
      State: "running",
      "CPU(s)": "2",
      "Max memory": "8388608 KiB",
      "Used memory": "2097152 KiB",
      Persistent: "yes",
      Autostart: "disable",
    });
  });

  it("start and destroy", async () => {
    expect(await run("start", "alpha")).toBe("Domain 'alpha' started\n\n");
    const started = parseColumns(await run("dominfo", "alpha"));
    expect(started).toMatchObject({ Id: "3", State: "running" });
    expect(await run("destroy", "alpha")).toBe("Domain 'alpha' destroyed\n\n");
    expect(parseColumns(await run("dominfo", "alpha"))).toMatchObject({
      Id: "-",
      State: "shut off",
    });
    await expect(run("destroy", "alpha")).rejects.toThrow(
      "Requested operation is not valid: domain is not running",
    );
  });

  it("define and undefine from an XML file", async () => {
    const file = join(work, "gamma.xml");
    writeFileSync(
      file,
      `<domain type='test'>\n  <name>gamma</name>\n  <uuid>0f0e0d0c-0b0a-0908-0706-050403020100</uuid>\n  <memory unit='MiB'>512</memory>\n  <vcpu>3</vcpu>\n  <os><type>hvm</type></os>\n</domain>\n`,
    );
    expect(await run("define", file)).toBe(
      `Domain 'gamma' defined from ${file}\n\n`,
    );
    expect(parseColumns(await run("dominfo", "gamma"))).toMatchObject({
      Id: "-",
      UUID: "0f0e0d0c-0b0a-0908-0706-050403020100",
      State: "shut off",
      "CPU(s)": "3",
      "Max memory": "524288 KiB",
      Persistent: "yes",
    });
    expect(await run("list", "--all", "--name")).toContain("gamma\n");
    expect(await run("undefine", "gamma")).toBe(
      "Domain 'gamma' has been undefined\n\n",
    );
    await expect(run("dominfo", "gamma")).rejects.toThrow(
      "failed to get domain 'gamma'",
    );
    expect(srv.output()).toMatch(
      /REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME .* error: Domain not found: no domain with matching name 'gamma'/,
    );
  });

  it("event --loop receives lifecycle events", async () => {
    const registered = () =>
      (
        srv
          .output()
          .match(
            /REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY .* ok/g,
          ) ?? []
      ).length;
    const before = registered();
    const ev = spawn(
      findTool("virsh")!,
      ["-c", srv.uri, "event", "--loop", "--event", "lifecycle"],
      { env: { ...process.env, LC_ALL: "C" } },
    );
    let out = "";
    ev.stdout.on("data", (c: Buffer) => (out += c.toString()));
    try {
      await until(() => registered() > before, 10_000);
      await run("start", "alpha");
      await run("destroy", "alpha");
      await until(() => out.includes("Stopped Destroyed"), 10_000);
      expect(out).toContain(
        "event 'lifecycle' for domain 'alpha': Started Booted\n",
      );
      expect(out).toContain(
        "event 'lifecycle' for domain 'alpha': Stopped Destroyed\n",
      );
    } finally {
      ev.kill("SIGINT");
    }
  });

  it("migrate-postcopy (procedure 364) reaches its handler", async () => {
    await expect(run("migrate-postcopy", "test")).resolves.toBe("\n");
    expect(srv.output()).toMatch(
      /^driver: domainMigrateStartPostCopy test flags=0$/m,
    );
    expect(srv.output()).toMatch(
      /REMOTE_PROC_DOMAIN_MIGRATE_START_POST_COPY \(remote proc 364\) serial=\d+ ok/,
    );
    // The handler's own error comes back through virsh.
    await expect(run("migrate-postcopy", "alpha")).rejects.toThrow(
      "Requested operation is not valid: domain is not running",
    );
  });

  it("screenshot streams the image after the reply", async () => {
    const file = join(work, "shot.ppm");
    expect(await run("screenshot", "beta", file)).toContain(
      `Screenshot saved to ${file}, with type of image/x-portable-pixmap`,
    );
    const img = readFileSync(file);
    const header = "P6\n640 480\n255\n";
    expect(img.subarray(0, header.length).toString("ascii")).toBe(header);
    expect(img.length).toBe(header.length + 640 * 480 * 3);
    // Pixel (x=5, y=7): red = x, green = y.
    const p = header.length + (7 * 640 + 5) * 3;
    expect([img[p], img[p + 1]]).toEqual([5, 7]);
  });

  it("a call with no handler is answered 'not supported'", async () => {
    await expect(run("nodeinfo")).rejects.toThrow(
      "this function is not supported by the connection driver: virNodeGetInfo",
    );
  });
});

/** `Key:   value` lines of virsh's dominfo. */
function parseColumns(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([^:]+):\s*(.*)$/.exec(line);
    if (m) out[m[1]!.trim()] = m[2]!.trim();
  }
  return out;
}

async function until(cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
