// Renders the full generated tree for libvirt's 9 protocols in memory, optionally with
// remote_protocol.x edited, for golden-diff tests.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  DEFAULT_RUNTIME_IMPORT,
  loadProtocols,
  renderOutputs,
  type OutputFile,
} from "../../src/index.js";
import {
  LIBVIRT_X_FILES,
  REPO_ROOT,
  ensureProtocolFiles,
} from "./protocol-files.js";

export async function renderLibvirtTree(
  editRemote?: (text: string) => string,
): Promise<Map<string, string>> {
  const dir = ensureProtocolFiles();
  const files = LIBVIRT_X_FILES.map((n) => join(dir, `${n}.x`));
  const remote = join(dir, "remote_protocol.x");
  const protocols = loadProtocols(files, {
    readFile: (p) =>
      editRemote && p === remote
        ? editRemote(readFileSync(p, "utf8"))
        : readFileSync(p),
  });
  const out: OutputFile[] = await renderOutputs(
    protocols,
    join(REPO_ROOT, "generated"),
    DEFAULT_RUNTIME_IMPORT,
  );
  return new Map(out.map((f) => [f.path, f.content]));
}
