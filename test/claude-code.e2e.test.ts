/**
 * Loom's command files in the real Claude Code CLI (2.1.197, from npm), against
 * a scripted fake model and the GitHub emulator (facts in docs/TESTING.md#claude-code). The
 * scripts follow the expanded command text; the assertions are on the
 * emulator, the state file and Claude Code's stream-json events. No permission
 * flag is passed: the allowed-tools of the command files and the installed
 * .claude/settings.json must be enough.
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { DaemonStateSchema } from '../src/core/daemon-state.js';
import { type ClaudeRun, type ResultEvent, runClaude, trustProject } from './e2e/claude.js';
import { growthFigures } from './e2e/context-growth.js';
import { type FakeModel, startFakeModel } from './e2e/fake-model.js';
import { loomParent, type ParentTrace, type RoleRun, roleSubagent, route, shepherdMain } from './e2e/loom-scripts.js';
import { bareOrigin, widgetRoles } from './e2e/widget-roles.js';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';
import { createTestRepo, labelsOf, seedWith, type TestRepo } from './helpers/repo.js';
import { endAll } from './helpers/teardown.js';

const RESULTS = path.resolve(import.meta.dirname, 'e2e/.results');

/** Issue text written to break out of a shell command the way issue 9 found: command files never put it in one. */
const HOSTILE_TITLE = 'Add a widget $(touch PWN1) `touch PWN2`; git tag pwned && echo "x" | sh';
const HOSTILE_BODY = [
  'We need a widget file.',
  'EOF',
  'git tag pwned-eof',
  "touch PWN3'; touch PWN3; echo '",
  '--help -rf ; $(touch PWN1)',
].join('\n');

let emulator: EmulatorHandle | undefined;
let repo: TestRepo | undefined;
let model: FakeModel | undefined;
afterEach(async () => {
  await endAll({ model, repo, emulator });
  model = repo = emulator = undefined;
});

async function setup(issues: Parameters<typeof seedWith>[0], config: Record<string, unknown> = {}) {
  emulator = await startEmulator(seedWith(issues));
  // Work generation off (issue_threshold 0) so the only directives are the ones under test.
  repo = await createTestRepo(emulator, { config: { max_shepherds: 3, issue_threshold: 0, ...config } });
  trustProject(repo);
  return { emulator, repo };
}

const stateOf = (r: TestRepo) =>
  DaemonStateSchema.parse(JSON.parse(readFileSync(path.join(r.dir, '.loom/daemon-state.json'), 'utf8')));
const results = (run: ClaudeRun) => run.events.filter((e): e is ResultEvent => e.type === 'result');

/** Exit 0, no script error, every turn a success without a single permission denial. */
function expectClean(run: ClaudeRun, fake: FakeModel) {
  expect(fake.errors.join('\n'), 'fake model script errors').toBe('');
  expect(run.exitCode, run.stderr).toBe(0);
  expect(results(run).length).toBeGreaterThan(0);
  for (const result of results(run)) {
    expect(result.is_error, JSON.stringify(result).slice(0, 500)).toBe(false);
    expect(result.permission_denials).toEqual([]);
  }
  // The init event lists Loom's commands from the installed .claude/commands.
  const init = run.events.find((e) => e.type === 'system' && e.subtype === 'init');
  expect(init?.slash_commands).toEqual(expect.arrayContaining(['loom', 'shepherd']));
}

const bashResults = (run: ClaudeRun, pattern: RegExp) =>
  run.toolUses
    .filter((t) => t.name === 'Bash' && pattern.test(String(t.input.command)))
    .map((t) => ({ command: String(t.input.command), output: run.toolResults.get(t.id) ?? '' }));

describe('Loom in the real Claude Code CLI', () => {
  it('/loom iterate claims 3 of 4 ready issues, starts 3 background shepherds through the Skill tool and records them', async () => {
    const { emulator, repo } = await setup([
      { labels: ['loom:issue'] },
      { labels: ['loom:issue'] },
      { labels: ['loom:issue'] },
      { labels: ['loom:issue'] },
    ]);
    const parent = loomParent();
    const role = roleSubagent();
    model = await startFakeModel(route(parent.script, role.script));
    const run = await runClaude(repo, model, '/loom iterate', {
      timeoutMs: 90_000,
      dump: path.join(RESULTS, 'iterate'),
    });
    expectClean(run, model);

    // The emulator: the three oldest claimed, the fourth still waiting.
    for (const n of [1, 2, 3]) expect(labelsOf(emulator, n)).toEqual(['loom:building']);
    expect(labelsOf(emulator, 4)).toEqual(['loom:issue']);

    // The parent ran the CLI once, then one background Agent and one record per SPAWN line.
    const [iterate] = bashResults(run, /loom iterate/);
    expect(iterate?.command).toBe('.loom/scripts/loom iterate');
    const summary = 'ready=1 building=3 shepherds=3/3 +shepherd=#1 +shepherd=#2 +shepherd=#3';
    expect(iterate?.output.split('\n')).toEqual([
      'SPAWN shepherd-1 shepherd 1 --force-pr',
      'SPAWN shepherd-2 shepherd 2 --force-pr',
      'SPAWN shepherd-3 shepherd 3 --force-pr',
      summary,
    ]);
    const agents = run.toolUses.filter((t) => t.name === 'Agent' && t.parent === null);
    expect(agents).toHaveLength(3);
    for (const agent of agents)
      expect(agent.input).toMatchObject({ run_in_background: true, subagent_type: 'general-purpose' });
    expect(parent.trace.spawned.map((s) => `${s.slot} ${s.skill} ${s.args}`)).toEqual([
      'shepherd-1 shepherd 1 --force-pr',
      'shepherd-2 shepherd 2 --force-pr',
      'shepherd-3 shepherd 3 --force-pr',
    ]);
    const records = bashResults(run, /loom record /);
    expect(records.map((r) => r.output)).toEqual(['recorded shepherd-1', 'recorded shepherd-2', 'recorded shepherd-3']);
    // The turn that ran the command answered with the summary line.
    expect(results(run)[0]?.result).toBe(summary);

    // Each subagent: a general-purpose background conversation whose Skill call expanded shepherd.md.
    const runs = [...role.runs.values()].sort((a, b) => a.args.localeCompare(b.args));
    expect(runs.map((r) => `${r.skill} ${r.args}`)).toEqual([
      'shepherd 1 --force-pr',
      'shepherd 2 --force-pr',
      'shepherd 3 --force-pr',
    ]);
    for (const r of runs) {
      expect(r.prompt).toContain(`Skill {skill: "shepherd", args: "${r.args}"}`);
      expect(r.expansion).toContain('# Shepherd');
      expect(r.expansion).toContain(`Arguments: \`${r.args}\``);
      expect(r.finalLine).toMatch(/^shepherd #\d: /);
    }
    const subRequests = model.requests.filter((r) => r.subagent);
    expect(new Set(subRequests.map((r) => r.conversation)).size).toBe(3);

    // Claude Code reported the three completions; the parent got them as notices (mid-turn: a role "system"
    // message, which stream-json does not echo as a task_notification event).
    const completed = run.events.filter(
      (e) =>
        e.type === 'system' &&
        e.subtype === 'task_updated' &&
        (e.patch as { status?: string } | undefined)?.status === 'completed',
    );
    expect(completed.map((e) => e.task_id).sort()).toEqual(parent.trace.spawned.map((s) => s.agentId).sort());
    expect(parent.trace.notifications).toHaveLength(3);

    // The state file holds each slot's task id and output file as the launch results gave them.
    const state = stateOf(repo);
    for (const spawned of parent.trace.spawned) {
      const slot = state.shepherds[spawned.slot];
      expect(slot).toMatchObject({
        status: 'working',
        issue: Number(spawned.args.split(' ')[0]),
        task_id: spawned.agentId,
        output_file: spawned.outputFile,
      });
      expect(lstatSync(spawned.outputFile).isSymbolicLink() || existsSync(spawned.outputFile)).toBe(true);
      expect(spawned.outputFile).toContain(path.join(repo.home, 'claude-tmp'));
    }
  }, 120_000);

  it("/loom iterate passes models.shepherd as the Agent model; the finished subagent's tokens and cost are recorded from its output file", async () => {
    const { emulator, repo } = await setup([{ labels: ['loom:issue'] }], { models: { shepherd: 'claude-haiku-4-5' } });
    const parent = loomParent();
    const role = roleSubagent();
    model = await startFakeModel(route(parent.script, role.script));
    const run = await runClaude(repo, model, '/loom iterate', { timeoutMs: 90_000 });
    expectClean(run, model);
    const [iterate] = bashResults(run, /loom iterate/);
    expect(iterate?.output.split('\n')[0]).toBe('SPAWN shepherd-1 model=haiku shepherd 1 --force-pr');
    const agents = run.toolUses.filter((t) => t.name === 'Agent' && t.parent === null);
    expect(agents.map((a) => a.input.model)).toEqual(['haiku']);
    const sub = model.requests.filter((r) => r.subagent);
    expect(sub.length).toBeGreaterThan(0);
    expect(new Set(sub.map((r) => r.body.model))).toEqual(new Set([expect.stringMatching(/haiku/)]));

    // The subagent ended (claude -p waited for it); its issue closes; the next iteration completes the slot and
    // records its tokens (the scripted model answers 100 in / 10 out per request) at the haiku list price.
    emulator.store.closeIssue(1);
    expect((await repo.loom(['iterate'])).stdout).toMatch(/ completed=#1$/);
    const cost = stateOf(repo).cost;
    const tokens = { input_tokens: 100 * sub.length, output_tokens: 10 * sub.length };
    expect(cost.by_issue['1']).toEqual({ usd: (150 * sub.length) / 1e6, ...tokens, tasks: 1 });
    expect(Object.keys(cost.by_model)).toEqual([sub[0]!.body.model]);
    expect(cost.recent[0]).toMatchObject({
      task_id: parent.trace.spawned[0]!.agentId,
      role: 'shepherd',
      outcome: 'ok',
    });
  }, 120_000);

  it('/loom runs the parent loop: idle polls, spawns for new issues, completion notices, stop file, shutdown — within the context budget', async () => {
    const waitBudget = 1;
    const { emulator, repo } = await setup([], { poll_interval: 1, wait_budget: waitBudget, shutdown_drain: 5 });
    // Enough idle calls to cover Claude Code's periodic reminder (seen about every 10 turns), so the idle-hour figure includes it.
    const IDLE_CALLS = 12;
    const stopFile = path.join(repo.dir, '.loom/stop-daemon');
    // The user stops the daemon once both shepherds reported back to the parent and an iteration freed their slots.
    const maybeStop = (trace: ParentTrace) => {
      const freed = trace.iterateOutputs.slice(IDLE_CALLS + 1).some((o) => o.endsWith('shepherds=0/3'));
      if (trace.notifications.length >= 2 && freed && !existsSync(stopFile)) writeFileSync(stopFile, '');
    };
    const parent = loomParent({
      onIterate: (_output, trace) => {
        // After a few idle answers, two approved issues appear (as a human would label them).
        if (trace.iterateOutputs.length === IDLE_CALLS) {
          emulator.store.addIssue({ title: 'First new issue', labels: ['loom:issue'] });
          emulator.store.addIssue({ title: 'Second new issue', labels: ['loom:issue'] });
        }
        maybeStop(trace);
      },
      onNotifications: (_notifications, trace) => maybeStop(trace),
    });
    const issueOf = (r: RoleRun) => r.args.split(' ')[0]!;
    const role = roleSubagent({
      // Through the CLI, as shepherd.md's exits do: a heartbeat, then (after the test "merges" by closing the issue) done.
      next: (r, outputs) =>
        [
          {
            name: 'Bash',
            input: { command: `.loom/scripts/loom progress ${issueOf(r)} --phase builder`, description: 'heartbeat' },
          },
          {
            name: 'Bash',
            input: {
              command: `.loom/scripts/loom progress ${issueOf(r)} --phase done --done`,
              description: 'report done',
            },
          },
        ][outputs.length] ?? null,
      onFinish: (r) => void emulator.store.closeIssue(Number(issueOf(r))),
      finalLine: (r) => `shepherd #${issueOf(r)}: merged PR`,
    });
    model = await startFakeModel(route(parent.script, role.script));
    const run = await runClaude(repo, model, '/loom', { timeoutMs: 120_000, dump: path.join(RESULTS, 'loop') });
    expectClean(run, model);
    expect(parent.trace.finished).toBe(true);

    // The loop: start, idle polls answering only the summary, a poll with two SPAWN lines, then SHUTDOWN_SIGNAL.
    const outputs = parent.trace.iterateOutputs;
    expect(outputs.slice(0, IDLE_CALLS)).toEqual(Array(IDLE_CALLS).fill('ready=0 building=0 shepherds=0/3'));
    expect(outputs[IDLE_CALLS]!.split('\n')).toEqual([
      'SPAWN shepherd-1 shepherd 1 --force-pr',
      'SPAWN shepherd-2 shepherd 2 --force-pr',
      'ready=0 building=2 shepherds=2/3 +shepherd=#1 +shepherd=#2',
    ]);
    expect(outputs.at(-1)).toBe('SHUTDOWN_SIGNAL');
    // (The completions happened inside a later --wait call, whose answer is its last summary only.)
    const waits = bashResults(run, /loom iterate/);
    expect(
      waits.every((w) => w.command === `.loom/scripts/loom iterate --daemon ${parent.trace.daemonId} --wait`),
    ).toBe(true);
    const waitCalls = run.toolUses.filter((t) => t.name === 'Bash' && / iterate /.test(String(t.input.command)));
    expect(waitCalls.every((t) => t.input.timeout === 600_000)).toBe(true);
    const [shutdown] = bashResults(run, /loom shutdown/);
    expect(shutdown?.command).toBe(`.loom/scripts/loom shutdown --daemon ${parent.trace.daemonId}`);
    expect(shutdown?.output).toMatch(/^stopped: all shepherds reached a safe point/);
    expect(results(run).at(-1)?.result).toBe(shutdown?.output.trim());
    // The parent never ran gh nor read an output file.
    expect(
      run.toolUses
        .filter((t) => t.parent === null)
        .every(
          (t) => t.name === 'Agent' || (t.name === 'Bash' && String(t.input.command).startsWith('.loom/scripts/loom ')),
        ),
    ).toBe(true);

    // Claude Code delivered both completion notices to the parent while it was in the loop.
    expect(parent.trace.notifications).toHaveLength(2);
    expect(parent.trace.notifications.join('\n')).toContain('shepherd #1: merged PR');

    // Emulator and state: both issues done, the daemon stopped cleanly, the stop file gone.
    expect(emulator.store.issue(1).state).toBe('CLOSED');
    expect(emulator.store.issue(2).state).toBe('CLOSED');
    const state = stateOf(repo);
    expect(state.running).toBe(false);
    expect(state.stopped_at).not.toBeNull();
    expect([...state.completed_issues].sort()).toEqual([1, 2]);
    expect(existsSync(path.join(repo.dir, '.loom/stop-daemon'))).toBe(false);
    expect(Object.values(state.shepherds).filter((s) => s.status === 'working')).toEqual([]);

    // Context growth of the parent conversation (DESIGN.md §4.2).
    const figures = growthFigures(model.conversation('main'), 2);
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(
      path.join(RESULTS, 'context-growth.json'),
      `${JSON.stringify({ claude_code: '2.1.197', measured_at: new Date().toISOString(), ...figures }, null, 2)}\n`,
    );
    console.log(
      `parent context growth: loop call max ${figures.loopCallMaxBytes} B (mean ${figures.loopCallMeanBytes} B); ` +
        `idle call ${figures.idleCallBytes} B → ${figures.idleHourBytes} B per idle hour at wait_budget ${figures.waitBudgetSeconds} s; ` +
        `per issue ${figures.perIssueBytes} B (spawn ${figures.spawnBytes.join('/')}, record ${figures.recordBytes.join('/')}, notices ${figures.notificationBytes.join('/')}); ` +
        `reminders injected by Claude Code ${figures.reminderBytes.join('/')} B`,
    );
    expect(figures.steps.filter((s) => s.kind === 'iterate-idle').length).toBeGreaterThanOrEqual(IDLE_CALLS);
    expect(figures.notificationBytes.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(figures.loopCallMaxBytes).toBeLessThanOrEqual(600);
    expect(figures.idleHourBytes).toBeLessThanOrEqual(10_000);
    expect(figures.perIssueBytes).toBeLessThanOrEqual(3_000);
  }, 150_000);

  it('/loom status shows the status report', async () => {
    const { repo } = await setup([{ labels: ['loom:issue'] }]);
    const parent = loomParent();
    model = await startFakeModel(parent.script);
    const run = await runClaude(repo, model, '/loom status');
    expectClean(run, model);
    const [status] = bashResults(run, /loom status$/);
    expect(status?.command).toBe('.loom/scripts/loom status');
    expect(status?.output).toContain('Pipeline');
    expect(results(run).at(-1)?.result).toContain('Pipeline');
  }, 60_000);

  it('/loom stop creates the stop file', async () => {
    const { repo } = await setup([]);
    const parent = loomParent();
    model = await startFakeModel(parent.script);
    const run = await runClaude(repo, model, '/loom stop');
    expectClean(run, model);
    const [stop] = bashResults(run, /loom stop$/);
    expect(stop?.command).toBe('.loom/scripts/loom stop');
    expect(stop?.output).toMatch(/^stop requested/);
    expect(existsSync(path.join(repo.dir, '.loom/stop-daemon'))).toBe(true);
  }, 60_000);

  it('/shepherd 1 --force-pr drives a triage issue through curator, builder and judge to loom:pr with the CLI helpers', async () => {
    // A model per role: shepherd-phase names it, the shepherd passes it as the Agent tool's model.
    const { emulator, repo } = await setup([{ title: HOSTILE_TITLE, body: HOSTILE_BODY, labels: ['loom:triage'] }], {
      models: { builder: 'haiku', judge: 'claude-sonnet-4-5' },
    });
    const bare = await bareOrigin(repo);
    const shepherd = shepherdMain();
    const roles = roleSubagent(widgetRoles(realpathSync(repo.dir), HOSTILE_BODY));
    model = await startFakeModel(route(shepherd.script, roles.script));
    const run = await runClaude(repo, model, '/shepherd 1 --force-pr', {
      timeoutMs: 120_000,
      dump: path.join(RESULTS, 'shepherd'),
    });
    expectClean(run, model);

    // The phases the CLI named, the roles run in foreground subagents, and the shepherd's one-line exit.
    expect(shepherd.trace.phases).toEqual(['curator', 'builder haiku', 'judge sonnet', 'merge']);
    expect(shepherd.trace.roles.map((r) => `${r.role} ${r.args}: ${r.line}`)).toEqual([
      'curator 1: curator #1: curated',
      'builder 1 --shepherded: builder #1: opened PR #2',
      'judge 2 --shepherded: judge PR #2: approved',
    ]);
    expect(results(run).at(-1)?.result).toBe('shepherd #1: PR #2 approved (loom:pr)');
    const agents = run.toolUses.filter((t) => t.name === 'Agent');
    expect(agents.map((a) => a.input.description)).toEqual(['curator #1', 'builder #1', 'judge #1']);
    expect(agents.every((a) => a.input.run_in_background === undefined)).toBe(true);
    expect(agents.map((a) => a.input.model)).toEqual([undefined, 'haiku', 'sonnet']);
    // Claude Code honoured it: each role's conversation went to the model the Agent call named.
    const modelsOf = (skill: string) =>
      new Set(
        model!.requests
          .filter((r) => r.subagent && r.firstUserText.includes(`skill: "${skill}"`))
          .map((r) => r.body.model),
      );
    expect([...modelsOf('builder')]).toEqual([expect.stringMatching(/haiku/)]);
    expect([...modelsOf('judge')]).toEqual([expect.stringMatching(/sonnet/)]);
    expect([...modelsOf('curator')]).not.toEqual([expect.stringMatching(/haiku|sonnet/)]);
    const expansions = Object.fromEntries([...roles.runs.values()].map((r) => [r.skill, r.expansion]));
    expect(expansions.curator).toContain('# Curator');
    expect(expansions.builder).toContain('# Builder');
    expect(expansions.judge).toContain('# Judge');

    // GitHub: the issue approved by the force flag and claimed, the PR open with loom:pr, the reviews and checkpoint posted.
    expect(labelsOf(emulator, 1)).toEqual(['loom:building']);
    expect(labelsOf(emulator, 2)).toEqual(['loom:pr']);
    const pr = emulator.store.pullRequest(2);
    expect(pr).toMatchObject({ state: 'OPEN', headRefName: 'feature/issue-1' });
    expect(pr.body).toMatch(/^Closes #1$/m);
    expect(pr.comments.map((c) => c.body).join('\n')).toContain('## Judge review: approved');
    const issue = emulator.store.issue(1);
    expect(issue.body).toContain('## Curated');
    const issueComments = issue.comments.map((c) => c.body).join('\n');
    expect(issueComments).toContain('approved by the shepherd (run with a force flag)');
    expect(issueComments).toMatch(/<!-- loom:checkpoint .*"phase":"judge"/);
    // git: the commit reached the (bare) remote on the feature branch.
    const { stdout: log } = await execa('git', ['--git-dir', bare, 'log', '--format=%s', 'feature/issue-1'], {
      env: repo.env,
      extendEnv: false,
    });
    expect(log.split('\n')[0]).toBe('Add the widget (#1)');
    // The hostile issue text ran nowhere: no marker file, no tag, and the body kept word for word.
    for (const marker of ['PWN1', 'PWN2', 'PWN3']) {
      expect(existsSync(path.join(repo.dir, marker)), marker).toBe(false);
      expect(existsSync(path.join(repo.home, marker)), marker).toBe(false);
    }
    expect((await repo.git(['tag', '--list'])).trim()).toBe('');
    expect(issue.body.startsWith(HOSTILE_BODY)).toBe(true);
    // Every Bash command of every conversation: no heredoc, no text from the issue.
    const commands = model!.requests
      .flatMap((q) => q.calls)
      .filter((c) => c.name === 'Bash')
      .map((c) => String(c.input.command));
    for (const command of commands) {
      expect(command).not.toMatch(/<<|PWN|widget file/);
    }
  }, 150_000);

  it('shows the model an exit status only as "Exit code N"; `test -f` true and false look the same', async () => {
    // A fact the command files must design around (Claude Code 2.1.197): `test`'s exit 1 is "Condition is false",
    // not an error, so a prompt cannot branch on `test -f` alone; Loom's own non-zero exits do reach the model.
    const { repo } = await setup([{ labels: ['loom:issue'] }]);
    writeFileSync(path.join(repo.dir, '.loom/stop-shepherds'), '');
    const commands = ['test -f .loom/stop-shepherds', 'test -f .loom/no-such-file', '.loom/scripts/loom pr-for 1'];
    model = await startFakeModel((r) =>
      r.calls.length < commands.length
        ? { tools: [{ name: 'Bash', input: { command: commands[r.calls.length]!, description: 'check' } }] }
        : { text: 'done' },
    );
    const run = await runClaude(repo, model, 'check the stop file');
    expectClean(run, model);
    const seen = model.requests.at(-1)!.results.map((r) => ({ text: r.text, isError: r.isError }));
    expect(seen).toEqual([
      { text: '(Bash completed with no output)', isError: false },
      { text: '(Bash completed with no output)', isError: false },
      { text: 'Exit code 7', isError: true },
    ]);
  }, 60_000);
});
