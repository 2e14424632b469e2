/** `virt-rpcgen generate`: implemented with the codec emitter. */
import { UsageError } from "./options.js";

export async function generateCommand(_args: string[]): Promise<number> {
  throw new UsageError("generate is not implemented yet");
}
