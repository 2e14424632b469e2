// One pinned process of bench/framing: reassembles a 1 MiB frame fed to FrameReader in chunks
// of CHUNK bytes, repeatedly for about SECONDS, and prints {chunk, nsPerMiB, reps} as JSON.
// The chunks are views made before timing (a socket hands over ready chunks too), so what is
// timed is the reader alone.
import { FrameReader } from "virt-rpcgen-runtime/rpc";

const chunk = Number(process.argv[2]);
if (!Number.isInteger(chunk) || chunk < 0)
  throw new Error(`bad chunk size ${process.argv[2]}`);
const seconds = Number(process.argv[3] ?? "0.5");
const FRAME = 1 << 20;
const frame = new Uint8Array(FRAME);
for (let i = 4; i < FRAME; i++) frame[i] = i & 0xff;
new DataView(frame.buffer).setUint32(0, FRAME);
// chunk 0: the length word, then the rest in one chunk (one copy: a frame that does not start
// its chunk, the baseline for what reassembly costs).
const chunks = [];
if (chunk === 0) chunks.push(frame.subarray(0, 4), frame.subarray(4));
else
  for (let i = 0; i < FRAME; i += chunk)
    chunks.push(frame.subarray(i, i + chunk));

function once() {
  const r = new FrameReader();
  let got = 0;
  for (const c of chunks) got += r.push(c).length;
  if (got !== 1) throw new Error(`reassembled ${got} frames`);
}

// Warm up the JIT, then time whole reassemblies.
for (let i = 0; i < 3; i++) once();
const times = [];
const t0 = performance.now();
while (performance.now() - t0 < seconds * 1000 || times.length < 5) {
  const s = process.hrtime.bigint();
  once();
  times.push(Number(process.hrtime.bigint() - s));
}
times.sort((a, b) => a - b);
console.log(
  JSON.stringify({
    chunk,
    nsPerMiB: times[times.length >> 1],
    reps: times.length,
  }),
);
