/**
 * ACL rules as generated from `@acl`/`@aclfilter`, and their evaluation.
 *
 * libvirt's gendispatch.pl turns `@acl: domain:save:!VIR_DOMAIN_AFFECT_CONFIG|VIR_DOMAIN_AFFECT_LIVE`
 * into `if (((flags & (CONFIG|LIVE)) == 0) && !check(domain, SAVE)) deny;`: a leading `!`
 * negates the whole mask ("none of these flags set"), otherwise every flag in the mask must be
 * set. `::source:VALUE` compares an argument with a value. The generator resolves flag and
 * value names to numbers, so the runtime only compares integers.
 */

export interface AclFlagCondition {
  /** OR of the named flags. */
  readonly mask: number;
  /** true: applies when all of `mask` is set; false: when none of it is (`!FLAG|…`). */
  readonly set: boolean;
  /** The flag names as written, for messages. */
  readonly names: string;
}

export interface AclParamCondition {
  /** Argument member compared (e.g. `source`). */
  readonly name: string;
  readonly value: number;
  /** The value's name as written. */
  readonly valueName: string;
}

/** One rule: check `permission` on `object` when its condition (if any) holds. */
export interface AclRuleSpec {
  readonly object: string;
  readonly permission: string;
  /** The rule as written after `@acl:`. */
  readonly text: string;
  readonly flags?: AclFlagCondition;
  readonly param?: AclParamCondition;
}

/** What is being accessed: the object type and, when the call names it, the argument naming it. */
export interface AclObject {
  /** `connect`, `domain`, `storage_pool`, … (libvirt's object names). */
  readonly type: string;
  /** The argument that names the object (e.g. `args.dom`), or null (lookups, defines, connect). */
  readonly target: unknown;
  /** The call's decoded arguments (null for list filters). */
  readonly args: unknown;
  /** The procedure's constant name, e.g. `REMOTE_PROC_DOMAIN_MIGRATE_START_POST_COPY`. */
  readonly procedure: string;
}

/** Who is calling. The runtime fills in what the transport tells; `attributes` is the server's. */
export interface ClientIdentity {
  /** Connection number, unique within a server. */
  readonly id: number;
  readonly transport: "unix" | "tcp";
  /** Socket path (unix) or `host:port` of the peer (tcp). */
  readonly address: string;
  /** Whether the connection came in on a listener marked read-only. */
  readonly readonly: boolean;
  /** Extra attributes (user, group, SELinux context…) set by the server's `identify` hook. */
  readonly attributes: Readonly<Record<string, string | number | boolean>>;
}

/**
 * The pluggable access check, libvirt's access-manager driver: true allows. A throw or a
 * rejected promise counts as a denial, as libvirt sanitizes checker errors into access denied.
 */
export type AccessChecker = (
  identity: ClientIdentity,
  object: AclObject,
  permission: string,
) => boolean | PromiseLike<boolean>;

/** The default access driver ("none"): everything is allowed. */
export const allowAll: AccessChecker = () => true;

function numberField(args: unknown, name: string): number {
  const v =
    args !== null && typeof args === "object"
      ? (args as Record<string, unknown>)[name]
      : undefined;
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  return 0;
}

/** Does this rule apply to a call with these arguments? */
export function aclRuleApplies(rule: AclRuleSpec, args: unknown): boolean {
  if (rule.flags) {
    // `>>> 0`: flags are unsigned on the wire; masks fit in 32 bits.
    const hit = (numberField(args, "flags") & rule.flags.mask) >>> 0;
    if (rule.flags.set ? hit !== rule.flags.mask >>> 0 : hit !== 0)
      return false;
  }
  if (rule.param && numberField(args, rule.param.name) !== rule.param.value)
    return false;
  return true;
}

/** The rules that apply to a call, in order. */
export function applicableAclRules(
  rules: readonly AclRuleSpec[],
  args: unknown,
): AclRuleSpec[] {
  return rules.filter((r) => aclRuleApplies(r, args));
}

async function allowed(
  checker: AccessChecker,
  identity: ClientIdentity,
  object: AclObject,
  permission: string,
): Promise<boolean> {
  try {
    return (await checker(identity, object, permission)) === true;
  } catch {
    return false;
  }
}

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  v !== null &&
  typeof v === "object" &&
  typeof (v as PromiseLike<unknown>).then === "function";

/**
 * gendispatch.pl's `vir…EnsureACL`: checks every applicable rule in order and gives the first
 * rule denied, or null when all are allowed. Synchronous while the checker answers
 * synchronously (the common case costs no promise); a promise once it does not.
 */
export function ensureAcl(
  checker: AccessChecker,
  identity: ClientIdentity,
  rules: readonly AclRuleSpec[],
  object: Omit<AclObject, "type">,
): AclRuleSpec | null | Promise<AclRuleSpec | null> {
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    if (!aclRuleApplies(rule, object.args)) continue;
    let verdict: boolean | PromiseLike<boolean>;
    try {
      verdict = checker(
        identity,
        {
          type: rule.object,
          target: object.target,
          args: object.args,
          procedure: object.procedure,
        },
        rule.permission,
      );
    } catch {
      return rule;
    }
    if (isThenable(verdict)) {
      return Promise.resolve(verdict).then(
        async (ok) =>
          ok === true
            ? ensureAcl(checker, identity, rules.slice(i + 1), object)
            : rule,
        () => rule,
      );
    }
    if (verdict !== true) return rule;
  }
  return null;
}

/**
 * gendispatch.pl's `vir…CheckACL` used by list APIs (`@aclfilter`): keeps the items the identity
 * may see. `targetOf` maps an item to the object it names (e.g. a `remote_nonnull_domain`).
 */
export async function filterByAcl<T>(
  checker: AccessChecker,
  identity: ClientIdentity,
  rules: readonly AclRuleSpec[],
  procedure: string,
  items: readonly T[],
  targetOf: (item: T) => unknown = (item) => item,
): Promise<T[]> {
  if (rules.length === 0) return [...items];
  const out: T[] = [];
  for (const item of items) {
    let ok = true;
    for (const rule of rules) {
      const object: AclObject = {
        type: rule.object,
        target: targetOf(item),
        args: null,
        procedure,
      };
      if (!(await allowed(checker, identity, object, rule.permission))) {
        ok = false;
        break;
      }
    }
    if (ok) out.push(item);
  }
  return out;
}

/** A generated ACL table (`<prefix>Acl` in acl.ts): rules by C API. */
export type AclTable = Readonly<
  Record<
    string,
    {
      readonly proc: number;
      readonly ensure: readonly AclRuleSpec[];
      readonly check: readonly AclRuleSpec[];
    }
  >
>;
