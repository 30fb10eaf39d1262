/**
 * `loom run` with the real Claude Code 2.1.197 as its workers, against the
 * scripted model and the GitHub emulator (facts in TESTING.md): a usage limit
 * refused in subscription (OAuth) mode with a 429 and the
 * `anthropic-ratelimit-unified-*` headers pauses the daemon with the claim kept;
 * SIGTERM drains and stops; a restart after the (moved) clock passed the reset
 * recovers the paused slot and resumes the shepherd with --resume.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { CLAUDE_BIN, claudeEnv, trustProject } from './e2e/claude.js';
import { type FakeModel, startFakeModel } from './e2e/fake-model.js';
import { roleSubagent, route, shepherdMain } from './e2e/loom-scripts.js';
import { bareOrigin, widgetRoles } from './e2e/widget-roles.js';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';
import { readState, until } from './helpers/reliability.js';
import { createTestRepo, labelsOf, seedWith, type TestRepo } from './helpers/repo.js';
import { endAll } from './helpers/teardown.js';

let emulator: EmulatorHandle | undefined;
let repo: TestRepo | undefined;
let model: FakeModel | undefined;
let daemon: ResultPromise | undefined;
afterEach(async () => {
  await endAll({ daemon, model, repo, emulator });
  emulator = repo = model = daemon = undefined;
});

describe('loom run with the real Claude Code', () => {
  it('carries a claimed issue through builder and judge to loom:pr: the shepherd is `claude -p "/shepherd 1 --force-pr"`', async () => {
    emulator = await startEmulator(
      seedWith([{ title: 'Add a widget', body: 'We need a widget file.', labels: ['loom:issue'] }]),
    );
    repo = await createTestRepo(emulator, { config: { max_shepherds: 1, issue_threshold: 0, poll_interval: 1 } });
    trustProject(repo);
    await bareOrigin(repo);
    const shepherd = shepherdMain();
    const roles = roleSubagent(widgetRoles(realpathSync(repo.dir), 'We need a widget file.'));
    model = await startFakeModel(route(shepherd.script, roles.script));
    daemon = execa('node', [path.join(repo.dir, '.loom/scripts/loom'), 'run'], {
      cwd: repo.dir,
      env: { ...claudeEnv(repo, model), LOOM_CLAUDE: CLAUDE_BIN },
      extendEnv: false,
      reject: false,
      timeout: 180_000,
    });
    await until(
      () => labelsOf(emulator!, 2).includes('loom:pr') || model!.errors.length > 0,
      150_000,
      'PR #2 approved (loom:pr)',
    );
    expect(model.errors.join('\n'), 'fake model script errors').toBe('');
    await until(() => readState(repo!)?.completed_issues.includes(1) ?? false, 30_000, 'the shepherd ended');
    writeFileSync(path.join(repo.dir, '.loom/stop-daemon'), '');
    const result = await daemon;
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(model.errors.join('\n'), 'fake model script errors').toBe('');
    // The claimed issue needed no curation: the CLI named builder, judge, then merge (where --force-pr stops).
    expect(shepherd.trace.phases).toEqual(['builder', 'judge', 'merge']);
    expect(shepherd.trace.roles.map((r) => r.role)).toEqual(['builder', 'judge']);
    expect(labelsOf(emulator, 1)).toEqual(['loom:building']);
    expect(emulator.store.pullRequest(2)).toMatchObject({ state: 'OPEN', headRefName: 'feature/issue-1' });
    // The worker's log holds Claude Code's own stream: the init event lists the project commands, a clean result.
    const state = readState(repo)!;
    const log = state.cost.recent[0];
    expect(log).toMatchObject({ issue: 1, role: 'shepherd', outcome: 'ok' });
    const files = readdirSync(path.join(repo.dir, '.loom/logs')).filter((f) => f.startsWith('shepherd-1-1-'));
    const events = readFileSync(path.join(repo.dir, '.loom/logs', files[0]!), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    expect(events.find((e) => e.type === 'system' && e.subtype === 'init')?.slash_commands).toEqual(
      expect.arrayContaining(['shepherd']),
    );
    expect(events.find((e) => e.type === 'result')).toMatchObject({ is_error: false, permission_denials: [] });
  }, 240_000);

  it('a usage-limit refusal pauses with the claim kept; SIGTERM drains; after the reset a restart resumes the shepherd', async () => {
    emulator = await startEmulator(seedWith([{ labels: ['loom:issue'] }, { labels: ['loom:issue'] }]));
    repo = await createTestRepo(emulator, { config: { max_shepherds: 1, issue_threshold: 0, poll_interval: 1 } });
    trustProject(repo);
    const t0 = Math.floor(Date.now() / 1000);
    const reset = t0 + 3600;
    const limitHeaders = {
      'anthropic-ratelimit-unified-status': 'rejected',
      'anthropic-ratelimit-unified-reset': String(reset),
      'anthropic-ratelimit-unified-representative-claim': 'five_hour',
      'anthropic-ratelimit-unified-5h-status': 'rejected',
      'anthropic-ratelimit-unified-5h-reset': String(reset),
      'anthropic-ratelimit-unified-5h-utilization': '1.0',
    };
    let limited = true;
    model = await startFakeModel((r) => {
      if (limited) return { errorStatus: 429, headers: limitHeaders };
      // After the reset: the resumed shepherd closes its issue (as if merged) and ends with its one line.
      const issue = r.command?.args.split(' ')[0];
      if (r.command?.name === '/shepherd' && r.calls.length === 0)
        return { tools: [{ name: 'Bash', input: { command: `gh issue close ${issue}`, description: 'close' } }] };
      return { text: `shepherd #${issue}: done` };
    });
    // Subscription mode: an OAuth token and no API key (limits are reported only then).
    const env: NodeJS.ProcessEnv = {
      ...claudeEnv(repo, model),
      CLAUDE_CODE_OAUTH_TOKEN: 'test-oauth',
      LOOM_CLAUDE: CLAUDE_BIN,
    };
    delete env.ANTHROPIC_API_KEY;
    const start = (now: number) => {
      daemon = execa('node', [path.join(repo!.dir, '.loom/scripts/loom'), 'run'], {
        cwd: repo!.dir,
        env: { ...env, LOOM_NOW: new Date(now * 1000).toISOString() },
        extendEnv: false,
        reject: false,
        timeout: 120_000,
      });
      return daemon;
    };

    const first = start(t0);
    await until(() => !!readState(repo!)?.usage.paused_until, 60_000, 'the usage pause');
    // Polls go on (two more iterations recorded in the state file); nothing new starts.
    const pausedAt = readState(repo)!.iteration;
    await until(() => readState(repo!)!.iteration >= pausedAt + 2, 30_000, 'two polls during the pause');
    const requestsDuringPause = model.requests.length;
    first.kill('SIGTERM');
    const stopped = await first;
    expect(stopped.exitCode, String(stopped.stderr)).toBe(0);
    expect(String(stopped.stdout)).toMatch(/SIGTERM: stopping after the drain/);

    // One worker was started, refused by the limit: the model saw exactly its one request.
    expect(requestsDuringPause).toBe(1);
    expect(model.requests[0]!.command).toEqual({ name: '/shepherd', args: '1 --force-pr' });
    // What Claude Code itself wrote to the log: the limit event and the 429 result, then our exit line.
    const logs = readdirSync(path.join(repo.dir, '.loom/logs')).filter((f) => f.endsWith('.jsonl'));
    expect(logs).toHaveLength(1);
    const events = readFileSync(path.join(repo.dir, '.loom/logs', logs[0]!), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    expect(events.find((e) => e.type === 'rate_limit_event')?.rate_limit_info).toMatchObject({
      status: 'rejected',
      resetsAt: reset,
      rateLimitType: 'five_hour',
    });
    expect(events.find((e) => e.type === 'result')).toMatchObject({ is_error: true, api_error_status: 429 });
    expect(events.at(-1)).toMatchObject({ type: 'loom_exit', code: 1 });

    let state = readState(repo)!;
    expect(state.usage.paused_until).toBe(new Date((reset + 120) * 1000).toISOString());
    expect(state.running).toBe(false);
    expect(state.shepherds['shepherd-1']).toMatchObject({ status: 'paused', issue: 1, idle_reason: 'usage-limit' });
    // The claim survived the limit and the shutdown: still loom:building, no release comment; #2 never claimed.
    expect(labelsOf(emulator, 1)).toEqual(['loom:building']);
    expect(labelsOf(emulator, 2)).toEqual(['loom:issue']);
    expect(emulator.store.issue(1).comments.some((c) => /released|back in the ready queue/.test(c.body))).toBe(false);
    expect(existsSync(path.join(repo.dir, '.loom/run.lock'))).toBe(false);

    // The clock moves past the reset; the limit is lifted; a new `loom run` recovers the paused slot and resumes it.
    limited = false;
    const second = start(reset + 600);
    await until(() => emulator!.store.issue(1).state === 'CLOSED', 60_000, 'issue 1 closed by the resumed shepherd');
    await until(() => emulator!.store.issue(2).state === 'CLOSED', 60_000, 'issue 2 claimed and closed');
    await until(() => readState(repo!)?.completed_issues.length === 2, 20_000);
    writeFileSync(path.join(repo.dir, '.loom/stop-daemon'), '');
    const done = await second;
    expect(done.exitCode, String(done.stderr)).toBe(0);
    expect(String(done.stdout)).toMatch(/recovered #1: kept \(paused by a usage limit/);
    const shepherdRuns = model.requests
      .filter((r) => r.command && r.calls.length === 0 && r.lastRole === 'user')
      .map((r) => r.command);
    expect(shepherdRuns).toEqual([
      { name: '/shepherd', args: '1 --force-pr' },
      { name: '/shepherd', args: '1 --force-pr --resume' },
      { name: '/shepherd', args: '2 --force-pr' },
    ]);
    state = readState(repo)!;
    expect(state.usage.paused_until).toBeNull();
    expect(state.cost.recent.map((t) => [t.issue, t.outcome])).toEqual([
      [1, 'usage-limit'],
      [1, 'ok'],
      [2, 'ok'],
    ]);
    // The scripted model answers with usage numbers, so the resumed runs carry a real cost figure.
    expect(state.cost.by_issue['1']!.usd).toBeGreaterThan(0);
  }, 240_000);
});
