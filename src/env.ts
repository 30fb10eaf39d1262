/**
 * Every environment variable Loom reads, in one place (listed in the README).
 * Commands take these through this module so tests can see what matters.
 */
import { LoomError } from './errors.js';

export const envVars = {
  /** Override `owner/name` of the repository (else GH_REPO, else the `origin` remote). */
  LOOM_REPO: 'LOOM_REPO',
  /** Path to the `gh` executable (default: `gh` on PATH). */
  LOOM_GH: 'LOOM_GH',
  /** Timeout for one `gh` call, in seconds (default 30). */
  LOOM_GH_TIMEOUT: 'LOOM_GH_TIMEOUT',
  /** Fixed "now" as an ISO date, for tests and demos that need a repeatable clock. */
  LOOM_NOW: 'LOOM_NOW',
  /** `loom run`: path of the Claude Code binary its workers run (default: config `claude.command`, else `claude` on PATH). */
  LOOM_CLAUDE: 'LOOM_CLAUDE',
  /** `loom actions check-inputs` (the shepherd workflow): the dispatch's `issue` input. */
  LOOM_ISSUE: 'LOOM_ISSUE',
  /** `loom actions check-inputs` (the shepherd workflow): the dispatch's `slot` input. */
  LOOM_SLOT: 'LOOM_SLOT',
  /** `loom actions check-inputs` (the shepherd workflow): the dispatch's `args` input (`/shepherd` flags). */
  LOOM_ARGS: 'LOOM_ARGS',
  /** Test-only fault injection: `step` names at which the CLI kills itself (see src/faults.ts). */
  LOOM_FAULT_KILL_AT: 'LOOM_FAULT_KILL_AT',
} as const;

/**
 * A duration in seconds from the environment, checked: undefined/empty gives
 * `fallback`; anything that is not a number within [min, max] is a USAGE error
 * naming the variable (never NaN or a negative timeout reaching a child process).
 */
export function readSecondsEnv(
  name: keyof typeof envVars,
  env: NodeJS.ProcessEnv,
  bounds: { min: number; max: number; fallback: number },
): number {
  const raw = readEnv(name, env);
  if (raw === undefined) return bounds.fallback;
  const value = Number(raw);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(raw) || !Number.isFinite(value) || value < bounds.min || value > bounds.max)
    throw new LoomError('USAGE', `${name}="${raw}" is not a number of seconds from ${bounds.min} to ${bounds.max}.`, {
      hint: `Set ${name} to such a number (e.g. ${name}=${bounds.fallback}), or unset it for the default (${bounds.fallback}).`,
    });
  return value;
}

export function readEnv(name: keyof typeof envVars, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[envVars[name]];
  return value === undefined || value === '' ? undefined : value;
}
