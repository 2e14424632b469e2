/**
 * The ACL table of one protocol on its own, by C API, as gendispatch.pl's aclheader/aclbody
 * modes generate `vir<Api>EnsureACL` (from `@acl`) and `vir<Api>CheckACL` (from `@aclfilter`);
 * APIs with `@acl: none` are left out, as there.
 *
 * ```
 * @acl: domain:migrate                    remoteAcl = {
 * REMOTE_PROC_DOMAIN_MIGRATE_…_COPY = 364   →  virDomainMigrateStartPostCopy: { proc: 364,
 *                                                  ensure: [{ object: "domain", permission: "migrate", … }], check: [] },
 * ```
 * Drivers apply an entry with the runtime's `ensureAcl`/`filterByAcl`.
 */
import type { ProtocolModel } from "../model/types.js";
import { aclRulesLiteral, constantLookup } from "./acl-rules.js";
import { stableChunk, type CodeModule } from "./chunks.js";
import { GeneratedFile } from "./generated-file.js";
import { obj, printLiteral, raw, type ObjectEntry } from "./literal-printer.js";
import { jsDoc } from "./ts-text.js";
import { literalKey, programPrefix } from "./ts-names.js";
import { generatedHeader } from "./generated-header.js";

export interface AclEmitOptions {
  readonly runtimeImport: string;
  readonly defines: ReadonlyMap<string, number>;
}

/** Protocols whose procedures carry `@acl` annotations get an ACL table. */
export function hasAclModule(p: ProtocolModel): boolean {
  return p.procedures.some(
    (x) =>
      x.annotations !== null &&
      (x.annotations.acl.length > 0 || x.annotations.aclNone),
  );
}

export function emitAclModule(
  p: ProtocolModel,
  options: AclEmitOptions,
): CodeModule {
  const { value } = programPrefix(p);
  const lookup = constantLookup(p, options.defines);
  const file = new GeneratedFile(options.runtimeImport, [`${value}Acl`]);
  const entries: ObjectEntry[] = p.procedures
    .filter((x) => x.annotations !== null && x.annotations.acl.length > 0)
    .map((x) => {
      const a = x.annotations!;
      return {
        key: literalKey(x.apiName),
        value: obj([
          { key: "proc", value: raw(String(x.number)) },
          { key: "ensure", value: aclRulesLiteral(a.acl, x, lookup) },
          { key: "check", value: aclRulesLiteral(a.aclFilter, x, lookup) },
        ]),
      };
    });
  const doc = jsDoc([
    `ACL rules of ${p.name}.x by C API: \`ensure\` (\`@acl\`) must all pass before the call runs, ` +
      `\`check\` (\`@aclfilter\`) filters the objects it returns. APIs with \`@acl: none\` are not listed.`,
  ]);
  const table = stableChunk(
    [
      ...doc,
      ...printLiteral(
        obj(entries, entries.length > 0),
        0,
        `export const ${value}Acl = `,
        ` as const satisfies ${file.runtime("AclTable")};`,
      ),
    ].join("\n"),
  );
  return {
    header: generatedHeader(`${p.name}.x`),
    chunks: [stableChunk(file.imports().join("\n")), table],
  };
}
