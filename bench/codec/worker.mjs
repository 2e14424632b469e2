// One measured process of the codec benchmark (started pinned by run.mjs):
//
//   node bench/codec/worker.mjs --impl ours|jsxdr --message big|tiny --bytes FILE [--seconds S]
//
// Times decode, then encode, of one message with one JS implementation, using
// the same method as bench/c/codec-bench.c so the three are comparable:
// each phase = an untimed warm-up (10% of S, at most 0.25 s, at least 8 ops),
// then batches of doubling size (until a batch takes >= 2 ms) until S seconds
// have elapsed; ns/op = elapsed / operations. Prints one JSON line.
//
//   ours   decode op = decodeFromBytes(codec, bytes)          (fresh XdrReader, full value, trailing-bytes check)
//          encode op = w.reset(); codec.encode(w, value); w.finish()   (one reused XdrWriter, like a client)
//   jsxdr  decode op = Type.fromXDR(buffer)                   (fresh reader, full value, trailing-bytes check)
//          encode op = Type.write(value, new XdrWriter(buf)); .finalize()  (writer over one preallocated Buffer:
//                      js-xdr has no reset(); this is its cheapest public path, toXDR() would allocate and
//                      grow an 8 KiB buffer per call)
// The encoded value is built from plain JS data by application-style code
// (payload.mjs; strings are JS strings) and must encode to exactly FILE's bytes.
import { readFileSync } from "node:fs";
import { message, MESSAGES } from "./payload.mjs";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const impl = opt("impl");
const which = opt("message");
const file = opt("bytes");
const seconds = Number(opt("seconds", "1"));
if (
  !["ours", "jsxdr"].includes(impl) ||
  !(which in MESSAGES) ||
  !file ||
  !(seconds > 0)
) {
  process.stderr.write(
    "usage: worker.mjs --impl ours|jsxdr --message big|tiny --bytes FILE [--seconds S]\n",
  );
  process.exit(2);
}

const input = readFileSync(file);
let sink = 0;

function now() {
  return performance.now() * 1e6; // ns
}

/** Same schedule as codec-bench.c's timed(). */
function timed(op) {
  const warm = Math.min(seconds * 0.1e9, 0.25e9);
  let t0 = now();
  let warmOps = 0;
  while (now() - t0 < warm || warmOps < 8) {
    op();
    warmOps++;
  }
  let batch = 1;
  let total = 0;
  let el = 0;
  t0 = now();
  for (;;) {
    const b0 = now();
    for (let i = 0; i < batch; i++) op();
    total += batch;
    const bt = now() - b0;
    el = now() - t0;
    if (el >= seconds * 1e9) break;
    if (bt < 2e6) batch *= 2;
  }
  return { nsPerOp: el / total, iterations: total };
}

function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

let decodeOp;
let encodeOp;
let encodedOnce;

if (impl === "ours") {
  const codecs = await import("../.build/generated/remote_protocol/codecs.js");
  const { XdrWriter, decodeFromBytes } = await import("virt-rpcgen/runtime");
  const codec = codecs[`xdr_${MESSAGES[which].type}`];
  const bytes = new Uint8Array(input); // a plain Uint8Array copy
  const value = message(which);
  const w = new XdrWriter(bytes.length + 1024);
  decodeOp = () => {
    const v = decodeFromBytes(codec, bytes);
    sink ^= v === null ? 1 : 0;
  };
  encodeOp = () => {
    w.reset();
    codec.encode(w, value);
    sink ^= w.finish().length;
  };
  encodeOp();
  encodedOnce = w.finish().slice();
} else {
  const { XDR, jsXdrMessage } = await import("./jsxdr-schema.mjs");
  const { type, value } = jsXdrMessage(which, message(which));
  const buf = Buffer.alloc(input.length + 1024);
  decodeOp = () => {
    const v = type.fromXDR(input);
    sink ^= v === null ? 1 : 0;
  };
  encodeOp = () => {
    const w = new XDR.XdrWriter(buf);
    type.write(value, w);
    sink ^= w.finalize().length;
  };
  const w = new XDR.XdrWriter(buf);
  type.write(value, w);
  encodedOnce = Buffer.from(w.finalize());
}

if (!equalBytes(encodedOnce, input)) {
  process.stderr.write(
    `${impl}: encoding of the ${which} message differs from ${file}\n`,
  );
  process.exit(1);
}

const dec = timed(decodeOp);
const enc = timed(encodeOp);
process.stdout.write(
  JSON.stringify({
    impl,
    message: which,
    type: MESSAGES[which].type,
    bytes: input.length,
    decodeNsPerOp: dec.nsPerOp,
    encodeNsPerOp: enc.nsPerOp,
    decodeIterations: dec.iterations,
    encodeIterations: enc.iterations,
    sink,
  }) + "\n",
);
