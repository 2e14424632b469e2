/** Programmatic API of virt-rpcgen (the generator side; the runtime is the `virt-rpcgen-runtime` package). */
export {
  parseXdr,
  parseXdrFile,
  XdrDiagnosticError,
  formatDiagnostic,
} from "./parser/index.js";
export type { XdrFile, Diagnostic, SourceLocation } from "./parser/index.js";
export * from "./model/index.js";
export {
  emitStructsListing,
  LIBVIRT_STRUCTS_FILTER,
  type StructsOptions,
} from "./emit/structs.js";
export { unifiedDiff } from "./cli/unified-diff.js";
export {
  generate,
  DEFAULT_RUNTIME_IMPORT,
  type GenerateOptions,
  type GenerateResult,
} from "./generate.js";
export type { OutputFile } from "./output-file.js";
export { renderOutputs } from "./render-outputs.js";
