/**
 * Helpers every command uses: parse options with zod at the boundary, build
 * the context, print JSON, and funnel errors into the one error sink.
 */

import * as z from 'zod/mini';
import type { $ZodType, output } from 'zod/v4/core';
import { type ContextOptions, createContext, type LoomContext } from '../context.js';
import '../core/zod-messages.js';
import { LoomError } from '../errors.js';
import type { CommandEnv } from '../io.js';

export { type CommandEnv, defaultCommandEnv, printJson, reportError } from '../io.js';

// zod/mini here and in `loom status`: full zod is ~280 KB to load, and status runs often. parseOptions takes
// either kind of schema.
export function parseOptions<T extends $ZodType>(schema: T, raw: unknown): output<T> {
  const result = z.safeParse(schema, raw);
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((issue) => `${issue.path.join('.') || 'argument'}: ${issue.message}`)
    .join('; ');
  throw new LoomError('USAGE', `Invalid arguments: ${problems}.`, { hint: 'See --help for this command.' });
}

/** An issue or pull request number given on the command line: digits only (rejects `../1`, `1;rm`). */
export const issueNumber = z
  .pipe(
    z.string().check(z.regex(/^#?\d{1,9}$/, 'must be an issue number like 123')),
    z.transform((s: string) => Number(s.replace('#', ''))),
  )
  .check(z.refine((n: number) => n > 0, 'must be positive'));

export function context(
  env: CommandEnv,
  options: Omit<ContextOptions, 'cwd' | 'env' | 'io'> = {},
): Promise<LoomContext> {
  return createContext({ cwd: env.cwd, env: env.env, io: env.io, ...options });
}
