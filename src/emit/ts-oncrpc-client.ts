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
import type { ProtocolModel, RpcProcedure } from "../model/types.js";
import { rawChunk, type Chunk, type CodeModule } from "./chunks.js";
import { oncRpcModule, type OncRpcModuleContext } from "./oncrpc-module.js";
import {
  argParams,
  argValue,
  methodName,
  procSignature,
  resultType,
  type VersionUnit,
} from "./oncrpc-procedures.js";
import type { OncRpcEmitOptions } from "./ts-oncrpc-programs.js";
import { jsDoc } from "./ts-text.js";

export function emitOncRpcClientModule(
  p: ProtocolModel,
  options: OncRpcEmitOptions,
): CodeModule {
  return oncRpcModule(
    p,
    options,
    (u) => [`${u.type}Client`],
    (u, m) => [classChunk(p, u, m)],
  );
}

function classChunk(
  p: ProtocolModel,
  u: VersionUnit,
  m: OncRpcModuleContext,
): Chunk {
  const progConst = m.imports.useConstant(u.program.name);
  const { file } = m.imports;
  const Client = file.runtime("OncRpcClient");
  const CallOptions = file.runtime("OncRpcCallOptions");
  const cls = `${u.type}Client`;
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
    `return this.rpc.call(${callHead(u, 0, "NULL")}, null, undefined, null, options);`,
    "}",
    ...u.version.procedures.flatMap((proc) =>
      procedureMethod(u, proc, m, CallOptions),
    ),
    "",
    "/** Sends what is queued, then closes the connection. */",
    "close(): Promise<void> {",
    "return this.rpc.close();",
    "}",
    "}",
  ];
  return rawChunk(lines.join("\n"));
}

/** The call's first argument: `{ program, version, proc, label }`. */
function callHead(u: VersionUnit, proc: number, name: string): string {
  const label = `${u.program.name} ${u.version.name} ${name}`;
  return `{ program: this.program, version: ${u.version.number}, proc: ${proc}, label: ${JSON.stringify(label)} }`;
}

/** A procedure's method (after a blank line): its arguments in, its result out. */
function procedureMethod(
  u: VersionUnit,
  proc: RpcProcedure,
  m: OncRpcModuleContext,
  CallOptions: string,
): string[] {
  const { ctx } = m.imports;
  const wire = m.wire(proc, u);
  return [
    "",
    ...jsDoc([`\`${procSignature(proc, ctx)}\``]),
    `${methodName(proc)}(${[...argParams(proc, ctx), `options?: ${CallOptions}`].join(", ")}): Promise<${resultType(proc, ctx)}> {`,
    `return this.rpc.call(${callHead(u, proc.number, proc.name)}, ${wire.argsCodec}, ${argValue(proc)}, ${wire.resultCodec}, options);`,
    "}",
  ];
}
