/** A server program's dispatch table (generated `server.ts`) as the tracer's procedure table. */
import type { ProgramSpec } from "../server/program.js";
import type { TraceProcedure, TraceProgram } from "./tracer.js";

export function traceProgramOf(spec: ProgramSpec): TraceProgram {
  const procedures: Record<number, TraceProcedure> = {};
  for (const p of Object.values(spec.procedures))
    procedures[p.proc] = [p.name, p.api, p.args, p.ret, null];
  for (const e of Object.values(spec.events))
    if (e.prog === spec.program)
      procedures[e.proc] = [e.name, e.name, null, null, e.msg];
  return {
    // libvirt's programs are named <PREFIX>_PROGRAM after their short name (remote, qemu…).
    name: spec.programName ?? `${spec.name.toUpperCase()}_PROGRAM`,
    program: spec.program,
    version: spec.version,
    procedures,
  };
}
