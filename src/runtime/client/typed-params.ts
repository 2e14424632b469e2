/**
 * libvirt's typed parameters (`remote_typed_param[]`, `admin_typed_param[]`: a field name and a
 * value of one of seven wire types) as plain objects, and back.
 *
 * ```ts
 * const sched = typedParamsToObject<virDomainSchedulerParameters>(
 *   (await client.domainGetSchedulerParameters(dom, 5)));   // { cpu_shares: 1024n, … }
 * await client.domainSetSchedulerParameters(dom,
 *   typedParamsFromObject({ cpu_shares: 2048n }, virDomainSchedulerParametersTypes));
 * ```
 * The wire types map to `int`/`uint`/`double` → number, `llong`/`ullong` → bigint, `boolean` →
 * boolean, `string` → string. Field names repeat in a few lists (migration's `migrate_disks`):
 * the object keeps the first, as libvirt's `virTypedParamsGet*` do, and `typedParamsAll` reads
 * every one.
 */

/** A typed parameter's value as JavaScript holds it. */
export type TypedParamValue = number | bigint | boolean | string;

/** `VIR_TYPED_PARAM_*` by name: the `type` discriminant on the wire. */
export const TYPED_PARAM = {
  int: 1,
  uint: 2,
  llong: 3,
  ullong: 4,
  double: 5,
  boolean: 6,
  string: 7,
} as const;

export type TypedParamType = keyof typeof TYPED_PARAM;

/** The wire union, structurally (remote's and admin's typed params both have this shape). */
export type WireTypedParamValue =
  | { type: 1; i: number }
  | { type: 2; ui: number }
  | { type: 3; l: bigint }
  | { type: 4; ul: bigint }
  | { type: 5; d: number }
  | { type: 6; b: number }
  | { type: 7; s: string };

export interface WireTypedParam {
  field: string;
  value: WireTypedParamValue;
}

/** The JavaScript value of one wire value. */
export function typedParamValue(v: WireTypedParamValue): TypedParamValue {
  switch (v.type) {
    case 1:
      return v.i;
    case 2:
      return v.ui;
    case 3:
      return v.l;
    case 4:
      return v.ul;
    case 5:
      return v.d;
    case 6:
      return v.b !== 0;
    case 7:
      return v.s;
  }
}

/**
 * The params as an object, field → value (the first of repeated fields). `T` names the fields
 * libvirt documents (`virDomainSchedulerParameters`, `virDomainStatsRecordParameters`); fields it
 * does not know are there too, as `TypedParamValue`.
 */
export function typedParamsToObject<
  T extends object = Record<string, TypedParamValue | undefined>,
>(
  params: readonly WireTypedParam[],
): T & Record<string, TypedParamValue | undefined> {
  const out: Record<string, TypedParamValue> = {};
  for (const p of params)
    if (!Object.prototype.hasOwnProperty.call(out, p.field))
      out[p.field] = typedParamValue(p.value);
  return out as T & Record<string, TypedParamValue | undefined>;
}

/** Every value of `field`, in order (libvirt repeats some string fields). */
export function typedParamsAll(
  params: readonly WireTypedParam[],
  field: string,
): TypedParamValue[] {
  return params
    .filter((p) => p.field === field)
    .map((p) => typedParamValue(p.value));
}

const INT_MIN = -0x80000000;
const UINT_MAX = 0xffffffff;

/** The wire value of `value` as `type`, or as the type its JavaScript type suggests. */
export function wireTypedParamValue(
  field: string,
  value: TypedParamValue,
  type?: TypedParamType,
): WireTypedParamValue {
  const t = type ?? inferType(value);
  const fail = (): never => {
    throw new TypeError(
      `typed parameter ${field}: ${typeof value} ${String(value)} is not a valid ${t}`,
    );
  };
  switch (t) {
    case "int":
    case "uint": {
      const n = typeof value === "bigint" ? Number(value) : value;
      if (typeof n !== "number" || !Number.isInteger(n)) return fail();
      if (t === "int" ? n < INT_MIN || n > 0x7fffffff : n < 0 || n > UINT_MAX)
        return fail();
      return t === "int" ? { type: 1, i: n } : { type: 2, ui: n };
    }
    case "llong":
    case "ullong": {
      let n: bigint;
      if (typeof value === "bigint") n = value;
      else if (typeof value === "number" && Number.isSafeInteger(value))
        n = BigInt(value);
      else return fail();
      if (
        t === "ullong"
          ? n < 0n || n >= 1n << 64n
          : n < -(1n << 63n) || n >= 1n << 63n
      )
        return fail();
      return t === "llong" ? { type: 3, l: n } : { type: 4, ul: n };
    }
    case "double":
      if (typeof value !== "number") return fail();
      return { type: 5, d: value };
    case "boolean":
      if (typeof value !== "boolean" && value !== 0 && value !== 1)
        return fail();
      return { type: 6, b: value === true || value === 1 ? 1 : 0 };
    case "string":
      if (typeof value !== "string") return fail();
      return { type: 7, s: value };
  }
}

function inferType(value: TypedParamValue): TypedParamType {
  switch (typeof value) {
    case "boolean":
      return "boolean";
    case "string":
      return "string";
    case "bigint":
      return value < 0n ? "llong" : "ullong";
    default:
      if (!Number.isInteger(value)) return "double";
      return value >= INT_MIN && value <= 0x7fffffff
        ? "int"
        : value >= 0 && value <= UINT_MAX
          ? "uint"
          : "double";
  }
}

/**
 * An object as typed params. `types` gives each field's wire type (the generated
 * `…Types` objects hold what libvirt documents; libvirt refuses a field sent with another
 * type); fields it does not list are typed from their value: boolean, string, bigint as
 * `ullong` (`llong` when negative), integers as `int` (`uint` above 2³¹−1), other numbers as
 * `double`. An array value sends the field once per element; `undefined` skips it.
 */
export function typedParamsFromObject(
  values: Readonly<
    Record<string, TypedParamValue | readonly TypedParamValue[] | undefined>
  >,
  types: Readonly<Record<string, TypedParamType>> = {},
): WireTypedParam[] {
  const out: WireTypedParam[] = [];
  for (const [field, v] of Object.entries(values)) {
    if (v === undefined) continue;
    const type = Object.prototype.hasOwnProperty.call(types, field)
      ? types[field]
      : undefined;
    for (const one of Array.isArray(v)
      ? (v as TypedParamValue[])
      : [v as TypedParamValue])
      out.push({ field, value: wireTypedParamValue(field, one, type) });
  }
  return out;
}
