/**
 * Reading libvirt's annotations out of comments.
 *
 * ```
 *     /**
 *      * @generate: both
 *      * @acl: domain:migrate
 *      *\/
 *     REMOTE_PROC_DOMAIN_MIGRATE_START_POST_COPY = 364
 * ```
 * becomes `{ generate: "both", acl: [{ object: "domain", permission: "migrate", … }], … }`.
 * The checks are the ones gendispatch.pl makes, reported at the offending line instead of
 * as a Perl `die`.
 */
import {
  XdrDiagnosticError,
  type Comment,
  type LineMap,
  type SourceLocation,
} from "../parser/index.js";
import type {
  AclRule,
  GenerateSide,
  MemberHint,
  ProcedureAnnotations,
} from "./types.js";

export type * from "./types.js";

const KNOWN_KEYS = new Set([
  "generate",
  "acl",
  "aclfilter",
  "priority",
  "readstream",
  "writestream",
  "sparseflag",
]);
const REPEATABLE = new Set(["acl", "aclfilter"]);

interface RawAnnotation {
  readonly key: string;
  readonly value: string;
  readonly loc: SourceLocation;
}

/** Is this comment a doc comment (`/** … *\/`) that carries at least one `@key:` line? */
export function isAnnotationComment(c: Comment): boolean {
  return (
    c.text.startsWith("/**") && /^\s*\*?\s*@\w+\s*:/m.test(c.text.slice(3))
  );
}

function readRawAnnotations(c: Comment, lines: LineMap): RawAnnotation[] {
  const out: RawAnnotation[] = [];
  const body = c.text.slice(3, -2);
  let offset = c.offset + 3;
  for (const line of body.split("\n")) {
    const lineOffset = offset;
    offset += line.length + 1;
    const stripped = line.replace(/^\s*\*?/, "");
    if (stripped.trim() === "" || /^\*+$/.test(stripped.trim())) continue;
    const at = lineOffset + (line.length - line.trimStart().length);
    // The value is trimmed, not matched with `(.*?)\s*$` (quadratic on long runs of spaces).
    const m = /^\s*@(\w+)\s*:/.exec(stripped);
    if (!m) {
      throw XdrDiagnosticError.at(
        lines.loc(at),
        `cannot parse annotation line '${line.trim()}' (expected '* @key: value')`,
      );
    }
    const keyAt = lineOffset + line.indexOf("@");
    out.push({
      key: m[1]!,
      value: stripped.slice(m[0].length).trim(),
      loc: lines.loc(keyAt),
    });
  }
  return out;
}

/** Parses one procedure's doc comment. `constName` is only used in messages. */
export function parseProcedureAnnotations(
  c: Comment,
  lines: LineMap,
  constName: string,
  memberLoc: SourceLocation,
): ProcedureAnnotations {
  const raw = readRawAnnotations(c, lines);
  const seen = new Map<string, RawAnnotation>();
  const acl: RawAnnotation[] = [];
  const aclFilter: RawAnnotation[] = [];
  for (const a of raw) {
    if (!KNOWN_KEYS.has(a.key)) {
      throw XdrDiagnosticError.at(
        a.loc,
        `unknown annotation '@${a.key}' for ${constName} (known: @generate, @acl, @aclfilter, @priority, @readstream, @writestream, @sparseflag)`,
      );
    }
    if (a.value === "")
      throw XdrDiagnosticError.at(
        a.loc,
        `annotation '@${a.key}' for ${constName} has no value`,
      );
    if (REPEATABLE.has(a.key)) {
      (a.key === "acl" ? acl : aclFilter).push(a);
      continue;
    }
    const prev = seen.get(a.key);
    if (prev) {
      throw XdrDiagnosticError.at(
        a.loc,
        `duplicate annotation '@${a.key}' for ${constName} (first at line ${prev.loc.line})`,
      );
    }
    seen.set(a.key, a);
  }

  const gen = seen.get("generate");
  if (!gen)
    throw XdrDiagnosticError.at(
      memberLoc,
      `'@generate' annotation missing for ${constName}`,
    );
  if (!/^(none|client|server|both)$/.test(gen.value)) {
    throw XdrDiagnosticError.at(
      gen.loc,
      `'@generate' annotation value '${gen.value}' invalid for ${constName} (expected none, client, server or both)`,
    );
  }

  const pri = seen.get("priority");
  if (pri && pri.value !== "low" && pri.value !== "high") {
    throw XdrDiagnosticError.at(
      pri.loc,
      `'@priority' annotation value '${pri.value}' invalid for ${constName} (expected low or high)`,
    );
  }

  const streamIndex = (key: string): number | null => {
    const a = seen.get(key);
    if (!a) return null;
    if (!/^\d+$/.test(a.value)) {
      throw XdrDiagnosticError.at(
        a.loc,
        `'@${key}' annotation value '${a.value}' invalid for ${constName} (expected the stream argument's index)`,
      );
    }
    return Number(a.value);
  };
  const readStream = streamIndex("readstream");
  const writeStream = streamIndex("writestream");
  if (readStream !== null && writeStream !== null) {
    throw XdrDiagnosticError.at(
      seen.get("writestream")!.loc,
      `${constName} cannot have both '@readstream' and '@writestream'`,
    );
  }
  const sparse = seen.get("sparseflag");
  if (sparse) {
    if (readStream === null && writeStream === null) {
      throw XdrDiagnosticError.at(
        sparse.loc,
        `'@sparseflag' requires '@readstream' or '@writestream' for ${constName}`,
      );
    }
    if (!/^[A-Za-z_]\w*$/.test(sparse.value)) {
      throw XdrDiagnosticError.at(
        sparse.loc,
        `'@sparseflag' annotation value '${sparse.value}' invalid for ${constName} (expected a flag name)`,
      );
    }
  }

  const aclNone = acl.length > 0 && acl.every((a) => a.value === "none");
  if (acl.some((a) => a.value === "none") && !aclNone) {
    const none = acl.find((a) => a.value === "none")!;
    throw XdrDiagnosticError.at(
      none.loc,
      `'@acl: none' cannot be combined with other ACL rules for ${constName}`,
    );
  }
  const aclRules = aclNone ? [] : acl.map((a) => parseAclRule(a, constName));
  const filterRules = aclFilter.map((a) => parseAclRule(a, constName));
  checkSameObject(aclRules, acl, constName);
  checkSameObject(filterRules, aclFilter, constName);

  return {
    generate: gen.value as GenerateSide,
    acl: aclRules,
    aclNone,
    aclFilter: filterRules,
    priority: pri?.value === "high" ? "high" : "low",
    readStream,
    writeStream,
    sparseFlag: sparse?.value ?? null,
    loc: c.loc,
  };
}

function checkSameObject(
  rules: readonly AclRule[],
  raw: readonly RawAnnotation[],
  constName: string,
): void {
  for (let i = 1; i < rules.length; i++) {
    if (rules[i]!.object !== rules[0]!.object) {
      throw XdrDiagnosticError.at(
        raw[i]!.loc,
        `ACL rules for ${constName} cannot check different objects ('${rules[0]!.object}' and '${rules[i]!.object}')`,
      );
    }
  }
}

const IDENT = /^[A-Za-z_]\w*$/;

function parseAclRule(a: RawAnnotation, constName: string): AclRule {
  const bad = (why: string): never => {
    throw XdrDiagnosticError.at(
      a.loc,
      `malformed ACL rule '${a.value}' for ${constName}: ${why} (expected object:permission, object:permission:FLAG or object:permission::param:value)`,
    );
  };
  const parts = a.value.split(":");
  if (parts.length < 2) bad("missing ':permission'");
  const [object, permission] = parts as [string, string];
  if (!/^[a-z_]+$/.test(object)) bad(`invalid object '${object}'`);
  if (!/^[a-z_]+$/.test(permission)) bad(`invalid permission '${permission}'`);
  let flags: { name: string; negated: boolean }[] = [];
  let param: AclRule["param"] = null;
  if (parts.length === 3) {
    flags = parts[2]!.split("|").map((f) => {
      const negated = f.startsWith("!");
      const name = negated ? f.slice(1) : f;
      if (!IDENT.test(name)) bad(`invalid flag '${f}'`);
      return { name, negated };
    });
  } else if (parts.length === 5) {
    if (parts[2] !== "") bad("a parameter condition cannot also name flags");
    if (!IDENT.test(parts[3]!) || !IDENT.test(parts[4]!))
      bad("invalid parameter condition");
    param = { name: parts[3]!, value: parts[4]! };
  } else if (parts.length !== 2) {
    bad(`unexpected number of ':'-separated parts (${parts.length})`);
  }
  return { object, permission, flags, param, text: a.value };
}

/**
 * Hints libvirt writes after a member (`opaque cpumap<MAX>; /* (unsigned char *) *\/`) or
 * after a ret struct's brace (`struct x_ret { /* insert@1 *\/`).
 */
export function parseMemberHint(c: Comment, lines: LineMap): MemberHint | null {
  if (!c.text.startsWith("/*")) return null;
  const inner = c.text.slice(2, -2).trim();
  let m: RegExpExecArray | null;
  if ((m = /^insert@(\d+)$/.exec(inner)))
    return { kind: "insert", index: Number(m[1]) };
  if ((m = /^alloc@(\d+)@([^@]+)@(\d+)$/.exec(inner))) {
    return {
      kind: "alloc",
      index: Number(m[1]),
      type: m[2]!.trim(),
      countIndex: Number(m[3]),
    };
  }
  if (/^(insert|alloc)@/.test(inner)) {
    throw XdrDiagnosticError.at(
      lines.loc(c.offset),
      `malformed generator hint '${inner}' (expected insert@N or alloc@N@type@N)`,
    );
  }
  if ((m = /^\(([A-Za-z_][\w\s]*\**)\)$/.exec(inner)))
    return { kind: "cast", cType: m[1]!.trim() };
  return null;
}
