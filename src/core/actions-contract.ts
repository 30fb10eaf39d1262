/**
 * The contract between a daemon that dispatches a shepherd to a GitHub Actions
 * runner and the workflow that runs it: the workflow's file name, its
 * `workflow_dispatch` inputs, and the run name GitHub shows as each run's
 * `display_title`. The run name carries the issue and the slot, so ONE list
 * request (`GET /repos/{owner}/{repo}/actions/runs?event=workflow_dispatch`)
 * matches every dispatched run to its slot; a dispatch answers with no run id.
 *
 * Both sides read these constants: the workflow generator writes them into
 * `.github/workflows/loom-shepherd.yml`, the daemon uses them to dispatch and
 * to match runs. Changing one means regenerating the installed workflow.
 */

/** The shepherd workflow's file name under `.github/workflows/` (the REST API names a workflow by it). */
export const SHEPHERD_WORKFLOW = 'loom-shepherd.yml';

/**
 * The `workflow_dispatch` inputs of the shepherd workflow. All are strings on the wire.
 * - `issue`: the issue number (digits only; the workflow refuses anything else before Claude runs).
 * - `slot`: the daemon's slot name for this run, e.g. `actions-1`.
 * - `args`: extra `/shepherd` flags (e.g. `--force-merge`), may be empty.
 * - `claim`: the claim token the dispatching daemon holds for the issue, so the run works under that claim.
 */
export const ShepherdInput = { issue: 'issue', slot: 'slot', args: 'args', claim: 'claim' } as const;

/** A slot name as it may appear in a run name: lowercase letters, a dash, a number (`shepherd-2`, `actions-1`). */
const SLOT_PATTERN = '[a-z]+-[1-9][0-9]?';

/** The workflow's `run-name:` value (a GitHub expression, evaluated when the run is created). */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a JavaScript template
export const SHEPHERD_RUN_NAME = 'loom shepherd #${{ inputs.issue }} (${{ inputs.slot }})';

/** The display title GitHub gives a run dispatched with these inputs (what `SHEPHERD_RUN_NAME` evaluates to). */
export function shepherdRunName(issue: number, slot: string): string {
  return `loom shepherd #${issue} (${slot})`;
}

const RUN_NAME = new RegExp(`^loom shepherd #([1-9][0-9]*) \\((${SLOT_PATTERN})\\)$`);

/** The issue and slot a run's display title names, or null for any other run (not Loom's, or malformed). */
export function parseShepherdRunName(displayTitle: string): { issue: number; slot: string } | null {
  const match = RUN_NAME.exec(displayTitle);
  if (!match) return null;
  return { issue: Number(match[1]), slot: match[2] as string };
}

/**
 * The step the shepherd workflow runs on the runner after checkout and before Claude Code starts:
 * `loom adopt-claim` (src/commands/adopt.ts). It checks on GitHub that issue `issue` is
 * `loom:building` and that its claim comment carries the token `claim` (the dispatching daemon's claim),
 * and then writes what the fresh checkout needs so that `/shepherd`'s `loom progress`, `loom checkpoint`
 * and `loom release` work unchanged there: the claim lock `.loom/claims/issue-N.json` (token, comment id:
 * heartbeats edit the daemon's claim comment in place, visible to every clone) and the slot in
 * `.loom/daemon-state.json`. It refuses anything else with a typed error and a non-zero exit code, and the
 * job must then stop before Claude runs (see `loom adopt-claim --help` for the codes).
 *
 * Run it as an argument array (a `run:` line with exactly these words), never with a `${{ }}` expression
 * in the script: the inputs reach it only through the environment variables of `ADOPT_CLAIM_ENV`, set in
 * the step's `env:` from the inputs. `gh` on the runner needs `GH_TOKEN` in `env:` as well
 * (`${{ github.token }}`, with `issues: write`), since the command reads and edits the issue's comments.
 */
export const ADOPT_CLAIM_COMMAND = ['node', '.loom/scripts/loom', 'adopt-claim'] as const;

/**
 * Environment variable → `workflow_dispatch` input, for the adopt step's `env:` block, e.g.
 * `LOOM_ISSUE: ${{ inputs.issue }}`. `adopt-claim` reads exactly these variables (flags
 * `--issue`, `--slot`, `--token` override them, for a person running it by hand).
 */
export const ADOPT_CLAIM_ENV = {
  LOOM_ISSUE: ShepherdInput.issue,
  LOOM_SLOT: ShepherdInput.slot,
  LOOM_CLAIM_TOKEN: ShepherdInput.claim,
} as const;

/** The `env:` entry giving `gh` its token on the runner (a GitHub expression, not a JavaScript template). */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a JavaScript template
export const ADOPT_CLAIM_GH_ENV = { GH_TOKEN: '${{ github.token }}' } as const;
