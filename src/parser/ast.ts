/**
 * The syntax tree of one .x file, exactly as written (no name resolution).
 * Every node carries the offset range it came from so the model can attach comments and
 * report errors where the user will look.
 */
import type { SourceLocation } from "./diagnostics.js";

export interface Span {
  readonly loc: SourceLocation;
  /** Offset just past the node's last character. */
  readonly end: number;
}

export type Value =
  | {
      readonly kind: "number";
      readonly value: bigint;
      readonly text: string;
      readonly loc: SourceLocation;
    }
  | {
      readonly kind: "name";
      readonly name: string;
      readonly loc: SourceLocation;
    };

export type PrimitiveName =
  | "int"
  | "unsigned int"
  | "hyper"
  | "unsigned hyper"
  | "float"
  | "double"
  | "quadruple"
  | "bool"
  | "char"
  | "unsigned char"
  | "short"
  | "unsigned short"
  | "long"
  | "unsigned long";

export type TypeSpec =
  | {
      readonly kind: "primitive";
      readonly name: PrimitiveName;
      readonly loc: SourceLocation;
    }
  | {
      readonly kind: "named";
      readonly name: string;
      readonly loc: SourceLocation;
    }
  | {
      readonly kind: "enum";
      readonly body: EnumBody;
      readonly loc: SourceLocation;
    }
  | {
      readonly kind: "struct";
      readonly body: StructBody;
      readonly loc: SourceLocation;
    }
  | {
      readonly kind: "union";
      readonly body: UnionBody;
      readonly loc: SourceLocation;
    };

export type Declaration = Span &
  (
    | { readonly kind: "void" }
    | {
        readonly kind: "scalar";
        readonly type: TypeSpec;
        readonly name: string;
      }
    | {
        readonly kind: "fixedArray";
        readonly type: TypeSpec;
        readonly name: string;
        readonly size: Value;
      }
    | {
        readonly kind: "varArray";
        readonly type: TypeSpec;
        readonly name: string;
        readonly max: Value | null;
      }
    | {
        readonly kind: "fixedOpaque";
        readonly name: string;
        readonly size: Value;
      }
    | {
        readonly kind: "varOpaque";
        readonly name: string;
        readonly max: Value | null;
      }
    | {
        readonly kind: "string";
        readonly name: string;
        readonly max: Value | null;
      }
    | {
        readonly kind: "optional";
        readonly type: TypeSpec;
        readonly name: string;
      }
  );

export interface EnumMember extends Span {
  readonly name: string;
  readonly value: Value | null;
}

export interface EnumBody extends Span {
  readonly members: readonly EnumMember[];
}

export interface StructBody extends Span {
  readonly fields: readonly Declaration[];
}

export interface UnionArm extends Span {
  readonly cases: readonly Value[];
  readonly decl: Declaration;
}

export interface UnionBody extends Span {
  readonly discriminant: Declaration;
  readonly arms: readonly UnionArm[];
  readonly defaultArm: Declaration | null;
}

/**
 * The type of a procedure argument or result as rpcgen reads it: `void`, a bare `string`
 * (a string of any length), or a type.
 */
export type ProcedureType =
  | { readonly kind: "void"; readonly loc: SourceLocation }
  | { readonly kind: "string"; readonly loc: SourceLocation }
  | {
      readonly kind: "type";
      readonly type: TypeSpec;
      readonly loc: SourceLocation;
    };

export interface ProcedureArg extends Span {
  readonly type: ProcedureType;
  /** The optional argument name (`int F(int count)`); null when none was written. */
  readonly name: string | null;
  /** `F(foo *p)`: a pointer argument, sent as optional data. */
  readonly pointer: boolean;
  /** `F(string s<16>)`: the bound written in angle brackets (rpcgen allows it on strings only). */
  readonly angle: {
    readonly max: Value | null;
    readonly loc: SourceLocation;
  } | null;
}

export interface Procedure extends Span {
  readonly name: string;
  readonly result: ProcedureType;
  /** Empty for `F()` and `F(void)`; several for rpcgen's `-N` style. */
  readonly args: readonly ProcedureArg[];
  readonly number: Value;
}

export interface VersionDef extends Span {
  readonly name: string;
  readonly procedures: readonly Procedure[];
  readonly number: Value;
}

export type Definition = Span &
  (
    | { readonly kind: "const"; readonly name: string; readonly value: Value }
    | {
        /** `const NAME = "text";`: rpcgen's string constant (a C `#define`). */
        readonly kind: "stringConst";
        readonly name: string;
        readonly value: string;
      }
    | {
        readonly kind: "typedef";
        readonly decl: Declaration & { readonly name: string };
      }
    | { readonly kind: "enum"; readonly name: string; readonly body: EnumBody }
    | {
        readonly kind: "struct";
        readonly name: string;
        readonly body: StructBody;
      }
    | {
        readonly kind: "union";
        readonly name: string;
        readonly body: UnionBody;
      }
    | {
        readonly kind: "program";
        readonly name: string;
        readonly versions: readonly VersionDef[];
        readonly number: Value;
      }
  );

export interface Comment {
  readonly text: string;
  readonly offset: number;
  readonly end: number;
  readonly loc: SourceLocation;
}

export interface PassThroughLine {
  readonly text: string;
  readonly loc: SourceLocation;
}

export interface XdrFile {
  readonly file: string;
  readonly definitions: readonly Definition[];
  readonly comments: readonly Comment[];
  readonly passThrough: readonly PassThroughLine[];
  /** `#define NAME value` seen by the preprocessor (active branches only). */
  readonly defines: ReadonlyMap<string, string>;
  readonly includes: readonly string[];
}
