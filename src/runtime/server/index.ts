/** The server side of the runtime: what generated `server.ts`/`acl.ts` files and servers import. */
export * from "./acl.js";
export * from "./errors.js";
export * from "./program.js";
export type { ServerClient } from "./client.js";
export type { CallRecord } from "./dispatch.js";
export type {
  ServerSendStream,
  ServerReceiveStream,
  StreamEnd,
} from "./stream.js";
export {
  createRpcServer,
  DEFAULT_SERVER_LIMITS,
  type RpcServer,
  type RpcServerOptions,
  type ServerLimits,
  type ServerStats,
  type ListenOptions,
} from "./server.js";
