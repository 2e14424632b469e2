/**
 * `programs.ts` of a protocol with `program` blocks: the codecs of procedure arguments and
 * results that are not simply one of the protocol's types (a bare `int`, a `string`, rpcgen's
 * multi-argument procedures), named as rpcgen's C names the procedure (`demo_echo_1`).
 *
 * ```
 * int DEMO_ECHO(int) = 1;    →   export const xdr_demo_echo_1_args: XdrCodec<number> = { … };
 *                                export const xdr_demo_echo_1_result: XdrCodec<number> = { … };
 * ```
 */
import type { ProtocolModel } from "../model/types.js";
import {
  rawChunk,
  stableChunk,
  type Chunk,
  type CodeModule,
} from "./chunks.js";
import { importCollector } from "./oncrpc-imports.js";
import {
  argsShape,
  resultCodec,
  versionUnits,
  type ProcedureCodec,
} from "./oncrpc-procedures.js";
import {
  decodeField,
  encodeField,
  tsTypeOfField,
  type BodyContext,
} from "./ts-codec-bodies.js";
import { exportConstObject, jsDoc } from "./ts-text.js";
import { generatedHeader } from "./generated-header.js";

export interface OncRpcEmitOptions {
  readonly runtimeImport: string;
  /** How a protocol's codec module is imported from this one (`./codecs.js` for itself). */
  readonly importPathOf: (protocol: ProtocolModel) => string;
}

/** Every procedure codec the client and server of `p` need, in declaration order. */
export function procedureCodecs(
  p: ProtocolModel,
  ctx: BodyContext,
): ProcedureCodec[] {
  const out: ProcedureCodec[] = [];
  const declare = (c: ProcedureCodec) => out.push(c);
  for (const u of versionUnits(p))
    for (const proc of u.version.procedures) {
      argsShape(proc, u.version, ctx, declare);
      resultCodec(proc, u.version, ctx, declare);
    }
  return out;
}

/** The names programs.ts declares: the procedure codecs. */
export function procedureCodecNames(
  p: ProtocolModel,
  options: OncRpcEmitOptions,
): string[] {
  const scratch = importCollector(
    p,
    options.importPathOf,
    options.runtimeImport,
    [],
  );
  return procedureCodecs(p, scratch.ctx).map((c) => c.name);
}

export function emitOncRpcProgramsModule(
  p: ProtocolModel,
  options: OncRpcEmitOptions,
): CodeModule {
  // Found with a scratch context: the module imports only what the codecs' bodies use.
  const scratch = importCollector(
    p,
    options.importPathOf,
    options.runtimeImport,
    [],
  );
  const codecs = procedureCodecs(p, scratch.ctx);
  const imports = importCollector(
    p,
    options.importPathOf,
    options.runtimeImport,
    codecs.map((c) => c.name),
  );
  const chunks: Chunk[] = codecs.map((c) => codecChunk(c, imports.ctx));
  if (chunks.length === 0) chunks.push(stableChunk("export {};"));
  const text = chunks.map((c) => c.text).join("\n");
  return {
    header: generatedHeader(`${p.name}.x`),
    chunks: [
      ...(text === "export {};" ? [] : [rawChunk(imports.lines())]),
      ...chunks,
    ],
  };
}

function codecChunk(c: ProcedureCodec, ctx: BodyContext): Chunk {
  const one = c.fields.length === 1;
  // Named in this module's own context, so the types it names are imported here.
  const fieldTypes = c.fields.map((f) => tsTypeOfField(f, ctx));
  const tsType = one ? fieldTypes[0]! : `[${fieldTypes.join(", ")}]`;
  const encode = one
    ? encodeField(c.fields[0]!, "v", ctx)
    : c.fields.flatMap((f, i) => encodeField(f, `v[${i}]`, ctx));
  const locals = c.fields.map((_, i) => `_a${i}`);
  const decode = [
    ...c.fields.flatMap((f, i) => decodeField(f, locals[i]!, ctx)),
    one ? `return ${locals[0]};` : `return [${locals.join(", ")}];`,
  ];
  return rawChunk(
    [
      ...jsDoc([
        one ? `\`${c.name}\`` : `\`${c.name}\`: the arguments, in order`,
      ]),
      exportConstObject(c.name, `${ctx.runtime("XdrCodec")}<${tsType}>`, [
        `name: ${JSON.stringify(c.name.replace(/^xdr_/, ""))},`,
        `encode(w, v) {`,
        ...encode,
        `},`,
        `decode(r) {`,
        ...decode,
        `},`,
      ]),
    ].join("\n"),
  );
}
