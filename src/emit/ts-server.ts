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
import type {
  ProcedureModel,
  ProtocolModel,
  StructType,
} from "../model/types.js";
import { aclRulesLiteral, constantLookup } from "./acl-rules.js";
import { codecName, literalKey, programPrefix } from "./ts-names.js";
import { byInitialThenCodeUnits, GeneratedFile } from "./generated-file.js";
import type { RuntimeSymbol } from "virt-rpcgen-runtime/symbols";
import { stableChunk, type Chunk, type CodeModule } from "./chunks.js";
import { genericHead, signature, typeAlias } from "./ts-layout.js";
import {
  obj,
  printLiteral,
  raw,
  str,
  type Literal,
  type ObjectEntry,
} from "./literal-printer.js";
import { jsDoc } from "./ts-text.js";
import { generatedHeader } from "./generated-header.js";

export interface ServerEmitOptions {
  readonly runtimeImport: string;
  /** Values of names used by ACL rules that the protocol itself does not define. */
  readonly defines: ReadonlyMap<string, number>;
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

export function emitServerModule(
  p: ProtocolModel,
  options: ServerEmitOptions,
): CodeModule {
  const { value, type } = programPrefix(p);
  const lookup = constantLookup(p, options.defines);
  const file = new GeneratedFile(options.runtimeImport, [
    "PROGRAM",
    "VERSION",
    `${value}Procedures`,
    `${value}Events`,
    `${value}ProgramSpec`,
    `${type}Handlers`,
    `${type}HandWrittenHandlers`,
    `${type}ServerHandlers`,
    `${value}ServerProgram`,
  ]);
  const rt = (symbol: RuntimeSymbol) => file.runtime(symbol);
  // A namespace import: a new procedure then adds its table entry and nothing else.
  const codec = (s: StructType | null): Literal =>
    s
      ? raw(`${file.namespace("./codecs.js", value)}.${codecName(s.name)}`)
      : raw("null");

  const entries: ObjectEntry[] = callProcedures(p).map((x) => {
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
  const events: ObjectEntry[] = p.procedures
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

  const program = p.program!;
  const table = (
    name: string,
    doc: string,
    tableEntries: ObjectEntry[],
    satisfies: string,
  ): Chunk =>
    stableChunk(
      [
        ...jsDoc([doc]),
        ...printLiteral(
          obj(tableEntries, tableEntries.length > 0),
          0,
          `export const ${name} = `,
          ` as const satisfies ${satisfies};`,
        ),
      ].join("\n"),
    );

  const procedureTable = table(
    `${value}Procedures`,
    `The calls of ${p.name}.x by handler name: what the dispatcher needs to decode, check and answer each one.`,
    entries,
    rt("ProcedureTable"),
  );
  const eventTable = table(
    `${value}Events`,
    `Server→client messages of ${p.name}.x (events), for \`client.sendEvent(${value}Events.<name>, msg)\`.`,
    events,
    rt("EventTable"),
  );

  // The program spec: `export const xProgramSpec: ProgramSpec<typeof xProcedures, typeof xEvents> = {…};`
  const specHead = genericHead(
    `export const ${value}ProgramSpec: `,
    rt("ProgramSpec"),
    [`typeof ${value}Procedures`, `typeof ${value}Events`],
    " = ",
  );
  const specValue = obj([
    { key: "name", value: str(value) },
    { key: "program", value: raw("PROGRAM") },
    { key: "version", value: raw("VERSION") },
    { key: "procedures", value: raw(`${value}Procedures`) },
    { key: "events", value: raw(`${value}Events`) },
  ]);
  const spec = [
    ...jsDoc([
      `Program \`${program.programConst}\` version ${program.version}.`,
    ]),
    ...specHead.slice(0, -1),
    ...printLiteral(specValue, 0, specHead[specHead.length - 1], ";"),
  ].join("\n");
  const alias = (name: string, rhs: string, doc: string) =>
    stableChunk([...jsDoc([doc]), typeAlias(name, rhs)].join("\n"));
  const bind = [
    ...jsDoc([
      `Binds handlers to program \`${program.programConst}\`, ready for \`createRpcServer({ programs: [...] })\`.`,
    ]),
    ...signature(
      "",
      `export function ${value}ServerProgram`,
      [`handlers: ${type}ServerHandlers`],
      rt("ServerProgram"),
    ),
    `  return ${rt("bindProgram")}(${value}ProgramSpec, handlers);`,
    "}",
  ].join("\n");
  const handlerTypes = [
    alias(
      `${type}Handlers`,
      `${rt("GeneratedHandlers")}<typeof ${value}Procedures>`,
      `One handler per call whose server side libvirt generates (\`@generate: server|both\`): decoded args and a call context in, the ret out.`,
    ),
    alias(
      `${type}HandWrittenHandlers`,
      `${rt("HandWrittenHandlers")}<typeof ${value}Procedures>`,
      `Slots for the calls libvirt's daemon implements by hand (\`@generate: none|client\`), typed the same way.`,
    ),
    alias(
      `${type}ServerHandlers`,
      `Partial<${rt("HandlersOf")}<typeof ${value}Procedures>>`,
      `What a server implements: any subset; calls without a handler are answered "not supported".`,
    ),
  ];
  return {
    header: generatedHeader(`${p.name}.x`),
    chunks: [
      // Every name above is resolved: the file's imports are complete.
      {
        ...stableChunk(
          file
            .imports([], {
              compare: new Map([
                [options.runtimeImport, byInitialThenCodeUnits],
              ]),
            })
            .join("\n"),
        ),
      },
      stableChunk(
        [
          ...jsDoc([`\`${program.programConst}\``]),
          `const PROGRAM = ${program.program};`,
          ...jsDoc([`\`${program.versionConst ?? "version"}\``]),
          `const VERSION = ${program.version};`,
        ].join("\n"),
      ),
      procedureTable,
      eventTable,
      stableChunk(spec),
      ...handlerTypes,
      stableChunk(bind),
    ],
  };
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
