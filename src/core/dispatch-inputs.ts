/**
 * The shepherd workflow's first check on a runner (`loom actions check-inputs`): the `workflow_dispatch`
 * inputs are whatever anyone with write access typed or sent, so before Claude Code sees them they must be
 * an issue number, a slot name the run name can carry, and only `/shepherd`'s own flags. The prompt is then
 * built here from the checked values, never from the raw text.
 */
import { parseShepherdRunName, shepherdRunName } from './actions-contract.js';
import { shepherdArgsProblem } from './config.js';

export interface DispatchInputs {
  issue?: string;
  slot?: string;
  args?: string;
}

export type CheckedInputs =
  | { ok: true; issue: number; slot: string; args: string[]; prompt: string }
  | { ok: false; problems: string[] };

/** Checks the inputs; the prompt is `/shepherd <issue> <args…>` with the args normalised to single spaces. */
export function checkDispatchInputs(raw: DispatchInputs): CheckedInputs {
  const problems: string[] = [];
  const issueText = (raw.issue ?? '').trim();
  const issue = /^[1-9][0-9]{0,8}$/.test(issueText) ? Number(issueText) : undefined;
  if (issue === undefined)
    problems.push(`issue must be an issue number (digits only), got ${JSON.stringify(raw.issue ?? '')}`);
  const slot = (raw.slot ?? '').trim();
  // The run name carries the slot: a slot it cannot carry would leave the run unmatched by the daemon.
  if (!parseShepherdRunName(shepherdRunName(issue ?? 1, slot)))
    problems.push(`slot must be a slot name such as actions-1, got ${JSON.stringify(raw.slot ?? '')}`);
  const args = (raw.args ?? '').split(/\s+/).filter(Boolean);
  // `--resume` is the daemon's recovery flag; everything else is what shepherd_args may hold.
  const problem = shepherdArgsProblem(args.filter((arg) => arg !== '--resume').join(' '));
  if (problem)
    problems.push(`args: ${problem} (allowed: --force-pr or --force-merge, --to curated|pr|approved, --resume)`);
  if (args.filter((arg) => arg === '--resume').length > 1) problems.push('args: --resume given twice');
  if (problems.length || issue === undefined) return { ok: false, problems };
  return { ok: true, issue, slot, args, prompt: ['/shepherd', String(issue), ...args].join(' ') };
}
