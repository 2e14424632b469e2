import { requireOrSkip, requireTools } from "../support/libvirtd.js";
import { findRpcgenTools } from "../support/rpcgen-harness.js";

export { requireOrSkip, requireTools, findRpcgenTools };

/**
 * Whether the rpcgen-built C peers can be built here (rpcgen, gcc, libtirpc-dev); with CI=true
 * their absence is an error, not a skip.
 */
export function rpcgenPeersAvailable(): boolean {
  return requireOrSkip("rpcgen + gcc + libtirpc-dev", findRpcgenTools().ok);
}
