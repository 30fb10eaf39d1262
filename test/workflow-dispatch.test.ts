/**
 * The whole chain of a dispatched shepherd, offline: the emulator learns `loom-shepherd.yml` from the file
 * `loom actions install` wrote (its inputs and run name), a daemon with `runner: actions` claims an issue and
 * dispatches it, and a fresh checkout (the runner) runs the installed workflow's `run:` steps in order, as a
 * runner runs them, with the inputs of that very run: the input check writes the prompt, the adopt step takes
 * over the daemon's claim. Everything the generated workflow and the dispatching daemon agree on is exercised.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseShepherdRunName, SHEPHERD_WORKFLOW } from '../src/core/actions-contract.js';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';
import { createTestRepo, labelsOf, seedWith, type TestRepo } from './helpers/repo.js';

type Step = {
  id?: string;
  name?: string;
  run?: string;
  uses?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
};
type ShepherdWorkflow = {
  'run-name': string;
  on: { workflow_dispatch: { inputs: Record<string, { required: boolean; default?: string }> } };
  jobs: { shepherd: { steps: Step[]; env: Record<string, string> } };
};

let emulator: EmulatorHandle;
let daemon: TestRepo;
let runner: TestRepo;
let workflow: ShepherdWorkflow;

beforeAll(async () => {
  emulator = await startEmulator(seedWith([{ labels: ['loom:issue'] }, { labels: ['loom:issue'] }]));
  daemon = await createTestRepo(emulator, {
    config: { issue_threshold: 0, runner: 'actions', max_shepherds: { local: 0, actions: 1 } },
  });
  const installed = await daemon.loom(['actions', 'install']);
  expect(installed.exitCode, installed.stderr).toBe(0);
  workflow = parse(readFileSync(path.join(daemon.dir, '.github/workflows', SHEPHERD_WORKFLOW), 'utf8'));
  emulator.store.actions.registerWorkflow({
    file: SHEPHERD_WORKFLOW,
    name: 'loom shepherd',
    run_name: workflow['run-name'],
    inputs: workflow.on.workflow_dispatch.inputs,
    schedule: { start_after_ms: 0, complete_after_ms: null },
  });
  runner = await createTestRepo(emulator);
  expect((await runner.loom(['actions', 'install'])).exitCode).toBe(0);
});
afterAll(async () => {
  daemon.cleanup();
  runner.cleanup();
  await emulator.close();
});

/** One `run:` step as a runner runs it: its env with `${{ inputs.* }}` and `${{ github.token }}` filled in. */
async function runStep(repo: TestRepo, step: Step, jobEnv: Record<string, string>, inputs: Record<string, string>) {
  const output = path.join(repo.home, `github-output-${step.id ?? step.name}`.replace(/\W+/g, '-'));
  writeFileSync(output, '');
  const fill = (value: string) =>
    value
      .replace(/\$\{\{ inputs\.(\w+) \}\}/g, (_, input: string) => inputs[input] ?? '')
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression
      .replace('${{ github.token }}', repo.env.GH_TOKEN ?? '');
  const env = Object.fromEntries(Object.entries({ ...jobEnv, ...(step.env ?? {}) }).map(([k, v]) => [k, fill(v)]));
  const result = await execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], {
    cwd: repo.dir,
    env: { ...repo.env, ...env, GITHUB_OUTPUT: output },
    extendEnv: false,
    reject: false,
  });
  return { exitCode: result.exitCode, stderr: String(result.stderr), output: readFileSync(output, 'utf8') };
}

describe('a dispatched shepherd on a runner', () => {
  it('runs the installed workflow’s steps with the dispatched inputs: prompt written, claim adopted, then Claude', async () => {
    const iteration = await daemon.loom(['iterate']);
    expect(iteration.exitCode, iteration.stderr).toBe(0);
    const runs = emulator.store.actions.all();
    expect(runs).toHaveLength(1);
    const run = runs[0]!;
    expect(parseShepherdRunName(run.displayTitle)).toEqual({ issue: 1, slot: run.inputs.slot });
    expect(labelsOf(emulator, 1)).toContain('loom:building');

    const steps = workflow.jobs.shepherd.steps;
    const claude = steps.findIndex((s) => s.uses?.startsWith('anthropics/claude-code-action@'));
    const scripts = steps.slice(0, claude).filter((s) => s.run);
    expect(scripts.map((s) => s.run)).toEqual([
      'node .loom/scripts/loom actions check-inputs',
      'node .loom/scripts/loom adopt-claim',
    ]);
    emulator.clearRequests();
    const check = await runStep(runner, scripts[0]!, workflow.jobs.shepherd.env, run.inputs);
    // The input check is offline: nothing reaches GitHub before the inputs are known to be sound.
    expect(emulator.requests()).toHaveLength(0);
    expect(check.exitCode, check.stderr).toBe(0);
    expect(check.output).toBe(`prompt=/shepherd 1${run.inputs.args ? ` ${run.inputs.args}` : ''}\n`);
    const adopt = await runStep(runner, scripts[1]!, workflow.jobs.shepherd.env, run.inputs);
    expect(adopt.exitCode, adopt.stderr).toBe(0);
    const lock = JSON.parse(readFileSync(path.join(runner.dir, '.loom/claims/issue-1.json'), 'utf8'));
    expect(lock.token).toBe(run.inputs.claim);
  });

  it('stops before Claude when the claim is not the daemon’s (a second dispatch after a release)', async () => {
    const run = emulator.store.actions.all()[0]!;
    const forged = { ...run.inputs, claim: 'ffffffffffffffff' };
    const fresh = await createTestRepo(emulator);
    try {
      const adoptStep = workflow.jobs.shepherd.steps.find((s) => s.run === 'node .loom/scripts/loom adopt-claim')!;
      const result = await runStep(fresh, adoptStep, workflow.jobs.shepherd.env, forged);
      expect(result.exitCode).toBe(12);
      expect(existsSync(path.join(fresh.dir, '.loom/claims/issue-1.json'))).toBe(false);
    } finally {
      fresh.cleanup();
    }
  });
  it('loom-daemon.yml: its one step, run in a fresh checkout with no state, dispatches the next ready issue', async () => {
    const fresh = await createTestRepo(emulator);
    try {
      expect((await fresh.loom(['actions', 'install', '--daemon'])).exitCode).toBe(0);
      const daemonWorkflow = parse(readFileSync(path.join(fresh.dir, '.github/workflows/loom-daemon.yml'), 'utf8')) as {
        jobs: { iterate: { steps: Step[]; env: Record<string, string> } };
      };
      const steps = daemonWorkflow.jobs.iterate.steps.filter((s) => s.run);
      expect(steps.map((s) => s.run)).toEqual(['node .loom/scripts/loom iterate --runner actions']);
      const before = emulator.store.actions.all().length;
      const result = await runStep(fresh, steps[0]!, daemonWorkflow.jobs.iterate.env, {});
      expect(result.exitCode, result.stderr).toBe(0);
      const dispatched = emulator.store.actions.all().slice(before);
      expect(dispatched.map((r) => parseShepherdRunName(r.displayTitle)?.issue)).toEqual([2]);
      expect(labelsOf(emulator, 2)).toContain('loom:building');
    } finally {
      fresh.cleanup();
    }
  });
});
