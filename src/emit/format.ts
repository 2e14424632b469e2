/**
 * Prettier is the style authority for generated TypeScript: every file is formatted in-process,
 * once, before it is compared or written, so golden and staleness checks see final bytes.
 * The project's prettier config for the output path is honoured, and `filepath` is always set
 * (without it prettier's TypeScript parser runs a quadratic JSX-detection pass).
 */
import * as prettier from "prettier";

export async function formatTypeScript(code: string, filepath: string): Promise<string> {
  const config = (await prettier.resolveConfig(filepath, { editorconfig: false })) ?? {};
  return prettier.format(code, { ...config, parser: "typescript", filepath });
}
