/**
 * The generator's input limits, in one place. Each keeps every stage (preprocessing, lexing,
 * parsing, resolution, emitters) within a bounded time, memory and call-stack depth; input
 * beyond a limit is a located error, never a crash. The numbers leave a wide margin over what
 * real protocols use: libvirt's largest file, remote_protocol.x, is 156 KB; libvirt's files nest
 * braces 1 deep (no inline bodies), their longest chain of types containing one another is 5,
 * and none has a recursive type.
 */

/**
 * Largest .x file read, in bytes (and characters): 6.7× libvirt's remote_protocol.x, and small
 * enough that generating every output for any accepted file stays under 1 GiB of memory.
 */
export const MAX_INPUT_BYTES = 1024 * 1024;

/**
 * Deepest nesting of `{` and `(` in a definition: inline struct/union/enum bodies, union
 * switches, program and version blocks. The parser and every walk over inline bodies recurse
 * once per level.
 */
export const MAX_SYNTAX_NESTING = 100;

/** Deepest nesting of parentheses in a preprocessor `#if` expression. */
export const MAX_IF_NESTING = 100;

/**
 * Longest chain of types containing one another (struct member, union arm, array element,
 * typedef target, pointer target), not counting recursion. Generated codecs call one
 * another along such a chain, so it bounds their call depth the way MAX_XDR_DEPTH (in the
 * runtime) bounds recursion.
 */
export const MAX_TYPE_DEPTH = 200;
