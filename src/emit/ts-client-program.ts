/**
 * The client module's description of its program, for the runtime: the typed maps of call
 * procedures (for `call`) and of server messages (for `on`), the trace table of every procedure
 * (for `connect(uri, { trace })`) and the `ClientProgram` the class is built on.
 *
 * ```
 * REMOTE_PROC_CONNECT_GET_VERSION = 4         export interface RemoteClientCalls {
 *   (remote_connect_get_version_ret)    →       [remote.REMOTE_PROC_CONNECT_GET_VERSION]: { args: void; ret: remote.…_ret };
 *                                             }
 *                                             export const remoteClientProgram: ClientProgram = {
 *                                               …, calls: { [remote.REMOTE_PROC_CONNECT_GET_VERSION]: [null, remote.xdr_…_ret] }, …
 *                                             };
 * ```
 */
import type { ProcedureModel } from "../model/types.js";
import { stableChunk, type Chunk } from "./chunks.js";
import {
  arr,
  obj,
  printLiteral,
  raw,
  str,
  typeObj,
  type Literal,
  type ObjectEntry,
} from "./literal-printer.js";
import type { ClientModuleContext } from "./ts-client-context.js";
import { direction } from "./ts-client-methods.js";
import { propKey } from "./ts-names.js";
import { jsDoc } from "./ts-text.js";

/** `export interface Name { … }`, each property's type printed as a literal (it may break). */
function interfaceChunk(
  name: string,
  doc: string,
  props: readonly { name: string; type: Literal; docs: string[] }[],
): Chunk {
  return stableChunk(
    [
      ...jsDoc([doc]),
      ...(props.length === 0
        ? [`export interface ${name} {}`]
        : [
            `export interface ${name} {`,
            ...props.flatMap((q) => [
              ...jsDoc(q.docs, "  "),
              ...printLiteral(q.type, 2, `${q.name}: `, ";", true),
            ]),
            "}",
          ]),
    ].join("\n"),
  );
}

/** `<Type>ClientCalls`: every call procedure by number → its args and ret types. */
export function callsInterfaceChunk(
  ctx: ClientModuleContext,
  calls: readonly ProcedureModel[],
): Chunk {
  const { names, rt, typeOfDecl } = ctx;
  const retType = (x: ProcedureModel) => (x.ret ? typeOfDecl(x.ret) : "void");
  return interfaceChunk(
    names.calls,
    `Call procedures of ${ctx.protocolName}.x, for \`${names.client}.call\` (each also has a method): procedure → args and ret.`,
    calls.map((x) => ({
      name: `[${ctx.procConst(x)}]`,
      type: typeObj([
        { key: "args", value: raw(x.args ? typeOfDecl(x.args) : "void") },
        {
          key: "ret",
          value: raw(
            direction(x) ? `${rt("StreamReply")}<${retType(x)}>` : retType(x),
          ),
        },
      ]),
      docs: [
        `\`${x.apiName}\`${x.annotations ? ` (@generate: ${x.annotations.generate})` : ""}`,
      ],
    })),
  );
}

/** `<Type>ClientEvents`: every server message by name → its payload type. */
export function eventsInterfaceChunk(
  ctx: ClientModuleContext,
  events: readonly ProcedureModel[],
): Chunk {
  return interfaceChunk(
    ctx.names.events,
    `Server messages of ${ctx.protocolName}.x (\`*_msg\` procedures), for \`${ctx.names.client}.on\`: event → payload.`,
    events.map((x) => ({
      name: propKey(x.methodName),
      type: raw(ctx.typeOfDecl(x.msg!)),
      docs: [`\`${x.constName}\``],
    })),
  );
}

/** The `program` and `version` entries both program descriptions start with. */
function programEntries(ctx: ClientModuleContext): ObjectEntry[] {
  const program = ctx.protocol.program!;
  return [
    { key: "program", value: raw(ctx.own(program.programConst)) },
    {
      key: "version",
      value: raw(
        program.versionConst
          ? ctx.own(program.versionConst)
          : String(program.version),
      ),
    },
  ];
}

/** Every procedure (methods, calls and events) by number, for `connect(uri, { trace })`. */
export function traceChunk(ctx: ClientModuleContext): Chunk {
  const { codecOf } = ctx;
  const program = ctx.protocol.program!;
  const procedures: ObjectEntry[] = ctx.protocol.procedures.map((x) => ({
    key: `[${ctx.procConst(x)}]`,
    value: arr([
      str(x.constName),
      str(x.apiName),
      raw(codecOf(x.args)),
      raw(codecOf(x.ret)),
      raw(codecOf(x.msg)),
    ]),
  }));
  return stableChunk(
    [
      ...jsDoc([
        `Every procedure of \`${program.programConst}\` by number (name, C API, args, ret and msg codecs), for \`connect(uri, { trace })\`.`,
      ]),
      ...printLiteral(
        obj(
          [
            { key: "name", value: str(program.programConst) },
            ...programEntries(ctx),
            {
              key: "procedures",
              value: obj(procedures, procedures.length > 0),
            },
          ],
          true,
        ),
        0,
        `export const ${ctx.names.trace}: ${ctx.rt("TraceProgram")} = `,
        ";",
      ),
    ].join("\n"),
  );
}

/**
 * `<prefix>ClientProgram`: the codecs of every call (and its stream direction) and of every
 * event by number, the handshake and the trace table.
 */
export function programChunk(
  ctx: ClientModuleContext,
  calls: readonly ProcedureModel[],
  events: readonly ProcedureModel[],
  hasHandshake: boolean,
): Chunk {
  const { codecOf, names } = ctx;
  const program = ctx.protocol.program!;
  const callEntries: ObjectEntry[] = calls.map((x) => {
    const dir = direction(x);
    return {
      key: `[${ctx.procConst(x)}]`,
      value: arr([
        raw(codecOf(x.args)),
        raw(codecOf(x.ret)),
        ...(dir ? [str(dir)] : []),
      ]),
    };
  });
  const eventEntries: ObjectEntry[] = events.map((x) => ({
    key: `[${ctx.procConst(x)}]`,
    value: arr([str(x.methodName), raw(codecOf(x.msg))]),
  }));
  const literal = obj(
    [
      { key: "name", value: str(names.prefix) },
      ...programEntries(ctx),
      { key: "calls", value: obj(callEntries, callEntries.length > 0) },
      { key: "events", value: obj(eventEntries, eventEntries.length > 0) },
      ...(hasHandshake ? [{ key: "handshake", value: raw("HANDSHAKE") }] : []),
      { key: "trace", value: raw(names.trace) },
    ],
    true,
  );
  return stableChunk(
    [
      ...jsDoc([
        `Program \`${program.programConst}\` version ${program.version} as the client runtime sees it.`,
      ]),
      ...printLiteral(
        literal,
        0,
        `export const ${names.program}: ${ctx.rt("ClientProgram")} = `,
        ";",
      ),
    ].join("\n"),
  );
}
