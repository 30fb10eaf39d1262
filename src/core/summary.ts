/**
 * The one line a `/loom` parent keeps per iteration (DESIGN.md §4.5):
 * `ready=N building=N shepherds=A/M [+shepherd=#N…] [+architect] [+hermit]
 * [+guide] [+champion] [+doctor] [completed=#N…] [stuck=N] [warn=N]`,
 * or exactly `SHUTDOWN_SIGNAL`.
 */
import type { SupportRoleName } from './daemon-state.js';

export const SHUTDOWN_SIGNAL = 'SHUTDOWN_SIGNAL';

export interface SummaryFacts {
  ready: number | null;
  building: number | null;
  activeShepherds: number;
  maxShepherds: number;
  spawnedIssues: number[];
  spawnedRoles: SupportRoleName[];
  completedIssues: number[];
  stuck: number;
  warnings: number;
}

const ROLE_ORDER: SupportRoleName[] = ['architect', 'hermit', 'guide', 'curator', 'judge', 'champion', 'doctor'];

export function summaryLine(facts: SummaryFacts): string {
  const count = (n: number | null) => (n === null ? '?' : String(n));
  const tokens = [
    `ready=${count(facts.ready)}`,
    `building=${count(facts.building)}`,
    `shepherds=${facts.activeShepherds}/${facts.maxShepherds}`,
    ...facts.spawnedIssues.map((n) => `+shepherd=#${n}`),
    ...ROLE_ORDER.filter((role) => facts.spawnedRoles.includes(role)).map((role) => `+${role}`),
    ...facts.completedIssues.map((n) => `completed=#${n}`),
  ];
  if (facts.stuck > 0) tokens.push(`stuck=${facts.stuck}`);
  if (facts.warnings > 0) tokens.push(`warn=${facts.warnings}`);
  return tokens.join(' ');
}
