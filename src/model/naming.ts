/**
 * libvirt's naming rules, as gendispatch.pl applies them, so generated names match the public
 * C API: `REMOTE_PROC_DOMAIN_MIGRATE_START_POST_COPY` → `DomainMigrateStartPostCopy` →
 * `virDomainMigrateStartPostCopy` / `domainMigrateStartPostCopy`.
 */

/** gendispatch.pl's fixup_name, applied to each capitalised word. Order matters. */
const FIXUPS: readonly [RegExp, string][] = [
  [/Nwfilter/, "NWFilter"],
  [/Xml$/, "XML"],
  [/Xml2$/, "XML2"],
  [/Uri$/, "URI"],
  [/Uuid$/, "UUID"],
  [/Id$/, "ID"],
  [/Mac$/, "MAC"],
  [/Cpu$/, "CPU"],
  [/Os$/, "OS"],
  [/Nmi$/, "NMI"],
  [/Pm/, "PM"],
  [/Fstrim$/, "FSTrim"],
  [/Fsfreeze$/, "FSFreeze"],
  [/Fsthaw$/, "FSThaw"],
  [/Fsinfo$/, "FSInfo"],
  [/Iothread$/, "IOThread"],
  [/Scsi/, "SCSI"],
  [/Wwn$/, "WWN"],
  [/Dhcp$/, "DHCP"],
];

/**
 * Words the public C API spells in capitals although gendispatch.pl has no rule for them (its
 * procedures with these words are hand-written, `@generate: none`): virNodeGetSEVInfo,
 * virDomainAuthorizedSSHKeysGet, virDomainFDAssociate, virDomainOpenGraphicsFD,
 * virAdmServerGetThreadPoolParameters.
 */
const PUBLIC_API_WORDS: Readonly<Record<string, string>> = {
  Sev: "SEV",
  Ssh: "SSH",
  Fd: "FD",
  Threadpool: "ThreadPool",
};

export function fixupName(word: string): string {
  let w = PUBLIC_API_WORDS[word] ?? word;
  for (const [re, to] of FIXUPS) w = w.replace(re, to);
  return w;
}

const ucfirst = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
export const lcfirst = (s: string): string =>
  s.charAt(0).toLowerCase() + s.slice(1);

/**
 * Lower camel case for a method name, lowering a leading acronym as a unit:
 * `DomainGetXMLDesc` → `domainGetXMLDesc`, `NWFilterDefineXML` → `nwFilterDefineXML`.
 */
export function methodNameOf(procName: string): string {
  const acronym = /^[A-Z]+(?=[A-Z][a-z])/.exec(procName);
  if (acronym && acronym[0].length > 1)
    return acronym[0].toLowerCase() + procName.slice(acronym[0].length);
  if (/^[A-Z0-9]+$/.test(procName)) return procName.toLowerCase();
  return lcfirst(procName);
}

/**
 * name_to_ProcName: `DOMAIN_MIGRATE_START_POST_COPY` → `DomainMigrateStartPostCopy`.
 * Names without underscores are kept as written unless `forceSplit` (libvirt's admin protocol)
 * or they are `open`/`close`, exactly as gendispatch.pl does.
 */
export function procNameOf(name: string, forceSplit = false): string {
  const lower = name.toLowerCase();
  // All-capital names without underscores (`PING`) are split too: gendispatch.pl keeps such
  // names as written only because libvirt has none besides OPEN and CLOSE.
  const words =
    forceSplit ||
    name.includes("_") ||
    lower === "open" ||
    lower === "close" ||
    name === name.toUpperCase()
      ? name.split("_").map((w) => ucfirst(w.toLowerCase()))
      : [name];
  return words.map(fixupName).join("");
}

/** The public C API name for a procedure, following gendispatch.pl's per-protocol rewrites. */
export function apiNameOf(structPrefix: string, procName: string): string {
  if (structPrefix === "admin") return "virAdm" + procName;
  const api = "vir" + procName;
  if (structPrefix === "qemu")
    return api.replace(/(vir(Connect)?Domain)/, "$1Qemu");
  if (structPrefix === "lxc") return api.replace(/virDomain/, "virDomainLxc");
  return api;
}

/** Key that links `REMOTE_PROC_FOO_BAR` to `remote_foo_bar_args` and `virFooBarArgs`. */
export function linkKey(name: string): string {
  return name.toLowerCase().replace(/_/g, "");
}
