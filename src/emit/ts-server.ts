/**
 * The server module of one protocol: a dispatch table with one entry per call (codecs, priority,
 * stream direction, ACL rules), an event table, and handler types derived from the table.
 *
 * ```
 * /**                                                  /** `REMOTE_PROC_DOMAIN_MIGRATE_START_POST_COPY` = 364 … *\/
 *  * @generate: both                                   domainMigrateStartPostCopy: {
 *  * @acl: domain:migrate                        →       proc: 364, api: "virDomainMigrateStartPostCopy",
 *  *\/                                                   side: "generated", args: remote.xdr_remote_…_args, ret: null,
 * REMOTE_PROC_DOMAIN_MIGRATE_START_POST_COPY = 364       priority: "low", stream: null, aclTarget: "dom",
 *                                                        acl: [{ object: "domain", permission: "migrate", … }], … },
 * ```
 * `RemoteHandlers` (generated server side) and `RemoteHandWrittenHandlers` (libvirt dispatches
 * by hand) are mapped from the table, so a new procedure adds exactly one table entry.
 */
import { printStructure, StructureKind, VariableDeclarationKind, type SourceFileStructure, type StatementStructures } from "ts-morph";
import type { ProcedureModel, ProtocolModel, StructType } from "../model/types.js";
import { aclRulesLiteral, constantLookup } from "./acl-rules.js";
import { codecName, propKey } from "./ts-names.js";

export interface ServerEmitOptions {
  readonly runtimeImport: string;
  /** Values of names used by ACL rules that the protocol itself does not define. */
  readonly defines: ReadonlyMap<string, number>;
}

/** `remote` → `remote`/`Remote`: the prefix of a protocol's server declarations. */
export function serverPrefix(p: ProtocolModel): { value: string; type: string } {
  const base = p.structPrefix ?? p.name.replace(/_protocol$/, "");
  const words = base.split("_").filter(Boolean);
  const camel = words.map((w, i) => (i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1))).join("");
  const value = camel.charAt(0).toLowerCase() + camel.slice(1);
  return { value, type: camel.charAt(0).toUpperCase() + camel.slice(1) };
}

/** Protocols with a program number, and calls with annotations or events, get a server module. */
export function hasServerModule(p: ProtocolModel): boolean {
  if (!p.program || p.program.version === null) return false;
  return p.procedures.some((x) => x.annotations !== null || x.msg !== null);
}

/** Procedures a client calls (events are messages, not calls; unannotated protocols have no dispatch side). */
function callProcedures(p: ProtocolModel): ProcedureModel[] {
  return p.procedures.filter((x) => x.msg === null && x.annotations !== null);
}

export function emitServerModule(p: ProtocolModel, options: ServerEmitOptions): string {
  const { value, type } = serverPrefix(p);
  const lookup = constantLookup(p, options.defines);
  // A namespace import: a new procedure then adds its table entry and nothing else.
  const ns = value;
  let usesCodecs = false;
  const codec = (s: StructType | null): string => {
    if (!s) return "null";
    usesCodecs = true;
    return `${ns}.${codecName(s.name)}`;
  };

  const calls = callProcedures(p);
  const entries = calls.map((x) => {
    const a = x.annotations!;
    const side = a.generate === "server" || a.generate === "both" ? "generated" : "hand-written";
    const stream = a.readStream !== null ? `"send"` : a.writeStream !== null ? `"receive"` : "null";
    const target = aclTarget(x);
    return [
      `/** ${procedureDoc(x)} */`,
      `${propKey(x.methodName)}: {`,
      `proc: ${x.number},`,
      `name: ${JSON.stringify(x.constName)},`,
      `api: ${JSON.stringify(x.apiName)},`,
      `side: "${side}",`,
      `args: ${codec(x.args)},`,
      `ret: ${codec(x.ret)},`,
      `priority: "${a.priority}",`,
      `stream: ${stream},`,
      `acl: ${aclRulesLiteral(a.acl, x, lookup)},`,
      `aclFilter: ${aclRulesLiteral(a.aclFilter, x, lookup)},`,
      `aclTarget: ${target === null ? "null" : JSON.stringify(target)},`,
      `},`,
    ].join("\n");
  });
  const events = p.procedures
    .filter((x) => x.msg !== null)
    .map((x) =>
      [
        `/** \`${x.constName}\` = ${x.number} */`,
        `${propKey(x.methodName)}: { prog: PROGRAM, vers: VERSION, proc: ${x.number}, name: ${JSON.stringify(x.constName)}, msg: ${codec(x.msg)} },`,
      ].join("\n"),
    );

  const program = p.program!;
  const table = (entriesText: string[]) => (entriesText.length === 0 ? "{}" : `{\n${entriesText.join("\n")}\n}`);
  const constStmt = (name: string, initializer: string, docs: string[], exported = true, typeText?: string): StatementStructures => ({
    kind: StructureKind.VariableStatement,
    isExported: exported,
    declarationKind: VariableDeclarationKind.Const,
    docs,
    declarations: [{ name, initializer, ...(typeText ? { type: typeText } : {}) }],
  });
  const typeAlias = (name: string, t: string, docs: string[]): StatementStructures => ({ kind: StructureKind.TypeAlias, isExported: true, name, type: t, docs });

  const runtimeNames = ["bindProgram", "type EventTable", "type GeneratedHandlers", "type HandWrittenHandlers", "type HandlersOf", "type ProcedureTable", "type ProgramSpec", "type ServerProgram"];
  const statements: StatementStructures[] = [
    { kind: StructureKind.ImportDeclaration, moduleSpecifier: options.runtimeImport, namedImports: runtimeNames.map((name) => ({ name })) },
  ];
  if (usesCodecs) statements.push({ kind: StructureKind.ImportDeclaration, moduleSpecifier: "./codecs.js", namespaceImport: ns });
  statements.push(
    constStmt("PROGRAM", String(program.program), [`\`${program.programConst}\``], false),
    constStmt("VERSION", String(program.version), [`\`${program.versionConst ?? "version"}\``], false),
    constStmt(`${value}Procedures`, `${table(entries)} as const satisfies ProcedureTable`, [
      `The calls of ${p.name}.x by handler name: what the dispatcher needs to decode, check and answer each one.`,
    ]),
    constStmt(`${value}Events`, `${table(events)} as const satisfies EventTable`, [
      `Server→client messages of ${p.name}.x (events), for \`client.sendEvent(${value}Events.<name>, msg)\`.`,
    ]),
    constStmt(
      `${value}ProgramSpec`,
      `{ name: ${JSON.stringify(value)}, program: PROGRAM, version: VERSION, procedures: ${value}Procedures, events: ${value}Events }`,
      [`Program \`${program.programConst}\` version ${program.version}.`],
      true,
      `ProgramSpec<typeof ${value}Procedures, typeof ${value}Events>`,
    ),
    typeAlias(`${type}Handlers`, `GeneratedHandlers<typeof ${value}Procedures>`, [
      `One handler per call whose server side libvirt generates (\`@generate: server|both\`): decoded args and a call context in, the ret out.`,
    ]),
    typeAlias(`${type}HandWrittenHandlers`, `HandWrittenHandlers<typeof ${value}Procedures>`, [
      `Slots for the calls libvirt's daemon implements by hand (\`@generate: none|client\`), typed the same way.`,
    ]),
    typeAlias(`${type}ServerHandlers`, `Partial<HandlersOf<typeof ${value}Procedures>>`, [
      `What a server implements: any subset; calls without a handler are answered "not supported".`,
    ]),
    {
      kind: StructureKind.Function,
      isExported: true,
      name: `${value}ServerProgram`,
      docs: [`Binds handlers to program \`${program.programConst}\`, ready for \`createRpcServer({ programs: [...] })\`.`],
      parameters: [{ name: "handlers", type: `${type}ServerHandlers` }],
      returnType: "ServerProgram",
      statements: [`return bindProgram(${value}ProgramSpec, handlers);`],
    },
  );

  const file: SourceFileStructure = {
    kind: StructureKind.SourceFile,
    leadingTrivia: `// Generated by virt-rpcgen from ${p.name}.x. Do not edit: change the protocol and regenerate.\n`,
    statements,
  };
  return printStructure(file, { indentNumberOfSpaces: 2 });
}

function procedureDoc(x: ProcedureModel): string {
  const a = x.annotations!;
  const bits = [`\`${x.constName}\` = ${x.number}: \`${x.apiName}\``, `@generate: ${a.generate}`];
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
  const f = x.args.fields.find((f) => f.shape === "scalar" && f.type.kind === "named" && re.test(f.type.name));
  return f ? f.name : null;
}
