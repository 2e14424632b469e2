// libvirt's own API description (Debian package libvirt-dev), read directly so tests compare
// against libvirt's numbers, not against what the generator extracted from the same file.
import { existsSync, readFileSync } from "node:fs";
import { requireOrSkip } from "./libvirtd.js";

export const LIBVIRT_API_DIR = "/usr/share/libvirt/api";
export const LIBVIRT_API_XML = `${LIBVIRT_API_DIR}/libvirt-api.xml`;

export function haveLibvirtApiXml(): boolean {
  return existsSync(LIBVIRT_API_XML);
}

/** requireOrSkip for libvirt-api.xml: fails under CI=true when it is missing, else skips. */
export function requireLibvirtApiXml(): boolean {
  return requireOrSkip("libvirt-dev (libvirt-api.xml)", haveLibvirtApiXml());
}

let members: Map<string, { value: string; type: string }> | null = null;

/** The value of enum member `name` (e.g. VIR_DOMAIN_EVENT_DEFINED → 0), aliases resolved. */
export function apiEnumValue(name: string): number {
  if (!members) {
    members = new Map();
    const text = readFileSync(LIBVIRT_API_XML, "utf8");
    for (const m of text.matchAll(
      /<enum name='([^']+)'[^>]*? value='([^']*)'[^>]*? type='([^']*)'/g,
    )) {
      members.set(m[1]!, { value: m[2]!, type: m[3]! });
    }
  }
  const m = members.get(name);
  if (!m) throw new Error(`${name} is not in ${LIBVIRT_API_XML}`);
  return /^-?\d+$/.test(m.value) ? Number(m.value) : apiEnumValue(m.value);
}

/** All members of enum type `type` (e.g. virDomainMigrateFlags), name → value. */
export function apiEnumMembers(type: string): Map<string, number> {
  apiEnumValue("VIR_DOMAIN_EVENT_DEFINED"); // loads the table
  const out = new Map<string, number>();
  for (const [name, m] of members!)
    if (m.type === type) out.set(name, apiEnumValue(name));
  return out;
}
