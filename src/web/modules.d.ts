/**
 * @file Types of the modules the explorer build provides (see src/cli/explore-build.ts): the texts of
 * the built-in library generated from specs/, as the CLI reads them from disk, and the style sheet.
 */
interface SpecText {
  /** File stem: `attention-3pass`, `binding`, `transformers`. */
  readonly name: string;
  /** Path from the repository root, for diagnostics: `specs/designs/binding.yaml`. */
  readonly file: string;
  readonly text: string;
}

declare module 'fusemax:cascades' {
  const cascades: readonly SpecText[];
  export default cascades;
}
declare module 'fusemax:designs' {
  const designs: readonly SpecText[];
  export default designs;
}
declare module 'fusemax:workloads' {
  const workloads: readonly SpecText[];
  export default workloads;
}

declare module '*.css';
