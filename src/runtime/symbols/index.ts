/**
 * Every runtime symbol generated code may import, with the runtime entry it comes from
 * (`xdr`, `rpc`, `client`, `server`, `oncrpc`, `trace`: src/runtime/<entry>/index.ts, `rpc`
 * being the framing). The generator's emitters name runtime symbols only through this table,
 * and the type checker holds it to the entries' real exports: renaming or moving a symbol
 * breaks the build here, not users' generated code.
 */
import type * as xdr from "../xdr/index.js";
import type * as rpc from "../rpc/framing.js";
import type * as client from "../client/index.js";
import type * as server from "../server/index.js";
import type * as oncrpc from "../oncrpc/index.js";
import type * as trace from "../trace/index.js";

/** The runtime's entries, as generated code could import them one by one. */
export type RuntimeEntry =
  "xdr" | "rpc" | "client" | "server" | "oncrpc" | "trace";

interface EntryValues {
  readonly xdr: typeof xdr;
  readonly rpc: typeof rpc;
  readonly client: typeof client;
  readonly server: typeof server;
  readonly oncrpc: typeof oncrpc;
  readonly trace: typeof trace;
}

/**
 * The type-only exports generated code uses, each written as the type it names, so that a
 * rename fails to compile on the line that lists it.
 */
interface EntryTypes {
  readonly xdr: {
    readonly XdrCodec: xdr.XdrCodec<never>;
    readonly DefaultCase: xdr.DefaultCase;
  };
  readonly rpc: object;
  readonly client: {
    readonly CallOptions: client.CallOptions;
    readonly ClientProgram: client.ClientProgram;
    readonly ConnectOptions: client.ConnectOptions;
    readonly ConnectTarget: client.ConnectTarget;
    readonly EventFamilySpec: client.EventFamilySpec<never>;
    readonly EventSubscription: client.EventSubscription<never>;
    readonly Flags: client.Flags<never>;
    readonly HandshakeSpec: client.HandshakeSpec;
    readonly RpcConnection: client.RpcConnection;
    readonly StreamCallOptions: client.StreamCallOptions;
    readonly StreamReply: client.StreamReply<never>;
    readonly TypedParamValue: client.TypedParamValue;
    readonly VirtStream: client.VirtStream;
  };
  readonly server: {
    readonly AclTable: server.AclTable;
    readonly EventTable: server.EventTable;
    readonly GeneratedHandlers: server.GeneratedHandlers<never>;
    readonly HandWrittenHandlers: server.HandWrittenHandlers<never>;
    readonly HandlersOf: server.HandlersOf<never>;
    readonly ProcedureTable: server.ProcedureTable;
    readonly ProgramSpec: server.ProgramSpec;
    readonly ServerProgram: server.ServerProgram;
  };
  readonly oncrpc: {
    readonly OncRpcCallContext: oncrpc.OncRpcCallContext;
    readonly OncRpcCallOptions: oncrpc.OncRpcCallOptions;
    readonly OncRpcClientOptions: oncrpc.OncRpcClientOptions;
    readonly OncRpcServerProgram: oncrpc.OncRpcServerProgram;
    readonly OncRpcTarget: oncrpc.OncRpcTarget;
  };
  readonly trace: {
    readonly TraceProgram: trace.TraceProgram;
  };
}

const VALUES = {
  xdr: ["checkFixedLength", "prependXdrPath", "prependXdrRepeat", "XdrError"],
  rpc: [],
  client: ["ProgramClient", "openSession"],
  server: ["bindProgram"],
  oncrpc: ["OncRpcClient", "procedure"],
  trace: [],
} as const satisfies {
  readonly [E in RuntimeEntry]: readonly (keyof EntryValues[E] & string)[];
};

type TypeSymbolOf<E extends RuntimeEntry> = keyof EntryTypes[E] & string;
type ValueSymbolOf<E extends RuntimeEntry> = (typeof VALUES)[E][number];

/** A symbol generated code may import from the runtime. */
export type RuntimeSymbol = {
  [E in RuntimeEntry]: TypeSymbolOf<E> | ValueSymbolOf<E>;
}[RuntimeEntry];

export interface RuntimeSymbolInfo {
  readonly entry: RuntimeEntry;
  /** A type-only export (imported with `type`), or a value. */
  readonly typeOnly: boolean;
}

const TYPES = {
  xdr: ["XdrCodec", "DefaultCase"],
  rpc: [],
  client: [
    "CallOptions",
    "ClientProgram",
    "ConnectOptions",
    "ConnectTarget",
    "EventFamilySpec",
    "EventSubscription",
    "Flags",
    "HandshakeSpec",
    "RpcConnection",
    "StreamCallOptions",
    "StreamReply",
    "TypedParamValue",
    "VirtStream",
  ],
  server: [
    "AclTable",
    "EventTable",
    "GeneratedHandlers",
    "HandWrittenHandlers",
    "HandlersOf",
    "ProcedureTable",
    "ProgramSpec",
    "ServerProgram",
  ],
  oncrpc: [
    "OncRpcCallContext",
    "OncRpcCallOptions",
    "OncRpcClientOptions",
    "OncRpcServerProgram",
    "OncRpcTarget",
  ],
  trace: ["TraceProgram"],
} as const satisfies {
  readonly [E in RuntimeEntry]: readonly TypeSymbolOf<E>[];
};

// Every type EntryTypes checks is listed in TYPES (and TYPES lists only those, by its type).
type Unlisted = {
  [E in RuntimeEntry]: Exclude<TypeSymbolOf<E>, (typeof TYPES)[E][number]>;
}[RuntimeEntry];
const everyTypeListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyTypeListed;

function table(): ReadonlyMap<RuntimeSymbol, RuntimeSymbolInfo> {
  const out = new Map<RuntimeSymbol, RuntimeSymbolInfo>();
  for (const entry of Object.keys(VALUES) as RuntimeEntry[]) {
    const values: readonly RuntimeSymbol[] = VALUES[entry];
    const types: readonly RuntimeSymbol[] = TYPES[entry];
    for (const name of values) out.set(name, { entry, typeOnly: false });
    for (const name of types) out.set(name, { entry, typeOnly: true });
  }
  return out;
}

/** Symbol → entry and kind, for the generator's import resolution. */
export const GENERATED_CODE_SYMBOLS = table();

/** Members of the generated clients' base class, which generated methods must not redeclare. */
export { PROGRAM_CLIENT_MEMBERS } from "../client/program-client-members.js";
