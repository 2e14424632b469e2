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
 * by hand) are mapped from the table, so a new procedure adds exactly one table entry. The
 * tables themselves are ts-server-tables.ts'.
 */
import type { ProtocolModel, StructType } from "../model/types.js";
import { constantLookup } from "./acl-rules.js";
import { codecName, programPrefix } from "./ts-names.js";
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
} from "./literal-printer.js";
import { jsDoc } from "./ts-text.js";
import { generatedHeader } from "./generated-header.js";
import {
  eventEntries,
  procedureEntries,
  tableChunk,
} from "./ts-server-tables.js";

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

/** The names a server module declares (for `remote`: `remoteProcedures`, `RemoteHandlers`…). */
interface ServerNames {
  readonly value: string;
  readonly type: string;
  readonly procedures: string;
  readonly events: string;
  readonly spec: string;
  readonly serverProgram: string;
}

export function emitServerModule(
  p: ProtocolModel,
  options: ServerEmitOptions,
): CodeModule {
  const { value, type } = programPrefix(p);
  const names: ServerNames = {
    value,
    type,
    procedures: `${value}Procedures`,
    events: `${value}Events`,
    spec: `${value}ProgramSpec`,
    serverProgram: `${value}ServerProgram`,
  };
  const file = new GeneratedFile(options.runtimeImport, [
    "PROGRAM",
    "VERSION",
    names.procedures,
    names.events,
    names.spec,
    `${type}Handlers`,
    `${type}HandWrittenHandlers`,
    `${type}ServerHandlers`,
    names.serverProgram,
  ]);
  const rt = (symbol: RuntimeSymbol) => file.runtime(symbol);
  // A namespace import: a new procedure then adds its table entry and nothing else.
  const codec = (s: StructType | null): Literal =>
    s
      ? raw(`${file.namespace("./codecs.js", value)}.${codecName(s.name)}`)
      : raw("null");
  const procedures = procedureEntries(
    p,
    codec,
    constantLookup(p, options.defines),
  );
  const events = eventEntries(p, codec);
  // Built in the order that names their runtime imports first, not in the order printed.
  const procedureTable = tableChunk(
    names.procedures,
    `The calls of ${p.name}.x by handler name: what the dispatcher needs to decode, check and answer each one.`,
    procedures,
    rt("ProcedureTable"),
  );
  const eventTable = tableChunk(
    names.events,
    `Server→client messages of ${p.name}.x (events), for \`client.sendEvent(${names.events}.<name>, msg)\`.`,
    events,
    rt("EventTable"),
  );
  const spec = specChunk(p, names, rt);
  const bind = bindChunk(p, names, rt);
  const handlerTypes = handlerTypeChunks(names, rt);
  return {
    header: generatedHeader(`${p.name}.x`),
    chunks: [
      // Every name above is resolved: the file's imports are complete.
      stableChunk(
        file
          .imports([], {
            compare: new Map([[options.runtimeImport, byInitialThenCodeUnits]]),
          })
          .join("\n"),
      ),
      programConstants(p),
      procedureTable,
      eventTable,
      spec,
      ...handlerTypes,
      bind,
    ],
  };
}

/** `const PROGRAM = …; const VERSION = …;`, which the event table refers to. */
function programConstants(p: ProtocolModel): Chunk {
  const program = p.program!;
  return stableChunk(
    [
      ...jsDoc([`\`${program.programConst}\``]),
      `const PROGRAM = ${program.program};`,
      ...jsDoc([`\`${program.versionConst ?? "version"}\``]),
      `const VERSION = ${program.version};`,
    ].join("\n"),
  );
}

/** `export const xProgramSpec: ProgramSpec<typeof xProcedures, typeof xEvents> = {…};` */
function specChunk(
  p: ProtocolModel,
  names: ServerNames,
  rt: (symbol: RuntimeSymbol) => string,
): Chunk {
  const head = genericHead(
    `export const ${names.spec}: `,
    rt("ProgramSpec"),
    [`typeof ${names.procedures}`, `typeof ${names.events}`],
    " = ",
  );
  const value = obj([
    { key: "name", value: str(names.value) },
    { key: "program", value: raw("PROGRAM") },
    { key: "version", value: raw("VERSION") },
    { key: "procedures", value: raw(names.procedures) },
    { key: "events", value: raw(names.events) },
  ]);
  return stableChunk(
    [
      ...jsDoc([
        `Program \`${p.program!.programConst}\` version ${p.program!.version}.`,
      ]),
      ...head.slice(0, -1),
      ...printLiteral(value, 0, head[head.length - 1], ";"),
    ].join("\n"),
  );
}

/** `export function xServerProgram(handlers)`: the spec bound to handlers. */
function bindChunk(
  p: ProtocolModel,
  names: ServerNames,
  rt: (symbol: RuntimeSymbol) => string,
): Chunk {
  return stableChunk(
    [
      ...jsDoc([
        `Binds handlers to program \`${p.program!.programConst}\`, ready for \`createRpcServer({ programs: [...] })\`.`,
      ]),
      ...signature(
        "",
        `export function ${names.serverProgram}`,
        [`handlers: ${names.type}ServerHandlers`],
        rt("ServerProgram"),
      ),
      `  return ${rt("bindProgram")}(${names.spec}, handlers);`,
      "}",
    ].join("\n"),
  );
}

/** The handler types, mapped from the procedure table by the runtime's types. */
function handlerTypeChunks(
  { type, procedures }: ServerNames,
  rt: (symbol: RuntimeSymbol) => string,
): Chunk[] {
  const alias = (name: string, rhs: string, doc: string) =>
    stableChunk([...jsDoc([doc]), typeAlias(name, rhs)].join("\n"));
  return [
    alias(
      `${type}Handlers`,
      `${rt("GeneratedHandlers")}<typeof ${procedures}>`,
      `One handler per call whose server side libvirt generates (\`@generate: server|both\`): decoded args and a call context in, the ret out.`,
    ),
    alias(
      `${type}HandWrittenHandlers`,
      `${rt("HandWrittenHandlers")}<typeof ${procedures}>`,
      `Slots for the calls libvirt's daemon implements by hand (\`@generate: none|client\`), typed the same way.`,
    ),
    alias(
      `${type}ServerHandlers`,
      `Partial<${rt("HandlersOf")}<typeof ${procedures}>>`,
      `What a server implements: any subset; calls without a handler are answered "not supported".`,
    ),
  ];
}
