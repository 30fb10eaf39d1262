/**
 * Phantom-label scanner (DESIGN.md §3.5): every `loom:` label a prompt or the code
 * uses must be declared in `.github/labels.yml`. Pure: takes file texts,
 * returns each undeclared use with its line.
 */
import * as z from 'zod';

/** `loom:` tokens that are not labels (markers Loom writes into comments). */
export const NON_LABEL_TOKENS: readonly string[] = ['loom:checkpoint', 'loom:claim'];

/** A token right after `<!--` is a hidden comment marker, not a label. */
const MARKER_PREFIX = /<!--\s*$/;

const TOKEN = /(?<![A-Za-z0-9_./-])loom:[a-z][a-z0-9-]*/g;

export const PhantomSchema = z.object({ label: z.string(), file: z.string(), line: z.number().int().positive() });
export type Phantom = z.infer<typeof PhantomSchema>;

/** Every `loom:` label used in `text` (with line numbers), trailing hyphens dropped. */
export function labelUses(text: string): { label: string; line: number }[] {
  const out: { label: string; line: number }[] = [];
  text.split('\n').forEach((line, i) => {
    for (const m of line.matchAll(TOKEN)) {
      const label = m[0].replace(/-+$/, '');
      if (NON_LABEL_TOKENS.includes(label) || MARKER_PREFIX.test(line.slice(0, m.index))) continue;
      out.push({ label, line: i + 1 });
    }
  });
  return out;
}

/** Uses of labels that `declared` does not contain, in file order. */
export function findPhantomLabels(files: { file: string; text: string }[], declared: Iterable<string>): Phantom[] {
  const known = new Set([...declared].map((l) => l.toLowerCase()));
  return files.flatMap(({ file, text }) =>
    labelUses(text)
      .filter((u) => !known.has(u.label.toLowerCase()))
      .map((u) => ({ label: u.label, file, line: u.line })),
  );
}
