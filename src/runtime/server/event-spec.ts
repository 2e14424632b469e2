/**
 * What the server needs to send one event message. Its own module because both the program
 * tables (program.ts) and the per-client sender (client.ts) use it, and program.ts already
 * refers to `ServerClient`.
 */
import type { XdrCodec } from "../xdr/codec.js";

export interface EventSpec {
  readonly prog: number;
  readonly vers: number;
  readonly proc: number;
  readonly name: string;
  readonly msg: XdrCodec<unknown>;
}
