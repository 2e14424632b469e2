/**
 * The client class: its head (constructor, `connect`, the `events` getter when the protocol
 * has libvirt event families), one chunk per method (ts-client-methods.ts) and its closing
 * brace. Members are chunks of their own, so a new procedure changes one chunk.
 *
 * ```
 * export class RemoteClient extends ProgramClient<RemoteClientCalls, RemoteClientEvents> {
 *   constructor(connection: RpcConnection) { super(connection, remoteClientProgram); }
 *   static async connect(target, options): Promise<RemoteClient> { … }
 *   get events(): RemoteEventSubscriptions { … }
 *   …one method per call procedure…
 * }
 * ```
 */
import { stableChunk, type Chunk } from "./chunks.js";
import type { ClientModuleContext } from "./ts-client-context.js";
import { printMethod, type ClientMethod } from "./ts-client-methods.js";
import { breakLine, genericHead, signature } from "./ts-layout.js";
import { jsDoc } from "./ts-text.js";

export function clientClassChunks(
  ctx: ClientModuleContext,
  methods: readonly ClientMethod[],
  hasHandshake: boolean,
): Chunk[] {
  // Members are formatted (when they need it) inside a stand-in class.
  const asMember = { wrap: { before: "class _ {", after: "}" } };
  return [
    {
      ...stableChunk(classHead(ctx, hasHandshake).join("\n")),
      wrap: { before: "", after: "}" },
    },
    ...methods.map((m) => ({ ...stableChunk(printMethod(m)), ...asMember })),
    { ...stableChunk("}"), join: "\n", verbatim: true },
  ];
}

/** The class declaration up to its methods: constructor, `connect` and `events`. */
function classHead(ctx: ClientModuleContext, hasHandshake: boolean): string[] {
  const { names, rt } = ctx;
  return [
    ...jsDoc([
      `Client of ${ctx.protocolName}.x: one method per call procedure, whatever its \`@generate\` (which says how libvirt writes its C, not what the wire carries).`,
    ]),
    ...genericHead(
      `export class ${names.client} extends `,
      rt("ProgramClient"),
      [names.calls, names.events],
      " {",
    ),
    `  constructor(connection: ${rt("RpcConnection")}) {`,
    `    super(connection, ${names.program});`,
    "  }",
    "",
    ...connectMethod(ctx, hasHandshake),
    ...eventsGetter(ctx),
  ];
}

/** `static async connect(target, options)`: a connection with the session opened on it. */
function connectMethod(
  ctx: ClientModuleContext,
  hasHandshake: boolean,
): string[] {
  const { names, rt } = ctx;
  const doc = hasHandshake
    ? `Connects to \`target\` (a libvirt URI such as \`test+unix:///default?socket=/tmp/x/libvirt-sock\`, or a socket) and opens the session as libvirt's client does (see the runtime's \`openSession\`).`
    : `Connects to \`target\` (a libvirt URI or a socket); the program has no handshake of its own. A program that rides on another's connection (libvirt's qemu and lxc share remote's) takes that one instead: \`new ${names.client}(connection)\`.`;
  return [
    ...jsDoc([doc], "  "),
    ...signature(
      "  ",
      "static async connect",
      [
        `target: string | ${rt("ConnectTarget")}`,
        `options?: ${rt("ConnectOptions")}`,
      ],
      `Promise<${names.client}>`,
    ),
    ...breakLine(
      `    return new ${names.client}(await ${rt("openSession")}(${names.program}, target, options));`,
    ),
    "  }",
  ];
}

/** `get events()`, when the protocol has libvirt event families (ts-client-subscriptions.ts). */
function eventsGetter({ families, names }: ClientModuleContext): string[] {
  const first = families[0]?.events[0];
  if (!first) return [];
  return [
    "",
    ...jsDoc(
      [
        `Event subscriptions, one per libvirt event ID: \`client.events.${first.name}()\` registers with the server and yields its events.`,
      ],
      "  ",
    ),
    `  get events(): ${names.subscriptions} {`,
    `    return new ${names.subscriptions}(this);`,
    "  }",
  ];
}
