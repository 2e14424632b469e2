export { requireOrSkip } from "../support/libvirtd.js";
export { findRpcgenTools } from "../support/rpcgen-harness.js";
