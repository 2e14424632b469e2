#!/usr/bin/env node
// Connection benchmark: connections per second — open (socket, authentication, open), one
// connectGetVersion, close — sequentially in one process, the generated TypeScript client
// (bench/connect/ts-connect.ts) against libvirt's C client (bench/connect/c-connect.c,
// virConnectOpenAuth with a credentials callback), same libvirtd 9.0.0 (test driver), for each
// transport and authentication:
//   unix           unix socket, auth none
//   tcp            plain TCP, auth_tcp = none
//   tcp+SASL       plain TCP, auth_tcp = sasl: libvirtd offers only DIGEST-MD5 there (it needs
//                  a security layer on plain TCP), so both negotiate qop=auth-conf and every
//                  message after authentication is RC4-encrypted
//   unix+SCRAM     unix socket, auth_unix_rw = sasl, `auth=sasl.SCRAM-SHA-256` (PBKDF2 with
//                  cyrus' default 10000 iterations on both sides, every connection)
//   tls, tls+SCRAM the same over TLS (certificates made with openssl for 127.0.0.1 by the
//                  tests' test/support/pki.ts, `pkipath=`)
//   ssh            the system ssh to a private sshd on 127.0.0.1 (test/support/sshd.ts), whose
//                  far side runs virt-ssh-helper (libvirt's default proxy) to the unix socket;
//                  both clients spawn one ssh per connection, which dominates (run 3× longer)
// One connection stays open to each daemon during the run (--no-hold: none), so the test
// driver's state is not rebuilt for every measured connection (see `holders` below).
// libvirtd is pinned to CPU 0, every client process to CPU 1 (taskset). Implementations run
// alternating, one process each, order reversed every other round; the ratio is computed per
// round and reported as median (min–max). Prints a Markdown table and writes
// bench/results/connect.md.
//
//   npm run bench:connect [-- --rounds 5 --seconds 2 --idle-wait 15 --no-hold --no-save]
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  buildLibvirtClient,
  libvirtdVersion,
  startLibvirtd,
} from "../lib/libvirtd.mjs";
import { sleep, which } from "../lib/processes.mjs";
import {
  BUILD_DIR,
  REPO_ROOT,
  commandLine,
  compileTsIfStale,
  die,
  ensureDist,
  environment,
  environmentBlock,
  fmt,
  fmtRatio,
  idleWaiter,
  lastJsonLine,
  log,
  mdTable,
  median,
  parseOptions,
  requireTaskset,
  runPinned,
  saveResult,
  summary,
} from "../lib/common.mjs";

const USAGE =
  "usage: node bench/connect/run.mjs [--rounds N] [--seconds S] [--only unix,tcp,...] [--idle-wait S] [--no-hold] [--no-save]";
const opts = parseOptions(
  process.argv.slice(2),
  {
    rounds: "number",
    seconds: "number",
    only: "string",
    "idle-wait": "number",
    "no-hold": "boolean",
    "no-save": "boolean",
  },
  USAGE,
);
const ROUNDS = opts.rounds ?? 5;
const SECONDS = opts.seconds ?? 2;
const DAEMON_CPU = "0";
const OUT = join(BUILD_DIR, "connect");
const USER = "bench";
const PASSWORD = "bench-password";

/** The tests' helpers this benchmark reuses (compiled by bench/connect/tsconfig.json). */
const SHARED_HELPERS = [
  "pki.ts",
  "sshd.ts",
  "libvirtd.ts",
  "free-port.ts",
  "run-libvirt-mount.ts",
];
const helper = (name) =>
  import(pathToFileURL(join(OUT, "test", "support", `${name}.js`)).href);

function buildTs() {
  const js = join(OUT, "bench", "connect", "ts-connect.js");
  compileTsIfStale(
    "bench:connect",
    "bench/connect/tsconfig.json",
    [
      js,
      ...SHARED_HELPERS.map((h) =>
        join(OUT, "test", "support", h.replace(/\.ts$/, ".js")),
      ),
    ],
    [
      join(REPO_ROOT, "bench", "connect", "ts-connect.ts"),
      ...SHARED_HELPERS.map((h) => join(REPO_ROOT, "test", "support", h)),
    ],
  );
  return js;
}

/**
 * A private libvirtd (bench/lib/libvirtd.mjs; SASL as in test/support/sasl.ts) listening on a
 * unix socket and on TCP and TLS on 127.0.0.1, pinned to CPU 0.
 */
async function startDaemon(auth) {
  const port = await freePort();
  const tlsPort = await freePort();
  let pki;
  const daemon = await startLibvirtd({
    cpu: DAEMON_CPU,
    authUnixRw: auth,
    listen: true,
    async configure(base) {
      const env = {};
      if (auth === "sasl") {
        const db = join(base, "passwd.db");
        writeFileSync(
          join(base, "libvirt.conf"),
          `mech_list: scram-sha-256 digest-md5\nsasldb_path: ${db}\n`,
        );
        execFileSync(
          which("saslpasswd2"),
          ["-p", "-f", db, "-a", "libvirt", "-c", USER],
          { input: PASSWORD },
        );
        env.SASL_CONF_PATH = base;
      }
      pki = makePki(join(base, "pki"));
      return {
        conf: [
          "listen_tcp = 1",
          "listen_tls = 1",
          'listen_addr = "127.0.0.1"',
          `tcp_port = "${port}"`,
          `auth_tcp = "${auth}"`,
          `tls_port = "${tlsPort}"`,
          `auth_tls = "${auth}"`,
          `key_file = "${pki.serverKey}"`,
          `cert_file = "${pki.serverCert}"`,
          `ca_file = "${pki.caCert}"`,
          // Sequential connections: the daemon must not refuse churn.
          "max_anonymous_clients = 1000",
        ],
        env,
        waitFor: [{ port, host: "127.0.0.1" }],
      };
    },
  });
  return {
    ...daemon,
    unix: daemon.uri,
    tcp: `test+tcp://127.0.0.1:${port}/default`,
    tls: `test+tls://127.0.0.1:${tlsPort}/default?pkipath=${pki.clientDir}`,
  };
}

/** On a shared machine: wait (up to IDLE_WAIT s) for the CPUs to be ≥ 90% idle before each run. */
const IDLE_WAIT = opts.idleWait ?? 15;
const idle = idleWaiter(IDLE_WAIT * 1000, 300);

// Interrupted: still stop the daemons (the exit handlers below do).
for (const sig of ["SIGINT", "SIGTERM"])
  process.on(sig, () => process.exit(130));

requireTaskset();
const distNote = ensureDist("bench:connect");
const cExe = buildLibvirtClient(
  "bench/connect/c-connect.c",
  join(OUT, "c-connect"),
  { prefix: "bench:connect" },
);
const tsJs = buildTs();
const { makePki } = await helper("pki");
const { freePort } = await helper("free-port");
const plain = await startDaemon("none");
const sasl = await startDaemon("sasl");
const creds = [USER, PASSWORD];

// +ssh: a private sshd on 127.0.0.1 (test/support/sshd.ts: own config, host and client keys,
// known_hosts) in a mount namespace where the plain daemon's socket directory is libvirt's
// /run/libvirt, so the far side's `virt-ssh-helper test:///default` (libvirt's default proxy)
// reaches it. Both clients run the same `ssh` (`command=`: the system ssh reading that
// known_hosts, so the machine's ~/.ssh is left alone). Needs root (sshd, unshare).
let sshUri = null;
let sshd = null;
if (process.getuid?.() === 0) {
  const { startSshd } = await helper("sshd");
  sshd = await startSshd({ bindLibvirtDir: plain.dir });
  const pidFile = join(sshd.dir, "sshd.pid");
  process.on("exit", () => {
    // Interrupted (the normal end awaits sshd.stop()): a SIGTERM is all an exit handler can do.
    if (existsSync(pidFile))
      try {
        process.kill(Number(readFileSync(pidFile, "utf8")), "SIGTERM");
      } catch {
        // already gone
      }
  });
  sshUri = `test+ssh://root@127.0.0.1:${sshd.port}/default?socket=${plain.socket}&keyfile=${sshd.clientKey}&command=${sshd.sshWrapper}`;
} else log("bench:connect", "not root: no sshd, skipping the ssh row");

// One connection held open to each daemon for the whole run (unless --no-hold). The test
// driver's `test:///default` state is created by the first open and freed when its last
// connection closes, and libvirtd closes a client only after answering its CONNECT_CLOSE
// (virNetServerClientDelayedClose). Without a holder every measured connection would pay for
// the driver parsing its built-in XML again — or not, depending on whether the client's next
// open reaches the daemon before the previous connection's teardown: a race between the
// daemon's threads that decides a large part of the rate. A real driver (qemu) keeps its
// state across connections, so with a holder both clients measure the connection itself.
const holders = [];
if (!opts.noHold) {
  const { RemoteClient } = await import(
    pathToFileURL(join(OUT, "generated", "remote_protocol", "index.js")).href
  );
  for (const [uri, auth] of [
    [plain.unix, undefined],
    [
      `${sasl.unix}&auth=sasl.SCRAM-SHA-256`,
      { username: USER, password: PASSWORD },
    ],
  ])
    holders.push(await RemoteClient.connect(uri, { auth, keepalive: false }));
}
const ALL = [
  { key: "unix", label: "unix", uri: plain.unix, creds: [] },
  { key: "tcp", label: "tcp", uri: plain.tcp, creds: [] },
  {
    key: "tcp+sasl",
    label: "tcp + SASL DIGEST-MD5 (auth-conf, RC4 layer)",
    uri: sasl.tcp,
    creds,
  },
  {
    key: "unix+scram",
    label: "unix + SASL SCRAM-SHA-256",
    uri: `${sasl.unix}&auth=sasl.SCRAM-SHA-256`,
    creds,
  },
  { key: "tls", label: "tls", uri: plain.tls, creds: [] },
  {
    key: "tls+scram",
    label: "tls + SASL SCRAM-SHA-256",
    uri: `${sasl.tls}&auth=sasl.SCRAM-SHA-256`,
    creds,
  },
  ...(sshUri
    ? [
        {
          key: "ssh",
          label: "ssh (system ssh, virt-ssh-helper on the far side)",
          uri: sshUri,
          creds: [],
          // A few connections per second at best: a longer run for a usable count.
          seconds: SECONDS * 3,
        },
      ]
    : []),
];
const only = opts.only?.split(",");
const CASES = only ? ALL.filter((c) => only.includes(c.key)) : ALL;
const secondsOf = (c) => String(c.seconds ?? SECONDS);
const impls = [
  {
    key: "c",
    name: "libvirt C client",
    run: (c) => runPinned(cExe, [c.uri, secondsOf(c), ...c.creds]),
  },
  {
    key: "ts",
    name: "TypeScript client (defaults)",
    run: (c) =>
      runPinned(process.execPath, [tsJs, c.uri, secondsOf(c), ...c.creds]),
  },
  {
    key: "tsNoKa",
    name: "TypeScript client, keepalive: false",
    run: (c) =>
      runPinned(process.execPath, [
        tsJs,
        c.uri,
        secondsOf(c),
        ...c.creds,
        "--no-keepalive",
      ]),
  },
];
const KEYS = impls.map((i) => i.key);

function runOnce(impl, c) {
  idle.wait();
  const out = lastJsonLine(impl.run(c).stdout, impl.name);
  if (out.failed) die(`${impl.name} on ${c.label}: a connection failed`);
  return { cps: out.connectionsPerSecond, cpu: out.cpuSeconds / out.seconds };
}

const t0 = Date.now();
const results = Object.fromEntries(
  CASES.map((c) => [c.key, Object.fromEntries(KEYS.map((k) => [k, []]))]),
);
for (let round = 0; round < ROUNDS; round++) {
  for (const c of CASES) {
    const order = round % 2 ? [...impls].reverse() : impls;
    const got = {};
    for (const impl of order) {
      got[impl.key] = runOnce(impl, c);
      await sleep(0); // lets SIGINT/SIGTERM stop the daemons between runs
    }
    for (const k of KEYS) results[c.key][k].push(got[k]);
    log(
      "bench:connect",
      `round ${round + 1}/${ROUNDS}, ${c.label}: C ${fmt(got.c.cps)}/s, TS ${fmt(got.ts.cps)}/s, TS keepalive off ${fmt(got.tsNoKa.cps)}/s`,
    );
  }
}
for (const h of holders) await h.close();
await sshd?.stop();
await plain.stop();
await sasl.stop();

const wall = Math.round((Date.now() - t0) / 1000);
const med = (r, k) => fmt(median(r[k].map((x) => x.cps)));
const ratios = (r, k) => r[k].map((x, i) => x.cps / r.c[i].cps);
const cpuPct = (r, k) => `${Math.round(median(r[k].map((x) => x.cpu)) * 100)}%`;
const rows = CASES.map((c) => {
  const r = results[c.key];
  const ratio = summary(ratios(r, "ts"));
  return [
    c.label,
    med(r, "c"),
    med(r, "ts"),
    med(r, "tsNoKa"),
    fmtRatio(ratio),
    fmtRatio(summary(ratios(r, "tsNoKa"))),
    `${cpuPct(r, "c")} / ${cpuPct(r, "ts")}`,
    ratio.median >= 1 ? "✅" : "❌",
  ];
});
const table = mdTable(
  [
    "transport + auth",
    "C conn/s",
    "TS conn/s (defaults)",
    "TS conn/s (keepalive off)",
    "TS defaults ÷ C",
    "TS keepalive off ÷ C",
    "client CPU: C / TS",
    "TS ≥ C",
  ],
  rows,
  ["l", "r", "r", "r", "r", "r", "r", "c"],
);
const md = [
  "# Connections per second: generated TypeScript client vs libvirt's C client",
  "",
  environmentBlock(environment(), commandLine(), [
    `libvirtd ${libvirtdVersion().replace(
      /^.*\(libvirt\) /,
      "",
    )}, test driver, pinned with \`taskset -c ${DAEMON_CPU}\`; one daemon with auth none (unix, tcp, tls; ssh reaches its unix socket) and one with auth sasl (unix, tcp, tls; sasldb made by saslpasswd2, mech_list scram-sha-256 digest-md5); TLS certificates from test/support/pki.ts (openssl); ssh: a private sshd (test/support/sshd.ts) on 127.0.0.1, \`command=\` an ssh reading its known_hosts, virt-ssh-helper on the far side`,
    `one connection = open (socket, authentication, open), one \`virConnectGetVersion\`, close; sequential, ${SECONDS} s per run (ssh: ${SECONDS * 3} s) after 0.5 s of warm-up`,
    opts.noHold
      ? "no connection held open: each measured connection makes the test driver rebuild its default state (or not, when the next open reaches libvirtd before the previous connection's delayed close)"
      : "one connection held open to each daemon during the run (as any long-lived client would), so the test driver keeps its default state and each measured connection costs what a connection costs (`--no-hold` measures without it)",
    "C client (bench/connect/c-connect.c, gcc -O2, Debian libvirt-dev): `virConnectOpenAuth` with a credentials callback, `virConnectGetVersion`, `virConnectClose`; no event loop registered, so libvirt's client does not ask for keepalive. On the wire (LIBVIRT_DEBUG): AUTH_LIST, [SASL exchange], CONNECT_OPEN, two CONNECT_SUPPORTS_FEATURE probes after the open, CONNECT_GET_VERSION, CONNECT_CLOSE, each waiting for its reply",
    'TS client (bench/connect/ts-connect.ts): `RemoteClient.connect(uri, { auth: { username, password } })`, `connectGetVersion()`, `close()`; on the wire: AUTH_LIST, [SASL exchange], CONNECT_SUPPORTS_FEATURE(keepalive) and CONNECT_OPEN sent together (over TLS in separate records), CONNECT_GET_VERSION, CONNECT_CLOSE; **defaults** include keepalive (the query, then a timer); "keepalive off" skips both, like the C program',
    "client CPU: CPU time of the client process over the measured seconds, as a share of one CPU (median)",
    `rounds: ${ROUNDS} (alternating, one pinned process per implementation, order reversed every other round; each run waits up to ${IDLE_WAIT} s for the CPUs to be ≥90% idle — ${Math.round(idle.waitedMs / 1000)} s spent waiting; wall ${wall} s)`,
    ...(distNote ? [distNote] : []),
  ]),
  "",
  "Medians of connections/s; ratios are computed per round (paired) and shown as **median** (min–max). The target (TS defaults ≥ C) is judged on the median.",
  "",
  table,
  "",
].join("\n");

process.stdout.write(md);
if (!opts.noSave) log("bench:connect", `saved ${saveResult("connect", md)}`);
