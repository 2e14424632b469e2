/**
 * `client.ts` of a protocol with `program` blocks: one class per program/version, one method
 * per procedure, named after it (camelCased), taking its arguments and resolving with its
 * result; calls go through the runtime's standard ONC-RPC client (TCP, unix socket or UDP).
 *
 * ```
 * program DEMO_PROG {                      export class DemoV1Client {
 *   version DEMO_V1 {                         static connect(target, options): Promise<DemoV1Client>;
 *     int DEMO_ECHO(int) = 1;        →        demoEcho(arg1: number, options?): Promise<number>;
 *   } = 1;                                     nullProc(options?): Promise<void>;
 * } = 0x20000100;                          }
 * ```
 */
import type { ProtocolModel } from "../model/types.js";
import { rawChunk, type Chunk, type CodeModule } from "./chunks.js";
import { importCollector, type ImportCollector } from "./oncrpc-imports.js";
import {
  argParams,
  argValue,
  argsShape,
  methodName,
  procSignature,
  resultCodec,
  resultType,
  versionUnits,
  type ProcedureCodec,
  type VersionUnit,
} from "./oncrpc-procedures.js";
import {
  procedureCodecNames,
  type OncRpcEmitOptions,
} from "./ts-oncrpc-programs.js";
import { jsDoc } from "./ts-text.js";
import { generatedHeader } from "./generated-header.js";

export function emitOncRpcClientModule(
  p: ProtocolModel,
  options: OncRpcEmitOptions,
): CodeModule {
  const units = versionUnits(p);
  const imports = importCollector(
    p,
    options.importPathOf,
    options.runtimeImport,
    [
      ...units.map((u) => `${u.type}Client`),
      ...procedureCodecNames(p, options),
    ],
  );
  const declare = (c: ProcedureCodec) =>
    imports.file.importDeclared("./programs.js", c.name);
  const chunks: Chunk[] = units.map((u) =>
    classChunk(p, u, imports, declare, imports.useConstant(u.program.name)),
  );
  return {
    header: generatedHeader(`${p.name}.x`),
    chunks: [rawChunk(imports.lines(["./programs.js"])), ...chunks],
  };
}

function classChunk(
  p: ProtocolModel,
  u: VersionUnit,
  imports: ImportCollector,
  declare: (c: ProcedureCodec) => void,
  progConst: string,
): Chunk {
  const { ctx, file } = imports;
  const Client = file.runtime("OncRpcClient");
  const CallOptions = file.runtime("OncRpcCallOptions");
  const cls = `${u.type}Client`;
  const label = `${u.program.name} ${u.version.name}`;
  const lines: string[] = [
    ...jsDoc([
      `Client of \`program ${u.program.name}\` (${u.program.number}), \`version ${u.version.name}\` (${u.version.number}), from ${p.name}.x.`,
      `Errors: an \`OncRpcError\` subclass when the server refuses a call (PROG_UNAVAIL, PROG_MISMATCH…),`,
      "`ConnectionClosedError` when the connection goes, `CallTimeoutError` after `timeoutMs`.",
    ]),
    `export class ${cls} {`,
    `static readonly version = ${u.version.number};`,
    "",
    "/** `program` is the program number called (default: the .x's). */",
    `constructor(readonly rpc: ${Client}, readonly program: number = ${progConst}) {}`,
    "",
    '/** Connects over TCP (`{ host, port }`), a unix socket (`{ path }`) or UDP (`protocol: "udp"`). */',
    `static async connect(target: ${file.runtime("OncRpcTarget")}, options: ${file.runtime("OncRpcClientOptions")} & { readonly program?: number } = {}): Promise<${cls}> {`,
    `return new ${cls}(await ${Client}.connect(target, options), options.program);`,
    "}",
    "",
    "/** Procedure 0 (NULL), which every server answers: checks the program and version are served. */",
    `nullProc(options?: ${CallOptions}): Promise<void> {`,
    `return this.rpc.call({ program: this.program, version: ${u.version.number}, proc: 0, label: ${JSON.stringify(`${label} NULL`)} }, null, undefined, null, options);`,
    "}",
  ];
  for (const proc of u.version.procedures) {
    const args = argsShape(proc, u.version, ctx, declare);
    const result = resultCodec(proc, u.version, ctx, declare);
    const argsCodec = args.kind === "void" ? "null" : args.codec;
    lines.push(
      "",
      ...jsDoc([`\`${procSignature(proc, ctx)}\``]),
      `${methodName(proc)}(${[...argParams(proc, ctx), `options?: ${CallOptions}`].join(", ")}): Promise<${resultType(proc, ctx)}> {`,
      `return this.rpc.call({ program: this.program, version: ${u.version.number}, proc: ${proc.number}, label: ${JSON.stringify(`${label} ${proc.name}`)} }, ${argsCodec}, ${argValue(proc)}, ${result ?? "null"}, options);`,
      "}",
    );
  }
  lines.push(
    "",
    "/** Sends what is queued, then closes the connection. */",
    "close(): Promise<void> {",
    "return this.rpc.close();",
    "}",
    "}",
  );
  return rawChunk(lines.join("\n"));
}
