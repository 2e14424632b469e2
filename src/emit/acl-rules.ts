/**
 * `@acl`/`@aclfilter` rules as the object literals the runtime evaluates (`AclRuleSpec`), with
 * flag and value names resolved to numbers at generation time:
 *
 * ```
 * @acl: domain:save:!VIR_DOMAIN_AFFECT_CONFIG|VIR_DOMAIN_AFFECT_LIVE
 *   → { object: "domain", permission: "save", text: "…",
 *       flags: { mask: 3, set: false, names: "VIR_DOMAIN_AFFECT_CONFIG|VIR_DOMAIN_AFFECT_LIVE" } }
 * @acl: domain:write::source:VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT
 *   → { …, param: { name: "source", value: 1, valueName: "VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT" } }
 * ```
 * Semantics are gendispatch.pl's generated C: a leading `!` negates the whole mask
 * (`(flags & MASK) == 0`), otherwise every flag must be set (`(flags & MASK) == MASK`).
 */
import { XdrDiagnosticError } from "../parser/index.js";
import type { AclRule } from "../annotations/types.js";
import type { ProcedureModel, ProtocolModel } from "../model/types.js";
import { arr, obj, raw, str, type Literal } from "./literal-printer.js";

/** Value of a constant named in an ACL rule: the protocol's (and its imports') constants, then the defines. */
export function constantLookup(
  p: ProtocolModel,
  defines: ReadonlyMap<string, number>,
): (name: string) => number | undefined {
  const own = new Map<string, number>();
  const visit = (m: ProtocolModel) => {
    for (const c of m.constants) if (!own.has(c.name)) own.set(c.name, c.value);
    m.imports.forEach(visit);
  };
  visit(p);
  return (name) => own.get(name) ?? defines.get(name);
}

/** The rule as a TypeScript object literal; fails generation on names without values. */
export function aclRuleLiteral(
  rule: AclRule,
  proc: ProcedureModel,
  lookup: (name: string) => number | undefined,
): Literal {
  const loc = proc.annotations?.loc ?? proc.loc;
  const fail = (why: string): never => {
    throw XdrDiagnosticError.at(
      loc,
      `ACL rule '${rule.text}' of ${proc.constName}: ${why}`,
    );
  };
  const valueOf = (name: string): number => {
    const v = lookup(name);
    if (v === undefined) {
      fail(
        `'${name}' has no value (define it in a defines file or with --define ${name}=VALUE)`,
      );
    }
    return v!;
  };
  const hasArg = (name: string) =>
    proc.args?.fields.some((f) => f.name === name) ?? false;
  const parts = [
    { key: "object", value: str(rule.object) },
    { key: "permission", value: str(rule.permission) },
    { key: "text", value: str(rule.text) },
  ];
  if (rule.flags.length > 0) {
    if (rule.flags.slice(1).some((f) => f.negated))
      fail(
        "only a leading '!' may negate flags (it negates the whole mask, as in gendispatch.pl)",
      );
    if (!hasArg("flags"))
      fail(`the arguments of ${proc.constName} have no 'flags' member`);
    let mask = 0;
    for (const f of rule.flags) mask = (mask | valueOf(f.name)) >>> 0;
    const names = rule.flags.map((f) => f.name).join("|");
    parts.push({
      key: "flags",
      value: obj([
        { key: "mask", value: raw(String(mask)) },
        { key: "set", value: raw(String(!rule.flags[0]!.negated)) },
        { key: "names", value: str(names) },
      ]),
    });
  }
  if (rule.param) {
    if (!hasArg(rule.param.name))
      fail(
        `the arguments of ${proc.constName} have no '${rule.param.name}' member`,
      );
    const value = valueOf(rule.param.value);
    parts.push({
      key: "param",
      value: obj([
        { key: "name", value: str(rule.param.name) },
        { key: "value", value: raw(String(value)) },
        { key: "valueName", value: str(rule.param.value) },
      ]),
    });
  }
  return obj(parts);
}

export function aclRulesLiteral(
  rules: readonly AclRule[],
  proc: ProcedureModel,
  lookup: (name: string) => number | undefined,
): Literal {
  return arr(rules.map((r) => aclRuleLiteral(r, proc, lookup)));
}
