/**
 * The client module of one protocol: a class with one method per procedure the annotations give
 * a client side (`@generate: client|both`), named as libvirt's C API without `vir`; typed maps of
 * the other procedures (for `call`) and of the server's messages (for `on`); the program's
 * handshake when it follows libvirt's (auth list, keepalive feature, connect open).
 *
 * ```
 * /** @generate: both @acl: domain:migrate *\/             /** `virDomainMigrateStartPostCopy`: `REMOTE_PROC_…` = 364 … *\/
 * REMOTE_PROC_DOMAIN_MIGRATE_START_POST_COPY = 364   →    domainMigrateStartPostCopy(dom: remote.remote_nonnull_domain, flags: number = 0,
 * struct remote_domain_migrate_start_post_copy_args {          options?: CallOptions): Promise<void> {
 *     remote_nonnull_domain dom; unsigned int flags; };      return this.invoke(remote.REMOTE_PROC_…, remote.xdr_…_args, { dom, flags }, null, options);
 *                                                         }
 * ```
 * `*_msg` procedures are server→client events: never methods, only typed listeners. Codecs are
 * used through a namespace import (`import * as remote from "./codecs.js"`) and everything but
 * the methods is independent of the procedure list's order, so adding a procedure adds exactly
 * its method (or its map entries). The methods themselves are ts-client-methods.ts'; every
 * name this module imports goes through its GeneratedFile.
 */
import {
  rawChunk,
  stableChunk,
  type Chunk,
  type CodeModule,
} from "./chunks.js";
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
import { breakLine, genericHead, signature } from "./ts-layout.js";
import { jsDoc } from "./ts-text.js";
import type {
  Field,
  ProcedureModel,
  ProtocolModel,
  StructType,
  TypeDecl,
  TypeRef,
} from "../model/types.js";
import {
  argumentEnumOf,
  libvirtApiData,
  type LibvirtApiData,
} from "./libvirt-api-data.js";
import { apiEnumsOf, lifecycleDetails } from "./ts-libvirt-api.js";
import { eventFamilies, type EventFamily } from "./ts-client-events.js";
import { codecName, programPrefix, propKey, tsTypeName } from "./ts-names.js";
import { byCodeUnits, GeneratedFile } from "./generated-file.js";
import {
  clientMethod,
  direction,
  printMethod,
  type ClientMethodContext,
} from "./ts-client-methods.js";
import { tsTypeOfField as fieldType, type TypeNaming } from "./ts-types.js";
import type { RuntimeSymbol } from "virt-rpcgen-runtime/symbols";
import { generatedHeader } from "./generated-header.js";

export interface ClientEmitOptions {
  readonly runtimeImport: string;
  /** How another protocol's codec module is imported from this one. */
  readonly importPathOf: (protocol: ProtocolModel) => string;
  /** libvirt's API data (default: the bundled defines/libvirt-api.json); its enums are in `api.ts`. */
  readonly apiData?: LibvirtApiData;
  /** Values for `@sparseflag` names the API description does not know. */
  readonly defines?: ReadonlyMap<string, number>;
}

/**
 * Protocols with a program number and annotated procedures or events get a client module (as
 * they get a server module). virkeepaliveprotocol has neither: its PING/PONG are messages the
 * runtime handles itself, not calls.
 */
export function hasClientModule(p: ProtocolModel): boolean {
  if (!p.program || p.program.version === null) return false;
  return p.procedures.some((x) => x.annotations !== null || x.msg !== null);
}

/** A procedure's role in the client. */
type Role = "method" | "event";

/**
 * Every call procedure is a method: `@generate` says whether libvirt's C client is written by
 * hand, which changes nothing on the wire. `*_msg` procedures are server→client events.
 */
export function clientRole(x: ProcedureModel): Role {
  return x.msg ? "event" : "method";
}

export function emitClientModule(
  p: ProtocolModel,
  options: ClientEmitOptions,
): CodeModule {
  const flagsData = options.apiData ?? libvirtApiData();
  // Names the protocol's api.ts module declares (enums) that this module uses.
  const apiNames = new Set(apiEnumsOf(p, flagsData));
  const { value: prefix, type: Type } = programPrefix(p);
  const program = p.program!;
  const programName = `${prefix}ClientProgram`;
  const traceName = `${prefix}TraceProgram`;
  const className = `${Type}Client`;
  const families = eventFamilies(p, flagsData);
  const subsClass = `${Type}EventSubscriptions`;
  // Everything the module declares, known before any import is named.
  const file = new GeneratedFile(options.runtimeImport, [
    className,
    `${Type}ClientCalls`,
    `${Type}ClientEvents`,
    programName,
    traceName,
    "HANDSHAKE",
    subsClass,
    ...families.flatMap((f) => [
      familyConstName(f),
      ...f.events.map(eventAliasName),
    ]),
    // libvirt's enums (api.ts) keep their names.
    ...apiNames,
    "virDomainEventLifecycleKind",
  ]);
  const api = (name: string): string => file.importDeclared("./api.js", name);
  const codecsPathOf = (owner: ProtocolModel) =>
    owner === p ? "./codecs.js" : options.importPathOf(owner);
  // Every protocol gets its alias up front, so parameter names can avoid all of them; a
  // namespace is imported once something is named through it.
  const aliases = new Map<ProtocolModel, string>(
    [p, ...p.imports].map((o) => [
      o,
      file.reserveNamespace(codecsPathOf(o), programPrefix(o).value),
    ]),
  );
  const aliasOf = (owner: ProtocolModel): string =>
    file.namespace(codecsPathOf(owner), aliases.get(owner)!);
  const own = (name: string) => `${aliasOf(p)}.${name}`;
  const typeOfDecl = (decl: TypeDecl) =>
    `${aliasOf(p.ownerOf(decl))}.${tsTypeName(decl.name)}`;
  const codecOf = (s: StructType | null) =>
    s ? `${aliasOf(p.ownerOf(s))}.${codecName(s.name)}` : "null";
  // Codecs' types through their namespace: `remote.remote_nonnull_domain`.
  const naming: TypeNaming = {
    named: typeOfDecl,
    inline: (body) => own(tsTypeName(body.name)),
  };
  const tsTypeOfField = (f: Field): string => fieldType(f, naming);
  const procConst = (x: ProcedureModel) => own(x.constName);
  const retType = (x: ProcedureModel) => (x.ret ? typeOfDecl(x.ret) : "void");
  const rt = (symbol: RuntimeSymbol) => file.runtime(symbol);
  const argsType = (x: ProcedureModel) =>
    x.args ? typeOfDecl(x.args) : "void";

  // --- maps of the procedures without methods, and of events ---------------------------------
  // `call()` reaches every call procedure by number (tools, and wire shapes a method wraps).
  const calls = p.procedures.filter((x) => clientRole(x) === "method");
  const events = p.procedures.filter((x) => clientRole(x) === "event");
  // --- handshake --------------------------------------------------------------------------------
  const handshake = handshakeSpec(p, own, codecOf, typeOfDecl);

  // --- methods ----------------------------------------------------------------------------------
  const methodContext: ClientMethodContext = {
    protocolName: p.name,
    flagsData,
    defines: options.defines,
    takenNames: [...aliases.values()],
    rt,
    api,
    own,
    typeOfDecl,
    codecOf,
    tsTypeOfField,
  };
  const methods = calls.map((x) => clientMethod(x, methodContext));

  // --- file ---------------------------------------------------------------------------------------
  // Every chunk is printed in prettier's layout (chunks.ts): imports, the flags enums, the call
  // and event maps, the program description, the class head and one chunk per method.
  const interfaceChunk = (
    name: string,
    doc: string,
    props: readonly { name: string; type: Literal; docs: string[] }[],
  ) =>
    stableChunk(
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
  const callsInterface = interfaceChunk(
    `${Type}ClientCalls`,
    `Call procedures of ${p.name}.x, for \`${className}.call\` (each also has a method): procedure → args and ret.`,
    calls.map((x) => {
      const dir = direction(x);
      return {
        name: `[${procConst(x)}]`,
        type: typeObj([
          { key: "args", value: raw(argsType(x)) },
          {
            key: "ret",
            value: raw(
              dir ? `${rt("StreamReply")}<${retType(x)}>` : retType(x),
            ),
          },
        ]),
        docs: [
          `\`${x.apiName}\`${x.annotations ? ` (@generate: ${x.annotations.generate})` : ""}`,
        ],
      };
    }),
  );
  const eventsInterface = interfaceChunk(
    `${Type}ClientEvents`,
    `Server messages of ${p.name}.x (\`*_msg\` procedures), for \`${className}.on\`: event → payload.`,
    events.map((x) => ({
      name: propKey(x.methodName),
      type: raw(typeOfDecl(x.msg!)),
      docs: [`\`${x.constName}\``],
    })),
  );

  const callEntries: ObjectEntry[] = calls.map((x) => {
    const dir = direction(x);
    return {
      key: `[${procConst(x)}]`,
      value: arr([
        raw(codecOf(x.args)),
        raw(codecOf(x.ret)),
        ...(dir ? [str(dir)] : []),
      ]),
    };
  });
  const eventEntries: ObjectEntry[] = events.map((x) => ({
    key: `[${procConst(x)}]`,
    value: arr([str(x.methodName), raw(codecOf(x.msg))]),
  }));
  const programLiteral = obj(
    [
      { key: "name", value: str(prefix) },
      { key: "program", value: raw(own(program.programConst)) },
      {
        key: "version",
        value: raw(
          program.versionConst
            ? own(program.versionConst)
            : String(program.version),
        ),
      },
      { key: "calls", value: obj(callEntries, callEntries.length > 0) },
      { key: "events", value: obj(eventEntries, eventEntries.length > 0) },
      ...(handshake ? [{ key: "handshake", value: raw("HANDSHAKE") }] : []),
      { key: "trace", value: raw(traceName) },
    ],
    true,
  );
  // Every procedure (methods, calls and events) by number, for `connect(uri, { trace })`.
  const traceEntries: ObjectEntry[] = p.procedures.map((x) => ({
    key: `[${procConst(x)}]`,
    value: arr([
      str(x.constName),
      str(x.apiName),
      raw(codecOf(x.args)),
      raw(codecOf(x.ret)),
      raw(codecOf(x.msg)),
    ]),
  }));
  const traceChunk = stableChunk(
    [
      ...jsDoc([
        `Every procedure of \`${program.programConst}\` by number (name, C API, args, ret and msg codecs), for \`connect(uri, { trace })\`.`,
      ]),
      ...printLiteral(
        obj(
          [
            { key: "name", value: str(program.programConst) },
            { key: "program", value: raw(own(program.programConst)) },
            {
              key: "version",
              value: raw(
                program.versionConst
                  ? own(program.versionConst)
                  : String(program.version),
              ),
            },
            {
              key: "procedures",
              value: obj(traceEntries, traceEntries.length > 0),
            },
          ],
          true,
        ),
        0,
        `export const ${traceName}: ${rt("TraceProgram")} = `,
        ";",
      ),
    ].join("\n"),
  );
  const handshakeChunks: Chunk[] = handshake
    ? [
        stableChunk(
          [
            ...jsDoc([
              "libvirt's connection handshake for this program (see the runtime's `openSession`).",
            ]),
            ...printLiteral(
              handshake.literal,
              0,
              `const HANDSHAKE: ${rt("HandshakeSpec")}<${handshake.argsType}> = `,
              ";",
            ),
          ].join("\n"),
        ),
      ]
    : [];
  const programChunk = stableChunk(
    [
      ...jsDoc([
        `Program \`${program.programConst}\` version ${program.version} as the client runtime sees it.`,
      ]),
      ...printLiteral(
        programLiteral,
        0,
        `export const ${programName}: ${rt("ClientProgram")} = `,
        ";",
      ),
    ].join("\n"),
  );

  const connectDoc = handshake
    ? `Connects to \`target\` (a libvirt URI such as \`test+unix:///default?socket=/tmp/x/libvirt-sock\`, or a socket) and opens the session as libvirt's client does (see the runtime's \`openSession\`).`
    : `Connects to \`target\` (a libvirt URI or a socket); the program has no handshake of its own. A program that rides on another's connection (libvirt's qemu and lxc share remote's) takes that one instead: \`new ${className}(connection)\`.`;
  const headLines = [
    ...jsDoc([
      `Client of ${p.name}.x: one method per call procedure, whatever its \`@generate\` (which says how libvirt writes its C, not what the wire carries).`,
    ]),
    ...genericHead(
      `export class ${className} extends `,
      rt("ProgramClient"),
      [`${Type}ClientCalls`, `${Type}ClientEvents`],
      " {",
    ),
    `  constructor(connection: ${rt("RpcConnection")}) {`,
    `    super(connection, ${programName});`,
    "  }",
    "",
    ...jsDoc([connectDoc], "  "),
    ...signature(
      "  ",
      "static async connect",
      [
        `target: string | ${rt("ConnectTarget")}`,
        `options?: ${rt("ConnectOptions")}`,
      ],
      `Promise<${className}>`,
    ),
    ...breakLine(
      `    return new ${className}(await ${rt("openSession")}(${programName}, target, options));`,
    ),
    "  }",
  ];
  const head = headLines;

  // --- event subscriptions (client.events) ---------------------------------------------------------
  const subscriptions = families.length
    ? eventClass(
        flagsData,
        families,
        subsClass,
        className,
        p.name,
        typeOfDecl,
        tsTypeOfField,
        api,
        rt,
        apiNames.has("virDomainEventType") &&
          lifecycleDetails(flagsData).length > 0,
      )
    : null;
  const eventChunks: Chunk[] = subscriptions
    ? [
        ...families.map((f) =>
          rawChunk(eventFamilyConst(f, own, codecOf, rt("EventFamilySpec"))),
        ),
        ...subscriptions.aliases.map(rawChunk),
        rawChunk(subscriptions.cls),
      ]
    : [];
  if (families.length) {
    head.push(
      "",
      ...jsDoc(
        [
          `Event subscriptions, one per libvirt event ID: \`client.events.${families[0]!.events[0]!.name}()\` registers with the server and yields its events.`,
        ],
        "  ",
      ),
      `  get events(): ${subsClass} {`,
      `    return new ${subsClass}(this);`,
      "  }",
    );
  }

  // Members are formatted (when they need it) inside a stand-in class.
  const asMember = { wrap: { before: "class _ {", after: "}" } };
  const memberChunks: Chunk[] = methods.map((m) => ({
    ...stableChunk(printMethod(m)),
    ...asMember,
  }));
  // Imports are what the chunks above named through the file: nothing unused.
  const imports = file.imports(
    ["./api.js", ...[p, ...p.imports].map(codecsPathOf)],
    { compare: new Map([["./api.js", byCodeUnits]]) },
  );
  return {
    header: generatedHeader(`${p.name}.x`),
    chunks: [
      stableChunk(imports.join("\n")),
      callsInterface,
      eventsInterface,
      ...handshakeChunks,
      traceChunk,
      programChunk,
      ...eventChunks,
      { ...stableChunk(head.join("\n")), wrap: { before: "", after: "}" } },
      ...memberChunks,
      { ...stableChunk("}"), join: "\n", verbatim: true },
    ],
  };
}

/**
 * The handshake when the program follows libvirt's conventions: `<P>_PROC_CONNECT_OPEN` whose
 * args are (a subset of) `name` and `flags`, plus optional AUTH_LIST, AUTH_POLKIT,
 * AUTH_SASL_INIT/START/STEP, CONNECT_SUPPORTS_FEATURE and CONNECT_CLOSE.
 */
function handshakeSpec(
  p: ProtocolModel,
  own: (n: string) => string,
  codecOf: (s: StructType | null) => string,
  typeOfDecl: (d: TypeDecl) => string,
): { literal: Literal; argsType: string } | null {
  const find = (suffix: string) =>
    p.procedures.find((x) => x.constName === `${p.procPrefix}_${suffix}`);
  const open = find("CONNECT_OPEN");
  if (
    !open ||
    !open.args ||
    !open.args.fields.every((f) => f.name === "name" || f.name === "flags")
  )
    return null;
  const make = open.args.fields.map((f) =>
    f.name === "name" ? "name" : "flags",
  );
  const params = `(${make.includes("name") ? "name" : "_name"}, ${make.includes("flags") ? "flags" : "_flags"})`;
  const entry = (key: string, parts: [string, string][]): ObjectEntry => ({
    key,
    value: obj(parts.map(([k, v]) => ({ key: k, value: raw(v) }))),
  });
  const entries: ObjectEntry[] = [
    entry("open", [
      ["proc", own(open.constName)],
      ["args", codecOf(open.args)],
      ["make", `${params} => ({ ${make.join(", ")} })`],
    ]),
  ];
  const close = find("CONNECT_CLOSE");
  if (close && !close.args)
    entries.push(entry("close", [["proc", own(close.constName)]]));
  const authList = find("AUTH_LIST");
  if (authList?.ret && !authList.args)
    entries.push(
      entry("authList", [
        ["proc", own(authList.constName)],
        ["ret", codecOf(authList.ret)],
      ]),
    );
  const polkit = find("AUTH_POLKIT");
  if (polkit?.ret && !polkit.args)
    entries.push(
      entry("authPolkit", [
        ["proc", own(polkit.constName)],
        ["ret", codecOf(polkit.ret)],
      ]),
    );
  const saslInit = find("AUTH_SASL_INIT");
  const saslStart = find("AUTH_SASL_START");
  const saslStep = find("AUTH_SASL_STEP");
  if (
    saslInit?.ret &&
    !saslInit.args &&
    saslStart?.args &&
    saslStart.ret &&
    saslStep?.args &&
    saslStep.ret
  )
    entries.push({
      key: "authSasl",
      value: obj([
        entry("init", [
          ["proc", own(saslInit.constName)],
          ["ret", codecOf(saslInit.ret)],
        ]),
        entry("start", [
          ["proc", own(saslStart.constName)],
          ["args", codecOf(saslStart.args)],
          ["ret", codecOf(saslStart.ret)],
        ]),
        entry("step", [
          ["proc", own(saslStep.constName)],
          ["args", codecOf(saslStep.args)],
          ["ret", codecOf(saslStep.ret)],
        ]),
      ]),
    });
  const feature = find("CONNECT_SUPPORTS_FEATURE");
  if (feature?.args && feature.ret) {
    entries.push(
      entry("supportsFeature", [
        ["proc", own(feature.constName)],
        ["args", codecOf(feature.args)],
        ["ret", codecOf(feature.ret)],
      ]),
    );
  }
  return { literal: obj(entries, true), argsType: typeOfDecl(open.args) };
}

/** `const DOMAIN_EVENTS: EventFamilySpec<args> = { register: …, deregister: … };` */
function eventFamilyConst(
  f: EventFamily,
  own: (n: string) => string,
  codecOf: (s: StructType | null) => string,
  EventFamilySpec: string,
): string {
  return [
    `/** How \`${f.idEnum}\` callbacks are registered and deregistered. */`,
    `const ${familyConstName(f)}: ${EventFamilySpec}<${own(tsTypeName(f.register.args!.name))}> = {`,
    `  register: { proc: ${own(f.register.constName)}, args: ${codecOf(f.register.args)}, ret: ${codecOf(f.register.ret)} },`,
    `  deregister: { proc: ${own(f.deregister.constName)}, args: ${codecOf(f.deregister.args)} },`,
    `};`,
  ].join("\n");
}

/** `StatusEvent`: the payload type of `client.events.status()`. */
function eventAliasName(e: { readonly name: string }): string {
  return `${e.name[0]!.toUpperCase()}${e.name.slice(1)}Event`;
}

function familyConstName(f: EventFamily): string {
  return `${f.object.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase()}_EVENTS`;
}

/** The struct a field holds, when it is one (through typedefs). */
function structOf(f: Field): StructType | null {
  if (f.shape !== "scalar") return null;
  let t: TypeRef = f.type;
  for (let i = 0; i < 8; i++) {
    if (t.kind === "inlineStruct") return t.struct;
    if (t.kind !== "named") return null;
    const d = t.decl;
    if (d.kind === "struct") return d;
    if (d.kind !== "typedef" || d.field.shape !== "scalar") return null;
    t = d.field.type;
  }
  return null;
}

function eventClass(
  data: LibvirtApiData,
  families: readonly EventFamily[],
  name: string,
  clientName: string,
  protocol: string,
  typeOfDecl: (d: TypeDecl) => string,
  tsTypeOfField: (f: Field) => string,
  api: (name: string) => string,
  rt: (symbol: RuntimeSymbol) => string,
  lifecycleKinds: boolean,
): { aliases: string[]; cls: string } {
  const aliases: string[] = [];
  const lines = [
    `/** Event subscriptions of ${protocol}.x, one per libvirt event ID: \`client.events\`. */`,
    `export class ${name} {`,
    `  constructor(private readonly client: ${clientName}) {}`,
  ];
  for (const f of families) {
    const objField = f.register.args!.fields[1]!;
    const objType = tsTypeOfField(objField);
    for (const e of f.events) {
      const msg = e.msg.msg!;
      let payload = e.unwrap ? tsTypeOfField(msg.fields[1]!) : typeOfDecl(msg);
      if (
        lifecycleKinds &&
        f.idEnum === "virDomainEventID" &&
        /_LIFECYCLE$/.test(e.member)
      ) {
        payload = `${payload} & ${api("virDomainEventLifecycleKind")}`;
      } else {
        // Members the event's callback type documents as one of an enum (a block job's `type`).
        const callback = data.eventCallbacks?.[e.member];
        const fields = e.unwrap ? structOf(msg.fields[1]!)?.fields : msg.fields;
        const typed = (callback ? (fields ?? []) : []).flatMap((field) => {
          const named = argumentEnumOf(data, callback!, field.name);
          return named && !named.bits && field.shape === "scalar"
            ? [`${propKey(field.name)}: ${api(named.enum)}`]
            : [];
        });
        if (typed.length) payload = `${payload} & { ${typed.join("; ")} }`;
      }
      // A named type per event keeps signatures short (and prettier's layout stable).
      const alias = eventAliasName(e);
      const cast = payload.includes(" & ") ? ` as ${alias}` : "";
      aliases.push(
        [
          `/** \`${e.member}\` events as \`client.events.${e.name}()\` yields them. */`,
          `export type ${alias} = ${payload};`,
        ].join("\n"),
      );
      lines.push(
        "",
        `  /**`,
        `   * \`${e.member}\`: registers with \`${f.register.constName}\` (for one ${objField.name}, or all when none is given) and yields \`${e.msg.constName}\`'s events until closed.`,
        `   */`,
        // libvirt's register calls take the object as optional (`remote_domain`): null is all.
        `  ${e.name}(${objField.name}: ${objType} | null = null): Promise<${rt("EventSubscription")}<${alias}>> {`,
        `    return this.client.subscribe(${familyConstName(f)}, ${JSON.stringify(e.msg.methodName)}, { eventID: ${api(f.idEnum)}.${e.member}, ${objField.name} }, (m) => ${e.unwrap ? "m.msg" : "m"}${cast});`,
        `  }`,
      );
    }
  }
  lines.push("}");
  return { aliases, cls: lines.join("\n") };
}
