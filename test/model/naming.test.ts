// Procedure names follow libvirt's public C API: checked against the API descriptions Debian's
// libvirt-dev installs (/usr/share/libvirt/api/*.xml), the same list libvirt's docs are built from.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadProtocols, procNameOf } from "../../src/index.js";
import { requireOrSkip } from "../support/libvirtd.js";
import { ensureProtocolFiles } from "../support/protocol-files.js";

const API_DIR = "/usr/share/libvirt/api";
const available = requireOrSkip(
  "libvirt-dev API descriptions",
  existsSync(join(API_DIR, "libvirt-api.xml")),
);

// Procedures with no public API of their own: the migration protocol's internal steps,
// authentication, feature probing and the internal event-callback registration. Events
// (procedures carrying a *_msg payload) are not APIs either and are excluded by rule.
const INTERNAL = new Set([
  "virConnectSupportsFeature",
  "virAuthList",
  "virAuthSaslInit",
  "virAuthSaslStart",
  "virAuthSaslStep",
  "virAuthPolkit",
  "virDomainMigratePrepare",
  "virDomainMigratePerform",
  "virDomainMigrateFinish",
  "virDomainMigratePrepare2",
  "virDomainMigrateFinish2",
  "virDomainMigratePrepareTunnel",
  "virDomainMigrateBegin3",
  "virDomainMigratePrepare3",
  "virDomainMigratePrepareTunnel3",
  "virDomainMigratePerform3",
  "virDomainMigrateFinish3",
  "virDomainMigrateConfirm3",
  "virDomainMigrateBegin3Params",
  "virDomainMigratePrepare3Params",
  "virDomainMigratePrepareTunnel3Params",
  "virDomainMigratePerform3Params",
  "virDomainMigrateFinish3Params",
  "virDomainMigrateConfirm3Params",
  "virConnectDomainEventCallbackRegisterAny",
  "virConnectDomainEventCallbackDeregisterAny",
]);

describe.skipIf(!available)(
  "procedure names match libvirt's public API",
  () => {
    it("for every remote, qemu, lxc and admin procedure", () => {
      const api = new Set<string>();
      for (const f of [
        "libvirt-api.xml",
        "libvirt-qemu-api.xml",
        "libvirt-lxc-api.xml",
        "libvirt-admin-api.xml",
      ]) {
        for (const m of readFileSync(join(API_DIR, f), "utf8").matchAll(
          /<function name='(\w+)'/g,
        ))
          api.add(m[1]!);
      }
      const dir = ensureProtocolFiles();
      const protocols = loadProtocols(
        [
          "remote_protocol",
          "qemu_protocol",
          "lxc_protocol",
          "admin_protocol",
        ].map((n) => join(dir, `${n}.x`)),
      );
      const unmatched: string[] = [];
      let matched = 0;
      for (const p of protocols) {
        for (const proc of p.procedures) {
          const isEvent = proc.msg !== null;
          if (api.has(proc.apiName)) matched++;
          else if (!INTERNAL.has(proc.apiName) && !isEvent)
            unmatched.push(`${proc.constName} -> ${proc.apiName}`);
        }
      }
      expect(unmatched).toEqual([]);
      expect(matched).toBeGreaterThan(380);
    });

    it("spells the fix-ups the way the C API does", () => {
      const cases: [string, string][] = [
        ["DOMAIN_MIGRATE_START_POST_COPY", "DomainMigrateStartPostCopy"],
        ["DOMAIN_GET_XML_DESC", "DomainGetXMLDesc"],
        ["DOMAIN_LOOKUP_BY_UUID", "DomainLookupByUUID"],
        ["CONNECT_GET_CPU_MODEL_NAMES", "ConnectGetCPUModelNames"],
        ["NWFILTER_DEFINE_XML", "NWFilterDefineXML"],
        ["DOMAIN_FSTRIM", "DomainFSTrim"],
        ["DOMAIN_GET_IOTHREAD_INFO", "DomainGetIOThreadInfo"],
        ["DOMAIN_PM_SUSPEND_FOR_DURATION", "DomainPMSuspendForDuration"],
        [
          "NODE_DEVICE_LOOKUP_SCSI_HOST_BY_WWN",
          "NodeDeviceLookupSCSIHostByWWN",
        ],
        ["NETWORK_GET_DHCP_LEASES", "NetworkGetDHCPLeases"],
        ["OPEN", "Open"],
      ];
      for (const [c, name] of cases) expect(procNameOf(c)).toBe(name);
    });
  },
);
