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

export interface Procedure extends Span {
  readonly name: string;
  readonly result: TypeSpec | null; // null = void
  readonly args: readonly (TypeSpec | null)[];
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
