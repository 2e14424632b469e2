/**
 * The runtime package generated code imports by default. It publishes one entry per part
 * (`virt-rpcgen-runtime/xdr`, `/rpc`, `/client`, `/server`, `/oncrpc`, `/trace`), so generated
 * modules import each symbol from its entry and a codec-only module never loads `node:net`.
 */
export const DEFAULT_RUNTIME_IMPORT = "virt-rpcgen-runtime";
