// A co-hosted CPU-bound workload for bench/busy-poll/run.mjs: fixed chunks of integer work for
// 2 × SECONDS of wall time, then one JSON line with the chunks done per second in each half
// (what it got of the CPU it shares with the application: idle, then making calls).
const seconds = Number(process.argv[2]);
let x = 1;
const rate = () => {
  let chunks = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 100_000; i++)
      x = (Math.imul(x, 1103515245) + 12345) | 0;
    chunks++;
  }
  return chunks / ((performance.now() - t0) / 1000);
};
const first = rate();
const second = rate();
console.log(JSON.stringify({ first, second, x }));
