/**
 * Procedures: the procedure enum's members linked to their `*_args`/`*_ret`/`*_msg` structs by
 * gendispatch.pl's rule (names compared lower-cased without underscores), with their
 * annotations and libvirt-style names.
 */
import { parseProcedureAnnotations } from "../annotations/index.js";
import { XdrDiagnosticError, type XdrFile } from "../parser/index.js";
import { apiNameOf, linkKey, methodNameOf, procNameOf } from "./naming.js";
import type { CommentIndex } from "./comment-index.js";
import type {
  Constant,
  EnumType,
  ProcedureModel,
  ProgramInfo,
  ProtocolModel,
  StructType,
} from "./types.js";

type Linked = Pick<
  ProtocolModel,
  "procedureEnum" | "structPrefix" | "procPrefix" | "procedures" | "program"
>;

export function linkProcedures(
  p: ProtocolModel,
  ast: XdrFile,
  comments: CommentIndex,
  constants: readonly Constant[],
): Linked {
  const procEnum =
    p.types.find(
      (t): t is EnumType => t.kind === "enum" && /(_p|P)rocedure$/.test(t.name),
    ) ?? null;
  if (!procEnum || procEnum.members.length === 0) {
    return {
      procedureEnum: procEnum,
      structPrefix: null,
      procPrefix: null,
      procedures: [],
      program: programInfo(ast, constants, null),
    };
  }
  const structPrefix = procEnum.name.replace(/_?[pP]rocedure$/, "");
  const first = procEnum.members[0]!.name;
  const at = first.indexOf("_PROC_");
  if (at === -1) {
    throw XdrDiagnosticError.at(
      procEnum.members[0]!.loc,
      `procedure '${first}' does not follow the <PREFIX>_PROC_<NAME> convention`,
    );
  }
  const procPrefix = first.slice(0, at + 5);

  // Payload structs by link key.
  const camel = !structPrefix.includes("_") && /[A-Z]/.test(structPrefix);
  const payloadRe = camel
    ? new RegExp(`^${structPrefix}(.+)(Args|Ret|Msg)$`)
    : new RegExp(`^${structPrefix}_(.+)_(args|ret|msg)$`);
  const payloads = new Map<
    string,
    { args?: StructType; ret?: StructType; msg?: StructType }
  >();
  for (const t of p.types) {
    if (t.kind !== "struct") continue;
    const m = payloadRe.exec(t.name);
    if (!m) continue;
    const key = linkKey(m[1]!);
    const kind = m[2]!.toLowerCase() as "args" | "ret" | "msg";
    const entry = payloads.get(key) ?? {};
    entry[kind] = t;
    payloads.set(key, entry);
  }

  // Annotations: each member takes the nearest doc comment after the previous member.
  const astEnum = ast.definitions.find(
    (d) => d.kind === "enum" && d.name === procEnum.name,
  );
  const bodyStart =
    astEnum && astEnum.kind === "enum"
      ? astEnum.body.loc.offset
      : procEnum.loc.offset;
  const astMembers =
    astEnum && astEnum.kind === "enum" ? astEnum.body.members : [];
  const docs = procEnum.members.map((m, i) =>
    comments.annotationBetween(
      i === 0 ? bodyStart : astMembers[i - 1]!.end,
      m.loc.offset,
    ),
  );
  const annotated = docs.some((d) => d !== null);

  const seenNumbers = new Map<number, string>();
  const procedures: ProcedureModel[] = procEnum.members.map((m, i) => {
    if (!m.name.startsWith(procPrefix + "_")) {
      throw XdrDiagnosticError.at(
        m.loc,
        `procedure '${m.name}' does not start with '${procPrefix}_' like the others`,
      );
    }
    const dup = seenNumbers.get(m.value);
    if (dup !== undefined)
      throw XdrDiagnosticError.at(
        m.loc,
        `duplicate procedure number ${m.value}: ${m.name} and ${dup}`,
      );
    seenNumbers.set(m.value, m.name);
    const bare = m.name.slice(procPrefix.length + 1);
    const procName = procNameOf(bare, structPrefix === "admin");
    const linked = payloads.get(linkKey(bare)) ?? {};
    const doc = docs[i] ?? null;
    if (annotated && !doc)
      throw XdrDiagnosticError.at(
        m.loc,
        `'@generate' annotation missing for ${m.name}`,
      );
    const annotations = doc
      ? parseProcedureAnnotations(doc, comments.lines, m.name, m.loc)
      : null;
    return {
      constName: m.name,
      number: m.value,
      procName,
      methodName: methodNameOf(procName),
      apiName: apiNameOf(structPrefix, procName),
      args: linked.args ?? null,
      ret: linked.ret ?? null,
      msg: linked.msg ?? null,
      annotations,
      loc: m.loc,
    };
  });

  // gendispatch.pl requires @acl on every procedure once a protocol uses ACLs.
  if (
    procedures.some(
      (x) =>
        x.annotations &&
        (x.annotations.acl.length > 0 || x.annotations.aclNone),
    )
  ) {
    for (const x of procedures) {
      if (
        x.annotations &&
        x.annotations.acl.length === 0 &&
        !x.annotations.aclNone
      ) {
        throw XdrDiagnosticError.at(
          x.loc,
          `'@acl' annotation missing for ${x.constName}`,
        );
      }
    }
  }

  return {
    procedureEnum: procEnum,
    structPrefix,
    procPrefix,
    procedures,
    program: programInfo(ast, constants, procPrefix),
  };
}

/** Program and version numbers: from a `program` block, else libvirt's `<P>_PROGRAM` constants. */
function programInfo(
  ast: XdrFile,
  constants: readonly Constant[],
  procPrefix: string | null,
): ProgramInfo | null {
  const prog = ast.definitions.find((d) => d.kind === "program");
  const byName = new Map(constants.map((c) => [c.name, c.value]));
  if (prog && prog.kind === "program") {
    const v = prog.versions[0]!;
    const num = (x: typeof prog.number) =>
      x.kind === "number" ? Number(x.value) : (byName.get(x.name) ?? NaN);
    return {
      programConst: prog.name,
      program: num(prog.number),
      versionConst: v.name,
      version: num(v.number),
    };
  }
  if (!procPrefix) return null;
  const base = procPrefix.replace(/_PROC$/, "");
  const programConst = `${base}_PROGRAM`;
  const program = byName.get(programConst);
  if (program === undefined) return null;
  const versionConst =
    [`${base}_PROTOCOL_VERSION`, `${base}_PROGRAM_VERSION`].find((n) =>
      byName.has(n),
    ) ?? null;
  return {
    programConst,
    program,
    versionConst,
    version: versionConst ? byName.get(versionConst)! : null,
  };
}
