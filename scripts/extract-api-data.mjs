#!/usr/bin/env node
// Extracts from libvirt's API description (libvirt-*-api.xml, Debian package libvirt-dev) the
// facts the generator and runtime use, into checked-in files:
//   defines/libvirt-api.json            every enum (by API file), the enums each public API's
//                                       arguments name (its `flags` above all), string constants
//                                       that name typed parameters (with their types), and the
//                                       documented keys of virConnectGetAllDomainStats
//   src/runtime/rpc/virterror-names.ts  virErrorNumber / virErrorDomain member names
//
//   node scripts/extract-api-data.mjs [--api-dir /usr/share/libvirt/api] [--check] [--out FILE]
// --check writes nothing and exits 1 when a checked-in file differs from a fresh extraction.
// --out FILE writes only the API data, to FILE (another libvirt's description, for
// `virt-rpcgen generate --libvirt-api FILE`).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const API_FILES = [
  "libvirt-api.xml",
  "libvirt-admin-api.xml",
  "libvirt-qemu-api.xml",
  "libvirt-lxc-api.xml",
];
export const API_DATA_FILE = join(ROOT, "defines", "libvirt-api.json");
/** Which API description describes which protocol (libvirt's own pairing, src/*_protocol.x). */
export const PROTOCOL_API_FILES = {
  remote_protocol: "libvirt-api.xml",
  qemu_protocol: "libvirt-qemu-api.xml",
  lxc_protocol: "libvirt-lxc-api.xml",
  admin_protocol: "libvirt-admin-api.xml",
};
export const ERROR_NAMES_FILE = join(
  ROOT,
  "src",
  "runtime",
  "rpc",
  "virterror-names.ts",
);

const ATTR = /(\w+)='([^']*)'/g;
const attrs = (text) =>
  Object.fromEntries([...text.matchAll(ATTR)].map((m) => [m[1], m[2]]));
const unescape = (s) =>
  s
    .replace(/&apos;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

/** Parses the API files into enum typedefs (with resolved members) and per-function flags info. */
export function readApi(apiDir) {
  const enumTypes = new Set();
  const enumFile = new Map(); // enum typedef -> API file
  const members = []; // { name, type, value (string: number or alias) }
  const flagsInfo = new Map(); // function -> info text of its `flags` argument
  const argInfo = new Map(); // function -> [[arg name, info]]
  const strings = []; // { name, value, info, file }
  let statsInfo = "";
  let version = null;
  for (const f of API_FILES) {
    const text = readFileSync(join(apiDir, f), "utf8");
    for (const m of text.matchAll(/<typedef((?:\s+\w+='[^']*')*)\s*\/?>/g)) {
      const a = attrs(m[1]);
      if (a.type === "enum") {
        enumTypes.add(a.name);
        if (!enumFile.has(a.name)) enumFile.set(a.name, f);
      }
    }
    for (const m of text.matchAll(/<enum((?:\s+\w+='[^']*')*)\s*\/>/g)) {
      const a = attrs(m[1]);
      members.push({
        name: a.name,
        type: a.type,
        value: a.value,
        info: unescape(a.info ?? ""),
      });
    }
    for (const m of text.matchAll(
      /<macro((?:\s+\w+='[^']*')*)\s*>\s*<info><!\[CDATA\[([\s\S]*?)\]\]><\/info>/g,
    )) {
      const a = attrs(m[1]);
      if (a.string !== undefined && /^VIR_/.test(a.name))
        strings.push({
          name: a.name,
          value: unescape(a.string),
          info: m[2],
          file: f,
        });
    }
    const ver = /<macro name='LIBVIR_VERSION_NUMBER'[^>]*raw='(\d+)'/.exec(
      text,
    );
    if (ver) version = Number(ver[1]);
    for (const m of text.matchAll(
      /<function name='([^']+)'[^>]*>([\s\S]*?)<\/function>/g,
    )) {
      const args = [];
      for (const arg of m[2].matchAll(/<arg((?:\s+\w+='[^']*')*)\s*\/>/g)) {
        const a = attrs(arg[1]);
        args.push([a.name, unescape(a.info ?? ""), a.type]);
        if (a.name === "flags") flagsInfo.set(m[1], unescape(a.info ?? ""));
      }
      argInfo.set(m[1], args);
      if (m[1] === "virConnectGetAllDomainStats")
        statsInfo =
          /<info><!\[CDATA\[([\s\S]*?)\]\]><\/info>/.exec(m[2])?.[1] ?? "";
    }
    // Callback types (virConnectDomainEventBlockJobCallback): their arguments name enums too.
    for (const m of text.matchAll(
      /<functype name='([^']+)'[^>]*>([\s\S]*?)<\/functype>/g,
    )) {
      const args = [];
      for (const arg of m[2].matchAll(/<arg((?:\s+\w+='[^']*')*)\s*\/>/g)) {
        const a = attrs(arg[1]);
        args.push([a.name, unescape(a.info ?? ""), a.type]);
      }
      argInfo.set(m[1], args);
    }
  }
  const byName = new Map(members.map((m) => [m.name, m]));
  const valueOf = (m, seen = new Set()) => {
    if (/^-?\d+$/.test(m.value)) return Number(m.value);
    const target = byName.get(m.value);
    if (!target || seen.has(m.name))
      throw new Error(`cannot resolve enum value ${m.name} = ${m.value}`);
    seen.add(m.name);
    return valueOf(target, seen);
  };
  const enums = new Map();
  const aliases = new Set();
  for (const m of members) {
    if (!m.type || !enumTypes.has(m.type)) continue;
    const list = enums.get(m.type) ?? [];
    list.push([m.name, valueOf(m)]);
    if (!/^-?\d+$/.test(m.value)) aliases.add(m.name);
    enums.set(m.type, list);
  }
  // Event IDs name the callback type their events are delivered to (info='virConnect…Callback').
  const eventCallbacks = {};
  for (const m of members)
    if (/EventID$/.test(m.type ?? "") && argInfo.has(m.info))
      eventCallbacks[m.name] = m.info;
  return {
    enums,
    eventCallbacks,
    enumFile,
    aliases,
    flagsInfo,
    argInfo,
    strings,
    statsInfo,
    version,
  };
}

/** Enum typedefs a `flags` argument's description names ("bitwise-OR of virDomainMigrateFlags"). */
export function enumsNamedIn(info, enums) {
  const found = [];
  for (const m of info.matchAll(/\bvir[A-Z]\w*/g))
    if (enums.has(m[0]) && !found.includes(m[0])) found.push(m[0]);
  return found;
}

function versionText(v) {
  return v === null
    ? "unknown"
    : `${Math.floor(v / 1e6)}.${Math.floor(v / 1e3) % 1e3}.${v % 1e3}`;
}

/**
 * libvirt's internal migration APIs (virDomainMigratePrepare…, Perform…, Finish…, Begin3…,
 * Confirm3…: "Not for public use", src/libvirt-domain.c) are not in the API description. The
 * public virDomainMigrate*() calls pass their own `flags` through to them unchanged, so they take
 * what virDomainMigrate3 takes.
 */
const INTERNAL_MIGRATION_API =
  /^virDomainMigrate(Prepare|PrepareTunnel|Perform|Finish|Begin3|Prepare3|PrepareTunnel3|Perform3|Finish3|Confirm3)\d?(Params)?$/;
const INTERNAL_MIGRATION_APIS = [
  "virDomainMigratePrepare",
  "virDomainMigratePrepare2",
  "virDomainMigratePrepareTunnel",
  "virDomainMigratePerform",
  "virDomainMigrateFinish",
  "virDomainMigrateFinish2",
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
];

/** Typed parameter families: string constants (`VIR_DOMAIN_SCHEDULER_CPU_SHARES` = "cpu_shares") by prefix. */
export const PARAM_SETS = [
  ["virDomainSchedulerParameters", "VIR_DOMAIN_SCHEDULER_"],
  ["virDomainBlkioParameters", "VIR_DOMAIN_BLKIO_"],
  ["virDomainMemoryParameters", "VIR_DOMAIN_MEMORY_"],
  ["virDomainNumaParameters", "VIR_DOMAIN_NUMA_"],
  ["virDomainInterfaceParameters", "VIR_DOMAIN_BANDWIDTH_"],
  ["virDomainBlockIoTuneParameters", "VIR_DOMAIN_BLOCK_IOTUNE_"],
  ["virDomainBlockStats", "VIR_DOMAIN_BLOCK_STATS_"],
  ["virDomainBlockCopyParameters", "VIR_DOMAIN_BLOCK_COPY_"],
  ["virDomainCpuStats", "VIR_DOMAIN_CPU_STATS_"],
  ["virDomainJobStats", "VIR_DOMAIN_JOB_"],
  ["virDomainMigrateParameters", "VIR_MIGRATE_PARAM_"],
  ["virDomainPerfEvents", "VIR_PERF_PARAM_"],
  ["virDomainTunableParameters", "VIR_DOMAIN_TUNABLE_"],
  ["virDomainLaunchSecurityParameters", "VIR_DOMAIN_LAUNCH_SECURITY_"],
  ["virDomainIOThreadParameters", "VIR_DOMAIN_IOTHREAD_"],
  ["virDomainSaveParameters", "VIR_DOMAIN_SAVE_PARAM_"],
  ["virDomainGuestInfo", "VIR_DOMAIN_GUEST_INFO_"],
  ["virNodeCpuStats", "VIR_NODE_CPU_STATS_"],
  ["virNodeMemoryStats", "VIR_NODE_MEMORY_STATS_"],
  ["virNodeMemoryParameters", "VIR_NODE_MEMORY_SHARED_"],
  ["virNodeSevParameters", "VIR_NODE_SEV_"],
  ["virNetworkPortParameters", "VIR_NETWORK_PORT_BANDWIDTH_"],
  ["virConnectIdentity", "VIR_CONNECT_IDENTITY_"],
  ["virAdmServerThreadPoolParameters", "VIR_THREADPOOL_"],
  ["virAdmServerClientLimits", "VIR_SERVER_CLIENTS_"],
  ["virAdmClientInfo", "VIR_CLIENT_INFO_"],
];

/** The typed parameter type a description names ("… as a ullong", "as unsigned long long"), or null. */
export function paramTypeIn(text) {
  const t = text.replace(/\s+/g, " ");
  const m =
    /\bas (?:an? |the )?(unsigned long long|long long|unsigned long|unsigned int|ullong|llong|uint|int|double|boolean|bool|string|VIR_TYPED_PARAM_[A-Z]+)\b/i.exec(
      t,
    ) ?? /\b(ullong|llong|uint)\b/.exec(t);
  if (!m) return null;
  const w = m[1].toLowerCase().replace(/^vir_typed_param_/, "");
  return (
    {
      "unsigned long long": "ullong",
      "long long": "llong",
      "unsigned long": "ullong",
      "unsigned int": "uint",
      bool: "boolean",
    }[w] ?? w
  );
}

/** `"state.state" - state of the VM, returned as int from virDomainState enum` entries. */
export function domainStatsKeys(info, enums) {
  const keys = {};
  const lines = info.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*"([^"\s]+)" - (.*)$/.exec(lines[i]);
    if (!m) continue;
    let text = m[2];
    for (let j = i + 1; j < lines.length; j++) {
      if (/^\s*$/.test(lines[j]) || /^\s*"[^"\s]+" - /.test(lines[j])) break;
      text += " " + lines[j].trim();
    }
    const e = /\b(vir\w+) enum\b/.exec(text)?.[1];
    keys[m[1]] = {
      type: paramTypeIn(text),
      ...(e && enums.has(e) ? { enum: e } : {}),
    };
  }
  return keys;
}

const isSentinel = (name, value, list) =>
  /_LAST$/.test(name) && list.length > 1 && list.every(([, v]) => v <= value);

export function renderApiJson(api) {
  const functions = {};
  const all = new Map(api.flagsInfo);
  for (const fn of INTERNAL_MIGRATION_APIS) {
    if (!INTERNAL_MIGRATION_API.test(fn) || all.has(fn))
      throw new Error(`unexpected internal migration API ${fn}`);
    all.set(fn, all.get("virDomainMigrate3") ?? "");
  }
  for (const [fn, info] of [...all].sort((a, b) => a[0].localeCompare(b[0]))) {
    const names = enumsNamedIn(info, api.enums);
    if (names.length === 0) continue;
    functions[fn] = names;
  }
  // Other arguments naming exactly one enum: `int *state` "(one of virDomainState)",
  // `unsigned int stats` "binary-OR of enum virDomainStatsTypes".
  const args = {};
  for (const [fn, list] of [...api.argInfo].sort((a, b) =>
    a[0].localeCompare(b[0]),
  )) {
    for (const [name, info] of list) {
      if (name === "flags") continue;
      const names = enumsNamedIn(info, api.enums);
      if (names.length !== 1) continue;
      (args[fn] ??= {})[name] = {
        enum: names[0],
        ...(/\b(OR|or)\b/.test(info) && /\b(binary|bitwise)/i.test(info)
          ? { bits: true }
          : {}),
      };
    }
  }
  const enums = {};
  const enumFiles = {};
  for (const name of [...api.enums.keys()].sort()) {
    const list = api.enums.get(name);
    const kept = list.filter(([n, v]) => !isSentinel(n, v, list));
    // Aliases first, so a value's name (TS enums map values back to names) is the canonical one.
    enums[name] = Object.fromEntries(
      kept.sort(
        (a, b) =>
          a[1] - b[1] ||
          Number(api.aliases.has(b[0])) - Number(api.aliases.has(a[0])) ||
          a[0].localeCompare(b[0]),
      ),
    );
    const file = api.enumFile.get(name);
    (enumFiles[file] ??= []).push(name);
  }
  const strings = {};
  for (const m of [...api.strings].sort((a, b) => a.name.localeCompare(b.name)))
    (strings[m.file] ??= {})[m.name] = m.value;
  const paramSets = {};
  for (const [set, prefix] of PARAM_SETS) {
    const fields = {};
    for (const m of [...api.strings].sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      if (!m.name.startsWith(prefix)) continue;
      // The longest prefix wins (VIR_DOMAIN_BLOCK_STATS_ is not VIR_DOMAIN_BLOCK_…).
      const longer = PARAM_SETS.some(
        ([, p]) =>
          p.length > prefix.length &&
          p.startsWith(prefix) &&
          m.name.startsWith(p),
      );
      if (longer) continue;
      fields[m.name] = paramTypeIn(m.info);
    }
    if (Object.keys(fields).length) paramSets[set] = fields;
  }
  const doc = {
    "// source": `libvirt ${versionText(api.version)} API description (${API_FILES.join(", ")}); regenerate with scripts/extract-api-data.mjs`,
    "// internal":
      "virDomainMigrate{Prepare,Perform,Finish,Begin3,Confirm3}* are libvirt's internal migration APIs, absent from the description; they take virDomainMigrate3's flags",
    protocols: PROTOCOL_API_FILES,
    functions,
    arguments: args,
    enumFiles,
    enums,
    strings,
    paramSets,
    domainStats: domainStatsKeys(api.statsInfo, api.enums),
    eventCallbacks: Object.fromEntries(
      Object.entries(api.eventCallbacks).sort((a, b) =>
        a[0].localeCompare(b[0]),
      ),
    ),
  };
  return JSON.stringify(doc, null, 1) + "\n";
}

export function renderErrorNames(api) {
  const table = (type) =>
    [...api.enums.get(type)]
      .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))
      .filter((e, i, all) => i === 0 || all[i - 1][1] !== e[1])
      .map(([n, v]) => `  ${v}: ${JSON.stringify(n)},`)
      .join("\n");
  return [
    `// Generated by scripts/extract-api-data.mjs from libvirt ${versionText(api.version)}'s libvirt-api.xml. Do not edit.`,
    `/** \`virErrorNumber\` member names by value (the first name where several share one). */`,
    `export const VIR_ERROR_NUMBER_NAMES: Readonly<Record<number, string>> = {`,
    table("virErrorNumber"),
    `};`,
    ``,
    `/** \`virErrorDomain\` member names by value. */`,
    `export const VIR_ERROR_DOMAIN_NAMES: Readonly<Record<number, string>> = {`,
    table("virErrorDomain"),
    `};`,
    ``,
  ].join("\n");
}

const isMain =
  process.argv[1] &&
  resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const args = process.argv.slice(2);
  const at = args.indexOf("--api-dir");
  const apiDir = at >= 0 ? args[at + 1] : "/usr/share/libvirt/api";
  if (!existsSync(join(apiDir, API_FILES[0]))) {
    console.error(
      `${join(apiDir, API_FILES[0])} not found (Debian: apt-get install libvirt-dev)`,
    );
    process.exit(2);
  }
  const api = readApi(apiDir);
  const out = args.indexOf("--out");
  if (out >= 0) {
    writeFileSync(args[out + 1], renderApiJson(api));
    process.exit(0);
  }
  const outputs = [
    [API_DATA_FILE, renderApiJson(api)],
    [ERROR_NAMES_FILE, renderErrorNames(api)],
  ];
  let stale = 0;
  for (const [file, content] of outputs) {
    const current = existsSync(file) ? readFileSync(file, "utf8") : null;
    if (current === content) continue;
    stale++;
    if (args.includes("--check")) console.error(`stale: ${file}`);
    else writeFileSync(file, content);
  }
  process.exit(args.includes("--check") && stale ? 1 : 0);
}
