export {
  XdrError,
  isXdrError,
  prependXdrPath,
  prependXdrRepeat,
  formatXdrPath,
} from "./errors.js";
export type { XdrErrorCode, XdrPathSegment } from "./errors.js";
export { XdrWriter } from "./writer.js";
export { XdrReader } from "./reader.js";
export { encodeToBytes, decodeFromBytes } from "./codec.js";
export type { DefaultCase, XdrCodec } from "./codec.js";
export * from "./checks.js";
export { MAX_XDR_DEPTH } from "./depth.js";
