/**
 * Program, version and procedure numbers travel as XDR `unsigned int`s in every call header
 * (RFC 5531 §9), so each must lie in 0 … 2^32-1. Checked here, at the number as written,
 * whatever the model later does with program blocks.
 */
import {
  XdrDiagnosticError,
  type Value,
  type XdrFile,
} from "../parser/index.js";
import type { ConstantTable } from "./constants.js";

const UINT32_MAX = 0xffffffff;

export function checkProgramNumbers(ast: XdrFile, consts: ConstantTable): void {
  const check = (v: Value, what: string): void => {
    const n = consts.evaluateValue(v);
    if (n < 0 || n > UINT32_MAX) {
      const text = v.kind === "name" ? `${v.name} (${n})` : v.text;
      throw XdrDiagnosticError.at(
        v.loc,
        `${what} number ${text} is out of range (0 to ${UINT32_MAX}: it is sent as an unsigned 32-bit int)`,
      );
    }
  };
  for (const def of ast.definitions) {
    if (def.kind !== "program") continue;
    check(def.number, `program '${def.name}'`);
    for (const ver of def.versions) {
      check(ver.number, `version '${ver.name}'`);
      for (const proc of ver.procedures)
        check(proc.number, `procedure '${proc.name}'`);
    }
  }
}
