/** The standard ONC-RPC runtime (RFC 5531): what generated code for `program` blocks imports. */
export * from "./errors.js";
export * from "./message.js";
export * from "./auth.js";
export {
  RecordReader,
  DEFAULT_RECORD_LIMITS,
  LAST_FRAGMENT,
  type RecordLimits,
} from "./record-reader.js";
export { RecordWriter, type RecordWriterOptions } from "./record-writer.js";
export {
  OncRpcClient,
  refusal,
  type OncRpcTarget,
  type OncRpcCallOptions,
  type OncRpcClientOptions,
  type OncRpcCallTarget,
  type OncRpcClientStats,
} from "./client.js";
export type { ClientTransport, TransportEvents } from "./transport.js";
export {
  procedure,
  type OncRpcCallContext,
  type OncRpcServerProcedure,
  type OncRpcServerProgram,
} from "./server-program.js";
export {
  createOncRpcServer,
  DEFAULT_ONCRPC_SERVER_LIMITS,
  type OncRpcServer,
  type OncRpcServerOptions,
  type OncRpcServerLimits,
  type OncRpcListenOptions,
} from "./server.js";
export {
  rpcbSet,
  rpcbUnset,
  universalAddress,
  defaultRpcbindTarget,
  RPCBPROG,
  RPCBIND_PORT,
  RPCBIND_SOCKET,
  type RpcbEntry,
  type RpcbindOptions,
} from "./rpcbind.js";
