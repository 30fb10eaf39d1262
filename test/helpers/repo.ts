/**
 * Test harness: a real temporary git repository whose `origin` is the
 * emulator's host, Loom installed into it by the built bundle (copied from a
 * per-file template), and a runner that executes `.loom/scripts/loom` as a
 * child process against the emulator.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { Clock } from '../../src/clock.js';
import type { Faults } from '../../src/faults.js';
import { parseLabelsYaml } from '../../src/github/labels.js';
import type { EmulatorHandle, Seed } from '../emulator/index.js';
import { runInProcess } from './in-process.js';

export const BUNDLE = path.resolve(import.meta.dirname, '../../.loom/scripts/loom');

export interface TestRepo {
  dir: string;
  home: string;
  env: NodeJS.ProcessEnv;
  /** Whether `loom()` runs the CLI in the test process (RepoOptions.inProcess). */
  inProcess: boolean;
  /** Runs the built `loom` in the repository; never throws on a non-zero exit. */
  loom(
    args: string[],
    options?: { env?: NodeJS.ProcessEnv; timeoutMs?: number },
  ): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  /** Runs the installed `loom` as a child process even in an in-process repository: for tests of the wiring. */
  loomProcess(
    args: string[],
    options?: { env?: NodeJS.ProcessEnv; timeoutMs?: number },
  ): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  /** Runs the repository's build of `loom` (BUNDLE) in the repository: for repositories without Loom yet. */
  loomFromBundle(args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  /** Runs `git` in the repository. */
  git(args: string[]): Promise<string>;
  writeConfig(config: Record<string, unknown>): void;
  cleanup(): void;
}

/** Environment of every child: the emulator's gh settings, a private HOME, no colour. */
export function childEnv(emulator: EmulatorHandle, home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    GIT_AUTHOR_NAME: 'Loom Test',
    GIT_AUTHOR_EMAIL: 'test@loom.invalid',
    GIT_COMMITTER_NAME: 'Loom Test',
    GIT_COMMITTER_EMAIL: 'test@loom.invalid',
    ...emulator.env,
    ...extra,
  };
}

export interface RepoOptions {
  /** Install Loom with `loom init` (default true). */
  install?: boolean;
  /** Config written to .loom/config.json after install. */
  config?: Record<string, unknown>;
  /** Extra environment for every command. */
  env?: NodeJS.ProcessEnv;
  /**
   * Run `loom()` in the test process instead of a `node` child, with GitHub requests sent straight to the
   * emulator (test/helpers/in-process.ts). For tests of behaviour, not of process wiring. The install is the
   * same template copy as in the process tier.
   */
  inProcess?: boolean | { clock?: Clock; faults?: Faults };
  /**
   * Install with `config` already in .loom/config.json, for installs that depend on it (`commands.test` is
   * granted to the roles that run it): the template of this config is made once per file, where a second
   * `loom init` per test would cost a node start.
   */
  configBeforeInit?: boolean;
}

function writeConfigFile(dir: string, config: Record<string, unknown>): void {
  mkdirSync(path.join(dir, '.loom'), { recursive: true });
  writeFileSync(path.join(dir, '.loom/config.json'), `${JSON.stringify(config, null, 2)}\n`);
}

const templates = new Map<string, Promise<string>>();
const templateDirs: string[] = [];
process.on('exit', () => {
  for (const dir of templateDirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * A repository as `createTestRepo` leaves it before the label sync — one commit, then `loom init --no-labels` by
 * the built bundle — made once per test file and remote and copied for each test: a copy costs milliseconds where
 * `loom init` costs a node start and one gh process per label. The installed files hold no path of their own
 * folder, so a copy equals a fresh install. Removed when the test process exits.
 */
function template(
  owner: string,
  name: string,
  env: NodeJS.ProcessEnv,
  config?: Record<string, unknown>,
): Promise<string> {
  const key = `${owner}/${name}${config ? ` ${JSON.stringify(config)}` : ''}`;
  let made = templates.get(key);
  if (!made) {
    made = (async () => {
      // Under vitest, in the run's folder (test/global-setup.ts removes it); elsewhere removed at exit.
      const dir = mkdtempSync(path.join(process.env.LOOM_TEST_TEMPLATES ?? tmpdir(), 'loom-template-'));
      templateDirs.push(dir);
      await initialRepo(dir, owner, name, env);
      if (config) writeConfigFile(dir, config);
      const result = await execa('node', [BUNDLE, 'init', dir, '--no-labels'], {
        cwd: dir,
        env,
        extendEnv: false,
        reject: false,
      });
      if (result.exitCode !== 0) throw new Error(`loom init failed: ${result.stderr}`);
      return dir;
    })();
    templates.set(key, made);
  }
  return made;
}

/** `git init` on main, the forge's remote and one commit of a README. */
async function initialRepo(dir: string, owner: string, name: string, env: NodeJS.ProcessEnv): Promise<void> {
  const run = (cmd: string, args: string[]) => execa(cmd, args, { cwd: dir, env, extendEnv: false });
  await run('git', ['init', '-q', '-b', 'main']);
  await run('git', ['remote', 'add', 'origin', `https://github.localhost/${owner}/${name}.git`]);
  writeFileSync(path.join(dir, 'README.md'), '# test repository\n');
  await run('git', ['add', '-A']);
  await run('git', ['commit', '-qm', 'initial']);
}

/**
 * What `loom init`'s label sync does on a forge that has not seen this install: creates each of Loom's labels
 * that is missing (an existing one keeps its values). Done on the emulator's store directly; the sync itself
 * is tested through `loom init` in install.test.ts and lifecycle.test.ts.
 */
function syncLabels(emulator: EmulatorHandle, dir: string): void {
  for (const spec of parseLabelsYaml(readFileSync(path.join(dir, '.github/labels.yml'), 'utf8'))) {
    if (!emulator.store.getLabel(spec.name)) emulator.store.createLabel(spec);
  }
}

export async function createTestRepo(emulator: EmulatorHandle, options: RepoOptions = {}): Promise<TestRepo> {
  const dir = mkdtempSync(path.join(tmpdir(), 'loom-repo-'));
  const home = mkdtempSync(path.join(tmpdir(), 'loom-home-'));
  const env = childEnv(emulator, home, options.env);
  const [owner = 'o', name = 'r'] = (emulator.env.GH_REPO ?? 'o/r').split('/');
  const inProcess = options.inProcess === true ? {} : options.inProcess || undefined;
  const run = async (cmd: string, args: string[]) =>
    (await execa(cmd, args, { cwd: dir, env, extendEnv: false })).stdout;
  if (options.install !== false) {
    const made = await template(
      owner,
      name,
      childEnv(emulator, home),
      options.configBeforeInit ? options.config : undefined,
    );
    cpSync(made, dir, { recursive: true, verbatimSymlinks: true });
    syncLabels(emulator, dir);
  } else await initialRepo(dir, owner, name, env);
  const repo: TestRepo = {
    dir,
    home,
    env,
    inProcess: !!inProcess,
    async loom(args, opts = {}) {
      if (inProcess)
        return runInProcess(emulator, dir, { ...env, ...opts.env }, args, inProcess.clock, inProcess.faults);
      return repo.loomProcess(args, opts);
    },
    async loomProcess(args, opts = {}) {
      const result = await execa('node', [path.join(dir, '.loom/scripts/loom'), ...args], {
        cwd: dir,
        env: { ...env, ...opts.env },
        extendEnv: false,
        reject: false,
        timeout: opts.timeoutMs ?? 60_000,
      });
      return { exitCode: result.exitCode ?? 1, stdout: String(result.stdout), stderr: String(result.stderr) };
    },
    async loomFromBundle(args) {
      const result = await execa('node', [BUNDLE, ...args], { cwd: dir, env, extendEnv: false, reject: false });
      return { exitCode: result.exitCode ?? 1, stdout: String(result.stdout), stderr: String(result.stderr) };
    },
    git: (args) => run('git', args),
    writeConfig: (config) => writeConfigFile(dir, config),
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
      rmSync(home, { recursive: true, force: true });
    },
  };
  if (options.install !== false && options.config) repo.writeConfig(options.config);
  return repo;
}

/**
 * The same repository with `loom()` run in the test process (test/helpers/in-process.ts): for the cases of logic
 * in a file whose repository also serves cases of process wiring.
 */
export function inProcessView(repo: TestRepo, emulator: EmulatorHandle): TestRepo {
  return {
    ...repo,
    inProcess: true,
    loom: (args, opts = {}) => runInProcess(emulator, repo.dir, { ...repo.env, ...opts.env }, args),
  };
}

/** A seed with Loom's labels and the given issues (numbers from 1, created a minute apart). */
export function seedWith(
  issues: { title?: string; labels: string[]; state?: 'OPEN' | 'CLOSED'; createdAt?: string; body?: string }[],
  pullRequests: NonNullable<Seed['pullRequests']> = [],
  repo = 'acme/widgets',
): Seed & { labels: NonNullable<Seed['labels']> } {
  const base = Date.parse('2026-01-01T00:00:00Z');
  return {
    repo,
    labels: [],
    issues: issues.map((issue, i) => ({
      number: i + 1,
      title: issue.title ?? `Issue ${i + 1}`,
      body: issue.body ?? '',
      labels: issue.labels,
      state: issue.state ?? 'OPEN',
      createdAt: issue.createdAt ?? new Date(base + i * 60_000).toISOString(),
      updatedAt: issue.createdAt ?? new Date(base + i * 60_000).toISOString(),
    })),
    pullRequests,
  };
}

/** Labels of an issue as the emulator holds them now. */
export function labelsOf(emulator: EmulatorHandle, number: number): string[] {
  const state = emulator.state();
  const item = [...(state.issues ?? []), ...(state.pullRequests ?? [])].find((i) => i.number === number);
  return item ? [...(item.labels ?? [])].sort() : [];
}
