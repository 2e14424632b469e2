export type * from "./types.js";
export {
  loadProtocol,
  loadProtocols,
  externalDefines,
  LIBVIRT_DEFINES_FILE,
  type LoadOptions,
} from "./load.js";
export { resolveProtocol, protocolNameOf } from "./resolve.js";
export { parseDefinesFile } from "./constants.js";
export { procNameOf, apiNameOf, fixupName, linkKey } from "./naming.js";
