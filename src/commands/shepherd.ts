/**
 * The shepherd's deterministic steps (DESIGN.md §8.1–§8.4): `loom shepherd-phase` (what to
 * run next), `loom checkpoint` (remember it on the issue) and `loom await`
 * (wait between phases, honouring the stop file and `loom:abort`).
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import * as z from 'zod';
import type { LoomContext, Output } from '../context.js';
import { type AwaitCondition, AwaitOutcomeSchema, describeCondition } from '../core/await.js';
import { CheckpointSchema } from '../core/checkpoint.js';
import { allLabelNames } from '../core/labels.js';
import { decidePhase, PhaseSchema, phaseModel } from '../core/shepherd-phase.js';
import { type AwaitResult, awaitCondition, heartbeatQuietly } from '../daemon/await.js';
import { checkpointFrom, readCheckpoint, writeCheckpoint } from '../github/checkpoint.js';
import { readIssueWork } from '../github/issue-work.js';
import { exitCodeHelp } from './exit-codes.js';
import { issueNumber, parseOptions, printJson, type Run } from './shared.js';
import { mainContext } from './work-context.js';

export const ShepherdPhaseJsonSchema = z.object({
  issue: z.number().int().positive(),
  phase: PhaseSchema,
  pr: z.number().int().positive().nullable(),
  labels: z.array(z.string()),
  checkpoint: CheckpointSchema.nullable(),
  reason: z.string(),
  /** The Agent tool's `model` for this phase's role (config `models`, escalation applied), or null. */
  model: z.string().nullable(),
});
export type ShepherdPhaseJson = z.infer<typeof ShepherdPhaseJsonSchema>;

/** `loom checkpoint N --phase P --json`; reading prints the checkpoint itself (or null). */
export const CheckpointWriteJsonSchema = z.object({
  issue: z.number().int().positive(),
  checkpoint: CheckpointSchema,
  comment_id: z.string(),
  created: z.boolean(),
});

export const AwaitJsonSchema = z.object({
  issue: z.number().int().positive(),
  condition: z.string(),
  outcome: AwaitOutcomeSchema,
  exit_code: z.number().int(),
  waited_seconds: z.number().nonnegative(),
  polls: z.number().int().nonnegative(),
  pr: z.number().int().positive().nullable(),
  labels: z.array(z.string()),
});
export type AwaitJson = z.infer<typeof AwaitJsonSchema>;

const loomLabel = z
  .string()
  .refine(
    (l) => (allLabelNames as readonly string[]).includes(l),
    'must be a label declared in .github/labels.yml (e.g. loom:pr)',
  );
const phaseName = z
  .string()
  .regex(/^[a-z][a-z-]{0,19}$/, 'must be a phase name such as curator, builder, judge, doctor, merge');

export type CheckpointWriteJson = z.infer<typeof CheckpointWriteJsonSchema>;

export const ShepherdPhaseOptions = z.object({ issue: issueNumber, json: z.boolean().default(false) });
export type ShepherdPhaseOptions = z.infer<typeof ShepherdPhaseOptions>;
export const CheckpointOptions = z
  .object({
    issue: issueNumber,
    phase: phaseName.optional(),
    pr: z.optional(issueNumber),
    json: z.boolean().default(false),
  })
  .refine((o) => o.phase !== undefined || o.pr === undefined, {
    message: '--pr is only used with --phase',
    path: ['pr'],
  });
export type CheckpointOptions = z.infer<typeof CheckpointOptions>;
export const AwaitOptions = z
  .object({
    issue: issueNumber,
    label: loomLabel.optional(),
    merged: z.boolean().default(false),
    prLabel: loomLabel.optional(),
    pr: z.optional(issueNumber),
    timeout: z.coerce.number().int().nonnegative().max(86_400).optional(),
    interval: z.coerce.number().int().min(1).max(3600).optional(),
    json: z.boolean().default(false),
  })
  .refine((o) => [o.label !== undefined, o.merged, o.prLabel !== undefined].filter(Boolean).length === 1, {
    message: 'give exactly one of --label, --merged, --pr-label',
    path: ['condition'],
  });
export type AwaitOptions = z.infer<typeof AwaitOptions>;

export function register(program: Command, run: Run): void {
  program
    .command('shepherd-phase <issue>')
    .description(
      'Print the next phase a shepherd runs for an issue: curator, builder, judge, doctor, merge, done, blocked, aborted or stopped (.loom/stop-shepherds exists)',
    )
    .option('--json', 'print {issue, phase, pr, labels, checkpoint, reason, model}')
    .addHelpText(
      'after',
      `
Decided from the issue's labels, its open or merged PR (as \`loom pr-for\` finds it) and the checkpoint:
  done      issue closed or PR merged          aborted  loom:abort on the issue
  blocked   loom:blocked, or the doctor already ran 3 rounds and changes are requested again
  doctor    PR has loom:changes-requested or loom:treating, or merge conflicts
  judge     PR has loom:review-requested or loom:reviewing (or no review label yet)
  merge     PR has loom:pr                     builder  loom:issue, loom:building or loom:curated, no PR
  curator   loom:triage / loom:curating, or not curated yet
With config \`models\` set for the phase's role, a second word names the model for the role's Agent call
(\`doctor opus\`): an Agent tool alias (sonnet, opus, haiku); \`models.escalate_to\` for a Doctor on a PR with
loom:changes-requested, or a Builder after an earlier doctor round.
One GraphQL request (two when only the checkpoint knows the PR).
${exitCodeHelp('shepherd-phase')}
Example: .loom/scripts/loom shepherd-phase 123`,
    )
    .action((issue, raw) =>
      run(async (env) => {
        const options = parseOptions(ShepherdPhaseOptions, { ...raw, issue });
        return renderShepherdPhase(env.io, await shepherdPhase(await mainContext(env), options), options);
      }, Boolean(raw.json)),
    );

  program
    .command('checkpoint <issue>')
    .description("Read or write the shepherd's checkpoint comment on an issue")
    .option('--phase <phase>', 'write: the phase just reached (writing doctor counts a doctor round)')
    .option('--pr <number>', 'write: the PR of the issue (kept from the last checkpoint when omitted)')
    .option('--json', 'with --phase: print {issue, checkpoint, comment_id, created}')
    .addHelpText(
      'after',
      `
Without --phase: prints the checkpoint as JSON ({phase, pr, doctor_rounds, updated_at}) or null.
With --phase: edits the one checkpoint comment (<!-- loom:checkpoint {json} --> in its body) in place, or
creates it the first time, and records a heartbeat like \`loom progress\`.
${exitCodeHelp('checkpoint')}
Examples:
  .loom/scripts/loom checkpoint 123
  .loom/scripts/loom checkpoint 123 --phase judge --pr 130`,
    )
    .action((issue, raw) =>
      run(async (env) => {
        const options = parseOptions(CheckpointOptions, { ...raw, issue });
        return renderCheckpoint(env.io, await checkpoint(await mainContext(env), options), options);
      }, Boolean(raw.json)),
    );

  program
    .command('await <issue>')
    .description('Wait until a label appears on the issue or its PR, or the PR is merged (polls GitHub directly)')
    .option('--label <label>', 'wait for this label on the issue')
    .option('--merged', "wait for the issue's PR to be merged")
    .option('--pr-label <label>', "wait for this label on the issue's PR")
    .option('--pr <number>', 'the PR to watch (default: the one `loom pr-for` finds, re-read each poll)')
    .option('--timeout <seconds>', 'give up after this long (default wait_budget from .loom/config.json, 540)')
    .option('--interval <seconds>', 'seconds between GitHub reads (default poll_interval from .loom/config.json)')
    .option('--json', 'print {issue, condition, outcome, exit_code, waited_seconds, polls, pr, labels}')
    .addHelpText(
      'after',
      `
Give exactly one of --label, --merged, --pr-label. Each poll is one GraphQL request and a heartbeat.
.loom/stop-shepherds is checked at least twice a second; loom:abort and loom:blocked on the issue end the wait.
${exitCodeHelp('await')}
Examples:
  .loom/scripts/loom await 123 --label loom:issue --timeout 540
  .loom/scripts/loom await 123 --pr-label loom:pr --pr 130`,
    )
    .action((issue, raw) =>
      run(async (env) => {
        const options = parseOptions(AwaitOptions, { ...raw, issue });
        return renderAwait(env.io, await awaitIssue(await mainContext(env), options), options);
      }, Boolean(raw.json)),
    );
}

/** The next phase for the issue, from its labels, its PR and the checkpoint (one GraphQL request, two at most). */
export async function shepherdPhase(ctx: LoomContext, options: ShepherdPhaseOptions): Promise<ShepherdPhaseJson> {
  const repo = await ctx.repo();
  const work = await readIssueWork(ctx.gh, repo, options.issue, { comments: true });
  const checkpoint = checkpointFrom(work.comments ?? []);
  let pull = work.pull?.pull ?? null;
  if (!pull && checkpoint?.pr) {
    // The shepherd recorded a PR that GitHub does not link (yet): read it directly.
    const again = await readIssueWork(ctx.gh, repo, options.issue, { pr: checkpoint.pr }).catch(() => undefined);
    if (again?.explicit && again.explicit.state !== 'CLOSED') pull = again.explicit;
  }
  const decision = decidePhase(work.issue, pull, checkpoint, existsSync(ctx.paths.stopShepherds));
  const model = phaseModel((await ctx.config()).models, decision.phase, pull, checkpoint);
  return {
    issue: options.issue,
    phase: decision.phase,
    pr: pull?.number ?? null,
    labels: work.issue.labels,
    checkpoint,
    reason: decision.reason,
    model,
  };
}

/** Prints "<phase> [model]" (or --json); exit 0. */
export function renderShepherdPhase(io: Output, result: ShepherdPhaseJson, options: ShepherdPhaseOptions): number {
  if (options.json) printJson(io, result);
  else io.out(result.model ? `${result.phase} ${result.model}` : result.phase);
  return 0;
}

/** A checkpoint read (`phase` absent) or written; a write also records a heartbeat like `loom progress`. */
export type CheckpointResult =
  | { written: false; checkpoint: Awaited<ReturnType<typeof readCheckpoint>> }
  | { written: true; json: CheckpointWriteJson };

export async function checkpoint(ctx: LoomContext, options: CheckpointOptions): Promise<CheckpointResult> {
  const repo = await ctx.repo();
  if (options.phase === undefined)
    return { written: false, checkpoint: await readCheckpoint(ctx.gh, repo, options.issue) };
  const written = await writeCheckpoint(
    ctx.gh,
    repo,
    options.issue,
    { phase: options.phase, pr: options.pr },
    ctx.now(),
  );
  await heartbeatQuietly(
    ctx,
    options.issue,
    { phase: options.phase, pr: written.checkpoint.pr ?? undefined },
    ctx.io.err,
  );
  return {
    written: true,
    json: {
      issue: options.issue,
      checkpoint: written.checkpoint,
      comment_id: written.commentId,
      created: written.created,
    },
  };
}

/** A read prints the checkpoint as JSON (or null); a write one line (or --json); exit 0. */
export function renderCheckpoint(io: Output, result: CheckpointResult, options: CheckpointOptions): number {
  if (!result.written) printJson(io, result.checkpoint);
  else if (options.json) printJson(io, result.json);
  else {
    const c = result.json.checkpoint;
    io.out(
      `checkpoint #${result.json.issue}: ${c.phase}${c.pr ? ` (PR #${c.pr})` : ''}, doctor rounds ${c.doctor_rounds}${result.json.created ? ' [created]' : ''}`,
    );
  }
  return 0;
}

/** What `await` ended with: its --json and the one-line detail of the text form. */
export interface AwaitIssueResult {
  json: AwaitJson;
  detail: string;
}

/** Polls GitHub (one request and a heartbeat per poll, on the context's clock) until the condition, a stop or the timeout. */
export async function awaitIssue(ctx: LoomContext, options: AwaitOptions): Promise<AwaitIssueResult> {
  const condition: AwaitCondition = options.label
    ? { kind: 'label', label: options.label }
    : options.merged
      ? { kind: 'merged' }
      : { kind: 'pr-label', label: options.prLabel! };
  const config = await ctx.config();
  const result: AwaitResult = await awaitCondition(
    ctx,
    {
      issue: options.issue,
      condition,
      ...(options.pr !== undefined ? { pr: options.pr } : {}),
      timeoutSeconds: options.timeout ?? config.wait_budget,
      intervalSeconds: options.interval ?? config.poll_interval,
    },
    ctx.io.err,
  );
  return {
    json: {
      issue: options.issue,
      condition: describeCondition(condition),
      outcome: result.outcome,
      exit_code: result.exitCode,
      waited_seconds: result.waitedSeconds,
      polls: result.polls,
      pr: result.pr,
      labels: result.labels,
    },
    detail: result.detail,
  };
}

/** Prints "<outcome>: <detail> (after Ns, N polls)" (or --json); the exit code is the outcome's. */
export function renderAwait(io: Output, result: AwaitIssueResult, options: AwaitOptions): number {
  const { json } = result;
  if (options.json) printJson(io, json);
  else {
    const polls = `${json.polls} poll${json.polls === 1 ? '' : 's'}`;
    io.out(`${json.outcome}: ${result.detail} (after ${json.waited_seconds}s, ${polls})`);
  }
  return json.exit_code;
}
