/**
 * `--procedure` / `trace.procedures` matching: a name matches a procedure whatever spelling it
 * uses — the constant (`REMOTE_PROC_DOMAIN_GET_INFO`), the C API (`virDomainGetInfo`) or the
 * client method (`domainGetInfo`).
 */

/** `REMOTE_PROC_DOMAIN_GET_INFO`, `virDomainGetInfo`, `domainGetInfo` → `domaingetinfo`. */
export function procedureKey(name: string): string {
  return name
    .replace(/^[A-Z0-9]+_PROC_/, "")
    .replace(/^vir(?=[A-Z])/, "")
    .replace(/[^A-Za-z0-9]/g, "")
    .toLowerCase();
}

/** null: everything matches. */
export function procedureFilter(
  names: readonly string[] | undefined,
): ((constName: string, api?: string) => boolean) | null {
  if (!names || names.length === 0) return null;
  const keys = new Set(names.map(procedureKey));
  return (constName, api) =>
    keys.has(procedureKey(constName)) ||
    (api !== undefined && keys.has(procedureKey(api)));
}
