/** libvirt's RPC framing: what generated code and tools that read raw frames import. */
export * from "./framing.js";
export { ByteAccumulator } from "./byte-accumulator.js";
