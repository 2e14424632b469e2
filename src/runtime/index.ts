/**
 * virt-rpcgen-runtime: everything generated code imports. Renaming a symbol here breaks the
 * generator's type check (test/generated compiles against it), not users' generated code.
 */
export * from "./xdr/index.js";
export * from "./rpc/index.js";
export * from "./server/index.js";
export * from "./client/index.js";
export * from "./oncrpc/index.js";
export * from "./trace/index.js";
