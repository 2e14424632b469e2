// ACL enforcement end to end: `virsh` against the example server with an access checker that
// denies domain:migrate and domain:write; and the generator's side of ACL rules (flag and value
// names resolved to numbers, or generation fails).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProtocols } from "../../src/index.js";
import { emitServerModule } from "../../src/emit/ts-server.js";
import { emitAclModule } from "../../src/emit/ts-acl.js";
import { requireTools, virsh } from "../support/libvirtd.js";
import {
  startExampleServer,
  type ExampleServer,
} from "../support/example-server.js";

const haveVirsh = requireTools("virsh");

describe.skipIf(!haveVirsh)(
  "virsh against a server that denies domain:migrate and domain:write",
  () => {
    let srv: ExampleServer;
    beforeAll(async () => {
      srv = await startExampleServer(["--deny", "domain:migrate,domain:write"]);
    });
    afterAll(() => srv?.stop());

    /** Log lines of the connection that made the last call of `proc`. */
    const linesOfLastClient = (proc: string): string[] => {
      const lines = srv.output().split("\n");
      const call = lines.filter((l) => l.includes(` ${proc} `)).at(-1);
      const client = /client[= ](\d+)/.exec(call ?? "")?.[1];
      expect(client, `no call of ${proc} logged`).toBeDefined();
      return lines.filter((l) => new RegExp(`client[= ]${client}\\b`).test(l));
    };

    it("migrate-postcopy fails with access denied and the handler never runs", async () => {
      await expect(virsh(srv.uri, "migrate-postcopy", "test")).rejects.toThrow(
        "error: access denied: 'Test' denied access",
      );
      expect(srv.output()).toMatch(
        /^acl: client \d+ domain:migrate test \(REMOTE_PROC_DOMAIN_MIGRATE_START_POST_COPY\) -> denied$/m,
      );
      expect(srv.output()).toMatch(
        /REMOTE_PROC_DOMAIN_MIGRATE_START_POST_COPY \(remote proc 364\) serial=\d+ error: access denied: 'Test' denied access/,
      );
      expect(srv.output()).not.toContain("driver: domainMigrateStartPostCopy");
      // Other calls of the same connection went through.
      expect(srv.output()).toMatch(
        /acl: client \d+ domain:getattr \(REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME\) -> allowed/,
      );
    });

    it("domain:write:VIR_DOMAIN_SHUTDOWN_GUEST_AGENT is checked only when that flag is set", async () => {
      // --mode acpi: flags = VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN (1); the domain:write rule does not apply.
      expect(await virsh(srv.uri, "shutdown", "--mode", "acpi", "test")).toBe(
        "Domain 'test' is being shutdown\n\n",
      );
      const acpi = linesOfLastClient(
        "REMOTE_PROC_DOMAIN_SHUTDOWN_FLAGS",
      ).filter((l) => l.includes("SHUTDOWN_FLAGS"));
      expect(acpi).toEqual([
        expect.stringMatching(
          /^acl: client \d+ domain:init_control test \(REMOTE_PROC_DOMAIN_SHUTDOWN_FLAGS\) -> allowed$/,
        ),
        expect.stringMatching(
          /^call client=\d+ REMOTE_PROC_DOMAIN_SHUTDOWN_FLAGS .* ok /,
        ),
      ]);
      expect(srv.output()).toContain(
        "driver: domainShutdownFlags test flags=1\n",
      );

      await virsh(srv.uri, "start", "test");
      // --mode agent: flags = VIR_DOMAIN_SHUTDOWN_GUEST_AGENT (2); now domain:write is checked and denied.
      await expect(
        virsh(srv.uri, "shutdown", "--mode", "agent", "test"),
      ).rejects.toThrow("error: access denied: 'Test' denied access");
      const agent = linesOfLastClient(
        "REMOTE_PROC_DOMAIN_SHUTDOWN_FLAGS",
      ).filter((l) => l.includes("SHUTDOWN_FLAGS"));
      expect(agent).toEqual([
        expect.stringMatching(/domain:init_control test .* -> allowed$/),
        expect.stringMatching(/domain:write test .* -> denied$/),
        expect.stringMatching(
          /REMOTE_PROC_DOMAIN_SHUTDOWN_FLAGS .* error: access denied/,
        ),
      ]);
      expect(srv.output()).not.toContain("(guest agent)");
      expect(await virsh(srv.uri, "domstate", "test")).toBe("running\n\n");
    });
  },
);

// ---- generation

const DEMO = (rule: string) => `
const DEMO_PROGRAM = 0x44454d4f;
const DEMO_PROTOCOL_VERSION = 1;
struct demo_nonnull_box { string name<64>; };
struct demo_box_poke_args { demo_nonnull_box box; unsigned int flags; int source; };
struct demo_box_list_ret { demo_nonnull_box boxes<16>; };
enum demo_procedure {
    /**
     * @generate: both
     * @acl: box:read
     * @acl: ${rule}
     */
    DEMO_PROC_BOX_POKE = 1,
    /**
     * @generate: none
     * @acl: connect:search_boxes
     * @aclfilter: box:getattr
     * @priority: high
     */
    DEMO_PROC_BOX_LIST = 2
};
`;

function load(text: string, defines: Record<string, number> = {}) {
  const [p] = loadProtocols(["/virtual/demo_protocol.x"], {
    readFile: () => text,
    libvirtDefines: false,
  });
  const opts = {
    runtimeImport: "virt-rpcgen/runtime",
    defines: new Map(Object.entries(defines)),
  };
  // The emitted text with line breaks undone, so assertions do not depend on line width.
  const flatText = (m: { chunks: readonly { text: string }[] }) =>
    m.chunks
      .map((c) => c.text)
      .join("\n")
      .replace(/\s*\n\s*/g, " ")
      .replace(/,\s*([}\]])/g, " $1")
      .replace(/\[ /g, "[")
      .replace(/ \]/g, "]");
  return {
    server: () => flatText(emitServerModule(p!, opts)),
    acl: () => flatText(emitAclModule(p!, opts)),
  };
}

describe("ACL rules in the generated dispatch table", () => {
  it("resolves flag names to a mask, with gendispatch.pl's leading-! meaning", () => {
    const out = load(DEMO("box:save:!DEMO_A|DEMO_B"), {
      DEMO_A: 4,
      DEMO_B: 16,
    }).server();
    expect(out).toContain(
      `{ object: "box", permission: "save", text: "box:save:!DEMO_A|DEMO_B", flags: { mask: 20, set: false, names: "DEMO_A|DEMO_B" } }`,
    );
    expect(out).toContain(`aclTarget: "box"`);
    expect(out).toContain(
      `aclFilter: [{ object: "box", permission: "getattr", text: "box:getattr" }]`,
    );
    expect(out).toMatch(
      /boxList: \{\s*proc: 2,[^}]*side: "hand-written",[^}]*priority: "high"/,
    );
  });

  it("resolves a parameter condition's value", () => {
    const out = load(DEMO("box:write::source:DEMO_SRC_AGENT"), {
      DEMO_SRC_AGENT: 3,
    }).acl();
    expect(out).toContain(
      `param: { name: "source", value: 3, valueName: "DEMO_SRC_AGENT" }`,
    );
    expect(out).toMatch(/virBoxPoke: \{ proc: 1, ensure: \[/);
  });

  it("fails generation when a flag or value has no value", () => {
    expect(() => load(DEMO("box:write:DEMO_MISSING")).server()).toThrow(
      /ACL rule 'box:write:DEMO_MISSING' of DEMO_PROC_BOX_POKE: 'DEMO_MISSING' has no value \(define it in a defines file or with --define DEMO_MISSING=VALUE\)/,
    );
    expect(() => load(DEMO("box:write::source:DEMO_NOPE")).acl()).toThrow(
      /'DEMO_NOPE' has no value/,
    );
  });

  it("fails generation when the condition names a missing argument", () => {
    expect(() =>
      load(DEMO("box:write::mode:DEMO_A"), { DEMO_A: 1 }).server(),
    ).toThrow(/the arguments of DEMO_PROC_BOX_POKE have no 'mode' member/);
  });
});
