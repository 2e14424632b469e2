/**
 * The server module's two tables: per call procedure what the dispatcher needs (codecs,
 * priority, stream direction, ACL rules and the argument they check), per server message its
 * codec; both keyed by handler name.
 *
 * ```
 * /** @generate: both @acl: domain:migrate *\/        domainMigrateStartPostCopy: { proc: 364, name: "…", api: "…",
 * REMOTE_PROC_DOMAIN_MIGRATE_START_POST_COPY = 364  →  side: "generated", args: remote.xdr_…_args, ret: null, priority: "low",
 *                                                     stream: null, acl: [{ object: "domain", … }], aclFilter: [], aclTarget: "dom" },
 * ```
 */
import type { ProcedureModel, ProtocolModel } from "../model/types.js";
import type { StructType } from "../model/types.js";
import { aclRulesLiteral } from "./acl-rules.js";
import { stableChunk, type Chunk } from "./chunks.js";
import {
  obj,
  printLiteral,
  raw,
  str,
  type Literal,
  type ObjectEntry,
} from "./literal-printer.js";
import { literalKey } from "./ts-names.js";
import { jsDoc } from "./ts-text.js";

/** A struct's codec as the module names it (`remote.xdr_…`), `null` for none. */
export type CodecLiteral = (s: StructType | null) => Literal;

/** Procedures a client calls (events are messages, not calls; unannotated protocols have no dispatch side). */
function callProcedures(p: ProtocolModel): ProcedureModel[] {
  return p.procedures.filter((x) => x.msg === null && x.annotations !== null);
}

/** One entry per call procedure, documented with its annotations. */
export function procedureEntries(
  p: ProtocolModel,
  codec: CodecLiteral,
  lookup: (name: string) => number | undefined,
): ObjectEntry[] {
  return callProcedures(p).map((x) => {
    const a = x.annotations!;
    const side =
      a.generate === "server" || a.generate === "both"
        ? "generated"
        : "hand-written";
    const stream =
      a.readStream !== null
        ? str("send")
        : a.writeStream !== null
          ? str("receive")
          : raw("null");
    const target = aclTarget(x);
    return {
      key: literalKey(x.methodName),
      doc: procedureDoc(x),
      value: obj(
        [
          { key: "proc", value: raw(String(x.number)) },
          { key: "name", value: str(x.constName) },
          { key: "api", value: str(x.apiName) },
          { key: "side", value: str(side) },
          { key: "args", value: codec(x.args) },
          { key: "ret", value: codec(x.ret) },
          { key: "priority", value: str(a.priority) },
          { key: "stream", value: stream },
          { key: "acl", value: aclRulesLiteral(a.acl, x, lookup) },
          { key: "aclFilter", value: aclRulesLiteral(a.aclFilter, x, lookup) },
          {
            key: "aclTarget",
            value: target === null ? raw("null") : str(target),
          },
        ],
        true,
      ),
    };
  });
}

/** One entry per server message (`*_msg` procedure): where it is sent and its codec. */
export function eventEntries(
  p: ProtocolModel,
  codec: CodecLiteral,
): ObjectEntry[] {
  return p.procedures
    .filter((x) => x.msg !== null)
    .map((x) => ({
      key: literalKey(x.methodName),
      doc: `\`${x.constName}\` = ${x.number}`,
      value: obj([
        { key: "prog", value: raw("PROGRAM") },
        { key: "vers", value: raw("VERSION") },
        { key: "proc", value: raw(String(x.number)) },
        { key: "name", value: str(x.constName) },
        { key: "msg", value: codec(x.msg) },
      ]),
    }));
}

/** `export const name = { …entries } as const satisfies Table;` */
export function tableChunk(
  name: string,
  doc: string,
  entries: readonly ObjectEntry[],
  satisfies: string,
): Chunk {
  return stableChunk(
    [
      ...jsDoc([doc]),
      ...printLiteral(
        obj(entries, entries.length > 0),
        0,
        `export const ${name} = `,
        ` as const satisfies ${satisfies};`,
      ),
    ].join("\n"),
  );
}

function procedureDoc(x: ProcedureModel): string {
  const a = x.annotations!;
  const bits = [
    `\`${x.constName}\` = ${x.number}: \`${x.apiName}\``,
    `@generate: ${a.generate}`,
  ];
  if (a.aclNone) bits.push("@acl: none");
  for (const r of a.acl) bits.push(`@acl: ${r.text}`);
  for (const r of a.aclFilter) bits.push(`@aclfilter: ${r.text}`);
  if (a.priority === "high") bits.push("@priority: high");
  if (a.readStream !== null) bits.push(`@readstream: ${a.readStream}`);
  if (a.writeStream !== null) bits.push(`@writestream: ${a.writeStream}`);
  return bits.join("; ");
}

/** The argument naming the object the ACL rules check: a `*_nonnull_<object>` member. */
function aclTarget(x: ProcedureModel): string | null {
  const rule = x.annotations?.acl[0];
  if (!rule || !x.args) return null;
  const re = new RegExp(`(^|_)nonnull_${rule.object}$`);
  const f = x.args.fields.find(
    (f) =>
      f.shape === "scalar" && f.type.kind === "named" && re.test(f.type.name),
  );
  return f ? f.name : null;
}
