/**
 * `loom actions install|uninstall|check-inputs`: the GitHub Actions workflows (src/core/workflows.ts,
 * docs/SCALING.md) as installed files, and the shepherd workflow's own input check. Like `loom init` these take
 * the command environment (cwd, env), not a repository's context: they find the repository from `env.cwd` and
 * answer NOT_INSTALLED themselves, and check-inputs runs on a runner from the environment alone.
 */
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import * as z from 'zod';
import { checkDispatchInputs } from '../core/dispatch-inputs.js';
import { CHECK_INPUTS_ENV, secretInstruction, type WorkflowChoice } from '../core/workflows.js';
import { readEnv } from '../env.js';
import { ExitCode, LoomError } from '../errors.js';
import { safeWriteFile } from '../fs/safe-file.js';
import { repositoryRoot } from '../git/git.js';
import { applyInit, readIfExists } from '../install/init.js';
import { MANIFEST_PATH, readManifest, renderManifest } from '../install/manifest.js';
import { plannedFileJson } from '../install/owned-file.js';
import { installedWorkflows, planWorkflows, wantedWorkflows, withWorkflowEntries } from '../install/workflows.js';
import type { Output } from '../io.js';
import { loadConfig } from '../state/config-file.js';
import { exitCodeHelp } from './exit-codes.js';
import { type CommandEnv, parseOptions, printJson, type Run } from './shared.js';

/** `loom actions install|uninstall --json`. */
export const ActionsJsonSchema = z.object({
  target: z.string(),
  dry_run: z.boolean(),
  /** Each workflow file touched or checked: create, update, unchanged, kept (Loom's version beside it), delete, skipped. */
  files: z.array(
    z.object({
      path: z.string(),
      action: z.enum(['create', 'update', 'unchanged', 'kept', 'skipped', 'delete']),
      beside: z.string().optional(),
      backup: z.string().optional(),
      note: z.string().optional(),
    }),
  ),
  /** The workflow names Loom owns afterwards (under .github/workflows/). */
  installed: z.array(z.string()),
  /** The repository secret the workflows read (config actions.secret); null when none is installed. */
  secret: z.string().nullable(),
});

/** `loom actions check-inputs --json`. */
export const CheckInputsJsonSchema = z.union([
  z.object({
    ok: z.literal(true),
    issue: z.number().int().positive(),
    slot: z.string(),
    args: z.array(z.string()),
    prompt: z.string(),
  }),
  z.object({ ok: z.literal(false), problems: z.array(z.string()) }),
]);

export type ActionsJson = z.infer<typeof ActionsJsonSchema>;
export type CheckInputsJson = z.infer<typeof CheckInputsJsonSchema>;

/** `loom actions install` and `loom actions uninstall` (uninstall has no --force). */
export const ActionsOptions = z.object({
  daemon: z.boolean().default(false),
  force: z.boolean().default(false),
  dryRun: z.boolean().default(false),
  json: z.boolean().default(false),
});
export type ActionsOptions = z.infer<typeof ActionsOptions>;
export const CheckInputsOptions = z.object({ json: z.boolean().default(false) });
export type CheckInputsOptions = z.infer<typeof CheckInputsOptions>;

/** What install or uninstall did: the --json data, and the config's secret the text's next steps name. */
export interface ActionsResult {
  mode: 'install' | 'uninstall';
  json: ActionsJson;
  /** config actions.secret, named in the next steps after an install. */
  configuredSecret: string;
}

export function register(program: Command, run: Run): void {
  const actions = program
    .command('actions')
    .description('Install or remove the GitHub Actions workflows that run shepherds and support roles on runners')
    .addHelpText(
      'after',
      `\n${exitCodeHelp('actions')}\nSee docs/SCALING.md for what the workflows cost and GitHub's limits.`,
    );

  actions
    .command('install')
    .description('Write .github/workflows/loom-shepherd.yml and loom-support.yml (--daemon: loom-daemon.yml)')
    .option('--daemon', 'also the scheduled loom-daemon.yml: one `loom iterate --runner actions` per schedule')
    .option('--force', 'replace workflows you changed (yours saved as <file>.loom-backup first)')
    .option('--dry-run', 'show what would be written; write nothing')
    .option('--json', 'print {target, dry_run, files: [{path, action, beside?, backup?, note?}], installed[], secret}')
    .addHelpText(
      'after',
      `
Generates the workflows from .loom/config.json (actions.secret, actions.timeout_minutes, actions.runs_on,
actions.daemon_interval; the support roles' intervals and enabled flags; models) and records them in
.loom/install-manifest.json like every file Loom installs: a workflow you changed is kept and Loom's version
is written beside it as <file>.loom-new. Run it again after changing the config; \`loom upgrade\` and
\`loom init\` refresh installed workflows too. Needs Loom installed here (\`loom init\`).
Then add one repository secret, ANTHROPIC_API_KEY (or CLAUDE_CODE_OAUTH_TOKEN with actions.secret), and push.
${exitCodeHelp('actions install')}
Example: .loom/scripts/loom actions install --dry-run`,
    )
    .action((raw) =>
      run(async (env) => {
        const options = parseOptions(ActionsOptions, raw);
        return renderActions(env.io, await actionsInstall(env, options), options);
      }, Boolean(raw.json)),
    );

  actions
    .command('uninstall')
    .description("Remove Loom's workflows (--daemon: only loom-daemon.yml); a workflow you changed is kept")
    .option('--daemon', 'remove only loom-daemon.yml')
    .option('--dry-run', 'show what would be removed; change nothing')
    .option('--json', 'print {target, dry_run, files: [{path, action, note?}], installed[], secret}')
    .addHelpText(
      'after',
      `
Removes each workflow .loom/install-manifest.json lists that is still as Loom wrote it (and a .loom-new Loom
wrote beside one); a workflow you changed stays where it is, is named, and is no longer Loom's.
${exitCodeHelp('actions uninstall')}
Example: .loom/scripts/loom actions uninstall --daemon`,
    )
    .action((raw) =>
      run(async (env) => {
        const options = parseOptions(ActionsOptions, raw);
        return renderActions(env.io, await actionsUninstall(env, options), options);
      }, Boolean(raw.json)),
    );

  actions
    .command('check-inputs')
    .description("The shepherd workflow's first step: check the dispatch inputs and write the /shepherd prompt")
    .option('--json', 'print {ok: true, issue, slot, args[], prompt} or {ok: false, problems[]}')
    .addHelpText(
      'after',
      `
Reads the inputs from the environment (${Object.entries(CHECK_INPUTS_ENV)
        .map(([name, input]) => `${name} ← inputs.${input}`)
        .join(', ')}), never from the command
line, so no input text is ever part of a shell command. The issue must be a number, the slot a slot name such
as actions-1, the args only /shepherd's flags (--force-pr or --force-merge, --to curated|pr|approved,
--resume). On success prints the prompt (/shepherd <issue> <args>) and, on a runner, appends
prompt=<it> to the file GITHUB_OUTPUT names.
${exitCodeHelp('actions check-inputs')}`,
    )
    .action((raw) =>
      run(async (env) => {
        const options = parseOptions(CheckInputsOptions, raw);
        return renderCheckInputs(env.io, await checkInputs(env, options), options);
      }, Boolean(raw.json)),
    );
}

/**
 * `loom actions check-inputs`: checks the dispatch inputs LOOM_ISSUE, LOOM_SLOT and LOOM_ARGS of `env.env`
 * (never the command line) and, when they are good and GITHUB_OUTPUT names a file, appends `prompt=<prompt>`
 * to it. No GitHub request.
 */
export async function checkInputs(env: CommandEnv, _options: CheckInputsOptions): Promise<CheckInputsJson> {
  const checked = CheckInputsJsonSchema.parse(
    checkDispatchInputs({
      issue: readEnv('LOOM_ISSUE', env.env),
      slot: readEnv('LOOM_SLOT', env.env),
      args: readEnv('LOOM_ARGS', env.env),
    }),
  );
  const output = env.env.GITHUB_OUTPUT;
  if (checked.ok && output) appendFileSync(output, `prompt=${checked.prompt}\n`);
  return checked;
}

/** Prints --json, or the prompt (each problem on stderr when the inputs are bad); exit 0, or 2 for bad inputs. */
export function renderCheckInputs(io: Output, result: CheckInputsJson, options: CheckInputsOptions): number {
  if (options.json) printJson(io, result);
  if (!result.ok) {
    if (!options.json) for (const problem of result.problems) io.err(`loom: ${problem}`);
    return ExitCode.usage;
  }
  if (!options.json) io.out(result.prompt);
  return ExitCode.ok;
}

/**
 * `loom actions install`: writes the workflows .loom/config.json asks for into the repository holding `env.cwd`
 * and records them in the install manifest (nothing written with --dry-run). No GitHub request.
 * Errors: NOT_INSTALLED (no install manifest).
 */
export function actionsInstall(env: CommandEnv, options: ActionsOptions): Promise<ActionsResult> {
  return change(env, 'install', options);
}

/** `loom actions uninstall`: removes Loom's unchanged workflows (--daemon: loom-daemon.yml only); as install. */
export function actionsUninstall(env: CommandEnv, options: ActionsOptions): Promise<ActionsResult> {
  return change(env, 'uninstall', options);
}

async function change(env: CommandEnv, mode: 'install' | 'uninstall', options: ActionsOptions): Promise<ActionsResult> {
  const root = await repositoryRoot(path.resolve(env.cwd));
  const manifest = await readManifest(root);
  if (!manifest)
    throw new LoomError('NOT_INSTALLED', `No ${MANIFEST_PATH} in ${root}: Loom is not installed here.`, {
      hint: 'The workflows run .loom/scripts/loom: install Loom with `loom init --actions` (it writes both).',
    });
  const config = await loadConfig(path.join(root, '.loom/config.json'));
  const want: WorkflowChoice | null =
    mode === 'install'
      ? wantedWorkflows(manifest, { daemon: options.daemon })
      : options.daemon && installedWorkflows(manifest).size
        ? { daemon: false }
        : null;
  const { planned, recorded } = planWorkflows({
    config,
    manifest,
    want,
    force: options.force,
    read: (relative) => readIfExists(root, relative, {}),
  });
  if (!options.dryRun) {
    await applyInit(root, planned);
    const files = withWorkflowEntries(manifest.files, recorded);
    safeWriteFile(root, MANIFEST_PATH, renderManifest({ ...manifest, files }), { atomic: true });
  }
  const installed = Object.keys(recorded).map((relative) => path.posix.basename(relative));
  const json = ActionsJsonSchema.parse({
    target: root,
    dry_run: options.dryRun,
    files: planned.map(plannedFileJson),
    installed,
    secret: installed.length ? config.actions.secret : null,
  });
  return { mode, json, configuredSecret: config.actions.secret };
}

/** Prints --json, or one line per workflow and, after an install, the next steps; exit 0. */
export function renderActions(io: Output, result: ActionsResult, options: ActionsOptions): number {
  if (options.json) {
    printJson(io, result.json);
    return ExitCode.ok;
  }
  const { files } = result.json;
  const verb = options.dryRun ? 'would ' : '';
  if (!files.length) io.out('No Loom workflows are installed here: nothing to do.');
  for (const file of files) io.out(`  ${verb}${file.action} ${file.path}${file.note ? `  (${file.note})` : ''}`);
  if (files.some((f) => f.action === 'kept'))
    io.out(
      'Workflows you changed were kept: compare each with its .loom-new, take what you want, delete the .loom-new (or run with --force: yours are saved as .loom-backup first).',
    );
  if (result.mode === 'install' && !options.dryRun) {
    io.out('Next:');
    io.out(`  1. ${secretInstruction(result.configuredSecret)}`);
    io.out(
      '  2. Commit and push .github/workflows/ and .loom/install-manifest.json (workflows run from the default branch).',
    );
  }
  return ExitCode.ok;
}
