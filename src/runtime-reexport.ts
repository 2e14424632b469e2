/**
 * `virt-rpcgen/runtime`, kept for code generated before the runtime became its own package
 * (`virt-rpcgen-runtime`, which generated code imports now): the same module, re-exported.
 */
export * from "virt-rpcgen-runtime";
