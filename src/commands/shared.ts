/**
 * Helpers every command uses: parse options with zod at the boundary, build
 * the context, print JSON, and funnel errors into the one error sink.
 */
import { z } from 'zod';
import { type ContextOptions, createContext, type LoomContext, type Output, processOutput } from '../context.js';
import { redactSecrets } from '../core/sanitize.js';
import { LoomError } from '../errors.js';

/** Per-process settings the CLI entry passes to commands (tests pass their own). */
export interface CommandEnv {
  cwd: string;
  env: NodeJS.ProcessEnv;
  io: Output;
}

export const defaultCommandEnv = (): CommandEnv => ({ cwd: process.cwd(), env: process.env, io: processOutput });

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
  return createContext({ cwd: env.cwd, env: env.env, io: env.io, ...options });
}

export function printJson(io: Output, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

/**
 * The one error sink. Typed errors print their message and next step (or a
 * JSON envelope with --json) and set the documented exit code; anything else
 * is a bug and prints its stack.
 */
export function reportError(error: unknown, io: Output, json: boolean, secrets: (string | undefined)[] = []): number {
  if (error instanceof LoomError) {
    if (json) printJson(io, { ok: false, error: error.toJSON() });
    io.err(redactSecrets(`loom: ${error.message}`, secrets));
    if (error.hint) io.err(redactSecrets(`  → ${error.hint}`, secrets));
    return error.exitCode;
  }
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  if (json)
    printJson(io, {
      ok: false,
      error: { code: 'BUG', message: redactSecrets(String((error as Error)?.message ?? error), secrets) },
    });
  io.err(redactSecrets(`loom: unexpected error (a bug; please report it):\n${text}`, secrets));
  return 1;
}
