/** Options shared by every command that reads protocols. */
import { parseIntegerLiteral } from "../parser/integer.js";
import type { LoadOptions } from "../model/load-options.js";

export class UsageError extends Error {}

export const MODEL_OPTIONS = {
  define: { type: "string", multiple: true },
  defines: { type: "string", multiple: true },
  "no-libvirt-defines": { type: "boolean" },
  "no-libvirt-api": { type: "boolean" },
  "libvirt-api": { type: "string" },
  import: { type: "string", multiple: true },
  D: { type: "string", short: "D", multiple: true },
} as const;

export const MODEL_OPTIONS_HELP = `  --define NAME=VALUE    give a C header constant a value (wins over defines files)
  --defines FILE         read NAME = VALUE lines from FILE
  --no-libvirt-defines   do not load the bundled libvirt constants (defines/libvirt.defines)
  --no-libvirt-api       do not load libvirt's API data (defines/libvirt-api.json: enums,
                         typed parameter names, event IDs): plain numbers, no api.ts
  --libvirt-api FILE     another extraction of libvirt's API description
                         (node scripts/extract-api-data.mjs --api-dir DIR --out FILE)
  --import FILE.x        resolve '%#include "FILE.h"' and shared types from FILE.x
  -D MACRO[=VALUE]       define a preprocessor macro for #ifdef/#if`;

export function loadOptionsFrom(values: {
  define?: string[];
  defines?: string[];
  "no-libvirt-defines"?: boolean;
  "no-libvirt-api"?: boolean;
  "libvirt-api"?: string;
  import?: string[];
  D?: string[];
}): LoadOptions {
  const defines = new Map<string, number>();
  for (const d of values.define ?? []) {
    const m = /^([A-Za-z_]\w*)=(.+)$/.exec(d);
    const v = m ? parseIntegerLiteral(m[2]!) : null;
    if (!m || v === null)
      throw new UsageError(`--define expects NAME=INTEGER, got '${d}'`);
    defines.set(m[1]!, Number(v));
  }
  const macros = new Map<string, string>();
  for (const d of values.D ?? []) {
    const m = /^([A-Za-z_]\w*)(?:=(.*))?$/.exec(d);
    if (!m) throw new UsageError(`-D expects MACRO or MACRO=VALUE, got '${d}'`);
    macros.set(m[1]!, m[2] ?? "1");
  }
  return {
    defines,
    macros,
    definesFiles: values.defines ?? [],
    libvirtDefines: !values["no-libvirt-defines"],
    libvirtApi: !values["no-libvirt-api"],
    ...(values["libvirt-api"] ? { libvirtApiFile: values["libvirt-api"] } : {}),
    importFiles: values.import ?? [],
  };
}
