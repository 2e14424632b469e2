/**
 * Codecs that must not recurse once per level of the value.
 *
 * A struct whose last member points to the struct itself is a linked list:
 *
 * ```
 * struct node {              decode(r) {
 *     int v;          →        for (;;) { …decode v…; link the node; if (!r.presence()) return head; }
 *     node *next;            }
 * };
 * ```
 * Its codec walks the list in a loop, so a list of a million nodes needs one stack frame. An
 * error names the node by how many `next` links lead to it (`node.next(×41).v`); encoding a
 * list whose links loop back (a cyclic object graph) is an error, found by a pointer moving at
 * half speed (Floyd), instead of an endless loop.
 *
 * The codecs of other recursive types (`recursiveTypes`) count their nesting against the
 * runtime's depth limit: `enter()` on the way in, `depth--` on the way out.
 */
import type { Field, StructType } from "../model/types.js";
import {
  decodeField,
  encodeField,
  type BodyContext,
} from "./ts-codec-bodies.js";
import { literalKey, localName, prop, tsTypeName } from "./ts-names.js";

export interface CodecBodies {
  readonly encode: string[];
  readonly decode: string[];
}

export function listCodecBodies(
  s: StructType,
  tail: Field,
  ctx: BodyContext,
): CodecBodies {
  const typeName = tsTypeName(s.name);
  const members = s.fields.slice(0, -1);
  const tailPath = JSON.stringify(tail.name);
  const firstPath = JSON.stringify((members[0] ?? tail).name);
  const step = (f: Field, stmts: string[]) => [
    `f = ${JSON.stringify(f.name)};`,
    ...stmts,
  ];
  const encode = [
    `let cur = v;`,
    `let slow = v;`,
    `let k = 0;`,
    `let f = ${firstPath};`,
    `try {`,
    `for (;;) {`,
    ...members.flatMap((f) =>
      step(f, encodeField(f, prop("cur", f.name), ctx)),
    ),
    `f = ${tailPath};`,
    `const next = ${prop("cur", tail.name)};`,
    `if (next === null) {`,
    `w.presence(false);`,
    `return;`,
    `}`,
    `w.presence(true);`,
    `cur = next;`,
    `k++;`,
    `if ((k & 1) === 0) slow = ${prop("slow", tail.name)}!;`,
    `if (cur === slow) {`,
    `throw new ${ctx.runtime("XdrError")}("value-out-of-range", w.length, "the list links back to an earlier node");`,
    `}`,
    `}`,
    `} catch (e) {`,
    `throw ${ctx.runtime("prependXdrRepeat")}(e, ${tailPath}, k, f);`,
    `}`,
  ];
  const fields = [
    ...members.map((f) => `${literalKey(f.name)}: ${localName(f.name)}`),
    `${literalKey(tail.name)}: null`,
  ];
  const decode = [
    `let head: ${typeName} | undefined;`,
    `let last: ${typeName} | undefined;`,
    `let k = 0;`,
    `let f = ${firstPath};`,
    `try {`,
    `for (;;) {`,
    ...members.flatMap((f) => step(f, decodeField(f, localName(f.name), ctx))),
    `const cur: ${typeName} = { ${fields.join(", ")} };`,
    `if (last === undefined) head = cur;`,
    // Assigning `__proto__` would set the prototype: that member is defined instead.
    tail.name === "__proto__"
      ? `else Object.defineProperty(last, "__proto__", { value: cur, enumerable: true, writable: true, configurable: true });`
      : `else ${prop("last", tail.name)} = cur;`,
    `last = cur;`,
    `f = ${tailPath};`,
    `if (!r.presence()) return head!;`,
    `k++;`,
    `}`,
    `} catch (e) {`,
    `throw ${ctx.runtime("prependXdrRepeat")}(e, ${tailPath}, k, f);`,
    `}`,
  ];
  return { encode, decode };
}

/** Bodies of a recursive type's codec, counting its nesting against the runtime's limit. */
export function depthLimited(bodies: CodecBodies): CodecBodies {
  const wrap = (io: "w" | "r", body: string[]) => [
    `${io}.enter();`,
    `try {`,
    ...body,
    `} finally {`,
    `${io}.depth--;`,
    `}`,
  ];
  return { encode: wrap("w", bodies.encode), decode: wrap("r", bodies.decode) };
}
