/**
 * Helpers every command uses: parse options with zod at the boundary, build
 * the context, print JSON, and funnel errors into the one error sink.
 */
import { z } from 'zod';
import { type ContextOptions, createContext, type LoomContext } from '../context.js';
import { LoomError } from '../errors.js';
import type { CommandEnv } from '../io.js';

export { type CommandEnv, defaultCommandEnv, printJson, reportError } from '../io.js';

export function parseOptions<T extends z.ZodType>(schema: T, raw: unknown): z.infer<T> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((issue) => `${issue.path.join('.') || 'argument'}: ${issue.message}`)
    .join('; ');
  throw new LoomError('USAGE', `Invalid arguments: ${problems}.`, { hint: 'See --help for this command.' });
}

/** An issue or pull request number given on the command line: digits only (rejects `../1`, `1;rm`). */
export const issueNumber = z
  .string()
  .regex(/^#?\d{1,9}$/, 'must be an issue number like 123')
  .transform((s) => Number(s.replace('#', '')))
  .refine((n) => n > 0, 'must be positive');

export function context(
  env: CommandEnv,
  options: Omit<ContextOptions, 'cwd' | 'env' | 'io'> = {},
): Promise<LoomContext> {
  return createContext({
    cwd: env.cwd,
    env: env.env,
    io: env.io,
    gh: env.gh,
    clock: env.clock,
    faults: env.faults,
    ...options,
  });
}
