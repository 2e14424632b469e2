#!/usr/bin/env node
// Extracts from libvirt's API description (libvirt-*-api.xml, Debian package libvirt-dev) the
// facts the generator and runtime use, into checked-in files:
//   defines/libvirt-api-flags.json       which enum each public API's `flags` argument takes
//   src/runtime/rpc/virterror-names.ts  virErrorNumber / virErrorDomain member names
//
//   node scripts/extract-api-data.mjs [--api-dir /usr/share/libvirt/api] [--check]
// --check writes nothing and exits 1 when a checked-in file differs from a fresh extraction.
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
export const FLAGS_FILE = join(ROOT, "defines", "libvirt-api-flags.json");
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
  const members = []; // { name, type, value (string: number or alias) }
  const flagsInfo = new Map(); // function -> info text of its `flags` argument
  let version = null;
  for (const f of API_FILES) {
    const text = readFileSync(join(apiDir, f), "utf8");
    for (const m of text.matchAll(/<typedef((?:\s+\w+='[^']*')*)\s*\/?>/g)) {
      const a = attrs(m[1]);
      if (a.type === "enum") enumTypes.add(a.name);
    }
    for (const m of text.matchAll(/<enum((?:\s+\w+='[^']*')*)\s*\/>/g)) {
      const a = attrs(m[1]);
      members.push({ name: a.name, type: a.type, value: a.value });
    }
    const ver = /<macro name='LIBVIR_VERSION_NUMBER'[^>]*raw='(\d+)'/.exec(
      text,
    );
    if (ver) version = Number(ver[1]);
    for (const m of text.matchAll(
      /<function name='([^']+)'[^>]*>([\s\S]*?)<\/function>/g,
    )) {
      for (const arg of m[2].matchAll(/<arg((?:\s+\w+='[^']*')*)\s*\/>/g)) {
        const a = attrs(arg[1]);
        if (a.name === "flags") flagsInfo.set(m[1], unescape(a.info ?? ""));
      }
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
  for (const m of members) {
    if (!m.type || !enumTypes.has(m.type)) continue;
    const list = enums.get(m.type) ?? [];
    list.push([m.name, valueOf(m)]);
    enums.set(m.type, list);
  }
  return { enums, flagsInfo, version };
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

export function renderFlagsJson(api) {
  const functions = {};
  const used = new Set();
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
    names.forEach((n) => used.add(n));
  }
  const enums = {};
  for (const name of [...used].sort()) {
    enums[name] = Object.fromEntries(
      [...api.enums.get(name)].sort(
        (a, b) => a[1] - b[1] || a[0].localeCompare(b[0]),
      ),
    );
  }
  const doc = {
    "// source": `libvirt ${versionText(api.version)} API description (${API_FILES.join(", ")}); regenerate with scripts/extract-api-data.mjs`,
    "// internal":
      "virDomainMigrate{Prepare,Perform,Finish,Begin3,Confirm3}* are libvirt's internal migration APIs, absent from the description; they take virDomainMigrate3's flags",
    functions,
    enums,
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
  const outputs = [
    [FLAGS_FILE, renderFlagsJson(api)],
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
