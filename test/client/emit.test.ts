// The client emitter: which procedures become methods, calls or events; method shapes; flags
// typed from libvirt's API description.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadProtocols, type ProtocolModel } from "../../src/index.js";
import { clientRole, emitClientModule } from "../../src/emit/ts-client.js";
import { formatChunks } from "../../src/emit/chunks.js";
import * as remoteApi from "../../generated/remote_protocol/api.js";
import {
  LIBVIRT_X_FILES,
  REPO_ROOT,
  ensureProtocolFiles,
} from "../support/protocol-files.js";
import {
  apiEnumMembers,
  requireLibvirtApiXml,
} from "../support/libvirt-api.js";

const emit = async (p: ProtocolModel) => {
  const m = emitClientModule(p, {
    runtimeImport: "virt-rpcgen/runtime",
    importPathOf: (o) => `../${o.name}/codecs.js`,
  });
  return formatChunks(
    m.header,
    m.chunks,
    join(REPO_ROOT, "generated", p.name, "client.ts"),
  );
};

const dir = ensureProtocolFiles();
const protocols = loadProtocols(
  LIBVIRT_X_FILES.map((n) => join(dir, `${n}.x`)),
);
const remote = protocols.find((p) => p.name === "remote_protocol")!;
const remoteText = readFileSync(
  join(REPO_ROOT, "generated", "remote_protocol", "client.ts"),
  "utf8",
);

describe("client emitter", () => {
  it("emits a method for a client-side call and only a typed listener for a *_msg procedure", async () => {
    const [demo] = loadProtocols([
      join(REPO_ROOT, "test", "fixtures", "demo_protocol.x"),
    ]);
    const text = await emit(demo!);
    expect(text).toContain(
      [
        "  /**",
        "   * `virPing`: `DEMO_PROC_PING` = 1 (demo_protocol.x).",
        "   *",
        "   * ACL: `none`.",
        "   * Resolves with `demo_ping_ret.echo`.",
        "   */",
        "  ping(",
        "    payload: demo.demo_everything,",
        "    flags: number = 0,",
        "    options?: CallOptions,",
        "  ): Promise<demo.demo_everything> {",
        "    return this.invoke(",
        "      demo.DEMO_PROC_PING,",
        "      demo.xdr_demo_ping_args,",
        "      { payload, flags },",
        "      demo.xdr_demo_ping_ret,",
        "      options,",
        "    ).then((r) => r.echo);",
        "  }",
      ].join("\n"),
    );
    expect(text).toContain(
      [
        "export interface DemoClientEvents {",
        "  /** `DEMO_PROC_TICK` */",
        "  tick: demo.demo_tick_msg;",
        "}",
      ].join("\n"),
    );
    expect(text).toContain(
      '    [demo.DEMO_PROC_TICK]: ["tick", demo.xdr_demo_tick_msg],',
    );
    expect(text).not.toMatch(/\n {2}tick\(/);
  });

  it("never makes a method of a server→client message, even one annotated @generate: both", () => {
    const events = remote.procedures.filter((x) => x.msg !== null);
    expect(events.length).toBe(51);
    expect(
      events.filter((x) => x.annotations?.generate === "both").length,
    ).toBeGreaterThan(30);
    for (const x of events) {
      expect(clientRole(x)).toBe("event");
      expect(remoteText, x.constName).not.toMatch(
        new RegExp(`\\n  ${x.methodName}\\(`),
      );
      expect(remoteText, x.constName).toContain(
        `  ${x.methodName}: remote.${x.msg!.name};`,
      );
      expect(remoteText, x.constName).toMatch(
        new RegExp(
          `\\[remote\\.${x.constName}\\]: \\[\\s*"${x.methodName}",\\s*remote\\.xdr_${x.msg!.name},?\\s*\\]`,
        ),
      );
    }
  });

  it("gives every call procedure a method whatever its @generate, and keeps each in the typed call map", () => {
    let handWritten = 0;
    for (const x of remote.procedures) {
      if (x.msg) continue;
      const side = x.annotations!.generate;
      if (side === "none" || side === "server") handWritten++;
      const method = new RegExp(`\\n  ${x.methodName}\\(`);
      const mapped = new RegExp(`\\n  \\[remote\\.${x.constName}\\]: \\{`);
      expect(remoteText, x.constName).toMatch(method);
      expect(remoteText, x.constName).toMatch(mapped);
    }
    // libvirt 9.0.0 writes the C client of 99 calls by hand (the call map's entries before
    // this change): they are methods all the same.
    expect(handWritten).toBe(99);
    for (const m of [
      "domainCreate",
      "domainGetState",
      "connectGetAllDomainStats",
      "connectGetType",
      "connectDomainEventCallbackRegisterAny",
    ])
      expect(remoteText).toMatch(new RegExp(`\\n  ${m}\\(`));
    expect(remoteText).toMatch(
      /\n {2}domainMigrateStartPostCopy\(\n {4}dom: remote\.remote_nonnull_domain,\n {4}flags: number = 0,\n {4}options\?: CallOptions,\n {2}\): Promise<void> \{/,
    );
  });

  it("unwraps single-member rets and returns the others whole", () => {
    expect(remoteText).toMatch(
      / {2}connectGetVersion\(options\?: CallOptions\): Promise<bigint> \{[^}]*\.then\(\(r\) => r\.hv_ver\);/,
    );
    expect(remoteText).toMatch(
      / {2}domainLookupByName\(\n {4}name: remote\.remote_nonnull_string,\n {4}options\?: CallOptions,\n {2}\): Promise<remote\.remote_nonnull_domain> \{/,
    );
    expect(remoteText).toMatch(
      /\): Promise<remote\.remote_domain_get_info_ret> \{/,
    );
  });

  it("gives @readstream/@writestream procedures a stream, sparse when their @sparseflag is set", () => {
    expect(remoteText).toMatch(
      /\): Promise<StreamReply<remote\.remote_string>> \{\n {4}return this\.invokeStream\(\n {6}remote\.REMOTE_PROC_DOMAIN_SCREENSHOT,[\s\S]*?"read",\n {6}false,/,
    );
    expect(remoteText).toMatch(
      /remote\.REMOTE_PROC_STORAGE_VOL_DOWNLOAD,[\s\S]*?"read",\n {6}\(flags & 1\) !== 0,/,
    );
    expect(remoteText).toMatch(
      /remote\.REMOTE_PROC_STORAGE_VOL_UPLOAD,[\s\S]*?"write",\n {6}\(flags & 1\) !== 0,/,
    );
    // A stream procedure without a method still opens its stream through call().
    expect(remoteText).toContain(
      "[remote.REMOTE_PROC_DOMAIN_MIGRATE_PREPARE_TUNNEL3]: [",
    );
    expect(remoteText).toMatch(
      /\[remote\.REMOTE_PROC_DOMAIN_MIGRATE_PREPARE_TUNNEL3\]: \[\s*remote\.xdr_remote_domain_migrate_prepare_tunnel3_args,\s*remote\.xdr_remote_domain_migrate_prepare_tunnel3_ret,\s*"write",?\s*\]/,
    );
  });

  it("emits the handshake only for programs with libvirt's connect-open convention", async () => {
    const byName = new Map(protocols.map((p) => [p.name, p]));
    const texts = new Map(
      await Promise.all(
        [...byName]
          .filter(
            ([n]) => n !== "virnetprotocol" && n !== "virkeepaliveprotocol",
          )
          .map(async ([n, p]) => [n, await emit(p)] as const),
      ),
    );
    expect(texts.get("remote_protocol")).toContain(
      "make: (name, flags) => ({ name, flags }),",
    );
    expect(texts.get("admin_protocol")).toContain(
      "make: (_name, flags) => ({ flags }),",
    );
    for (const n of [
      "qemu_protocol",
      "lxc_protocol",
      "lock_protocol",
      "log_protocol",
      "lxc_monitor_protocol",
    ]) {
      expect(texts.get(n), n).not.toContain("HANDSHAKE");
    }
    // qemu's types come from remote's codecs, through a second namespace import.
    expect(texts.get("qemu_protocol")).toContain(
      'import * as remote from "../remote_protocol/codecs.js";',
    );
  });
});

const haveApi = requireLibvirtApiXml();

describe.skipIf(!haveApi)("flags typed from libvirt-api.xml", () => {
  it("the bundled extraction is what the installed API description says", () => {
    // Exits 1 and names the stale file otherwise.
    execFileSync(
      process.execPath,
      [join(REPO_ROOT, "scripts", "extract-api-data.mjs"), "--check"],
      { stdio: "pipe" },
    );
  });

  it("types flags parameters with the enums libvirt names for them", () => {
    const param = (method: string) =>
      new RegExp(
        `\\n  ${method}\\([^)]*?\\n    flags: ([^,=]+?)(?: = 0)?,`,
      ).exec(remoteText)?.[1];
    expect(param("connectListAllDomains")).toBe(
      "Flags<virConnectListAllDomainsFlags>",
    );
    expect(param("domainSetSchedulerParametersFlags")).toBe(
      "Flags<virDomainModificationImpact>",
    );
    expect(param("domainDefineXMLFlags")).toBe("Flags<virDomainDefineFlags>");
    // libvirt's internal migration calls take virDomainMigrate3's flags, as unsigned hyper.
    expect(param("domainMigratePerform")).toBe(
      "Flags<virDomainMigrateFlags> | bigint",
    );
    expect(remoteText).toContain(
      'flags: typeof flags === "bigint" ? flags : BigInt(flags >>> 0),',
    );
    // "extra flags; not used yet": a plain number.
    expect(param("domainMigrateStartPostCopy")).toBe("number");
  });

  it("emits each enum with libvirt's member values and names (api.ts)", () => {
    const named = (e: object) =>
      new Map(Object.entries(e).filter(([k]) => !/^\d+$/.test(k)));
    // libvirt's *_LAST sentinels (VIR_ENUM_SENTINELS) are left out.
    const libvirts = (name: string) =>
      new Map([...apiEnumMembers(name)].filter(([k]) => !/_LAST$/.test(k)));
    for (const [name, value] of [
      ["virDomainMigrateFlags", remoteApi.virDomainMigrateFlags],
      [
        "virConnectListAllDomainsFlags",
        remoteApi.virConnectListAllDomainsFlags,
      ],
      ["virStorageVolDownloadFlags", remoteApi.virStorageVolDownloadFlags],
      ["virDomainState", remoteApi.virDomainState],
      ["virDomainEventType", remoteApi.virDomainEventType],
      ["virDomainEventID", remoteApi.virDomainEventID],
      ["virErrorDomain", remoteApi.virErrorDomain],
    ] as const) {
      expect(named(value), name).toEqual(libvirts(name));
    }
    expect(remoteApi.virDomainMigrateFlags.VIR_MIGRATE_POSTCOPY).toBe(0x8000);
    // Names back from values; where names share a value, the one libvirt spells as a number.
    expect(remoteApi.virDomainState[1]).toBe("VIR_DOMAIN_RUNNING");
    expect(
      remoteApi.virErrorNumber[remoteApi.virErrorNumber.VIR_ERR_NO_SUPPORT],
    ).toBe("VIR_ERR_NO_SUPPORT");
    // Typed parameter names as libvirt-api.xml's string macros say.
    expect(remoteApi.VIR_DOMAIN_SCHEDULER_CPU_SHARES).toBe("cpu_shares");
    expect(remoteApi.virDomainSchedulerParametersTypes.cpu_shares).toBe(
      "ullong",
    );
  });
});
