#!/usr/bin/env node
// The floor of a proxy in Node, for `npm run bench:trace -- --compare bare`: forwards bytes both
// ways like `virt-rpcgen trace` (raw 'data' handlers, socket.write) and decodes nothing. Takes
// the trace command's arguments and ignores all but --listen and --connect.
import { createConnection, createServer } from "node:net";

const args = process.argv.slice(2);
const listen = args[args.indexOf("--listen") + 1];
const upstream = args[args.indexOf("--connect") + 1];
// --spin US: keep the event loop turning for US µs after each chunk (busy-polling).
const spinUs = args.includes("--spin")
  ? Number(args[args.indexOf("--spin") + 1])
  : 0;
let hotUntil = 0;
let spinning = false;
const spin = () => {
  if (performance.now() < hotUntil) setImmediate(spin);
  else spinning = false;
};
const active = () => {
  if (spinUs <= 0) return;
  hotUntil = performance.now() + spinUs / 1000;
  if (!spinning) {
    spinning = true;
    setImmediate(spin);
  }
};
const server = createServer({ pauseOnConnect: true }, (client) => {
  const server = createConnection(upstream);
  server.on("connect", () => client.resume());
  const forward = (from, to) => {
    from.on("data", (chunk) => {
      if (!to.write(chunk)) from.pause();
      active();
    });
    to.on("drain", () => from.resume());
    from.on("close", () => to.destroy());
    from.on("error", () => to.destroy());
  };
  forward(client, server);
  forward(server, client);
});
server.listen(listen, () =>
  process.stderr.write(`bare forwarder: listening on ${listen}, forwarding\n`),
);
process.once("SIGTERM", () => process.exit(0));
