#!/usr/bin/env node
// The floor of an ONC-RPC client in Node, for bench/oncrpc: DEMO_ECHO calls with the least work
// Node's public API allows (net.connect with a reused `onread` buffer, one socket.write per
// call, canned call bytes, replies checked only by xid and status) and no XDR, timers, abort
// or bookkeeping. What the generated client costs beyond this is ours; what this costs beyond
// the C client is Node's.
//
//   node bare-client.mjs PORT PROGRAM IN_FLIGHT SECONDS
//       prints one JSON line: calls, seconds (after a warm-up like ts-peer.ts's)
import { connect } from "node:net";

const [port, program, inFlight, seconds] = process.argv.slice(2).map(Number);
const LAST_FRAGMENT = 0x80000000;
const WARM_UP_CALLS = 5000;
// xid, CALL, RPC version 2, program, version 1, DEMO_ECHO = 1, AUTH_NONE credential and
// verifier (flavor 0, length 0 each), the int argument.
const CALL_WORDS = 11;

function call(xid, arg) {
  const b = Buffer.allocUnsafe(4 + CALL_WORDS * 4);
  const words = [xid, 0, 2, program, 1, 1, 0, 0, 0, 0, arg];
  b.writeUInt32BE((LAST_FRAGMENT | (CALL_WORDS * 4)) >>> 0, 0);
  words.forEach((w, i) => b.writeUInt32BE(w >>> 0, 4 + i * 4));
  return b;
}

let xid = 1;
let calls = 0;
let stopAt = 0;
let done = null;
let outstanding = 0;
let carry = Buffer.alloc(0);

const socket = connect({
  host: "127.0.0.1",
  port,
  noDelay: true,
  onread: {
    buffer: Buffer.allocUnsafe(64 * 1024),
    callback(n, buf) {
      let data = buf.subarray(0, n);
      if (carry.length > 0) data = Buffer.concat([carry, data]);
      let off = 0;
      let answered = 0;
      while (off + 4 <= data.length) {
        const len = data.readUInt32BE(off) & ~LAST_FRAGMENT;
        if (off + 4 + len > data.length) break;
        // reply: xid, REPLY, MSG_ACCEPTED, verifier, SUCCESS, result
        if (
          data.readUInt32BE(off + 8) !== 1 ||
          data.readUInt32BE(off + 24) !== 0
        )
          throw new Error("unexpected reply");
        off += 4 + len;
        answered++;
      }
      carry = Buffer.from(data.subarray(off));
      calls += answered;
      outstanding -= answered;
      const more = performance.now() < stopAt;
      if (more)
        for (; answered > 0; answered--) {
          socket.write(call(xid++, calls));
          outstanding++;
        }
      if (!more && outstanding === 0) done();
    },
  },
});
await new Promise((r) => socket.once("connect", r));

/** Calls for `ms` (and on until `minCalls`, at most 10 s), `inFlight` at a time. */
async function phase(ms, minCalls = 0) {
  calls = 0;
  const t0 = performance.now();
  stopAt = t0 + ms;
  for (;;) {
    await new Promise((resolve) => {
      done = resolve;
      for (let i = 0; i < inFlight; i++) {
        socket.write(call(xid++, i));
        outstanding++;
      }
    });
    if (calls >= minCalls || performance.now() - t0 > 10_000) break;
    stopAt = performance.now() + 50;
  }
  return { calls, seconds: (performance.now() - t0) / 1000 };
}

await phase(300, WARM_UP_CALLS);
console.log(JSON.stringify(await phase(seconds * 1000)));
socket.destroy();
