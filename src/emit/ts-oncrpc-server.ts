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
import { oncRpcModule, type OncRpcModuleContext } from "./oncrpc-module.js";
import {
  argParams,
  methodName,
  procSignature,
  resultType,
  type VersionUnit,
} from "./oncrpc-procedures.js";
import type { OncRpcEmitOptions } from "./ts-oncrpc-programs.js";
import { jsDoc } from "./ts-text.js";

export function emitOncRpcServerModule(
  p: ProtocolModel,
  options: OncRpcEmitOptions,
): CodeModule {
  return oncRpcModule(
    p,
    options,
    (u) => [`${u.type}Handlers`, `${u.value}Server`],
    (u, m) => unitChunks(p, u, m),
  );
}

function unitChunks(
  p: ProtocolModel,
  u: VersionUnit,
  m: OncRpcModuleContext,
): Chunk[] {
  const { ctx, file } = m.imports;
  const CallContext = file.runtime("OncRpcCallContext");
  const progConst = m.imports.useConstant(u.program.name);
  const iface = `${u.type}Handlers`;
  const members: string[] = [];
  const entries: string[] = [];
  for (const proc of u.version.procedures) {
    const { args, argsCodec, resultCodec } = m.wire(proc, u);
    const ret = resultType(proc, ctx);
    const name = methodName(proc);
    members.push(
      ...jsDoc([`\`${procSignature(proc, ctx)}\``]),
      `${name}(${[...argParams(proc, ctx), `ctx: ${CallContext}`].join(", ")}): ${ret} | Promise<${ret}>;`,
    );
    const call =
      args.kind === "void"
        ? `(_args, ctx) => handlers.${name}(ctx)`
        : args.kind === "one"
          ? `(arg, ctx) => handlers.${name}(arg, ctx)`
          : `(args, ctx) => handlers.${name}(${args.fields.map((_, i) => `args[${i}]`).join(", ")}, ctx)`;
    entries.push(
      `[${proc.number}, ${file.runtime("procedure")}(${JSON.stringify(proc.name)}, ${argsCodec}, ${resultCodec}, ${call})],`,
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
