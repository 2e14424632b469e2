#!/usr/bin/env node
// Build bench/c/codec-bench.c against libvirt's rpcgen-generated codecs
// (-O2, libtirpc), reusing the cached rpcgen output and stub headers of the
// test harness (test/support/rpcgen/build.mjs).
//
//   node bench/c/build.mjs [--out PATH] [--opt -O2] [--verbose]
//     -> prints the absolute path of the executable (in the build cache, or
//        PATH when --out is given) as the last stdout line; exit 1 on failure.
//
// From JS:  import { buildCodecBench } from './bench/c/build.mjs';
//           const exe = await buildCodecBench();          // path string
//
// Running it (see codec-bench.c for details):
//   taskset -c 1 <exe> remote_domain_get_xml_desc_ret payload.bin --seconds 2
//   {"type":"remote_domain_get_xml_desc_ret","protocol":"remote_protocol","bytes":...,
//    "decodeNsPerOp":...,"encodeNsPerOp":...,...}
import { copyFile, mkdir, rename } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  buildCodecBenchBinary,
  findRpcgenTools,
} from "../../test/support/rpcgen/build.mjs";

/**
 * Build (or fetch from cache) the codec benchmark; resolves to the executable's path.
 * @param {{out?: string, opt?: string, log?: (m: string) => void}} [opts]
 * @returns {Promise<string>}
 */
export async function buildCodecBench(opts = {}) {
  const tools = findRpcgenTools();
  if (!tools.ok) {
    throw new Error(
      `codec-bench needs: ${tools.missing.join(", ")} (Debian: apt-get install rpcsvc-proto libtirpc-dev gcc pkg-config)`,
    );
  }
  const r = await buildCodecBenchBinary({
    ...(opts.opt ? { opt: opts.opt } : {}),
    ...(opts.log ? { log: opts.log } : {}),
  });
  if (!opts.out) return r.binary;
  const out = resolve(opts.out);
  await mkdir(dirname(out), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  await copyFile(r.binary, tmp);
  await rename(tmp, out);
  return out;
}

const isMain =
  process.argv[1] &&
  resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const args = process.argv.slice(2);
  const opts = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--out" && i + 1 < args.length) opts.out = args[++i];
    else if (a === "--opt" && i + 1 < args.length) opts.opt = args[++i];
    else if (a === "--verbose" || a === "-v")
      opts.log = (m) => console.error(m);
    else {
      console.error(
        "usage: node bench/c/build.mjs [--out PATH] [--opt -O2] [--verbose]",
      );
      process.exit(2);
    }
  }
  try {
    console.log(await buildCodecBench(opts));
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
