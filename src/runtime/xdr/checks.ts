import { XdrError } from "./errors.js";

/** Fixed-length arrays (`T x[N]`) must hold exactly N elements before encoding. */
export function checkFixedLength(
  arr: { readonly length: number },
  n: number,
): void {
  if (arr.length !== n) {
    throw new XdrError(
      "value-out-of-range",
      0,
      `fixed array needs exactly ${n} elements, got ${arr.length}`,
    );
  }
}
