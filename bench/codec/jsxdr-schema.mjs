// The part of remote_protocol.x the codec benchmark needs, written in
// @stellar/js-xdr 4.0.0's config DSL (what its `xdrgen` would emit), plus
// converters from the plain benchmark values (payload.mjs) to js-xdr's object
// model — built the way an application would: JS strings stay strings, uuids
// are Buffers, hypers are bigints.
//
// remote_protocol.x (libvirt 9.0.0):
//   typedef string remote_nonnull_string<REMOTE_STRING_MAX>;
//   typedef opaque remote_uuid[VIR_UUID_BUFLEN];
//   struct remote_nonnull_domain { remote_nonnull_string name; remote_uuid uuid; int id; };
//   union remote_typed_param_value switch (int type) { case 1: int i; … case 7: remote_nonnull_string s; };
//   struct remote_typed_param { remote_nonnull_string field; remote_typed_param_value value; };
//   struct remote_domain_stats_record { remote_nonnull_domain dom; remote_typed_param params<REMOTE_CONNECT_GET_ALL_DOMAIN_STATS_MAX>; };
//   struct remote_connect_get_all_domain_stats_ret { remote_domain_stats_record retStats<REMOTE_DOMAIN_LIST_MAX>; };
//   struct remote_domain_migrate_start_post_copy_args { remote_nonnull_domain dom; unsigned int flags; };
import XDRModule from "@stellar/js-xdr";

/** @type {any} */
export const XDR = XDRModule;

export const types = XDR.config((xdr) => {
  xdr.const("REMOTE_STRING_MAX", 4194304);
  xdr.const("VIR_UUID_BUFLEN", 16);
  xdr.const("REMOTE_DOMAIN_LIST_MAX", 16384);
  xdr.const("REMOTE_CONNECT_GET_ALL_DOMAIN_STATS_MAX", 262144);

  xdr.typedef(
    "remote_nonnull_string",
    xdr.string(xdr.lookup("REMOTE_STRING_MAX")),
  );
  xdr.typedef("remote_uuid", xdr.opaque(xdr.lookup("VIR_UUID_BUFLEN")));

  xdr.struct("remote_nonnull_domain", [
    ["name", xdr.lookup("remote_nonnull_string")],
    ["uuid", xdr.lookup("remote_uuid")],
    ["id", xdr.int()],
  ]);

  xdr.union("remote_typed_param_value", {
    switchOn: xdr.int(),
    switchName: "type",
    switches: [
      [1, "i"], // VIR_TYPED_PARAM_INT
      [2, "ui"], // VIR_TYPED_PARAM_UINT
      [3, "l"], // VIR_TYPED_PARAM_LLONG
      [4, "ul"], // VIR_TYPED_PARAM_ULLONG
      [5, "d"], // VIR_TYPED_PARAM_DOUBLE
      [6, "b"], // VIR_TYPED_PARAM_BOOLEAN
      [7, "s"], // VIR_TYPED_PARAM_STRING
    ],
    arms: {
      i: xdr.int(),
      ui: xdr.uint(),
      l: xdr.hyper(),
      ul: xdr.uhyper(),
      d: xdr.double(),
      b: xdr.int(),
      s: xdr.lookup("remote_nonnull_string"),
    },
  });

  xdr.struct("remote_typed_param", [
    ["field", xdr.lookup("remote_nonnull_string")],
    ["value", xdr.lookup("remote_typed_param_value")],
  ]);

  xdr.struct("remote_domain_stats_record", [
    ["dom", xdr.lookup("remote_nonnull_domain")],
    [
      "params",
      xdr.varArray(
        xdr.lookup("remote_typed_param"),
        xdr.lookup("REMOTE_CONNECT_GET_ALL_DOMAIN_STATS_MAX"),
      ),
    ],
  ]);

  xdr.struct("remote_connect_get_all_domain_stats_ret", [
    [
      "retStats",
      xdr.varArray(
        xdr.lookup("remote_domain_stats_record"),
        xdr.lookup("REMOTE_DOMAIN_LIST_MAX"),
      ),
    ],
  ]);

  xdr.struct("remote_domain_migrate_start_post_copy_args", [
    ["dom", xdr.lookup("remote_nonnull_domain")],
    ["flags", xdr.uint()],
  ]);
});

const ARM = { 1: "i", 2: "ui", 3: "l", 4: "ul", 5: "d", 6: "b", 7: "s" };

function domain(d) {
  return new types.remote_nonnull_domain({
    name: d.name,
    uuid: Buffer.from(d.uuid),
    id: d.id,
  });
}

function typedParam(p) {
  const v = p.value;
  return new types.remote_typed_param({
    field: p.field,
    value: new types.remote_typed_param_value(v.type, v[ARM[v.type]]),
  });
}

/** js-xdr value of remote_connect_get_all_domain_stats_ret from the plain value. */
export function toJsXdrBig(plain) {
  return new types.remote_connect_get_all_domain_stats_ret({
    retStats: plain.retStats.map(
      (r) =>
        new types.remote_domain_stats_record({
          dom: domain(r.dom),
          params: r.params.map(typedParam),
        }),
    ),
  });
}

/** js-xdr value of remote_domain_migrate_start_post_copy_args from the plain value. */
export function toJsXdrTiny(plain) {
  return new types.remote_domain_migrate_start_post_copy_args({
    dom: domain(plain.dom),
    flags: plain.flags,
  });
}

/** The js-xdr type and value of a benchmark message ('big' | 'tiny'). */
export function jsXdrMessage(which, plain) {
  if (which === "big")
    return {
      type: types.remote_connect_get_all_domain_stats_ret,
      value: toJsXdrBig(plain),
    };
  return {
    type: types.remote_domain_migrate_start_post_copy_args,
    value: toJsXdrTiny(plain),
  };
}
