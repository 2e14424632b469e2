/**
 * Procedure entries: libvirt-style procedures (`enum remote_procedure` with annotations) and
 * rpcgen-style `program`/`version` blocks, each with everything a caller needs on one card.
 */
import type {
  Field,
  ProcedureModel,
  ProtocolModel,
  RpcProgram,
  StructType,
} from "../../model/index.js";
import type { AclRule } from "../../annotations/types.js";
import { defs, esc, link, procId, typeId } from "./html.js";
import { fieldHtml } from "./type-text.js";

/** Words the search box matches an entry by (lower-cased, space separated). */
export function searchKey(...names: (string | null | undefined)[]): string {
  return names
    .filter((n): n is string => !!n)
    .join(" ")
    .toLowerCase();
}

function structLink(s: StructType | null): string | null {
  return s ? link(typeId(s.name), s.name) : null;
}

function fieldsBlock(fields: readonly Field[]): string {
  if (fields.length === 0) return "";
  return `<pre class="fields">${fields.map((f) => fieldHtml(f)).join("\n")}</pre>`;
}

function rules(list: readonly AclRule[]): string | null {
  return list.length === 0
    ? null
    : list.map((r) => `<code class="acl">${esc(r.text)}</code>`).join(" ");
}

export function libvirtProcedureHtml(
  p: ProtocolModel,
  proc: ProcedureModel,
): string {
  const a = proc.annotations;
  const kind = proc.msg ? "event" : "call";
  const streams = [
    a?.readStream != null
      ? `reads a stream (@readstream: ${a.readStream})`
      : "",
    a?.writeStream != null
      ? `writes a stream (@writestream: ${a.writeStream})`
      : "",
  ].filter(Boolean);
  const acl = a ? (a.aclNone ? "none" : rules(a.acl)) : null;
  const body = defs([
    ["Number", String(proc.number)],
    ["Constant", `<code>${esc(proc.constName)}</code>`],
    ["C API", `<code>${esc(proc.apiName)}</code>`],
    [
      "Client method",
      proc.msg ? null : `<code>${esc(proc.methodName)}()</code>`,
    ],
    ["Kind", kind],
    ["Arguments", proc.msg ? null : (structLink(proc.args) ?? "none")],
    ["Result", proc.msg ? null : (structLink(proc.ret) ?? "none")],
    ["Event payload", structLink(proc.msg)],
    ["ACL (@acl)", acl],
    ["ACL filter (@aclfilter)", a ? rules(a.aclFilter) : null],
    ["Priority", a ? a.priority : null],
    ["Stream", streams.length ? esc(streams.join("; ")) : a ? "none" : null],
    ["Sparse flag", a?.sparseFlag ? `<code>${esc(a.sparseFlag)}</code>` : null],
    ["@generate", a ? esc(a.generate) : null],
    ["Source", esc(`${p.file.split("/").pop()}:${proc.loc.line}`)],
  ]);
  const fields = [
    proc.args
      ? `<h4>${esc(proc.args.name)}</h4>${fieldsBlock(proc.args.fields)}`
      : "",
    proc.ret
      ? `<h4>${esc(proc.ret.name)}</h4>${fieldsBlock(proc.ret.fields)}`
      : "",
    proc.msg
      ? `<h4>${esc(proc.msg.name)}</h4>${fieldsBlock(proc.msg.fields)}`
      : "",
  ].join("");
  return entry(
    procId(proc.constName),
    searchKey(proc.constName, proc.methodName, proc.apiName, proc.procName),
    `${esc(proc.methodName)} <small>${esc(proc.constName)} = ${proc.number}</small>`,
    body + fields,
  );
}

export function rpcProgramHtml(p: ProtocolModel, prog: RpcProgram): string {
  return prog.versions
    .flatMap((v) =>
      v.procedures.map((proc) => {
        const args = proc.args.length
          ? proc.args.map((f) => `<code>${fieldHtml(f)}</code>`).join("<br>")
          : "void";
        return entry(
          procId(`${prog.name}.${v.name}.${proc.name}`),
          searchKey(proc.name, prog.name, v.name),
          `${esc(proc.name)} <small>${esc(prog.name)} ${prog.number} · ${esc(v.name)} ${v.number} · procedure ${proc.number}</small>`,
          defs([
            ["Program", `<code>${esc(prog.name)}</code> = ${prog.number}`],
            ["Version", `<code>${esc(v.name)}</code> = ${v.number}`],
            ["Procedure", `<code>${esc(proc.name)}</code> = ${proc.number}`],
            ["Arguments", args],
            [
              "Result",
              proc.result ? `<code>${fieldHtml(proc.result)}</code>` : "void",
            ],
            ["Source", esc(`${p.file.split("/").pop()}:${proc.loc.line}`)],
          ]),
        );
      }),
    )
    .join("\n");
}

export function entry(
  id: string,
  key: string,
  title: string,
  body: string,
): string {
  return `<section class="entry" id="${esc(id)}" data-key="${esc(key)}"><h3><a class="anchor" href="#${esc(id)}">#</a> ${title}</h3>${body}</section>`;
}
