/**
 * Whole libvirt RPC messages <-> JSON, from the models of the protocols in use.
 *
 * A message is a 4-byte length, a `virNetMessageHeader` and a payload whose type the header
 * decides: a call carries the procedure's `*_args`, a reply its `*_ret` (or, with status
 * VIR_NET_ERROR, a `virNetMessageError`), a `VIR_NET_MESSAGE` the `*_msg` event, stream packets
 * raw data (or an error, or a `virNetStreamHole`). `*_WITH_FDS` messages put the number of
 * passed file descriptors before the payload.
 *
 * JSON form (what `decode` prints and `encode` reads):
 *   {"program":"REMOTE_PROGRAM","version":1,"procedure":"REMOTE_PROC_DOMAIN_GET_INFO",
 *    "type":"VIR_NET_CALL","serial":5,"status":"VIR_NET_OK","api":"virDomainGetInfo",
 *    "body":{"dom":{...}}}
 * `program` and `procedure` are numbers when no loaded protocol names them; the payload is then
 * kept as `"payload"` (base64/hex). Stream data is `"data"`. `api` is informative only.
 */
import { XdrError, XdrReader, XdrWriter } from "virt-rpcgen-runtime/xdr";
import type {
  ProcedureModel,
  ProtocolModel,
  StructType,
  TypeDecl,
} from "../model/index.js";
import { carriesFds, payloadRoleOf } from "virt-rpcgen-runtime/trace";
import { builtinProtocols } from "./builtin-protocols.js";
import {
  decodeDecl,
  encodeDecl,
  type Json,
  type JsonCodecOptions,
} from "./json-codec.js";

/** One program the wire knows: its model and procedures by number and by name. */
interface WireProgram {
  readonly model: ProtocolModel;
  readonly name: string;
  readonly number: number;
  readonly byNumber: ReadonlyMap<number, ProcedureModel>;
  readonly byName: ReadonlyMap<string, ProcedureModel>;
}

/** The programs messages are decoded with: the user's protocols plus libvirt's keepalive. */
export class WireProtocols {
  private readonly byNumber = new Map<number, WireProgram>();
  private readonly byName = new Map<string, WireProgram>();
  readonly header: TypeDecl;
  readonly error: TypeDecl;
  readonly hole: TypeDecl;

  constructor(models: readonly ProtocolModel[]) {
    const builtin = builtinProtocols();
    const all = [...models, builtin.keepalive];
    for (const m of all) this.add(m);
    for (const m of models) for (const i of m.imports) this.add(i);
    this.header = builtin.virnet.lookupType("virNetMessageHeader")!;
    this.error = builtin.virnet.lookupType("virNetMessageError")!;
    this.hole = builtin.virnet.lookupType("virNetStreamHole")!;
  }

  private add(m: ProtocolModel): void {
    if (!m.program || Number.isNaN(m.program.program)) return;
    if (this.byNumber.has(m.program.program)) return;
    const p: WireProgram = {
      model: m,
      name: m.program.programConst,
      number: m.program.program,
      byNumber: new Map(m.procedures.map((x) => [x.number, x])),
      byName: new Map(m.procedures.map((x) => [x.constName, x])),
    };
    this.byNumber.set(p.number, p);
    this.byName.set(p.name, p);
  }

  program(n: number): WireProgram | undefined {
    return this.byNumber.get(n);
  }

  programNamed(name: string): WireProgram | undefined {
    return this.byName.get(name);
  }
}

/** The header as numbers (read with the runtime's reader; names come from the model). */
export interface RawHeader {
  prog: number;
  vers: number;
  proc: number;
  type: number;
  serial: number;
  status: number;
}

/** What the payload of a message is, given its header. */
export type PayloadKind =
  | { readonly kind: "type"; readonly decl: TypeDecl }
  | { readonly kind: "none" }
  | { readonly kind: "data" }
  | { readonly kind: "unknown"; readonly why: string };

export function payloadKindOf(
  protocols: WireProtocols,
  h: RawHeader,
  payloadLength: number,
): PayloadKind {
  const role = payloadRoleOf(h, payloadLength);
  switch (role) {
    case null:
      return { kind: "unknown", why: `message type ${h.type}` };
    case "none":
    case "data":
      return { kind: role };
    case "error":
      return { kind: "type", decl: protocols.error };
    case "hole":
      return { kind: "type", decl: protocols.hole };
  }
  const program = protocols.program(h.prog);
  if (!program)
    return { kind: "unknown", why: `unknown program 0x${h.prog.toString(16)}` };
  const proc = program.byNumber.get(h.proc);
  if (!proc)
    return {
      kind: "unknown",
      why: `unknown procedure ${h.proc} of ${program.name}`,
    };
  const body: StructType | null = proc[role];
  return body ? { kind: "type", decl: body } : { kind: "none" };
}

export interface DecodeMessageOptions extends JsonCodecOptions {
  /** Show stream data as `{"bytes": n}` instead of the data itself (trace). */
  readonly summarizeData?: boolean;
  /** Called with the named header before the body is decoded (trace filters). */
  readonly onHeader?: (header: { [key: string]: Json }) => void;
}

/** The header fields with names, in the order they appear on the wire. */
export function headerToJson(
  protocols: WireProtocols,
  frame: Uint8Array,
): { header: RawHeader; json: { [key: string]: Json }; payloadAt: number } {
  const r = new XdrReader(frame);
  const length = r.uint();
  if (length !== frame.length)
    throw new XdrError(
      "value-out-of-range",
      0,
      `length word says ${length} bytes, the message has ${frame.length}`,
      ["length"],
    );
  const at = r.pos;
  const named = decodeDecl(r, protocols.header) as { [key: string]: Json };
  const v = new DataView(frame.buffer, frame.byteOffset + at, 24);
  const header: RawHeader = {
    prog: v.getUint32(0),
    vers: v.getUint32(4),
    proc: v.getInt32(8),
    type: v.getInt32(12),
    serial: v.getUint32(16),
    status: v.getInt32(20),
  };
  const program = protocols.program(header.prog);
  const proc = program?.byNumber.get(header.proc);
  // Keys in the order of a trace line (runtime/trace/trace-line.ts).
  const json: { [key: string]: Json } = {
    program: program?.name ?? header.prog,
    version: header.vers,
    procedure: proc?.constName ?? header.proc,
  };
  if (proc) json.api = proc.apiName;
  json.type = named.type!;
  json.serial = header.serial;
  json.status = named.status!;
  return { header, json, payloadAt: r.pos };
}

/** Decodes one whole message (length word included). Bad bytes throw an XdrError with its path. */
export function decodeMessage(
  protocols: WireProtocols,
  frame: Uint8Array,
  options: DecodeMessageOptions = {},
): { [key: string]: Json } {
  const { header, json, payloadAt } = headerToJson(protocols, frame);
  options.onHeader?.(json);
  const r = new XdrReader(frame, payloadAt);
  if (carriesFds(header.type)) json.fds = r.uint();
  const kind = payloadKindOf(protocols, header, r.remaining);
  switch (kind.kind) {
    case "type":
      json.body = decodeDecl(r, kind.decl, options);
      break;
    case "data":
    case "unknown": {
      // Raw bytes, not XDR opaque: no padding.
      const data = frame.subarray(r.pos, r.end);
      r.pos = r.end;
      const key = kind.kind === "data" ? "data" : "payload";
      json[key] = options.summarizeData
        ? { bytes: data.length }
        : Buffer.from(data.buffer, data.byteOffset, data.length).toString(
            options.bytes === "hex" ? "hex" : "base64",
          );
      break;
    }
    case "none":
      break;
  }
  r.done();
  return json;
}

function isObject(v: Json): v is { [key: string]: Json } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function numberOrName(
  v: Json,
  what: string,
  lookup: (name: string) => number | undefined,
): number {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string") {
    const n = lookup(v);
    if (n !== undefined) return n;
  }
  throw new XdrError(
    "value-out-of-range",
    0,
    `unknown ${what} ${JSON.stringify(v)}`,
    [what],
  );
}

/** Encodes one message from its JSON form (as `decodeMessage` gives it). */
export function encodeMessage(
  protocols: WireProtocols,
  json: Json,
  options: JsonCodecOptions = {},
): Uint8Array {
  if (!isObject(json))
    throw new XdrError("value-out-of-range", 0, "a message must be an object");
  const prog = numberOrName(
    json.program ?? null,
    "program",
    (n) => protocols.programNamed(n)?.number,
  );
  const program = protocols.program(prog);
  const proc = numberOrName(
    json.procedure ?? null,
    "procedure",
    (n) => program?.byName.get(n)?.number,
  );
  const w = new XdrWriter();
  const at = w.reserveUint32();
  encodeDecl(
    w,
    protocols.header,
    {
      prog,
      vers: json.version ?? null,
      proc,
      type: json.type ?? null,
      serial: json.serial ?? null,
      status: json.status ?? null,
    },
    options,
  );
  const written = w.finish();
  const v = new DataView(written.buffer, written.byteOffset + at + 4, 24);
  const header: RawHeader = {
    prog,
    vers: v.getUint32(4),
    proc,
    type: v.getInt32(12),
    serial: v.getUint32(16),
    status: v.getInt32(20),
  };
  if (carriesFds(header.type)) w.uint(Number(json.fds ?? 0));
  const bytesOf = (key: string): Uint8Array => {
    const text = json[key];
    if (typeof text !== "string")
      throw new XdrError("value-out-of-range", 0, `expected a string`, [key]);
    return Buffer.from(text, options.bytes === "hex" ? "hex" : "base64");
  };
  if ("payload" in json) w.raw(bytesOf("payload"));
  else if ("data" in json) w.raw(bytesOf("data"));
  else if ("body" in json) {
    const kind = payloadKindOf(protocols, header, 1);
    if (kind.kind !== "type")
      throw new XdrError(
        "value-out-of-range",
        0,
        kind.kind === "unknown"
          ? `cannot encode a body: ${kind.why}`
          : "this message has no body",
        ["body"],
      );
    encodeDecl(w, kind.decl, json.body ?? null, options);
  } else {
    const kind = payloadKindOf(protocols, header, 0);
    if (kind.kind === "type")
      throw new XdrError(
        "value-out-of-range",
        0,
        `missing body (${kind.decl.name})`,
        ["body"],
      );
  }
  w.patchUint32(at, w.length);
  return w.toBytes();
}
