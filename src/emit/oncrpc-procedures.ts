/**
 * What the ONC-RPC emitters (programs, client, server) share about `program`/`version` blocks:
 * which protocols get them, names, and how each procedure's arguments and result are encoded.
 *
 * A protocol that follows libvirt's conventions (a `*_procedure` enum with annotations) gets
 * libvirt's client and server; any other protocol with `program` blocks gets these.
 *
 * ```
 * program DEMO_PROG {                       class DemoV1Client { demoEcho(arg1: number): Promise<number> }
 *   version DEMO_V1 {                  →    interface DemoV1Handlers { demoEcho(arg1: number, ctx): number | … }
 *     int DEMO_ECHO(int) = 1;               function demoV1Server(handlers): OncRpcServerProgram
 *   } = 1;
 * } = 0x20000100;
 * ```
 */
import type {
  Field,
  ProtocolModel,
  RpcProcedure,
  RpcProgram,
  RpcVersion,
} from "../model/types.js";
import { hasClientModule } from "./ts-client.js";
import { hasServerModule } from "./ts-server.js";
import type { BodyContext } from "./ts-codec-bodies.js";
import { codecName, memberName, tsTypeName } from "./ts-names.js";
import { tsTypeOfField } from "./ts-codec-bodies.js";

/** Whether `p` gets the standard ONC-RPC client and server (rather than libvirt's, or none). */
export function hasOncRpcModules(p: ProtocolModel): boolean {
  return p.programs.length > 0 && !hasClientModule(p) && !hasServerModule(p);
}

/** `DEMO_V1` → `DemoV1`; `RPCBVERS4` → `Rpcbvers4`. */
export function pascal(name: string): string {
  return name
    .split(/[_\W]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase())
    .join("");
}

/** `DEMO_ECHO` → `demoEcho`. */
export function camel(name: string): string {
  const p = pascal(name);
  return p.charAt(0).toLowerCase() + p.slice(1);
}

/** One program/version as the emitters see it. */
export interface VersionUnit {
  readonly program: RpcProgram;
  readonly version: RpcVersion;
  /** `DemoV1`: prefix of its class, interface and factory; unique in the file. */
  readonly type: string;
  /** `demoV1`. */
  readonly value: string;
}

/**
 * Every program/version of `p`, named after the version (`DEMO_V1` → `DemoV1`), or after
 * program and version when two programs of the file have versions of the same name.
 */
export function versionUnits(p: ProtocolModel): VersionUnit[] {
  const counts = new Map<string, number>();
  for (const prog of p.programs)
    for (const v of prog.versions)
      counts.set(pascal(v.name), (counts.get(pascal(v.name)) ?? 0) + 1);
  return p.programs.flatMap((program) =>
    program.versions.map((version) => {
      const base = pascal(version.name);
      const type = counts.get(base)! > 1 ? pascal(program.name) + base : base;
      return {
        program,
        version,
        type,
        value: type.charAt(0).toLowerCase() + type.slice(1),
      };
    }),
  );
}

/** Members of the generated client class a procedure method must not shadow (besides Object.prototype's). */
const CLIENT_MEMBERS = new Set([
  "rpc",
  "program",
  "version",
  "close",
  "nullProc",
  "connect",
  "constructor",
  "target",
]);

/** The method (client) and handler (server) name of a procedure. */
export function methodName(proc: RpcProcedure): string {
  const m = camel(proc.name);
  return /^\d/.test(m) ? `${m}_` : memberName(m, CLIENT_MEMBERS);
}

/** `demo_echo_1_args`: the name rpcgen's C uses for this procedure in this version, plus a role. */
function procCodecBase(proc: RpcProcedure, version: RpcVersion): string {
  return `${proc.name.toLowerCase()}_${version.number}`;
}

/** How a procedure's arguments travel: none, one value, or a tuple (rpcgen `-N`). */
export type ArgsShape =
  | { readonly kind: "void" }
  | { readonly kind: "one"; readonly field: Field; readonly codec: string }
  | {
      readonly kind: "many";
      readonly fields: readonly Field[];
      readonly codec: string;
    };

/** A codec that programs.ts has to declare for a procedure (the others are type codecs). */
export interface ProcedureCodec {
  readonly name: string;
  /** The fields it encodes; one field encodes the value itself, several a tuple. */
  readonly fields: readonly Field[];
}

/**
 * The codec expression for one field: a named type's own codec when the field is just that
 * type, else a procedure codec (declared by programs.ts).
 */
function fieldCodec(
  field: Field,
  name: string,
  ctx: BodyContext,
  declare: (c: ProcedureCodec) => void,
): string {
  if (field.shape === "scalar" && field.type.kind === "named") {
    ctx.use(field.type.decl, "codec");
    return codecName(field.type.name);
  }
  declare({ name, fields: [field] });
  return name;
}

export function argsShape(
  proc: RpcProcedure,
  version: RpcVersion,
  ctx: BodyContext,
  declare: (c: ProcedureCodec) => void,
): ArgsShape {
  const base = codecName(`${procCodecBase(proc, version)}_args`);
  if (proc.args.length === 0) return { kind: "void" };
  if (proc.args.length === 1) {
    const field = proc.args[0]!;
    return { kind: "one", field, codec: fieldCodec(field, base, ctx, declare) };
  }
  declare({
    name: base,
    fields: proc.args,
  });
  return { kind: "many", fields: proc.args, codec: base };
}

/** The result codec expression, or null for void. */
export function resultCodec(
  proc: RpcProcedure,
  version: RpcVersion,
  ctx: BodyContext,
  declare: (c: ProcedureCodec) => void,
): string | null {
  if (proc.result === null) return null;
  return fieldCodec(
    proc.result,
    codecName(`${procCodecBase(proc, version)}_result`),
    ctx,
    declare,
  );
}

/** The TypeScript parameters for the arguments: `arg1: number`, `name: string`. */
export function argParams(proc: RpcProcedure, ctx: BodyContext): string[] {
  return proc.args.map((a) => `${paramName(a.name)}: ${tsTypeOfField(a, ctx)}`);
}

/** The argument values as passed to the runtime: `undefined`, `arg1`, or `[a, b]`. */
export function argValue(proc: RpcProcedure): string {
  if (proc.args.length === 0) return "undefined";
  if (proc.args.length === 1) return paramName(proc.args[0]!.name);
  return `[${proc.args.map((a) => paramName(a.name)).join(", ")}]`;
}

export function paramName(name: string): string {
  const n = tsTypeName(name);
  return n === "options" || n === "ctx" ? `${n}_` : n;
}

/** The result's TypeScript type (`void` for none). */
export function resultType(proc: RpcProcedure, ctx: BodyContext): string {
  return proc.result === null ? "void" : tsTypeOfField(proc.result, ctx);
}

/** `DEMO_ECHO(number): number, procedure 1`: the procedure in TypeScript types, for doc comments. */
export function procSignature(proc: RpcProcedure, ctx: BodyContext): string {
  const args =
    proc.args.length === 0
      ? "void"
      : proc.args.map((a) => tsTypeOfField(a, ctx)).join(", ");
  return `${proc.name}(${args}): ${resultType(proc, ctx)}, procedure ${proc.number}`;
}
