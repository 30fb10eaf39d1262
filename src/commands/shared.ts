/**
 * Helpers every command uses: parse options with zod at the boundary, build
 * the context, print JSON, and funnel errors into the one error sink.
 */
import * as z from 'zod/mini';
import '../core/zod-setup.js';
import { type ContextOptions, createContext, type LoomContext } from '../context.js';
import { LoomError } from '../errors.js';
import type { CommandEnv } from '../io.js';

export { type CommandEnv, defaultCommandEnv, printJson, reportError } from '../io.js';

/**
 * The one runner type: what src/cli.ts hands every command module's `register(program, run)`. A command's action
 * calls `run(fn, json)`; `fn` receives the command environment (cwd, env, io, gh, clock, faults) and resolves to
 * the exit code (`undefined` means 0). `run` sends any thrown error to the one error sink, which prints it as text,
 * or as a JSON error object when `json` is true (the command was given --json), and sets the matching exit code.
 */
export type Run = (fn: (env: CommandEnv) => Promise<number | void>, json?: boolean) => Promise<void>;

/** Parses a command's options with its schema (classic zod or zod/mini: both are zod 4 core schemas). */
export function parseOptions<T extends z.core.$ZodType>(schema: T, raw: unknown): z.infer<T> {
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
  .check(z.refine((n) => n > 0, 'must be positive'));

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
