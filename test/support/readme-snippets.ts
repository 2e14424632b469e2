// The README's ```ts blocks as files for tsc (test/client/types.test.ts compiles them with the
// generated client's type tests: one tsc program, so they cost no second check of generated/).
// `./generated/remote_protocol/…` becomes this repository's generated/; `./generated/echo/…` is
// generated into the folder from the README's own echo.x block. Fragments that continue an
// earlier example get the declarations they lean on from PRELUDES: a new fragment that fails to
// compile needs one there (or its missing import in the README).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { REPO_ROOT } from "./protocol-files.js";
import { runOk } from "./run.js";

function fencedBlocks(markdown: string, lang: string): string[] {
  const fence = new RegExp("^```" + lang + "\\n([\\s\\S]*?)^```$", "gm");
  return [...markdown.matchAll(fence)].map((m) => m[1]!);
}

/** Declarations for fragments, chosen by a line the fragment contains. */
const PRELUDES: readonly { readonly when: string; readonly prelude: string }[] =
  [
    {
      when: "await client.domainGetSchedulerType(dom)",
      prelude: `import * as libvirt from "./generated/remote_protocol/index.js";
declare const client: libvirt.RemoteClient;
declare const dom: libvirt.remote_nonnull_domain;`,
    },
    {
      when: "await askPassword()",
      prelude: "declare function askPassword(): Promise<string>;",
    },
    {
      when: "if (r.s === OK) use(r.v);",
      prelude: `const OK = 0;
declare function use(v: number): void;
declare const r: res;`,
    },
  ];

/**
 * Writes README.md's TypeScript examples into `dir` (which must lie inside the repository, so
 * that `virt-rpcgen` and `virt-rpcgen-runtime` resolve) as snippet-N.ts, N counting the
 * README's ```ts blocks from 1; returns their paths.
 */
export async function writeReadmeSnippets(dir: string): Promise<string[]> {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  const snippets = fencedBlocks(readme, "ts");
  const echo = fencedBlocks(readme, "c").find((b) =>
    b.startsWith("/* echo.x */"),
  );
  if (snippets.length < 5 || echo === undefined)
    throw new Error(
      `README.md: expected at least 5 ts blocks and the echo.x block, found ${snippets.length} and ${echo === undefined ? "no" : "an"} echo.x`,
    );
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "echo.x"), echo);
  await runOk(process.execPath, [
    join(REPO_ROOT, "dist", "cli.js"),
    "generate",
    join(dir, "echo.x"),
    "--out",
    join(dir, "generated"),
    "--emit",
    "codecs,client,server",
    "--quiet",
  ]);
  const repoGenerated = relative(dir, join(REPO_ROOT, "generated"));
  return snippets.map((code, i) => {
    const prelude = PRELUDES.find((p) => code.includes(p.when))?.prelude ?? "";
    const text = `${prelude}\n${code}\nexport {};\n`.replaceAll(
      "./generated/remote_protocol/",
      `${repoGenerated.replaceAll("\\", "/")}/remote_protocol/`,
    );
    const file = join(dir, `snippet-${i + 1}.ts`);
    writeFileSync(file, text);
    return file;
  });
}
