/** One file `generate` renders: where it goes under the output folder, and its text. */
export interface OutputFile {
  /** Path relative to outDir, with forward slashes. */
  readonly path: string;
  readonly content: string;
}
