/**
 * One client method per call procedure: its declaration as a ts-morph structure and its one
 * statement in parts, printed in prettier's layout.
 *
 * ```
 * /** @generate: both @acl: domain:migrate *\/           /** `virDomainMigrateStartPostCopy`: … *\/
 * REMOTE_PROC_DOMAIN_MIGRATE_START_POST_COPY = 364  →   domainMigrateStartPostCopy(dom: remote.remote_nonnull_domain, flags: number = 0,
 *                                                          options?: CallOptions): Promise<void> {
 *                                                         return this.invoke(remote.REMOTE_PROC_…, remote.xdr_…_args, { dom, flags }, null, options);
 *                                                       }
 * ```
 */
import type { MethodDeclarationStructure, OptionalKind } from "ts-morph";
import type {
  ProcedureModel,
  StructType,
  TypeDecl,
  Field,
} from "../model/types.js";
import type { RuntimeSymbol } from "virt-rpcgen-runtime/symbols";
import { PROGRAM_CLIENT_MEMBERS } from "virt-rpcgen-runtime/symbols";
import {
  argumentEnumOf,
  enumMemberValue,
  flagsEnumsOf,
  type ApiFlags,
  type LibvirtApiData,
} from "./libvirt-api-data.js";
import {
  flat,
  obj,
  printLiteral,
  raw,
  type Literal,
} from "./literal-printer.js";
import { bindingName, literalKey, memberName, propKey } from "./ts-names.js";
import { jsDoc } from "./ts-text.js";
import { tsPrimitive } from "./ts-types.js";

/** What a method needs from its module: names resolved through the module's GeneratedFile. */
export interface ClientMethodContext {
  /** The protocol's name, for doc comments (`remote_protocol`). */
  readonly protocolName: string;
  readonly flagsData: LibvirtApiData;
  /** Values for `@sparseflag` names the API description does not know. */
  readonly defines: ReadonlyMap<string, number> | undefined;
  /** Module-scope names parameters must not shadow (the codecs namespaces). */
  readonly takenNames: readonly string[];
  readonly rt: (symbol: RuntimeSymbol) => string;
  readonly api: (name: string) => string;
  readonly own: (name: string) => string;
  readonly typeOfDecl: (decl: TypeDecl) => string;
  readonly codecOf: (s: StructType | null) => string;
  readonly tsTypeOfField: (f: Field) => string;
}

/** Whether the procedure opens a stream the client reads (`@readstream`) or writes. */
export function direction(x: ProcedureModel): "read" | "write" | null {
  const a = x.annotations;
  if (!a) return null;
  return a.readStream !== null
    ? "read"
    : a.writeStream !== null
      ? "write"
      : null;
}

/**
 * Members a method named after a procedure must not redeclare: ProgramClient's (the runtime
 * keeps that list, held to the class by its type check and a test) and the generated class'
 * own; memberName adds Object.prototype's.
 */
export const BASE_MEMBERS: ReadonlySet<string> = new Set([
  ...PROGRAM_CLIENT_MEMBERS,
  "constructor",
  "events",
]);

export function clientMethod(
  x: ProcedureModel,
  ctx: ClientMethodContext,
): ClientMethod {
  const { params, docs } = methodParams(x, ctx);
  const { result, unwrap } = methodResult(x, ctx);
  const notes = annotationNotes(x, unwrap);
  const dir = direction(x);
  let sparse = "false";
  if (dir) {
    sparse = sparseExpression(x, params, ctx.flagsData, ctx.defines);
    notes.push(...streamNotes(x, dir, sparse));
  }
  const { returnType, call } = methodCall(x, ctx, params, {
    dir,
    sparse,
    result,
    unwrap,
  });
  const head = `\`${x.apiName}\`: \`${x.constName}\` = ${x.number} (${ctx.protocolName}.x).`;
  const method: ClientMethod["structure"] = {
    name: memberName(x.methodName, BASE_MEMBERS),
    docs: [
      [
        head,
        ...(notes.length ? ["", ...notes] : []),
        ...(docs.length ? ["", ...docs] : []),
      ].join("\n"),
    ],
    parameters: [
      ...params.map((q) => ({
        name: q.name,
        type: q.type,
        ...(q.initializer ? { initializer: q.initializer } : {}),
      })),
      {
        name: "options",
        type: ctx.rt(dir ? "StreamCallOptions" : "CallOptions"),
        hasQuestionToken: true,
      },
    ],
    returnType,
  };
  return { structure: method, call };
}

/** A method parameter, for one member of the args struct. */
interface MethodParam {
  readonly name: string;
  readonly type: string;
  /** The args member it fills. */
  readonly field: string;
  readonly initializer?: string;
  /** The value put in the args struct, when the parameter needs converting. */
  readonly value?: string;
}

/**
 * One parameter per args member, typed as libvirt documents it (`flags` as the flags enums
 * its API combines, other enum arguments as their enum), with `@param` docs for the flags.
 */
function methodParams(
  x: ProcedureModel,
  ctx: ClientMethodContext,
): { params: MethodParam[]; docs: string[] } {
  const { flagsData, rt, api } = ctx;
  const fields = x.args?.fields ?? [];
  // `options` is the method's last parameter.
  const taken = new Set<string>([...ctx.takenNames, "options"]);
  const docs: string[] = [];
  const params = fields.map((f, i): MethodParam => {
    const name = bindingName(f.name, taken);
    let type = ctx.tsTypeOfField(f);
    let initializer: string | undefined;
    let value: string | undefined;
    if (
      f.name === "flags" &&
      f.shape === "scalar" &&
      f.type.kind === "primitive"
    ) {
      const enums = flagsEnumsOf(flagsData, x.apiName);
      const wide = tsPrimitive(f.type.name) === "bigint";
      if (enums.length > 0) {
        type = `${rt("Flags")}<${enums.map(api).join(" | ")}>${wide ? " | bigint" : ""}`;
        docs.push(
          `@param ${name} bitwise-OR of ${enums.map((e) => `{@link ${e}}`).join(" and ")}`,
        );
        // `A | B` of flags with bit 31 set is negative in JavaScript: take its 32 bits as C does.
        const bits = f.type.name === "int" ? `${name} | 0` : `${name} >>> 0`;
        value = wide
          ? `typeof ${name} === "bigint" ? ${name} : BigInt(${name} >>> 0)`
          : bits;
      }
      if (i === fields.length - 1)
        initializer = wide && enums.length === 0 ? "0n" : "0";
    } else if (f.shape === "scalar" && f.type.kind === "primitive") {
      // Another argument libvirt documents as one of an enum (`stats`: virDomainStatsTypes).
      const named = argumentEnumOf(flagsData, x.apiName, f.name);
      if (named && tsPrimitive(f.type.name) === "number") {
        if (named.bits) {
          type = `${rt("Flags")}<${api(named.enum)}>`;
          value = f.type.name === "int" ? `${name} | 0` : `${name} >>> 0`;
        } else type = api(named.enum);
      }
    }
    return {
      name,
      type,
      field: f.name,
      ...(initializer ? { initializer } : {}),
      ...(value ? { value } : {}),
    };
  });
  return { params, docs };
}

/**
 * What the method resolves with: the ret struct, or its only member (`unwrap`), with the
 * members libvirt documents as one of an enum (`state`: virDomainState) typed as that enum.
 */
function methodResult(
  x: ProcedureModel,
  ctx: ClientMethodContext,
): { result: string; unwrap: Field | null } {
  const unwrap = x.ret && x.ret.fields.length === 1 ? x.ret.fields[0]! : null;
  const retEnums = (x.ret?.fields ?? []).flatMap((f) => {
    const named =
      f.shape === "scalar" && f.type.kind === "primitive"
        ? argumentEnumOf(ctx.flagsData, x.apiName, f.name)
        : null;
    if (!named || named.bits) return [];
    return [`${propKey(f.name)}: ${ctx.api(named.enum)}`];
  });
  const retType = () => (x.ret ? ctx.typeOfDecl(x.ret) : "void");
  const result = unwrap
    ? retEnums.length
      ? retEnums[0]!.replace(/^[^:]*: /, "")
      : ctx.tsTypeOfField(unwrap)
    : retEnums.length
      ? `${retType()} & { ${retEnums.join("; ")} }`
      : retType();
  return { result, unwrap };
}

/** The doc lines the annotations give: ACL rules and filters, priority, what it resolves with. */
function annotationNotes(x: ProcedureModel, unwrap: Field | null): string[] {
  const a = x.annotations;
  const rules = !a ? [] : a.aclNone ? ["none"] : a.acl.map((r) => r.text);
  const notes: string[] = [];
  if (rules.length)
    notes.push(`ACL: ${rules.map((r) => `\`${r}\``).join(", ")}.`);
  if (a?.aclFilter.length)
    notes.push(
      `ACL filter: ${a.aclFilter.map((r) => `\`${r.text}\``).join(", ")}.`,
    );
  if (a?.priority === "high") notes.push("Priority: high.");
  if (unwrap) notes.push(`Resolves with \`${x.ret!.name}.${unwrap.name}\`.`);
  return notes;
}

/** How a stream procedure's method is used, and when its stream is sparse. */
function streamNotes(
  x: ProcedureModel,
  dir: "read" | "write",
  sparse: string,
): string[] {
  return [
    dir === "read"
      ? "The server then sends data (`@readstream`): resolves once it accepted the call, with the stream to read."
      : "Then send the data (`@writestream`): resolves once the server accepted the call, with the stream to write; `end()` it to finish.",
    ...(sparse !== "false"
      ? [`Sparse (holes) when \`${x.annotations!.sparseFlag}\` is set.`]
      : []),
  ];
}

/** The args struct from the parameters: `{ dom, flags: flags >>> 0 }`. */
function argsLiteral(
  x: ProcedureModel,
  params: readonly MethodParam[],
): Literal {
  if (!x.args) return raw("undefined");
  return obj(
    params.map((q) =>
      q.value
        ? { key: literalKey(q.field), value: raw(q.value) }
        : q.name === q.field
          ? {
              key: propKey(q.field),
              value: raw(propKey(q.field)),
              shorthand: true,
            }
          : { key: literalKey(q.field), value: raw(q.name) },
    ),
  );
}

/**
 * The method's return type and its one statement: `invoke` for a call, `invokeStream` for a
 * stream call with a ret, `invokeStreamOnly` for one without; all take the procedure, the args
 * codec and struct first and the call options last.
 */
function methodCall(
  x: ProcedureModel,
  ctx: ClientMethodContext,
  params: readonly MethodParam[],
  {
    dir,
    sparse,
    result,
    unwrap,
  }: {
    dir: "read" | "write" | null;
    sparse: string;
    result: string;
    unwrap: Field | null;
  },
): { returnType: string; call: CallParts } {
  const { rt, codecOf } = ctx;
  const args = [
    raw(ctx.own(x.constName)),
    raw(codecOf(x.args)),
    argsLiteral(x, params),
  ];
  const stream = [raw(`"${dir}"`), raw(sparse), raw("options")];
  if (!dir)
    return {
      returnType: `Promise<${result}>`,
      call: {
        callee: "this.invoke",
        args: [...args, raw(codecOf(x.ret)), raw("options")],
        then: unwrap ? `.then((r) => r.${unwrap.name})` : "",
      },
    };
  if (x.ret)
    return {
      returnType: `Promise<${rt("StreamReply")}<${result}>>`,
      call: {
        callee: "this.invokeStream",
        args: [...args, raw(codecOf(x.ret)), ...stream],
        then: unwrap
          ? `.then(({ result, stream }) => ({ result: result.${unwrap.name}, stream }))`
          : "",
      },
    };
  return {
    returnType: `Promise<${rt("VirtStream")}>`,
    call: {
      callee: "this.invokeStreamOnly",
      args: [...args, ...stream],
      then: "",
    },
  };
}

/** `(flags & 1) !== 0` when the procedure's `@sparseflag` names a known flag, else `false`. */
function sparseExpression(
  x: ProcedureModel,
  params: readonly { name: string; field: string }[],
  flagsData: ApiFlags,
  defines: ReadonlyMap<string, number> | undefined,
): string {
  const flag = x.annotations?.sparseFlag;
  if (!flag) return "false";
  const value = enumMemberValue(flagsData, flag) ?? defines?.get(flag);
  const param = params.find((q) => q.field === "flags");
  if (value === undefined || !param) {
    throw new Error(
      `${x.constName}: @sparseflag ${flag} needs a 'flags' argument and a known value (give it with --define ${flag}=N)`,
    );
  }
  return `(${param.name} & ${value}) !== 0`;
}

/** A method's single `return callee(args)then;` statement, in parts. */
interface CallParts {
  readonly callee: string;
  readonly args: readonly Literal[];
  readonly then: string;
}

/**
 * A client method: its declaration as a ts-morph structure (name, docs, parameters, return
 * type) and its one statement in parts, which printMethod lays out as prettier does.
 */
export interface ClientMethod {
  readonly structure: OptionalKind<MethodDeclarationStructure> & {
    readonly returnType: string;
    readonly docs: [string];
  };
  readonly call: CallParts;
}

/**
 * A client method in prettier's layout: docs, the signature broken one parameter per line when
 * too long, the call broken one argument per line when too long.
 */
export function printMethod({ structure: m, call }: ClientMethod): string {
  const doc = m.docs[0];
  const params = (m.parameters ?? []).map(
    (q) =>
      `${q.name}${q.hasQuestionToken ? "?" : ""}${q.type ? `: ${String(q.type)}` : ""}${q.initializer ? ` = ${String(q.initializer)}` : ""}`,
  );
  const lines = jsDoc(doc.split("\n"), "  ");
  const flatHead = `  ${m.name}(${params.join(", ")}): ${m.returnType} {`;
  if (flatHead.length <= 80) lines.push(flatHead);
  else
    lines.push(
      `  ${m.name}(`,
      ...params.map((q) => `    ${q},`),
      `  ): ${m.returnType} {`,
    );
  const flatArgs = call.args.map(flat);
  const flatCall = flatArgs.every((a) => a !== null)
    ? `    return ${call.callee}(${flatArgs.join(", ")})${call.then};`
    : null;
  if (flatCall !== null && flatCall.length <= 80) lines.push(flatCall);
  else
    lines.push(
      `    return ${call.callee}(`,
      ...call.args.flatMap((a) => printLiteral(a, 6, "", ",")),
      `    )${call.then};`,
    );
  lines.push("  }");
  return lines.join("\n");
}
