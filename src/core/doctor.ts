/**
 * `loom doctor`'s result: one entry per check, its shape (zod) and its
 * one-line rendering. The checks themselves (processes, files, GitHub) live in
 * src/commands/doctor.ts.
 */
import * as z from 'zod';

export const DOCTOR_CHECKS = [
  'node',
  'git',
  'install',
  'gh',
  'gh-auth',
  'repository',
  'labels',
  'config',
  'claude',
  'settings',
  'trusted',
  'worktrees',
  'locks',
] as const;

export const CheckSchema = z.object({
  id: z.enum(DOCTOR_CHECKS),
  ok: z.boolean(),
  /** What was found (a version, a host/owner/name, what is wrong). */
  detail: z.string(),
  /** The next step when the check failed. */
  fix: z.string().optional(),
});
export type Check = z.infer<typeof CheckSchema>;

/** `loom doctor --json`. */
export const DoctorJsonSchema = z.object({
  version: z.string(),
  build: z.string(),
  /** True when every check passed (exit code 0; else 17). */
  ok: z.boolean(),
  checks: z.array(CheckSchema),
});
export type DoctorJson = z.infer<typeof DoctorJsonSchema>;

export const pass = (id: Check['id'], detail: string): Check => ({ id, ok: true, detail });
export const fail = (id: Check['id'], detail: string, fix: string): Check => ({ id, ok: false, detail, fix });

/** One line: `✓ id: detail` or `✗ id: detail → fix`. */
export function renderCheck(check: Check): string {
  return check.ok ? `✓ ${check.id}: ${check.detail}` : `✗ ${check.id}: ${check.detail} → ${check.fix}`;
}

/** The major version of a `x.y.z` version string (NaN when there is none). */
export const majorOf = (version: string) => Number(/(\d+)\./.exec(version)?.[1] ?? Number.NaN);
