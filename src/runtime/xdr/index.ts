export {
  XdrError,
  isXdrError,
  prependXdrPath,
  formatXdrPath,
} from "./errors.js";
export type { XdrErrorCode, XdrPathSegment } from "./errors.js";
export { XdrWriter } from "./writer.js";
export { XdrReader } from "./reader.js";
export { encodeToBytes, decodeFromBytes } from "./codec.js";
export type { DefaultCase, XdrCodec } from "./codec.js";
export * from "./checks.js";
