// Edits remote_protocol.x the way the post-copy patch's reverse would: drop the
// remote_domain_migrate_start_post_copy_args struct and the REMOTE_PROC_..._POST_COPY = 364
// member with its doc comment. Plain text edits, checked to have matched exactly once.

export function withoutProcedure364(text: string): string {
  const struct =
    /\nstruct remote_domain_migrate_start_post_copy_args \{[^}]*\};\n/g;
  const member =
    /\n\s*\/\*\*(?:(?!\*\/)[\s\S])*\*\/\s*REMOTE_PROC_DOMAIN_MIGRATE_START_POST_COPY = 364,?/g;
  const count = (re: RegExp) => (text.match(re) ?? []).length;
  if (count(struct) !== 1 || count(member) !== 1) {
    throw new Error(
      "remote_protocol.x does not contain procedure 364 in the expected form",
    );
  }
  return text.replace(struct, "\n").replace(member, "");
}
