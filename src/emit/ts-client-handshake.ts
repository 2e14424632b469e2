/**
 * The client's connection handshake, when the program follows libvirt's conventions: which
 * procedures open and close the session, list and run authentication, and ask for features.
 *
 * ```
 * REMOTE_PROC_CONNECT_OPEN = 1              const HANDSHAKE: HandshakeSpec<remote.remote_connect_open_args> = {
 *   (remote_connect_open_args: name, flags)   open: { proc: remote.REMOTE_PROC_CONNECT_OPEN, args: …, make: (name, flags) => ({ name, flags }) },
 * REMOTE_PROC_CONNECT_CLOSE = 2         →     close: { proc: remote.REMOTE_PROC_CONNECT_CLOSE },
 * REMOTE_PROC_AUTH_LIST = 66                  authList: { proc: remote.REMOTE_PROC_AUTH_LIST, ret: … }, …
 *                                           };
 * ```
 */
import { stableChunk, type Chunk } from "./chunks.js";
import {
  obj,
  printLiteral,
  raw,
  type Literal,
  type ObjectEntry,
} from "./literal-printer.js";
import type { ClientModuleContext } from "./ts-client-context.js";
import { jsDoc } from "./ts-text.js";

export interface HandshakeSpec {
  readonly literal: Literal;
  /** The connect-open args' type (`HandshakeSpec<…>`). */
  readonly argsType: string;
}

/**
 * The handshake when the program follows libvirt's conventions: `<P>_PROC_CONNECT_OPEN` whose
 * args are (a subset of) `name` and `flags`, plus optional AUTH_LIST, AUTH_POLKIT,
 * AUTH_SASL_INIT/START/STEP, CONNECT_SUPPORTS_FEATURE and CONNECT_CLOSE.
 */
export function handshakeSpec(ctx: ClientModuleContext): HandshakeSpec | null {
  const { protocol: p, own, codecOf } = ctx;
  const find = (suffix: string) =>
    p.procedures.find((x) => x.constName === `${p.procPrefix}_${suffix}`);
  const open = find("CONNECT_OPEN");
  if (
    !open ||
    !open.args ||
    !open.args.fields.every((f) => f.name === "name" || f.name === "flags")
  )
    return null;
  const make = open.args.fields.map((f) =>
    f.name === "name" ? "name" : "flags",
  );
  const params = `(${make.includes("name") ? "name" : "_name"}, ${make.includes("flags") ? "flags" : "_flags"})`;
  /**
   * `{ proc, args, ret }` of `<P>_PROC_<suffix>` when it exists and takes args (`args`) or
   * none, and answers a ret (`ret: true`) or none (`false`); an unchecked ret is not listed.
   */
  const call = (
    suffix: string,
    args: boolean,
    ret?: boolean,
  ): Literal | null => {
    const x = find(suffix);
    if (!x || !!x.args !== args || (ret !== undefined && !!x.ret !== ret))
      return null;
    return obj([
      { key: "proc", value: raw(own(x.constName)) },
      ...(args ? [{ key: "args", value: raw(codecOf(x.args)) }] : []),
      ...(ret ? [{ key: "ret", value: raw(codecOf(x.ret)) }] : []),
    ]);
  };
  const entries: ObjectEntry[] = [
    {
      key: "open",
      value: obj([
        { key: "proc", value: raw(own(open.constName)) },
        { key: "args", value: raw(codecOf(open.args)) },
        { key: "make", value: raw(`${params} => ({ ${make.join(", ")} })`) },
      ]),
    },
  ];
  const optional = (key: string, value: Literal | null) => {
    if (value) entries.push({ key, value });
  };
  optional("close", call("CONNECT_CLOSE", false));
  optional("authList", call("AUTH_LIST", false, true));
  optional("authPolkit", call("AUTH_POLKIT", false, true));
  const sasl = {
    init: call("AUTH_SASL_INIT", false, true),
    start: call("AUTH_SASL_START", true, true),
    step: call("AUTH_SASL_STEP", true, true),
  };
  if (sasl.init && sasl.start && sasl.step)
    optional(
      "authSasl",
      obj([
        { key: "init", value: sasl.init },
        { key: "start", value: sasl.start },
        { key: "step", value: sasl.step },
      ]),
    );
  optional("supportsFeature", call("CONNECT_SUPPORTS_FEATURE", true, true));
  return {
    literal: obj(entries, true),
    argsType: ctx.typeOfDecl(open.args),
  };
}

/** `const HANDSHAKE: HandshakeSpec<args> = {…};`, which the program description refers to. */
export function handshakeChunk(
  ctx: ClientModuleContext,
  spec: HandshakeSpec,
): Chunk {
  return stableChunk(
    [
      ...jsDoc([
        "libvirt's connection handshake for this program (see the runtime's `openSession`).",
      ]),
      ...printLiteral(
        spec.literal,
        0,
        `const HANDSHAKE: ${ctx.rt("HandshakeSpec")}<${spec.argsType}> = `,
        ";",
      ),
    ].join("\n"),
  );
}
