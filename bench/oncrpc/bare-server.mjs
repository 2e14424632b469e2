#!/usr/bin/env node
// The floor of an ONC-RPC server in Node, for bench/oncrpc: answers DEMO_ECHO with the least
// work Node's public API allows (net.Server, one 'data' handler, one socket.write per chunk)
// and no XDR, dispatch, auth or limits: it takes the last 4 bytes of each call record as the
// argument and writes a canned accepted reply around it. What the generated server costs beyond
// this is ours; what this costs beyond the C server is Node's.
//
//   node bare-server.mjs   prints "port N", serves 127.0.0.1 until killed
import { createServer } from "node:net";

const LAST_FRAGMENT = 0x80000000;
// xid, REPLY, MSG_ACCEPTED, AUTH_NONE verifier (flavor, length 0), SUCCESS, the int result.
const REPLY_WORDS = 7;

const server = createServer({ noDelay: true }, (socket) => {
  let pending = null; // bytes of an incomplete record, or null
  socket.on("data", (chunk) => {
    const data = pending === null ? chunk : Buffer.concat([pending, chunk]);
    pending = null;
    let replies = 0;
    // Count whole records first, so the replies go out in one buffer.
    const records = [];
    let off = 0;
    while (off + 4 <= data.length) {
      const len = data.readUInt32BE(off) & ~LAST_FRAGMENT;
      if (off + 4 + len > data.length) break;
      records.push(off + 4, len);
      off += 4 + len;
      replies++;
    }
    if (off < data.length) pending = Buffer.from(data.subarray(off));
    if (replies === 0) return;
    const out = Buffer.allocUnsafe(replies * (4 + REPLY_WORDS * 4));
    let o = 0;
    for (let i = 0; i < records.length; i += 2) {
      const start = records[i];
      const len = records[i + 1];
      out.writeUInt32BE((LAST_FRAGMENT | (REPLY_WORDS * 4)) >>> 0, o);
      out.writeUInt32BE(data.readUInt32BE(start), o + 4); // xid
      out.writeUInt32BE(1, o + 8); // REPLY
      out.writeUInt32BE(0, o + 12); // MSG_ACCEPTED
      out.writeUInt32BE(0, o + 16); // verifier flavor AUTH_NONE
      out.writeUInt32BE(0, o + 20); // verifier length
      out.writeUInt32BE(0, o + 24); // SUCCESS
      out.writeUInt32BE(data.readUInt32BE(start + len - 4), o + 28); // the echoed int
      o += 4 + REPLY_WORDS * 4;
    }
    socket.write(out);
  });
  socket.on("error", () => socket.destroy());
});
server.listen(0, "127.0.0.1", () => {
  console.log(`port ${server.address().port}`);
});
process.once("SIGTERM", () => process.exit(0));
