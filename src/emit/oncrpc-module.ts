/**
 * The frame the ONC-RPC client and server modules share: one ImportCollector whose file knows
 * the module's own names and programs.ts's procedure codecs, chunks per program/version, and
 * the import statements on top (the runtime's, the codecs modules', then programs.ts).
 */
import type { ProtocolModel, RpcProcedure } from "../model/types.js";
import { rawChunk, type Chunk, type CodeModule } from "./chunks.js";
import { generatedHeader } from "./generated-header.js";
import { importCollector, type ImportCollector } from "./oncrpc-imports.js";
import {
  argsShape,
  resultCodec,
  versionUnits,
  type ArgsShape,
  type ProcedureCodec,
  type VersionUnit,
} from "./oncrpc-procedures.js";
import {
  procedureCodecNames,
  type OncRpcEmitOptions,
} from "./ts-oncrpc-programs.js";

/** How one procedure's arguments and result travel, with the codec expressions for them. */
export interface ProcedureWire {
  readonly args: ArgsShape;
  /** The args codec, `null` for none. */
  readonly argsCodec: string;
  /** The result codec, `null` for void. */
  readonly resultCodec: string;
}

export interface OncRpcModuleContext {
  readonly imports: ImportCollector;
  /** The procedure's codecs, imported from programs.ts or a codecs module as they are named. */
  wire(proc: RpcProcedure, u: VersionUnit): ProcedureWire;
}

const PROGRAMS = "./programs.js";

/**
 * A module of `unitChunks` per program/version; `declared` lists the names each unit's chunks
 * declare (imports take other names).
 */
export function oncRpcModule(
  p: ProtocolModel,
  options: OncRpcEmitOptions,
  declared: (u: VersionUnit) => readonly string[],
  unitChunks: (u: VersionUnit, m: OncRpcModuleContext) => Chunk[],
): CodeModule {
  const units = versionUnits(p);
  const imports = importCollector(
    p,
    options.importPathOf,
    options.runtimeImport,
    [...units.flatMap(declared), ...procedureCodecNames(p, options)],
  );
  const declare = (c: ProcedureCodec) =>
    imports.file.importDeclared(PROGRAMS, c.name);
  const m: OncRpcModuleContext = {
    imports,
    wire(proc, u) {
      const args = argsShape(proc, u.version, imports.ctx, declare);
      const result = resultCodec(proc, u.version, imports.ctx, declare);
      return {
        args,
        argsCodec: args.kind === "void" ? "null" : args.codec,
        resultCodec: result ?? "null",
      };
    },
  };
  const chunks = units.flatMap((u) => unitChunks(u, m));
  return {
    header: generatedHeader(`${p.name}.x`),
    chunks: [rawChunk(imports.lines([PROGRAMS])), ...chunks],
  };
}
