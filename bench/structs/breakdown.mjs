// One measured process of bench/structs (started pinned by run.mjs): where the
// time of `virt-rpcgen structs <file.x>` goes, in-process, via the programmatic API.
//
//   node bench/structs/breakdown.mjs <file.x> [--warm N]
//
// Cold (first call in a fresh process, as the CLI experiences it):
//   import  the parser, model and emit/structs modules (what `structs` loads), then
//           the rest of dist/index.js (the whole programmatic API)
//   parse   parseXdrFile(file)
//   resolve resolveProtocol(ast, {imports: [], external: externalDefines({}), text})
//           — what loadProtocol does after parsing; if that API is unavailable or
//           gives a different listing, resolve = loadProtocol(file) − parseXdrFile(file)
//           (measured back to back) and "resolveMode" says "derived"
//   emit    emitStructsListing(model)
// Warm: medians of N more iterations of each (plus loadProtocol + emit, the CLI's path).
// Prints one JSON line (milliseconds).
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith("--"));
const wi = args.indexOf("--warm");
const WARM = wi >= 0 ? Number(args[wi + 1]) : 10;
if (!file || !(WARM >= 1)) {
  process.stderr.write("usage: breakdown.mjs <file.x> [--warm N]\n");
  process.exit(2);
}
const ROOT = resolve(new URL("../..", import.meta.url).pathname);
const now = () => performance.now();
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// First the modules the `structs` command itself needs (internal paths; skipped
// if they moved), then the whole programmatic API, which also pulls in the
// `generate` side.
const LIGHT = [
  "dist/parser/index.js",
  "dist/model/index.js",
  "dist/emit/structs.js",
];
let t = now();
let importLightMs = null;
try {
  for (const m of LIGHT) await import(pathToFileURL(join(ROOT, m)).href);
  importLightMs = now() - t;
} catch {
  importLightMs = null;
}
t = now();
const api = await import(pathToFileURL(join(ROOT, "dist", "index.js")).href);
const importRestMs = now() - t;

const canDirect =
  typeof api.resolveProtocol === "function" &&
  typeof api.externalDefines === "function";
const text = readFileSync(file, "utf8");

function resolveDirect(ast) {
  return api.resolveProtocol(ast, {
    imports: [],
    external: api.externalDefines({}),
    text,
  });
}

// --- cold
t = now();
const ast = api.parseXdrFile(file);
const parseCold = now() - t;
let mode = canDirect ? "direct" : "derived";
let model;
let resolveCold;
if (mode === "direct") {
  try {
    t = now();
    model = resolveDirect(ast);
    resolveCold = now() - t;
  } catch {
    mode = "derived";
  }
}
if (mode === "derived") {
  t = now();
  model = api.loadProtocol(file);
  resolveCold = now() - t - parseCold; // approximation: loadProtocol parses again
}
t = now();
const listing = api.emitStructsListing(model);
const emitCold = now() - t;

// The direct path must give exactly the CLI's listing.
const reference = api.emitStructsListing(api.loadProtocol(file));
if (mode === "direct" && listing !== reference) mode = "derived";

// --- warm
const w = { parse: [], resolve: [], emit: [], load: [], loadEmit: [] };
for (let i = 0; i < WARM; i++) {
  t = now();
  const a = api.parseXdrFile(file);
  const p = now() - t;
  w.parse.push(p);
  t = now();
  const m = api.loadProtocol(file);
  const l = now() - t;
  w.load.push(l);
  if (mode === "direct") {
    t = now();
    resolveDirect(a);
    w.resolve.push(now() - t);
  } else {
    w.resolve.push(l - p);
  }
  t = now();
  const out = api.emitStructsListing(m);
  const e = now() - t;
  w.emit.push(e);
  w.loadEmit.push(l + e);
  if (out.length !== reference.length)
    throw new Error("listing changed between iterations");
}

process.stdout.write(
  JSON.stringify({
    file,
    resolveMode: mode,
    listingBytes: Buffer.byteLength(reference),
    listingLines: reference.split("\n").length - 1,
    importLightMs,
    importRestMs,
    cold: { parse: parseCold, resolve: resolveCold, emit: emitCold },
    warm: {
      parse: median(w.parse),
      resolve: median(w.resolve),
      emit: median(w.emit),
      loadProtocol: median(w.load),
      loadProtocolPlusEmit: median(w.loadEmit),
    },
    warmIterations: WARM,
  }) + "\n",
);
