/**
 * Comments of one file, sorted by offset: the model asks it for member hints (`insert@N`) and
 * for the annotation doc comment of a procedure. Its own module so that resolve.ts and
 * procedures.ts can both use it without importing each other.
 */
import { isAnnotationComment, parseMemberHint } from "../annotations/index.js";
import type { MemberHint } from "../annotations/types.js";
import type { Comment, LineMap } from "../parser/index.js";

/** Comments sorted by offset, with the queries the model needs. */
export class CommentIndex {
  constructor(
    readonly all: readonly Comment[],
    readonly lines: LineMap,
  ) {}

  /** First index with offset >= `offset`. */
  private firstAtOrAfter(offset: number): number {
    let lo = 0;
    let hi = this.all.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.all[mid]!.offset < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Hints in comments that start on the same line, after `offset`. */
  hintsAfter(offset: number): MemberHint[] {
    const line = this.lines.lineOf(offset);
    const out: MemberHint[] = [];
    for (let i = this.firstAtOrAfter(offset); i < this.all.length; i++) {
      const c = this.all[i]!;
      if (c.loc.line !== line) break;
      const hint = parseMemberHint(c, this.lines);
      if (hint) out.push(hint);
    }
    return out;
  }

  /** The nearest annotation doc comment strictly between `from` and `to`. */
  annotationBetween(from: number, to: number): Comment | null {
    for (let i = this.firstAtOrAfter(to) - 1; i >= 0; i--) {
      const c = this.all[i]!;
      if (c.offset < from) break;
      if (c.end <= to && isAnnotationComment(c)) return c;
    }
    return null;
  }
}
