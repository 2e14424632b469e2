/**
 * How deeply the codecs of recursive types may nest. Each level is a few JavaScript stack
 * frames, so the limit keeps recursion far inside Node's default stack (~10,000 small
 * frames), and a value or message nested deeper is an `XdrError` ("too-deep") naming the
 * path, never a `RangeError`. Linked lists (a struct whose last member points to the struct
 * itself) are walked in a loop and do not count: a million nodes are fine.
 */
export const MAX_XDR_DEPTH = 1000;

/** The error for one level too many. */
export function tooDeep(offset: number): never {
  throw new XdrError(
    "too-deep",
    offset,
    `nested deeper than ${MAX_XDR_DEPTH} levels of recursive types`,
  );
}

import { XdrError } from "./errors.js";
