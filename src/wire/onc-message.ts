/**
 * Plain ONC RPC messages (RFC 5531) <-> JSON, for protocols written with `program`/`version`
 * blocks (rpcgen style) rather than libvirt's procedure enums.
 *
 * On a stream, every message is record-marked (RFC 5531 §11): fragments, each behind a 4-byte
 * word whose top bit marks the last one and whose other 31 bits give its length. The message is
 * an `rpc_msg` (xid, then a call body or a reply body), followed by the procedure's arguments
 * (calls) or its result (accepted, successful replies). A reply names no procedure: it is
 * matched to its call by xid, so decoding keeps the calls it has seen.
 *
 * JSON form:
 *   {"xid":7,"program":"RPCBPROG","version":"RPCBVERS","procedure":"RPCBPROC_GETADDR",
 *    "type":"CALL","status":null,"header":{…the rpc_msg…},"body":{"arg1":{…}}}
 * `header` is the whole `rpc_msg` (credentials, verifiers, reply status) so encoding gives back
 * the same bytes; a message sent in several fragments keeps their sizes in `"fragments"`.
 */
import { XdrError, XdrReader, XdrWriter } from "virt-rpcgen-runtime/xdr";
import type {
  ProtocolModel,
  RpcProcedure,
  RpcProgram,
  RpcVersion,
  TypeDecl,
} from "../model/index.js";
import { builtinProtocols } from "./builtin-protocols.js";
import {
  decodeDecl,
  decodeFields,
  encodeDecl,
  encodeFields,
  type Json,
  type JsonCodecOptions,
} from "./json-codec.js";

type JsonObject = { [key: string]: Json };

interface Found {
  readonly program?: RpcProgram;
  readonly version?: RpcVersion;
  readonly procedure?: RpcProcedure;
}

/** The `program` blocks of the loaded protocols, by number. */
export class OncProtocols {
  private readonly programs = new Map<number, RpcProgram>();
  readonly rpcMsg: TypeDecl;

  constructor(models: readonly ProtocolModel[]) {
    for (const m of [...models, ...models.flatMap((x) => x.imports)])
      for (const p of m.programs ?? [])
        if (!this.programs.has(p.number)) this.programs.set(p.number, p);
    this.rpcMsg = builtinProtocols().onc.lookupType("rpc_msg")!;
  }

  get hasPrograms(): boolean {
    return this.programs.size > 0;
  }

  find(prog: number, vers: number, proc: number): Found {
    const program = this.programs.get(prog);
    const version = program?.versions.find((v) => v.number === vers);
    const procedure = version?.procedures.find((p) => p.number === proc);
    return { program, version, procedure };
  }
}

/**
 * One conversation (a connection, or a decode run): replies are matched to the calls seen.
 * Calls are remembered by xid, at most 65536 (a peer that never replies cannot grow it).
 */
export class OncSession {
  private readonly calls = new Map<number, [number, number, number]>();

  constructor(readonly protocols: OncProtocols) {}

  rememberCall(xid: number, call: [number, number, number]): void {
    if (this.calls.size >= 65536)
      this.calls.delete(this.calls.keys().next().value!);
    this.calls.set(xid, call);
  }

  callFor(xid: number): [number, number, number] | undefined {
    return this.calls.get(xid);
  }
}

const get = (o: Json | undefined, ...keys: string[]): Json | undefined => {
  let v: Json | undefined = o;
  for (const k of keys) {
    if (typeof v !== "object" || v === null || Array.isArray(v))
      return undefined;
    v = v[k];
  }
  return v;
};

/**
 * Decodes one message (without its record marks); `fragments` as the runtime's
 * `RecordReader.pushFragmented` gave them.
 */
export function decodeOncMessage(
  session: OncSession,
  message: Uint8Array,
  fragments: readonly number[],
  options: JsonCodecOptions = {},
): JsonObject {
  const protocols = session.protocols;
  const r = new XdrReader(message);
  const header = decodeDecl(r, protocols.rpcMsg, options);
  const xid = get(header, "xid") as number;
  const type = get(header, "body", "mtype") as string;
  const out: JsonObject = { xid };
  let call: [number, number, number] | undefined;
  let status: Json = null;
  let hasBody = false;
  if (type === "CALL") {
    const c = get(header, "body", "cbody") as JsonObject;
    call = [c.prog as number, c.vers as number, c.proc as number];
    session.rememberCall(xid, call);
    hasBody = true;
  } else {
    call = session.callFor(xid);
    const accepted = get(
      header,
      "body",
      "rbody",
      "areply",
      "reply_data",
      "stat",
    );
    status =
      accepted ?? get(header, "body", "rbody", "rreply", "reject_stat") ?? null;
    hasBody = accepted === "SUCCESS";
  }
  const found = call ? protocols.find(...call) : {};
  Object.assign(out, {
    program: found.program?.name ?? call?.[0] ?? null,
    version: found.version?.name ?? call?.[1] ?? null,
    procedure: found.procedure?.name ?? call?.[2] ?? null,
    type,
    status,
    header,
  });
  if (fragments.length > 1) out.fragments = [...fragments];
  if (hasBody && r.remaining > 0) {
    if (!found.procedure) {
      const rest = message.subarray(r.pos);
      out.payload = Buffer.from(rest).toString(
        options.bytes === "hex" ? "hex" : "base64",
      );
      return out;
    }
    const p = found.procedure;
    const fields = type === "CALL" ? p.args : p.result ? [p.result] : [];
    out.body = decodeFields(
      r,
      fields,
      `${p.name}_${type === "CALL" ? "args" : "result"}`,
      options,
    );
  }
  r.done();
  return out;
}

/** Encodes one message from its JSON form, record-marked (in its fragments, if it lists them). */
export function encodeOncMessage(
  session: OncSession,
  json: Json,
  options: JsonCodecOptions = {},
): Uint8Array {
  if (typeof json !== "object" || json === null || Array.isArray(json))
    throw new XdrError("value-out-of-range", 0, "a message must be an object");
  const protocols = session.protocols;
  const w = new XdrWriter();
  const header = json.header ?? null;
  encodeDecl(w, protocols.rpcMsg, header, options);
  const type = get(header, "body", "mtype");
  const xid = get(header, "xid") as number;
  let call: [number, number, number] | undefined;
  if (type === "CALL") {
    const c = get(header, "body", "cbody") as JsonObject;
    call = [c.prog as number, c.vers as number, c.proc as number];
    session.rememberCall(xid, call);
  } else call = session.callFor(xid);
  if (typeof json.payload === "string")
    w.raw(
      Buffer.from(json.payload, options.bytes === "hex" ? "hex" : "base64"),
    );
  else if ("body" in json) {
    const p = call ? protocols.find(...call).procedure : undefined;
    if (!p)
      throw new XdrError(
        "value-out-of-range",
        0,
        "no known procedure for this body",
        ["body"],
      );
    const fields = type === "CALL" ? p.args : p.result ? [p.result] : [];
    encodeFields(
      w,
      fields,
      json.body ?? null,
      `${p.name}_${type === "CALL" ? "args" : "result"}`,
      options,
    );
  }
  const message = w.toBytes();
  const sizes = Array.isArray(json.fragments)
    ? (json.fragments as number[])
    : [message.length];
  if (sizes.reduce((a, b) => a + b, 0) !== message.length)
    throw new XdrError(
      "value-out-of-range",
      0,
      `fragment sizes do not add up to ${message.length}`,
      ["fragments"],
    );
  const out = new XdrWriter();
  let at = 0;
  sizes.forEach((n, i) => {
    out.uint((i === sizes.length - 1 ? 0x80000000 : 0) + n);
    out.raw(message.subarray(at, at + n));
    at += n;
  });
  return out.toBytes();
}
