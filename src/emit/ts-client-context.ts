/**
 * What every part of a client module shares: its one GeneratedFile (every imported name goes
 * through it), the names the module declares, and how it refers to the protocol's types, codecs
 * and constants: through a namespace import per codecs module (`remote.remote_nonnull_domain`),
 * so adding a procedure adds no import.
 */
import type {
  Field,
  ProcedureModel,
  ProtocolModel,
  StructType,
  TypeDecl,
} from "../model/types.js";
import { byCodeUnits, GeneratedFile } from "./generated-file.js";
import { libvirtApiData, type LibvirtApiData } from "./libvirt-api-data.js";
import {
  eventAliasName,
  eventFamilies,
  familyConstName,
  type EventFamily,
} from "./ts-client-events.js";
import type { ClientMethodContext } from "./ts-client-methods.js";
import { apiEnumsOf } from "./ts-libvirt-api.js";
import { codecName, programPrefix, tsTypeName } from "./ts-names.js";
import { tsTypeOfField, type TypeNaming } from "./ts-types.js";

export interface ClientEmitOptions {
  readonly runtimeImport: string;
  /** How another protocol's codec module is imported from this one. */
  readonly importPathOf: (protocol: ProtocolModel) => string;
  /** libvirt's API data (default: the bundled defines/libvirt-api.json); its enums are in `api.ts`. */
  readonly apiData?: LibvirtApiData;
  /** Values for `@sparseflag` names the API description does not know. */
  readonly defines?: ReadonlyMap<string, number>;
}

/** The names a client module declares (for `remote`: `RemoteClient`, `remoteClientProgram`…). */
export interface ClientNames {
  /** The program's name in values (`remote`), also its ClientProgram's `name`. */
  readonly prefix: string;
  readonly client: string;
  /** The interface of call procedures, for `call`. */
  readonly calls: string;
  /** The interface of server messages, for `on`. */
  readonly events: string;
  readonly program: string;
  readonly trace: string;
  /** The class of `client.events`. */
  readonly subscriptions: string;
}

export interface ClientModuleContext extends ClientMethodContext {
  readonly protocol: ProtocolModel;
  readonly file: GeneratedFile;
  readonly names: ClientNames;
  /** libvirt's event families the protocol has (`client.events`). */
  readonly families: readonly EventFamily[];
  /** Names the protocol's api.ts module declares (enums) that this module may use. */
  readonly apiNames: ReadonlySet<string>;
  /** `remote.REMOTE_PROC_…`: a procedure's number. */
  procConst(x: ProcedureModel): string;
  /** The import statements of every name asked for so far. */
  importLines(): string[];
}

export function clientModuleContext(
  p: ProtocolModel,
  options: ClientEmitOptions,
): ClientModuleContext {
  const flagsData = options.apiData ?? libvirtApiData();
  const apiNames = new Set(apiEnumsOf(p, flagsData));
  const { value: prefix, type: Type } = programPrefix(p);
  const names: ClientNames = {
    prefix,
    client: `${Type}Client`,
    calls: `${Type}ClientCalls`,
    events: `${Type}ClientEvents`,
    program: `${prefix}ClientProgram`,
    trace: `${prefix}TraceProgram`,
    subscriptions: `${Type}EventSubscriptions`,
  };
  const families = eventFamilies(p, flagsData);
  // Everything the module declares, known before any import is named.
  const file = new GeneratedFile(options.runtimeImport, [
    names.client,
    names.calls,
    names.events,
    names.program,
    names.trace,
    "HANDSHAKE",
    names.subscriptions,
    ...families.flatMap((f) => [
      familyConstName(f),
      ...f.events.map(eventAliasName),
    ]),
    // libvirt's enums (api.ts) keep their names.
    ...apiNames,
    "virDomainEventLifecycleKind",
  ]);
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
  // Codecs' types through their namespace: `remote.remote_nonnull_domain`.
  const naming: TypeNaming = {
    named: typeOfDecl,
    inline: (body) => own(tsTypeName(body.name)),
  };
  return {
    protocol: p,
    protocolName: p.name,
    file,
    names,
    families,
    apiNames,
    flagsData,
    defines: options.defines,
    takenNames: [...aliases.values()],
    rt: (symbol) => file.runtime(symbol),
    api: (name) => file.importDeclared("./api.js", name),
    own,
    typeOfDecl,
    codecOf: (s: StructType | null) =>
      s ? `${aliasOf(p.ownerOf(s))}.${codecName(s.name)}` : "null",
    tsTypeOfField: (f: Field) => tsTypeOfField(f, naming),
    procConst: (x) => own(x.constName),
    importLines: () =>
      file.imports(["./api.js", ...[p, ...p.imports].map(codecsPathOf)], {
        compare: new Map([["./api.js", byCodeUnits]]),
      }),
  };
}
