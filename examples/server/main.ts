/**
 * Example server: the generated remote_protocol skeleton plus the in-memory driver, serving
 * real libvirt clients.
 *
 *   npm run example:server -- --socket /tmp/ex.sock [--tcp 127.0.0.1:16509] [--deny domain:migrate,…] [--quiet] [--busy-poll MICROS]
 *   virsh -c 'test+unix:///default?socket=/tmp/ex.sock' list --all
 *
 * Runs in the foreground and logs one line per call. `--deny object:permission` installs an
 * access checker that denies those permissions (and logs each check).
 */
import { parseArgs } from "node:util";
import {
  createRpcServer,
  type AccessChecker,
  type CallRecord,
  type ListenOptions,
} from "virt-rpcgen-runtime";
import { remoteServerProgram } from "../../generated/remote_protocol/index.js";
import { createExampleDriver } from "./driver.js";

const { values } = parseArgs({
  options: {
    socket: { type: "string" },
    tcp: { type: "string" },
    deny: { type: "string", multiple: true },
    quiet: { type: "boolean", short: "q" },
    "busy-poll": { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help || (!values.socket && !values.tcp)) {
  process.stderr.write(
    "usage: example-server --socket PATH [--tcp HOST:PORT] [--deny object:permission[,…]] [--quiet] [--busy-poll MICROS]\n",
  );
  process.exit(values.help ? 0 : 2);
}

const out = (line: string) => process.stdout.write(line + "\n");
const denied = new Set(
  (values.deny ?? []).flatMap((d) => d.split(",")).filter(Boolean),
);

const accessChecker: AccessChecker | undefined =
  denied.size === 0
    ? undefined
    : (identity, object, permission) => {
        const key = `${object.type}:${permission}`;
        const allow = !denied.has(key);
        const target =
          object.target &&
          typeof object.target === "object" &&
          "name" in object.target
            ? ` ${String(object.target.name)}`
            : "";
        out(
          `acl: client ${identity.id} ${key}${target} (${object.procedure}) -> ${allow ? "allowed" : "denied"}`,
        );
        return allow;
      };

const driver = createExampleDriver({
  onHandler: (method, detail) => out(`driver: ${method} ${detail}`),
});
const server = createRpcServer({
  programs: [remoteServerProgram(driver.handlers)],
  ...(accessChecker ? { accessChecker } : {}),
  // libvirt names the connection's driver in access-denied errors; the test driver is "Test".
  driverName: "Test",
  ...(values["busy-poll"]
    ? { limits: { busyPollMicros: Number(values["busy-poll"]) } }
    : {}),
  ...(values.quiet
    ? {}
    : {
        onCall: (r: CallRecord) =>
          out(
            `call client=${r.client} ${r.name} (${r.program} proc ${r.proc}) serial=${r.serial} ${r.ok ? "ok" : `error: ${r.outcome}`} ${r.ms.toFixed(2)}ms`,
          ),
      }),
  log: (line) => out(`server: ${line}`),
});

const listeners: ListenOptions[] = [];
if (values.socket) listeners.push({ path: values.socket });
if (values.tcp) {
  const m = /^(.*):(\d+)$/.exec(values.tcp);
  if (!m) throw new Error(`--tcp expects HOST:PORT, got '${values.tcp}'`);
  listeners.push({ host: m[1]!, port: Number(m[2]) });
}
for (const l of listeners)
  out(`listening on ${await server.listen(l)} (pid ${process.pid})`);

const stop = () => {
  void server.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
