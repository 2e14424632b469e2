/**
 * `server.ts` of a protocol with `program` blocks: per program/version, a handler interface
 * (one method per procedure, named like the client's, taking the arguments and a call context,
 * returning the result or a promise of it) and a factory building the dispatch table that the
 * runtime's `createOncRpcServer` serves.
 *
 * ```
 * program DEMO_PROG {                    export interface DemoV1Handlers {
 *   version DEMO_V1 {                       demoEcho(arg1: number, ctx: OncRpcCallContext): number | Promise<number>;
 *     int DEMO_ECHO(int) = 1;       →     }
 *   } = 1;                                export function demoV1Server(handlers: DemoV1Handlers,
 * } = 0x20000100;                           program?: number): OncRpcServerProgram;
 * ```
 */
import type { ProtocolModel } from "../model/types.js";
import { rawChunk, type Chunk, type CodeModule } from "./chunks.js";
import { importCollector, type ImportCollector } from "./oncrpc-imports.js";
import {
  argParams,
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

export function emitOncRpcServerModule(
  p: ProtocolModel,
  options: OncRpcEmitOptions,
): CodeModule {
  const units = versionUnits(p);
  const imports = importCollector(
    p,
    options.importPathOf,
    options.runtimeImport,
    [
      ...units.flatMap((u) => [`${u.type}Handlers`, `${u.value}Server`]),
      ...procedureCodecNames(p, options),
    ],
  );
  const declare = (c: ProcedureCodec) =>
    imports.file.importDeclared("./programs.js", c.name);
  const chunks: Chunk[] = units.flatMap((u) =>
    unitChunks(p, u, imports, declare),
  );
  return {
    header: generatedHeader(`${p.name}.x`),
    chunks: [rawChunk(imports.lines(["./programs.js"])), ...chunks],
  };
}

function unitChunks(
  p: ProtocolModel,
  u: VersionUnit,
  imports: ImportCollector,
  declare: (c: ProcedureCodec) => void,
): Chunk[] {
  const { ctx, file } = imports;
  const CallContext = file.runtime("OncRpcCallContext");
  const progConst = imports.useConstant(u.program.name);
  const iface = `${u.type}Handlers`;
  const members: string[] = [];
  const entries: string[] = [];
  for (const proc of u.version.procedures) {
    const args = argsShape(proc, u.version, ctx, declare);
    const result = resultCodec(proc, u.version, ctx, declare);
    const ret = resultType(proc, ctx);
    const m = methodName(proc);
    members.push(
      ...jsDoc([`\`${procSignature(proc, ctx)}\``]),
      `${m}(${[...argParams(proc, ctx), `ctx: ${CallContext}`].join(", ")}): ${ret} | Promise<${ret}>;`,
    );
    const call =
      args.kind === "void"
        ? `(_args, ctx) => handlers.${m}(ctx)`
        : args.kind === "one"
          ? `(arg, ctx) => handlers.${m}(arg, ctx)`
          : `(args, ctx) => handlers.${m}(${args.fields.map((_, i) => `args[${i}]`).join(", ")}, ctx)`;
    entries.push(
      `[${proc.number}, ${file.runtime("procedure")}(${JSON.stringify(proc.name)}, ${args.kind === "void" ? "null" : args.codec}, ${result ?? "null"}, ${call})],`,
    );
  }
  return [
    rawChunk(
      [
        ...jsDoc([
          `What a server of \`program ${u.program.name}\` \`version ${u.version.name}\` (${p.name}.x) implements: one`,
          "method per procedure. A throw or rejection is answered SYSTEM_ERR; procedure 0 (NULL) is",
          "answered by the runtime.",
        ]),
        `export interface ${iface} {`,
        ...members,
        "}",
      ].join("\n"),
    ),
    rawChunk(
      [
        ...jsDoc([
          `The dispatch table of \`program ${u.program.name}\` \`version ${u.version.name}\`, for \`createOncRpcServer\`.`,
          "`program` is the program number served (default: the .x's).",
        ]),
        `export function ${u.value}Server(handlers: ${iface}, program: number = ${progConst}): ${file.runtime("OncRpcServerProgram")} {`,
        "return {",
        `name: ${JSON.stringify(`${u.program.name} ${u.version.name}`)},`,
        "program,",
        `version: ${u.version.number},`,
        "procedures: new Map([",
        ...entries,
        "]),",
        "};",
        "}",
      ].join("\n"),
    ),
  ];
}
