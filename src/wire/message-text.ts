/**
 * A whole libvirt message as the JSON text of `decodeMessage` (message.ts, with stream data
 * summarised), built straight from the bytes with compiled decoders (json-text.ts): the trace's
 * fast path. It throws on anything it does not expect; the caller then decodes the message
 * with `decodeMessage`, which gives the error and its field path.
 */
import { XdrReader } from "virt-rpcgen-runtime/xdr";
import { carriesFds } from "virt-rpcgen-runtime/trace";
import type { EnumType, ProcedureModel } from "../model/index.js";
import { enumOf, type JsonCodecOptions } from "./json-codec.js";
import { JsonTextCompiler, type TextDecoder } from "./json-text.js";
import {
  payloadKindOf,
  type RawHeader,
  type WireProtocols,
} from "./message.js";

/** The header's text up to the serial, per program and procedure number. */
interface ProcedureText {
  /** `"program":…,"version":`, then the version number. */
  readonly program: string;
  /** `,"procedure":…[,"api":…],"type":` */
  readonly procedure: string;
  readonly proc: ProcedureModel | undefined;
}

export class MessageTextDecoder {
  private readonly compiler: JsonTextCompiler;
  private readonly typeNames: ReadonlyMap<number, string>;
  private readonly statusNames: ReadonlyMap<number, string>;
  private readonly texts = new Map<number, Map<number, ProcedureText>>();

  constructor(
    private readonly protocols: WireProtocols,
    options: JsonCodecOptions,
  ) {
    this.compiler = new JsonTextCompiler(options);
    const header = protocols.header;
    if (header.kind !== "struct") throw new Error("virNetMessageHeader?");
    const namesOf = (field: string) => {
      const f = header.fields.find((x) => x.name === field);
      const e: EnumType | null =
        f && f.shape === "scalar" ? enumOf(f.type) : null;
      const names = new Map<number, string>();
      for (const m of e?.members ?? [])
        if (!names.has(m.value)) names.set(m.value, JSON.stringify(m.name));
      return names;
    };
    this.typeNames = namesOf("type");
    this.statusNames = namesOf("status");
  }

  private procedureText(prog: number, procNumber: number): ProcedureText {
    let byProc = this.texts.get(prog);
    if (!byProc)
      this.texts.set(prog, (byProc = new Map<number, ProcedureText>()));
    let t = byProc.get(procNumber);
    if (!t) {
      const program = this.protocols.program(prog);
      const proc = program?.byNumber.get(procNumber);
      t = {
        program: `"program":${JSON.stringify(program?.name ?? prog)},"version":`,
        procedure:
          `,"procedure":${JSON.stringify(proc?.constName ?? procNumber)}` +
          (proc ? `,"api":${JSON.stringify(proc.apiName)}` : "") +
          `,"type":`,
        proc,
      };
      // Numbers nobody names come from the peer: bounded, not one entry each.
      if (proc || byProc.size < 256) byProc.set(procNumber, t);
    }
    return t;
  }

  /**
   * The message's JSON text without its opening `{`, or null when `wanted` rejects its
   * procedure. Throws on anything unexpected (decode it with `decodeMessage` then).
   */
  text(
    frame: Uint8Array,
    wanted: ((constName: string, api?: string) => boolean) | null,
  ): string | null {
    const r = new XdrReader(frame);
    if (r.uint() !== frame.length) throw new Error("length word");
    const h: RawHeader = {
      prog: r.uint(),
      vers: r.uint(),
      proc: r.int(),
      type: r.int(),
      serial: r.uint(),
      status: r.int(),
    };
    const t = this.procedureText(h.prog, h.proc);
    if (wanted && !(t.proc && wanted(t.proc.constName, t.proc.apiName)))
      return null;
    const type = this.typeNames.get(h.type);
    const status = this.statusNames.get(h.status);
    if (type === undefined || status === undefined) throw new Error("enum");
    let s = `${t.program}${h.vers}${t.procedure}${type},"serial":${h.serial},"status":${status}`;
    if (carriesFds(h.type)) s += `,"fds":${r.uint()}`;
    const kind = payloadKindOf(this.protocols, h, r.remaining);
    switch (kind.kind) {
      case "type": {
        const decode: TextDecoder = this.compiler.decl(kind.decl);
        s += `,"body":${decode(r)}`;
        break;
      }
      case "data":
      case "unknown":
        // Raw bytes, summarised by size as the trace shows them.
        s += `,"${kind.kind === "data" ? "data" : "payload"}":{"bytes":${r.remaining}}`;
        r.pos = r.end;
        break;
      case "none":
        break;
    }
    r.done();
    return s + "}";
  }
}
