// The two messages of the codec benchmark, as plain values in the shape of the
// generated TypeScript interfaces (generated/remote_protocol/codecs.ts):
//
//   big:  remote_connect_get_all_domain_stats_ret — 200 domains × 60 typed
//         params with libvirt's real stats field names ("cpu.time",
//         "balloon.current", "block.0.rd.bytes", …) and values spread over all
//         7 arms of remote_typed_param_value (int, uint, llong, ullong, double,
//         boolean, string); about 450 KB of XDR
//   tiny: remote_domain_migrate_start_post_copy_args — one domain + flags
//
// Deterministic (seeded PRNG): every process builds the identical value.

export const DOMAINS = 200;
export const PARAMS_PER_DOMAIN = 60;

export const MESSAGES = /** @type {const} */ ({
  big: {
    type: "remote_connect_get_all_domain_stats_ret",
    label:
      "big: remote_connect_get_all_domain_stats_ret (200 domains × 60 params)",
  },
  tiny: {
    type: "remote_domain_migrate_start_post_copy_args",
    label: "tiny: remote_domain_migrate_start_post_copy_args",
  },
});

// remote_typed_param_value discriminants (VIR_TYPED_PARAM_*).
const INT = 1;
const UINT = 2;
const LLONG = 3;
const ULLONG = 4;
const DOUBLE = 5;
const BOOLEAN = 6;
const STRING = 7;

/**
 * The 60 params of one domain: [field, type]. Names and types follow
 * virConnectGetAllDomainStats (libvirt 9.0.0 docs); the per-arm counts are
 * int 4, uint 6, llong 2, ullong 38, double 2, boolean 1, string 7.
 */
const PARAMS = [
  ["state.state", INT],
  ["state.reason", INT],
  ["cpu.time", ULLONG],
  ["cpu.user", ULLONG],
  ["cpu.system", ULLONG],
  ["cpu.haltpoll.success.time", ULLONG],
  ["cpu.haltpoll.fail.time", ULLONG],
  ["balloon.current", ULLONG],
  ["balloon.maximum", ULLONG],
  ["balloon.major_fault", ULLONG],
  ["balloon.minor_fault", ULLONG],
  ["balloon.unused", ULLONG],
  ["balloon.available", ULLONG],
  ["balloon.usable", ULLONG],
  ["balloon.rss", ULLONG],
  ["balloon.last-update", ULLONG],
  ["balloon.disk_caches", ULLONG],
  ["vcpu.current", UINT],
  ["vcpu.maximum", UINT],
  ["vcpu.0.state", INT],
  ["vcpu.0.time", ULLONG],
  ["vcpu.0.wait", ULLONG],
  ["vcpu.0.halted", BOOLEAN],
  ["dirtyrate.vcpu.0.megabytes_per_second", ULLONG],
  ["net.count", UINT],
  ["net.0.name", STRING],
  ["net.0.rx.bytes", ULLONG],
  ["net.0.rx.pkts", ULLONG],
  ["net.0.rx.errs", ULLONG],
  ["net.0.rx.drop", ULLONG],
  ["net.0.tx.bytes", ULLONG],
  ["net.0.tx.pkts", ULLONG],
  ["net.0.tx.errs", ULLONG],
  ["net.0.tx.drop", ULLONG],
  ["block.count", UINT],
  ["block.0.name", STRING],
  ["block.0.path", STRING],
  ["block.0.backingIndex", UINT],
  ["block.0.rd.reqs", ULLONG],
  ["block.0.rd.bytes", ULLONG],
  ["block.0.rd.times", ULLONG],
  ["block.0.wr.reqs", ULLONG],
  ["block.0.wr.bytes", ULLONG],
  ["block.0.wr.times", ULLONG],
  ["block.0.fl.reqs", ULLONG],
  ["block.0.fl.times", ULLONG],
  ["block.0.allocation", ULLONG],
  ["block.0.capacity", ULLONG],
  ["block.0.physical", ULLONG],
  ["block.0.threshold", LLONG],
  ["dirtyrate.calc_status", INT],
  ["dirtyrate.megabytes_per_second", LLONG],
  ["memory.bandwidth.monitor.0.node.0.bytes.local", DOUBLE],
  ["memory.bandwidth.monitor.0.node.0.bytes.total", DOUBLE],
  ["cpu.cache.monitor.0.name", STRING],
  ["cpu.cache.monitor.0.vcpus", STRING],
  ["cpu.cache.monitor.0.bank.0.id", UINT],
  ["cpu.cache.monitor.0.bank.0.bytes", ULLONG],
  ["memory.bandwidth.monitor.0.name", STRING],
  ["memory.bandwidth.monitor.0.vcpus", STRING],
];
if (PARAMS.length !== PARAMS_PER_DOMAIN)
  throw new Error(`PARAMS has ${PARAMS.length} entries`);

/** Small deterministic PRNG (mulberry32). */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uuidBytes(rand) {
  const u = new Uint8Array(16);
  for (let i = 0; i < 16; i++) u[i] = Math.floor(rand() * 256);
  u[6] = (u[6] & 0x0f) | 0x40;
  u[8] = (u[8] & 0x3f) | 0x80;
  return u;
}

/** A random unsigned 64-bit bigint below 2^bits. */
function big(rand, bits) {
  const hi = BigInt(Math.floor(rand() * 2 ** Math.max(0, bits - 32)));
  const lo = BigInt(Math.floor(rand() * 2 ** Math.min(32, bits)));
  return bits > 32 ? (hi << 32n) | lo : lo;
}

const ROLES = [
  "web",
  "db",
  "cache",
  "batch",
  "ci-runner",
  "gateway",
  "search",
  "metrics",
];

function domainName(i) {
  return `prod-${ROLES[i % ROLES.length]}-${String(i).padStart(4, "0")}.rack-07.eu-west-2.dc1.example.com`;
}

function paramValue(rand, field, type, dom, i) {
  switch (type) {
    case INT:
      return { type, i: field === "state.state" ? 1 : Math.floor(rand() * 10) };
    case UINT:
      return {
        type,
        ui: field.startsWith("vcpu") ? 2 : Math.floor(rand() * 4),
      };
    case LLONG:
      return { type, l: big(rand, 40) - (1n << 39n) };
    case ULLONG:
      return {
        type,
        ul: big(
          rand,
          field.includes("bytes") || field.includes("time") ? 56 : 34,
        ),
      };
    case DOUBLE:
      return { type, d: rand() * 1e9 };
    case BOOLEAN:
      return { type, b: rand() < 0.5 ? 0 : 1 };
    case STRING: {
      const s =
        field === "net.0.name"
          ? `vnet${i}`
          : field === "block.0.name"
            ? "vda"
            : field === "block.0.path"
              ? `/var/lib/libvirt/images/${ROLES[i % ROLES.length]}/${dom.name}-system-disk.qcow2`
              : field.endsWith(".vcpus")
                ? "0-1"
                : `${field.split(".").slice(0, 2).join("-")}-${i}`;
      return { type, s };
    }
    default:
      throw new Error(`bad type ${type}`);
  }
}

/** @returns {import('../../generated/remote_protocol/codecs.ts').remote_connect_get_all_domain_stats_ret} */
export function bigMessage() {
  const rand = prng(0x5eed);
  const retStats = [];
  for (let i = 0; i < DOMAINS; i++) {
    const dom = { name: domainName(i), uuid: uuidBytes(rand), id: i + 1 };
    const params = PARAMS.map(([field, type]) => ({
      field,
      value: paramValue(rand, field, type, dom, i),
    }));
    retStats.push({ dom, params });
  }
  return { retStats };
}

/** @returns {import('../../generated/remote_protocol/codecs.ts').remote_domain_migrate_start_post_copy_args} */
export function tinyMessage() {
  const rand = prng(42);
  return {
    dom: { name: domainName(42), uuid: uuidBytes(rand), id: 43 },
    flags: 0,
  };
}

export function message(which) {
  if (which === "big") return bigMessage();
  if (which === "tiny") return tinyMessage();
  throw new Error(`unknown message '${which}'`);
}
