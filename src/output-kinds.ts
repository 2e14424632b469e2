/**
 * The outputs `generate` can write, in one list for the CLI, the programmatic API and the
 * renderer. Kept in its own module: an up-to-date `generate` must not load the emitters.
 */
export const OUTPUT_KINDS = [
  "codecs",
  "structs",
  "client",
  "server",
  "acl",
  "api",
  "reference",
] as const;

export type OutputKind = (typeof OUTPUT_KINDS)[number];

/** What `generate` writes without `--emit`: everything but the HTML reference, which is opt-in. */
export const DEFAULT_OUTPUTS: ReadonlySet<OutputKind> = new Set(
  OUTPUT_KINDS.filter((k) => k !== "reference"),
);
