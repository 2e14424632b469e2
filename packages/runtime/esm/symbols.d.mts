// ES-module entry: re-exports the CommonJS build in dist/, so import and require share one copy.
export * from "../dist/symbols/index.js";
