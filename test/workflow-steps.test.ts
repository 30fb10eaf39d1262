/**
 * The `run:` steps of the generated workflows, executed as a runner executes them: bash with
 * `--noprofile --norc -eo pipefail`, the step's `env:` with its `${{ inputs.* }}` filled in from the dispatch
 * inputs (the only expressions a step's env holds), a GITHUB_OUTPUT file, in a real repository with Loom
 * installed, against the emulator through the real `gh`. What the steps write to GITHUB_OUTPUT is what the
 * next step's `if:` or `with:` reads.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigSchema } from '../src/core/config.js';
import { shepherdWorkflow, supportWorkflow } from '../src/core/workflows.js';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';
import { createTestRepo, seedWith, type TestRepo } from './helpers/repo.js';

type Step = { id?: string; name?: string; run?: string; env?: Record<string, string> };
type Workflow = { jobs: Record<string, { steps: Step[] }> };

const config = ConfigSchema.parse({});

/** Runs one step's script the way a runner does; returns its exit code and what it appended to GITHUB_OUTPUT. */
async function runStep(repo: TestRepo, step: Step, inputs: Record<string, string> = {}, extraEnv = {}) {
  const output = path.join(repo.home, `github-output-${Math.random().toString(36).slice(2)}`);
  writeFileSync(output, '');
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(step.env ?? {}))
    env[name] = value.replace(/\$\{\{ inputs\.(\w+) \}\}/g, (_, input: string) => inputs[input] ?? '');
  expect(Object.values(env).join('\n')).not.toMatch(/\$\{\{/);
  const result = await execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], {
    cwd: repo.dir,
    env: { ...repo.env, ...env, GITHUB_OUTPUT: output, ...extraEnv },
    extendEnv: false,
    reject: false,
  });
  return { exitCode: result.exitCode, stderr: String(result.stderr), output: readFileSync(output, 'utf8') };
}

let emulator: EmulatorHandle;
let repo: TestRepo;
beforeAll(async () => {
  emulator = await startEmulator(
    seedWith(
      [{ labels: ['loom:triage'] }],
      [
        {
          number: 10,
          title: 'fix',
          body: 'Closes #1',
          labels: ['loom:changes-requested'],
          state: 'OPEN',
          headRefName: 'feature/issue-1',
          mergeable: 'MERGEABLE',
          createdAt: '2026-01-01T00:00:00Z',
        },
      ],
    ),
  );
  repo = await createTestRepo(emulator);
});
afterAll(async () => {
  repo.cleanup();
  await emulator.close();
});

describe('loom-support.yml: the work check before each gated role', () => {
  const support = parse(supportWorkflow(config)!) as Workflow;
  const check = (role: string) => support.jobs[role]!.steps.find((s) => s.id === 'work')!;

  it('writes work=true when loom next finds an item (curator: a triage issue; doctor: changes requested)', async () => {
    for (const role of ['curator', 'doctor']) {
      const result = await runStep(repo, check(role));
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.output).toBe('work=true\n');
    }
  });

  it('writes work=false when the queue is empty (champion: no approved PR), and the step succeeds', async () => {
    const result = await runStep(repo, check('champion'));
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.output).toBe('work=false\n');
  });

  it('fails the job with loom next\u2019s code on any other answer (gh missing: 3), writing nothing', async () => {
    const result = await runStep(repo, check('doctor'), {}, { LOOM_GH: path.join(repo.home, 'no-such-gh') });
    expect(result.exitCode).toBe(3);
    expect(result.output).toBe('');
  });

  it('outside a runner (no GITHUB_OUTPUT) --github-output is a usage error that names the variable', async () => {
    const result = await repo.loom(['next', 'champion', '--github-output'], { env: { GITHUB_OUTPUT: '' } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--github-output needs GITHUB_OUTPUT');
  });
});

describe('loom-shepherd.yml: the input check', () => {
  const shepherd = parse(shepherdWorkflow(config)) as Workflow;
  const check = shepherd.jobs.shepherd!.steps.find((s) => s.id === 'inputs')!;

  it('writes the prompt the Claude step reads', async () => {
    const result = await runStep(repo, check, { issue: '1', slot: 'actions-1', args: '--force-pr' });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.output).toBe('prompt=/shepherd 1 --force-pr\n');
  });

  it('stops the job on hostile inputs: they stay data (no command runs) and no prompt is written', async () => {
    const marker = path.join(repo.home, 'pwned');
    const result = await runStep(repo, check, {
      issue: `1"; touch ${marker}; echo "`,
      slot: '$(touch pwned)',
      args: '--force-pr `touch pwned`',
    });
    expect(result.exitCode).toBe(2);
    expect(result.output).toBe('');
    expect(result.stderr).toMatch(/issue must be an issue number/);
    expect(() => readFileSync(marker)).toThrow();
    expect(() => readFileSync(path.join(repo.dir, 'pwned'))).toThrow();
  });
});
