/** Typed forms of libvirt's procedure annotations and member hints. */
import type { SourceLocation } from "../parser/index.js";

export type GenerateSide = "none" | "client" | "server" | "both";

/**
 * One `@acl`/`@aclfilter` rule. libvirt's forms:
 * - `domain:migrate`: always check;
 * - `domain:save:VIR_DOMAIN_AFFECT_CONFIG`: check when that flag is set in `flags`;
 *   `A|B` means "when A or B is set"; a leading `!` negates the whole mask: `!A|B` means
 *   "when neither A nor B is set" (gendispatch.pl emits `(flags & (A | B)) == 0`);
 * - `domain:write::source:VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT`: check when the argument
 *   `source` equals that value.
 */
export interface AclRule {
  readonly object: string;
  readonly permission: string;
  /** The flags of the mask, in order; only the first can carry `negated` (for the whole mask). */
  readonly flags: readonly {
    readonly name: string;
    readonly negated: boolean;
  }[];
  readonly param: { readonly name: string; readonly value: string } | null;
  /** The rule as written. */
  readonly text: string;
}

export interface ProcedureAnnotations {
  readonly generate: GenerateSide;
  /** Empty when the protocol does not use ACLs; `none` is represented as an empty list with aclNone=true. */
  readonly acl: readonly AclRule[];
  readonly aclNone: boolean;
  readonly aclFilter: readonly AclRule[];
  readonly priority: "low" | "high";
  readonly readStream: number | null;
  readonly writeStream: number | null;
  readonly sparseFlag: string | null;
  readonly loc: SourceLocation;
}

export type MemberHint =
  | { readonly kind: "insert"; readonly index: number }
  | {
      readonly kind: "alloc";
      readonly index: number;
      readonly type: string;
      readonly countIndex: number;
    }
  | { readonly kind: "cast"; readonly cType: string };
