/** Tracing: messages as JSON lines, for the library hook and `virt-rpcgen trace`. */
export {
  createWireTracer,
  traceSocket,
  traceOptionsOf,
  KEEPALIVE_TRACE_PROGRAM,
  type TraceProcedure,
  type TraceProgram,
  type TraceSink,
  type TraceOptions,
  type TraceOption,
  type WireTracer,
} from "./tracer.js";
export {
  observeLoop,
  type MessageSplitter,
  type ObserveLoopOptions,
} from "./observe-loop.js";
export {
  formatTraceLine,
  isoTime,
  rawHex,
  type TraceRecord,
  type TraceDirection,
} from "./trace-line.js";
export { procedureFilter, procedureKey } from "./filter.js";
export { toJsonValue } from "./json-value.js";
export {
  payloadRoleOf,
  carriesFds,
  MESSAGE_TYPE_NAMES,
  MESSAGE_STATUS_NAMES,
  type PayloadRole,
} from "./payload.js";
