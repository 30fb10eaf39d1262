/**
 * Text a model wrote reaches Loom as a file, never as a shell argument: the
 * prompts have the model Write `.loom/tmp/<name>.md` and pass its path, so no
 * issue title, body, comment or branch name is ever part of a command line
 * (docs/SECURITY.md). This reads such a file with clear errors.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LoomError } from '../errors.js';

const MAX_BYTES = 60_000;

export async function readTextFile(cwd: string, file: string, what: string): Promise<string> {
  const full = path.resolve(cwd, file);
  let text: string;
  try {
    text = await readFile(full, 'utf8');
  } catch (error) {
    throw new LoomError(
      'USAGE',
      `Cannot read the ${what} file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`,
      {
        hint: 'Write the text with the Write tool first (under .loom/tmp/), then pass that path.',
      },
    );
  }
  if (Buffer.byteLength(text) > MAX_BYTES)
    throw new LoomError('USAGE', `The ${what} file ${file} is larger than ${MAX_BYTES} bytes.`, {
      hint: 'Shorten the text.',
    });
  if (!text.trim())
    throw new LoomError('USAGE', `The ${what} file ${file} is empty.`, { hint: 'Write the text into it.' });
  return text.replace(/\s+$/, '');
}

/** A title and body from one file: the first line (a leading `# ` dropped) is the title, the rest the body. */
export function splitTitle(text: string): { title: string; body: string } {
  const [first = '', ...rest] = text.split('\n');
  const title = first.replace(/^#+\s*/, '').trim();
  if (!title)
    throw new LoomError('USAGE', 'The first line of the file must be the title.', {
      hint: 'Start the file with "# <title>", then the body.',
    });
  return { title: title.slice(0, 250), body: rest.join('\n').trim() };
}

/** One line for a progress result: first line, at most 300 characters (longer is cut, never refused). */
export function oneLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim()) ?? '';
  return line.length > 300 ? `${line.slice(0, 297)}...` : line.trim();
}
