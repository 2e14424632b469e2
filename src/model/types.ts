/**
 * The resolved model every emitter reads. Built once from the syntax trees; after that no one
 * looks at text again. Names are the .x names; emitters derive their own spellings.
 */
import type { PrimitiveName, SourceLocation } from "../parser/index.js";
import type { ProcedureAnnotations, MemberHint } from "../annotations/types.js";

export type { PrimitiveName };

/** A reference to a type: a primitive, a named declaration, or an anonymous inline body. */
export type TypeRef =
  | { readonly kind: "primitive"; readonly name: PrimitiveName }
  | { readonly kind: "named"; readonly name: string; readonly decl: TypeDecl }
  | { readonly kind: "inlineStruct"; readonly struct: StructType }
  | { readonly kind: "inlineUnion"; readonly union: UnionType }
  | { readonly kind: "inlineEnum"; readonly enumType: EnumType };

/** A number as written (constant name or literal) and its value. */
export interface SizeValue {
  readonly value: number;
  /** The constant's name when the source used one, else the literal text. */
  readonly text: string;
}

/**
 * One declaration: a struct field, union arm, discriminant or typedef body.
 * `max: null` on variable-length shapes means unbounded (`<>`), i.e. 2^32-1.
 */
export type Field = {
  readonly name: string;
  readonly loc: SourceLocation;
  /** Hints found in the comment trailing this member (`insert@1`, `(unsigned char *)`…). */
  readonly hints: readonly MemberHint[];
} & (
  | { readonly shape: "scalar"; readonly type: TypeRef }
  | { readonly shape: "optional"; readonly type: TypeRef }
  | {
      readonly shape: "fixedArray";
      readonly type: TypeRef;
      readonly size: SizeValue;
    }
  | {
      readonly shape: "varArray";
      readonly type: TypeRef;
      readonly max: SizeValue | null;
    }
  | { readonly shape: "fixedOpaque"; readonly size: SizeValue }
  | { readonly shape: "varOpaque"; readonly max: SizeValue | null }
  | { readonly shape: "string"; readonly max: SizeValue | null }
);

export type FieldShape = Field["shape"];

export interface StructType {
  readonly kind: "struct";
  readonly name: string;
  readonly fields: readonly Field[];
  readonly loc: SourceLocation;
  /** Hints in a comment right after the opening brace (`struct x_ret { /* insert@1 *\/`). */
  readonly hints: readonly MemberHint[];
}

export interface UnionArm {
  /** Case labels as written and their values. */
  readonly cases: readonly SizeValue[];
  /** null for a `void` arm. */
  readonly field: Field | null;
  readonly loc: SourceLocation;
}

export interface UnionType {
  readonly kind: "union";
  readonly name: string;
  readonly discriminant: Field & { readonly shape: "scalar" };
  readonly arms: readonly UnionArm[];
  /** undefined: no default (unknown discriminants are errors); null: `default: void`. */
  readonly defaultArm: Field | null | undefined;
  readonly loc: SourceLocation;
}

export interface EnumMember {
  readonly name: string;
  readonly value: number;
  readonly loc: SourceLocation;
}

export interface EnumType {
  readonly kind: "enum";
  readonly name: string;
  readonly members: readonly EnumMember[];
  readonly loc: SourceLocation;
}

export interface TypedefType {
  readonly kind: "typedef";
  readonly name: string;
  readonly field: Field;
  readonly loc: SourceLocation;
}

export type TypeDecl = StructType | UnionType | EnumType | TypedefType;

export interface Constant {
  readonly name: string;
  readonly value: number;
  /**
   * How it was defined: a `const`, an enum member, a `#define`, a defines file/--define, or
   * the number of a `program`, `version` or procedure (rpcgen `#define`s those names too).
   */
  readonly origin:
    | "const"
    | "enum"
    | "define"
    | "external"
    | "program"
    | "version"
    | "procedure";
  readonly loc: SourceLocation | null;
  /** The protocol that defines it (for imports); null for external defines. */
  readonly protocol: string | null;
}

/** `const NAME = "text";` (rpcgen turns it into `#define NAME "text"`). */
export interface StringConstant {
  readonly name: string;
  readonly value: string;
  readonly loc: SourceLocation;
}

/**
 * One procedure of a `program`/`version` block (RFC 5531 §12):
 * `rpcb_rmtcallres RPCBPROC_CALLIT(rpcb_rmtcallargs) = 5;`.
 *
 * Arguments and result are fields, so emitters encode them like struct members: a bare
 * `string` is a `string` field without maximum, `F(foo *p)` an optional field. Arguments are
 * named as written, else `arg1`, `arg2`… as rpcgen names them in its `-N` argument structs;
 * the result is named `result`.
 */
export interface RpcProcedure {
  readonly name: string;
  readonly number: number;
  /** Empty for `F()` / `F(void)`; several for rpcgen's multi-argument (`-N`) style. */
  readonly args: readonly Field[];
  /** null for `void`. */
  readonly result: Field | null;
  readonly loc: SourceLocation;
}

export interface RpcVersion {
  readonly name: string;
  readonly number: number;
  readonly procedures: readonly RpcProcedure[];
  readonly loc: SourceLocation;
}

export interface RpcProgram {
  readonly name: string;
  readonly number: number;
  readonly versions: readonly RpcVersion[];
  readonly loc: SourceLocation;
}

export interface ProcedureModel {
  /** `REMOTE_PROC_DOMAIN_MIGRATE_START_POST_COPY` */
  readonly constName: string;
  readonly number: number;
  /** `DomainMigrateStartPostCopy` as gendispatch.pl's name_to_ProcName computes it. */
  readonly procName: string;
  /** `domainMigrateStartPostCopy`: the TypeScript method name. */
  readonly methodName: string;
  /** The C API name: `virDomainMigrateStartPostCopy`, `virDomainQemuMonitorCommand`, `virAdmConnectOpen`. */
  readonly apiName: string;
  readonly args: StructType | null;
  readonly ret: StructType | null;
  /** Payload of server→client messages (events). A procedure with `msg` is never a call. */
  readonly msg: StructType | null;
  /** null when the protocol's procedure enum has no annotations at all. */
  readonly annotations: ProcedureAnnotations | null;
  readonly loc: SourceLocation;
}

export interface ProgramInfo {
  /** e.g. REMOTE_PROGRAM and its value. */
  readonly programConst: string;
  readonly program: number;
  readonly versionConst: string | null;
  readonly version: number | null;
}

export interface ProtocolModel {
  /** Base name of the file without `.x`, e.g. `remote_protocol`. */
  readonly name: string;
  readonly file: string;
  /** Every named type declared by this file, in declaration order. */
  readonly types: readonly TypeDecl[];
  /**
   * Constants declared by this file (`const`, enum members, `#define`, program, version and
   * procedure names), in order. A procedure declared in several versions appears once.
   */
  readonly constants: readonly Constant[];
  /** `const NAME = "text";` declarations, in order. */
  readonly stringConstants: readonly StringConstant[];
  /** Every `program` block of the file, in order (RFC 5531 §12). */
  readonly programs: readonly RpcProgram[];
  readonly imports: readonly ProtocolModel[];
  /** The procedure enum, if the protocol has one (an enum named `*_procedure`/`*Procedure`). */
  readonly procedureEnum: EnumType | null;
  /** `remote` for `remote_procedure`, `virNetMessage`-style for camel case. */
  readonly structPrefix: string | null;
  /** `REMOTE_PROC` */
  readonly procPrefix: string | null;
  readonly procedures: readonly ProcedureModel[];
  /** libvirt-style program numbers (from `<P>_PROGRAM` constants, or the first `program` block). */
  readonly program: ProgramInfo | null;
  /** Look a type up here or in imports. */
  lookupType(name: string): TypeDecl | undefined;
  /** Which protocol declares a type (this one or an import). */
  ownerOf(decl: TypeDecl): ProtocolModel;
}
