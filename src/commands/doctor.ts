/**
 * `loom doctor [--json]`: checks that this repository can run Loom, one line
 * per check with the fix when it fails (src/core/doctor.ts). Exit 0 only when
 * every check passes, else 17. GitHub requests: `user`, the repository and its
 * labels (three), made only once gh and the repository are known.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import * as z from 'zod';
import type { Config } from '../core/config.js';
import { type Check, type DoctorJson, DoctorJsonSchema, fail, majorOf, pass, renderCheck } from '../core/doctor.js';
import { parseWorktreeInclude } from '../core/worktree.js';
import { readEnv } from '../env.js';
import { ExitCode, LoomError } from '../errors.js';
import { repositoryRoot } from '../git/git.js';
import { listWorktrees } from '../git/worktree.js';
import { execGh, GhClient } from '../github/gh.js';
import { parseLabelsYaml } from '../github/labels.js';
import { type Repo, repoSlug, resolveRepo } from '../github/repo.js';
import { readManifest } from '../install/manifest.js';
import type { Output } from '../io.js';
import { pidAlive } from '../process/liveness.js';
import { runProcess } from '../process/run.js';
import { loadConfig } from '../state/config-file.js';
import { loomPaths } from '../state/paths.js';
import { BUILD, VERSION } from '../version.js';
import { exitCodeHelp } from './exit-codes.js';
import { type CommandEnv, parseOptions, printJson, type Run } from './shared.js';

/** A lock not refreshed for this long is stale (holders refresh every 5 s; src/state/lock.ts). */
const STALE_LOCK_MS = 10 * 60_000;

export const DoctorOptions = z.object({ json: z.boolean().default(false) });
export type DoctorOptions = z.infer<typeof DoctorOptions>;

export function register(program: Command, run: Run): void {
  program
    .command('doctor')
    .description('Check that this repository can run Loom: one line per check, with the fix for each that fails')
    .option('--json', 'print {version, build, ok, checks: [{id, ok, detail, fix?}]}')
    .addHelpText(
      'after',
      `
Checks: node ≥ 20; git; Loom installed (and the same build as this CLI); gh present and authenticated for
the repository's host (GH_HOST, or the origin remote's host for GitHub Enterprise); the repository found on
GitHub; Loom's labels present; .loom/config.json valid; Claude Code present (LOOM_CLAUDE, config
claude.command, else claude on PATH) and its version; .claude/settings.json valid with Loom's permission
rule and guard hook; the folder trusted in Claude Code (~/.claude.json); .loom/worktrees/ holding only live
git worktrees and .loom/hooks/post-worktree executable; no stale locks in .loom/.
${exitCodeHelp('doctor')}`,
    )
    .action((raw) =>
      run(async (env) => {
        const options = parseOptions(DoctorOptions, raw);
        return renderDoctor(env.io, await doctor(env, options), options);
      }, Boolean(raw.json)),
    );
}

/**
 * Runs every check in the repository holding `env.cwd` (the folder need not be a repository or hold Loom: that
 * is a failed check, not an error). Takes the command environment, not a repository's context, for that reason.
 * Runs git, gh and Claude Code with `--version`, `gh auth status`; GitHub requests as the header says.
 */
export async function doctor(env: CommandEnv, _options: DoctorOptions): Promise<DoctorJson> {
  const checks = await runChecks(env);
  return DoctorJsonSchema.parse({ version: VERSION, build: BUILD, ok: checks.every((c) => c.ok), checks });
}

/** Prints --json, or one line per check and a count of failures; exit 0 when every check passed, else 17. */
export function renderDoctor(io: Output, result: DoctorJson, options: DoctorOptions): number {
  if (options.json) printJson(io, result);
  else {
    for (const check of result.checks) io.out(renderCheck(check));
    const failed = result.checks.filter((c) => !c.ok).length;
    io.out(
      failed ? `${failed} of ${result.checks.length} checks failed.` : `All ${result.checks.length} checks passed.`,
    );
  }
  return result.ok ? ExitCode.ok : ExitCode.checksFailed;
}

/** Runs a program's `--version`; its first line, or undefined when it cannot be run. */
async function versionOf(bin: string, cwd: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  try {
    const result = await runProcess(bin, ['--version'], { cwd, env, timeoutMs: 20_000 });
    return result.exitCode === 0 ? result.stdout.split('\n')[0]!.trim() : undefined;
  } catch {
    return undefined;
  }
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const hintOf = (error: unknown, fallback: string) => (error instanceof LoomError && error.hint) || fallback;

async function runChecks(env: CommandEnv): Promise<Check[]> {
  const checks: Check[] = [];
  const node = process.versions.node;
  checks.push(
    majorOf(node) >= 20
      ? pass('node', `node ${node}`)
      : fail('node', `node ${node} is older than 20`, 'Install Node.js 20 or newer (https://nodejs.org).'),
  );
  const gitVersion = await versionOf('git', env.cwd, env.env);
  checks.push(
    gitVersion ? pass('git', gitVersion) : fail('git', 'git cannot be run', 'Install git and put it on PATH.'),
  );
  const root = await repositoryRoot(env.cwd).catch(() => undefined);
  if (!root) {
    checks.push(fail('install', `${env.cwd} is not inside a git repository`, 'Run loom doctor in your repository.'));
    return checks;
  }
  const paths = loomPaths(root);
  checks.push(await installCheck(root));
  const ghBin = readEnv('LOOM_GH', env.env) ?? 'gh';
  const ghVersion = await versionOf(ghBin, root, env.env);
  checks.push(
    ghVersion
      ? pass('gh', ghVersion)
      : fail(
          'gh',
          `the GitHub CLI (${ghBin}) cannot be run`,
          'Install gh (https://cli.github.com), or point LOOM_GH at it.',
        ),
  );
  let repo: Repo | undefined;
  let repoProblem: Check | undefined;
  try {
    repo = await resolveRepo(root, env.env);
  } catch (error) {
    repoProblem = fail('repository', message(error), hintOf(error, 'Set LOOM_REPO=OWNER/NAME.'));
  }
  const where = repo ? `${repo.host ?? env.env.GH_HOST ?? 'github.com'}/${repoSlug(repo)}` : '';
  const host = repo?.host ?? 'github.com';
  const gh = env.gh ?? new GhClient(execGh({ env: env.env, cwd: root, host: async () => repo?.host }));
  let authenticated = false;
  if (!ghVersion) checks.push(fail('gh-auth', 'not checked: gh cannot be run', 'Install gh first.'));
  else {
    const auth = await ghAuthCheck(ghBin, host, root, env.env);
    authenticated = auth.ok;
    checks.push(auth);
  }
  if (repoProblem) checks.push(repoProblem);
  else if (!authenticated)
    checks.push(fail('repository', `${where}: not checked (gh cannot reach it)`, 'Fix gh first.'));
  else {
    try {
      await gh.rest('GET', `repos/${repo!.owner}/${repo!.name}`);
      checks.push(pass('repository', where));
    } catch (error) {
      authenticated = false;
      checks.push(
        fail(
          'repository',
          `${where}: ${message(error)}`,
          'Check the origin remote (git remote -v), LOOM_REPO/GH_REPO and GH_HOST, and that your token can see the repository.',
        ),
      );
    }
  }
  checks.push(
    authenticated
      ? await labelsCheck(root, gh, repo!)
      : fail('labels', 'not checked: the repository is not reachable', 'Fix the checks above first.'),
  );
  let config: Config | undefined;
  try {
    config = await loadConfig(paths.config);
    checks.push(
      pass('config', existsSync(paths.config) ? '.loom/config.json is valid' : 'no .loom/config.json (defaults)'),
    );
  } catch (error) {
    checks.push(fail('config', message(error), hintOf(error, 'Fix .loom/config.json.')));
  }
  const claudeBin = readEnv('LOOM_CLAUDE', env.env) ?? config?.claude.command ?? 'claude';
  const claudeVersion = await versionOf(claudeBin, root, env.env);
  checks.push(
    claudeVersion
      ? pass('claude', `Claude Code ${claudeVersion.replace(/\s*\(Claude Code\)/, '')}`)
      : fail(
          'claude',
          `Claude Code (${claudeBin}) cannot be run`,
          'Install it (npm install -g @anthropic-ai/claude-code), or set LOOM_CLAUDE / config claude.command to its path.',
        ),
  );
  checks.push(settingsCheck(root));
  checks.push(trustCheck(root, env.env));
  checks.push(await worktreesCheck(root));
  checks.push(locksCheck(paths.loomDir));
  return checks;
}

/** The scopes Loom's requests need on a classic token (fine-grained tokens list none and are not judged here). */
const NEEDED_SCOPES = ['repo'];

/**
 * `gh auth status --hostname <host>`: gh checks its token for that host against the API (GH_TOKEN or its
 * hosts.yml) and lists the token's scopes; the token itself is never printed.
 */
async function ghAuthCheck(bin: string, host: string, root: string, env: NodeJS.ProcessEnv): Promise<Check> {
  const login = `Run \`gh auth login --hostname ${host}\` (or set GH_TOKEN).`;
  let output: string;
  let exitCode: number;
  try {
    const result = await runProcess(bin, ['auth', 'status', '--hostname', host], {
      cwd: root,
      env: { ...env, GH_HOST: host, GH_PROMPT_DISABLED: '1', NO_COLOR: '1' },
      timeoutMs: 30_000,
    });
    output = `${result.stdout}\n${result.stderr}`;
    exitCode = result.timedOut ? -1 : result.exitCode;
  } catch (error) {
    return fail('gh-auth', `gh auth status failed: ${message(error)}`, login);
  }
  const reason = /X .*?: (.*)/.exec(output)?.[1]?.trim() ?? output.trim().split('\n').pop() ?? '';
  if (exitCode !== 0)
    return fail('gh-auth', `gh is not authenticated on ${host}: ${reason.slice(0, 200) || 'no login'}`, login);
  const user = /Logged in to \S+ (?:account |as )(\S+)/.exec(output)?.[1] ?? 'a user';
  const scopesLine = /Token scopes: (.*)/.exec(output)?.[1];
  if (scopesLine !== undefined) {
    const scopes = scopesLine.split(',').map((s) => s.trim().replace(/^'|'$/g, ''));
    const missing = NEEDED_SCOPES.filter((scope) => !scopes.includes(scope));
    if (missing.length)
      return fail(
        'gh-auth',
        `the token for ${host} lacks the scope(s) ${missing.join(', ')} (has: ${scopesLine.trim() || 'none'})`,
        `Run \`gh auth refresh --hostname ${host} --scopes ${missing.join(',')}\`.`,
      );
  }
  return pass('gh-auth', `authenticated on ${host} as ${user}${scopesLine ? ` (scopes: ${scopesLine.trim()})` : ''}`);
}

async function installCheck(root: string): Promise<Check> {
  if (!existsSync(path.join(root, '.loom/scripts/loom')))
    return fail('install', `Loom is not installed in ${root}`, 'Run `node <path-to-loom>/.loom/scripts/loom init .`.');
  let manifest: Awaited<ReturnType<typeof readManifest>>;
  try {
    manifest = await readManifest(root);
  } catch (error) {
    return fail('install', message(error), hintOf(error, 'Run `loom init` again.'));
  }
  if (!manifest) return pass('install', 'installed (no install manifest: `loom init` writes one)');
  const build = manifest.loom_build;
  if (build && build !== BUILD && BUILD !== 'source')
    return fail(
      'install',
      `installed build ${manifest.loom_version} (${build}) differs from this CLI ${VERSION} (${BUILD})`,
      'Run `loom upgrade --from <this Loom>`, or run doctor with .loom/scripts/loom.',
    );
  return pass('install', `Loom ${manifest.loom_version}${build ? ` (build ${build})` : ''}`);
}

async function labelsCheck(root: string, gh: GhClient, repo: Repo): Promise<Check> {
  let wanted: string[];
  try {
    wanted = parseLabelsYaml(readFileSync(path.join(root, '.github/labels.yml'), 'utf8')).map((l) => l.name);
  } catch (error) {
    return fail('labels', `.github/labels.yml: ${message(error)}`, 'Run `loom init` to install it, or fix it.');
  }
  try {
    const have = await gh.rest<{ name: string }[]>('GET', `repos/${repo.owner}/${repo.name}/labels?per_page=100`);
    const names = new Set(have.map((l) => l.name.toLowerCase()));
    const missing = wanted.filter((name) => !names.has(name.toLowerCase()));
    return missing.length
      ? fail(
          'labels',
          `${missing.length} of Loom's labels missing on GitHub: ${missing.join(', ')}`,
          'Run `.loom/scripts/loom labels sync`.',
        )
      : pass('labels', `all ${wanted.length} of Loom's labels present`);
  } catch (error) {
    return fail('labels', message(error), hintOf(error, 'Check gh.'));
  }
}

function settingsCheck(root: string): Check {
  const file = path.join(root, '.claude/settings.json');
  if (!existsSync(file)) return fail('settings', '.claude/settings.json is missing', 'Run `loom init` to install it.');
  let settings: {
    permissions?: { allow?: unknown };
    hooks?: { PreToolUse?: { hooks?: { command?: string }[] }[] };
  };
  try {
    settings = JSON.parse(readFileSync(file, 'utf8'));
    if (!settings || typeof settings !== 'object' || Array.isArray(settings)) throw new Error('not a JSON object');
  } catch (error) {
    return fail(
      'settings',
      `.claude/settings.json is invalid: ${message(error)}`,
      'Fix it (Claude Code ignores a broken settings file), then run `loom init`.',
    );
  }
  const allow = Array.isArray(settings.permissions?.allow) ? (settings.permissions.allow as unknown[]) : [];
  const pre = Array.isArray(settings.hooks?.PreToolUse) ? settings.hooks.PreToolUse : [];
  const guard = pre.some((entry) =>
    (entry?.hooks ?? []).some((h) => /\.loom\/scripts\/loom"? guard\b/.test(h?.command ?? '')),
  );
  const missing = [
    ...(allow.includes('Bash(.loom/scripts/loom:*)') ? [] : ['the permission rule Bash(.loom/scripts/loom:*)']),
    ...(guard ? [] : ['the `loom guard` PreToolUse hook']),
  ];
  return missing.length
    ? fail(
        'settings',
        `.claude/settings.json lacks ${missing.join(' and ')}`,
        'Run `loom init` (your own entries are kept).',
      )
    : pass('settings', ".claude/settings.json has Loom's rule and guard hook");
}

/** Claude Code records trusted folders in ~/.claude.json (projects.<path>.hasTrustDialogAccepted); a trusted parent counts. */
function trustCheck(root: string, env: NodeJS.ProcessEnv): Check {
  const configDir = env.CLAUDE_CONFIG_DIR;
  const file = configDir ? path.join(configDir, '.claude.json') : path.join(env.HOME ?? homedir(), '.claude.json');
  let projects: Record<string, { hasTrustDialogAccepted?: boolean }> = {};
  try {
    projects = JSON.parse(readFileSync(file, 'utf8')).projects ?? {};
  } catch {
    // No Claude Code state yet: nothing is trusted.
  }
  for (let dir = root; ; dir = path.dirname(dir)) {
    if (projects[dir]?.hasTrustDialogAccepted) return pass('trusted', `Claude Code trusts ${dir}`);
    if (path.dirname(dir) === dir) break;
  }
  return fail(
    'trusted',
    `Claude Code has not been told to trust ${root}`,
    `Run \`claude\` in ${root} once and accept the trust question.`,
  );
}

async function worktreesCheck(root: string): Promise<Check> {
  const dir = path.join(root, '.loom/worktrees');
  const problems: string[] = [];
  const hook = path.join(root, '.loom/hooks/post-worktree');
  if (existsSync(hook) && (statSync(hook).mode & 0o111) === 0)
    problems.push('.loom/hooks/post-worktree is not executable (chmod +x it)');
  const include = path.join(root, '.loom/worktree-include');
  if (existsSync(include))
    for (const p of parseWorktreeInclude(readFileSync(include, 'utf8')).problems)
      problems.push(`.loom/worktree-include line ${p.line} "${p.entry}": ${p.problem}`);
  let listed: Awaited<ReturnType<typeof listWorktrees>> = [];
  try {
    listed = await listWorktrees(root);
  } catch (error) {
    return fail(
      'worktrees',
      `git worktree list failed: ${message(error)}`,
      'Check the repository with `git worktree list`.',
    );
  }
  const registered = new Set(listed.map((w) => path.resolve(w.path)));
  const prunable = listed.filter((w) => w.prunable).map((w) => path.relative(root, w.path));
  if (prunable.length) problems.push(`git lists missing worktrees ${prunable.join(', ')} (run \`git worktree prune\`)`);
  const folders = existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()) : [];
  const strays = folders.filter((e) => !registered.has(path.join(dir, e.name))).map((e) => `.loom/worktrees/${e.name}`);
  if (strays.length)
    problems.push(
      `${strays.join(', ')} ${strays.length === 1 ? 'is' : 'are'} not a git worktree (move away or delete)`,
    );
  return problems.length
    ? fail('worktrees', problems.join('; '), 'Do as each problem says, then run `loom worktree clean`.')
    : pass('worktrees', `${folders.length} worktree(s) under .loom/worktrees/, all known to git`);
}

/** Locks (`*.lock` folders of src/state/lock.ts) whose holder died on this host or that were not refreshed for long. */
function locksCheck(loomDir: string): Check {
  const stale: string[] = [];
  const scan = (dir: string) => {
    let entries: import('node:fs').Dirent[] = [];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!entry.isDirectory() || !entry.name.endsWith('.lock')) continue;
      const full = path.join(dir, entry.name);
      let owner: { pid?: number; host?: string } | undefined;
      try {
        owner = JSON.parse(readFileSync(`${full}-owner`, 'utf8'));
      } catch {
        owner = undefined;
      }
      const dead = owner?.host === hostname() && typeof owner.pid === 'number' && !pidAlive(owner.pid);
      if (dead || Date.now() - statSync(full).mtimeMs > STALE_LOCK_MS)
        stale.push(path.relative(path.dirname(loomDir), full));
    }
  };
  scan(loomDir);
  scan(path.join(loomDir, 'claims'));
  return stale.length
    ? fail(
        'locks',
        `stale lock(s): ${stale.join(', ')}`,
        `When no loom process runs here, remove them: rm -r ${stale.join(' ')}`,
      )
    : pass('locks', 'no stale locks');
}
