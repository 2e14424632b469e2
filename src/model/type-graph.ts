/**
 * The graph of types containing one another, checked once per protocol after resolution.
 *
 * Nodes are named types and anonymous inline bodies; an edge goes from a type to each type its
 * members, arms, elements or typedef body refer to. Three things are rejected here, each as a
 * located error:
 * - a **typedef cycle** (`typedef b a; typedef a b;`): no type at all (TypeScript says TS2456,
 *   C cannot declare it);
 * - a type that **contains itself by value** (`struct s { t x; }; struct t { s y; };`): every
 *   value would be infinite; recursion must go through `*` or a variable-length array;
 * - a chain of types containing one another longer than MAX_TYPE_DEPTH (recursion not
 *   counted): generated codecs call one another along it.
 *
 * Everything is iterative (Tarjan's algorithm with an explicit stack), so a chain of a million
 * types is an error message, not a stack overflow. `recursiveTypes` tells the codec emitter
 * which types can recur at run time and so need the runtime's depth limit.
 */
import { XdrDiagnosticError } from "../parser/index.js";
import { MAX_TYPE_DEPTH } from "../parser/limits.js";
import type { Field, StructType, TypeDecl } from "./types.js";

interface Edge {
  readonly to: TypeDecl;
  /** A member or fixed array of the type itself: the value contains the target's value. */
  readonly byValue: boolean;
  readonly field: Field;
}

/** Members, arms and typedef body of a type. */
function fieldsOf(n: TypeDecl): readonly Field[] {
  switch (n.kind) {
    case "struct":
      return n.fields;
    case "union": {
      const out: Field[] = [n.discriminant];
      for (const a of n.arms) if (a.field) out.push(a.field);
      if (n.defaultArm) out.push(n.defaultArm);
      return out;
    }
    case "typedef":
      return [n.field];
    case "enum":
      return [];
  }
}

function edgesOf(n: TypeDecl): Edge[] {
  const out: Edge[] = [];
  for (const f of fieldsOf(n)) {
    if (!("type" in f)) continue;
    const t = f.type;
    const to =
      t.kind === "named"
        ? t.decl
        : t.kind === "inlineStruct"
          ? t.struct
          : t.kind === "inlineUnion"
            ? t.union
            : t.kind === "inlineEnum"
              ? t.enumType
              : null;
    if (to)
      out.push({
        to,
        byValue: f.shape === "scalar" || f.shape === "fixedArray",
        field: f,
      });
  }
  return out;
}

/**
 * A struct whose last member is an optional pointer to the struct itself
 * (`struct node { int v; node *next; }`): its codec walks the list in a loop, so that member
 * is no recursion at run time.
 */
export function listTailOf(s: StructType): Field | null {
  const last = s.fields[s.fields.length - 1];
  return last !== undefined &&
    last.shape === "optional" &&
    last.type.kind === "named" &&
    last.type.decl === s
    ? last
    : null;
}

class Graph {
  private readonly edges = new Map<TypeDecl, Edge[]>();

  constructor(private readonly keep: (e: Edge, from: TypeDecl) => boolean) {}

  out(n: TypeDecl): Edge[] {
    let e = this.edges.get(n);
    if (!e) {
      e = edgesOf(n).filter((x) => this.keep(x, n));
      this.edges.set(n, e);
    }
    return e;
  }

  /** Strongly connected components, each listed after every component it reaches. */
  components(roots: readonly TypeDecl[]): TypeDecl[][] {
    const index = new Map<TypeDecl, number>();
    const low = new Map<TypeDecl, number>();
    const onStack = new Set<TypeDecl>();
    const stack: TypeDecl[] = [];
    const out: TypeDecl[][] = [];
    const work: { node: TypeDecl; edges: Edge[]; i: number }[] = [];
    const enter = (n: TypeDecl): void => {
      const i = index.size;
      index.set(n, i);
      low.set(n, i);
      stack.push(n);
      onStack.add(n);
      work.push({ node: n, edges: this.out(n), i: 0 });
    };
    for (const root of roots) {
      if (index.has(root)) continue;
      enter(root);
      while (work.length > 0) {
        const top = work[work.length - 1]!;
        if (top.i < top.edges.length) {
          const w = top.edges[top.i++]!.to;
          if (!index.has(w)) enter(w);
          else if (onStack.has(w))
            low.set(top.node, Math.min(low.get(top.node)!, index.get(w)!));
          continue;
        }
        work.pop();
        const parent = work[work.length - 1];
        if (parent)
          low.set(
            parent.node,
            Math.min(low.get(parent.node)!, low.get(top.node)!),
          );
        if (low.get(top.node) === index.get(top.node)) {
          const comp: TypeDecl[] = [];
          let w: TypeDecl;
          do {
            w = stack.pop()!;
            onStack.delete(w);
            comp.push(w);
          } while (w !== top.node);
          out.push(comp);
        }
      }
    }
    return out;
  }

  isCycle(comp: readonly TypeDecl[]): boolean {
    return comp.length > 1 || this.out(comp[0]!).some((e) => e.to === comp[0]);
  }

  /** A shortest cycle from `start` back to it, inside `comp` (breadth-first). */
  cycleThrough(start: TypeDecl, comp: readonly TypeDecl[]): TypeDecl[] {
    const inComp = new Set(comp);
    const parent = new Map<TypeDecl, TypeDecl>();
    const queue: TypeDecl[] = [start];
    for (let q = 0; q < queue.length; q++) {
      const n = queue[q]!;
      for (const e of this.out(n)) {
        if (e.to === start) {
          const path = [start];
          for (let x: TypeDecl = n; x !== start; x = parent.get(x)!)
            path.push(x);
          return [start, ...path.slice(1).reverse(), start];
        }
        if (inComp.has(e.to) && !parent.has(e.to) && e.to !== start) {
          parent.set(e.to, n);
          queue.push(e.to);
        }
      }
    }
    return [start, start];
  }
}

/** Rejects typedef cycles, types containing themselves by value and over-deep type chains. */
export function checkTypeGraph(types: readonly TypeDecl[]): void {
  const own = new Set(types);
  /** The component's type declared first in this file (only asked on the way to an error). */
  const first = (comp: readonly TypeDecl[]): TypeDecl => {
    const inComp = new Set(comp);
    return types.find((t) => inComp.has(t)) ?? comp[0]!;
  };
  const names = (cycle: readonly TypeDecl[]) =>
    shorten(cycle.map((t) => t.name)).join(" -> ");

  const byValue = new Graph((e) => e.byValue);
  for (const comp of byValue.components(types)) {
    if (!byValue.isCycle(comp) || !comp.some((t) => own.has(t))) continue;
    const start = first(comp);
    const cycle = byValue.cycleThrough(start, comp);
    throw XdrDiagnosticError.at(
      start.loc,
      cycle.every((t) => t.kind === "typedef")
        ? `typedef cycle: ${names(cycle)}`
        : `${start.kind} '${start.name}' contains itself by value (${names(cycle)}): its values would be infinite; recurse through '*' or a variable-length array`,
    );
  }

  const all = new Graph(() => true);
  const comps = all.components(types);
  for (const comp of comps) {
    if (
      all.isCycle(comp) &&
      comp.every((t) => t.kind === "typedef") &&
      comp.some((t) => own.has(t))
    ) {
      const start = first(comp);
      throw XdrDiagnosticError.at(
        start.loc,
        `typedef cycle: ${names(all.cycleThrough(start, comp))}`,
      );
    }
  }

  // Longest chain, counting each component once: components come after those they reach.
  const depth = new Map<TypeDecl, number>();
  const deeper = new Map<TypeDecl, TypeDecl>();
  for (const comp of comps) {
    const inComp = new Set(comp);
    let d = 0;
    let via: TypeDecl | undefined;
    for (const n of comp)
      for (const e of all.out(n))
        if (!inComp.has(e.to) && depth.get(e.to)! > d) {
          d = depth.get(e.to)!;
          via = e.to;
        }
    for (const n of comp) {
      depth.set(n, d + 1);
      if (via) deeper.set(n, via);
    }
  }
  for (const t of types) {
    const d = depth.get(t)!;
    if (d <= MAX_TYPE_DEPTH) continue;
    const chain: string[] = [];
    for (let x: TypeDecl | undefined = t; x; x = deeper.get(x))
      chain.push(x.name);
    throw XdrDiagnosticError.at(
      t.loc,
      `${t.kind} '${t.name}' starts a chain of ${d} types containing one another (${shorten(chain).join(" -> ")}), more than virt-rpcgen's limit of ${MAX_TYPE_DEPTH}`,
    );
  }
}

/**
 * Types that can recur at run time: members of a cycle once list tails (see `listTailOf`) are
 * left out. Their codecs count nesting against the runtime's depth limit.
 */
export function recursiveTypes(types: readonly TypeDecl[]): Set<TypeDecl> {
  const g = new Graph(
    (e, from) => !(from.kind === "struct" && listTailOf(from) === e.field),
  );
  const out = new Set<TypeDecl>();
  for (const comp of g.components(types))
    if (g.isCycle(comp)) for (const t of comp) out.add(t);
  return out;
}

function shorten(names: readonly string[]): string[] {
  return names.length <= 6
    ? [...names]
    : [...names.slice(0, 3), `… ${names.length - 4} more …`, names.at(-1)!];
}
