/**
 * `npm run demo [-- --quick]`: Loom at work in a sandbox, nothing leaves this machine.
 *
 * Default: the real Claude Code CLI (the pinned devDependency) runs `/shepherd 1 --force-merge` on one issue
 * against a SCRIPTED stand-in model (test/e2e: it replays the steps the command files name; no AI decides
 * anything), the real `gh` against the sandbox forge (the GitHub emulator on loopback) and a local bare git
 * remote: curator → builder (worktree, commit, push, PR) → judge → merge, with `loom status` between phases.
 * Every line of the closing story is read back from the forge and the remote, not assumed.
 *
 * `--quick`: no Claude Code. The daemon's side only: `loom start`, two iterations claiming a backlog,
 * a graceful stop and `loom shutdown`.
 */
import { realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Chalk } from 'chalk';
import { execa } from 'execa';
import { CLAUDE_BIN, runClaude, trustProject } from '../test/e2e/claude.js';
import { type FakeModel, type Script, startFakeModel } from '../test/e2e/fake-model.js';
import { roleSubagent, route, shepherdMain } from '../test/e2e/loom-scripts.js';
import { bareOrigin, widgetRoles } from '../test/e2e/widget-roles.js';
import { type EmulatorHandle, startEmulator } from '../test/emulator/index.js';
import { BUNDLE, createTestRepo, seedWith, type TestRepo } from '../test/helpers/repo.js';

const quick = process.argv.includes('--quick');
const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const c = new Chalk({ level: color ? 1 : 0 });
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
const say = (text = '') => process.stdout.write(`${text}\n`);
const step = (text: string) => say(`\n${c.bold.cyan('==>')} ${c.bold(text)} ${c.dim(`[${elapsed()}]`)}`);
const indent = (text: string, prefix = '    ') =>
  text
    .trimEnd()
    .split('\n')
    .map((line) => `${prefix}${line}`)
    .join('\n');

/** Runs a command in the demo repository, shows it and what it printed. */
async function show(repo: TestRepo, command: string[], options: { lines?: number; label?: string } = {}) {
  say(c.dim(`  $ ${options.label ?? command.join(' ')}`));
  const result = await execa(command[0]!, command.slice(1), {
    cwd: repo.dir,
    env: { ...repo.env, ...(color ? { NO_COLOR: undefined, FORCE_COLOR: '1' } : {}) },
    extendEnv: false,
    reject: false,
  });
  let out = String(result.stdout).trimEnd();
  if (options.lines !== undefined) out = out.split('\n').slice(0, options.lines).join('\n');
  if (out) say(indent(out));
  if (result.exitCode !== 0 && String(result.stderr).trim()) say(c.yellow(indent(String(result.stderr))));
  return result;
}

/** `gh issue list` as a person reads it: number and title, no tab-separated columns. */
const BACKLOG_TEMPLATE = '{{range .}}#{{.number}}  {{.title}}{{"\\n"}}{{end}}';

const loom = (repo: TestRepo, ...args: string[]) => ['node', path.join(repo.dir, '.loom/scripts/loom'), ...args];

/** The head of `loom status`: the daemon, the one-line summary, the pipeline table (and the shepherds, if any). */
async function statusHead(repo: TestRepo, upTo: 'Shepherds' | 'Support roles' = 'Shepherds') {
  const result = await execa('node', [path.join(repo.dir, '.loom/scripts/loom'), 'status'], {
    cwd: repo.dir,
    env: { ...repo.env, ...(color ? { NO_COLOR: undefined, FORCE_COLOR: '1' } : {}) },
    extendEnv: false,
    reject: false,
  });
  const lines = String(result.stdout).split('\n');
  const end = lines.findIndex((line) => line.includes(upTo));
  say(c.dim('  $ .loom/scripts/loom status   (its first part)'));
  say(indent(lines.slice(0, end > 0 ? end - 1 : lines.length).join('\n')));
}

async function install(emulator: EmulatorHandle): Promise<TestRepo> {
  step('A git repository whose GitHub is the sandbox forge; Loom installed with `loom init`');
  const repo = await createTestRepo(emulator, { install: false });
  say(c.dim(`  $ node <loom>/.loom/scripts/loom init .   (in ${repo.dir})`));
  const init = await execa('node', [BUNDLE, 'init', '.'], { cwd: repo.dir, env: repo.env, extendEnv: false });
  say(indent(String(init.stdout).split('\n').slice(0, 6).join('\n')));
  repo.writeConfig({ max_shepherds: 1, issue_threshold: 0 });
  return repo;
}

/** Prints each tool call the scripted model makes, as Claude Code is asked to run it. */
function narrate(script: Script, root: string, roleOf: (conversation: string) => string): Script {
  return async (request) => {
    const reply = await script(request);
    const who = request.subagent ? roleOf(request.conversation) : 'shepherd';
    for (const tool of reply.tools ?? []) {
      const input = tool.input as Record<string, string>;
      const what =
        tool.name === 'Bash'
          ? input.command
          : tool.name === 'Write'
            ? path.relative(root, input.file_path ?? '')
            : tool.name === 'Agent'
              ? `${input.description} (a foreground subagent)`
              : tool.name === 'Skill'
                ? `/${input.skill} ${input.args}`
                : JSON.stringify(input).slice(0, 60);
      say(`  ${c.magenta(who.padEnd(8))} ${c.bold(tool.name.padEnd(5))} ${what}`);
    }
    if (reply.text) say(`  ${c.magenta(who.padEnd(8))} ${c.green('says')}  ${reply.text.split('\n')[0]}`);
    return reply;
  };
}

async function agentDemo(): Promise<number> {
  say(c.bold('Loom demo: one shepherd carries one issue from triage to a merged pull request.'));
  say(
    c.yellow(
      'The agent is the real Claude Code 2.1.197, but its model is a SCRIPTED stand-in on 127.0.0.1:\n' +
        'it replays the steps the command files name (test/e2e). No AI decides anything in this demo.',
    ),
  );
  step('Sandbox forge: the GitHub emulator on 127.0.0.1, which the real gh talks to');
  const body = 'We need a widget file.';
  const emulator = await startEmulator(seedWith([{ title: 'Add the widget', body, labels: ['loom:triage'] }]));
  say(`    issue #1 "Add the widget" (loom:triage), repository acme/widgets, gh ${emulator.env.GH_HOST}`);
  const repo = await install(emulator);
  let model: FakeModel | undefined;
  try {
    const bare = await bareOrigin(repo);
    trustProject(repo);
    say(`    origin is a local bare repository (${path.basename(bare)}); pull requests live on the forge`);

    step('Status before any agent runs');
    await statusHead(repo);

    const shepherd = shepherdMain();
    const roles = roleSubagent(widgetRoles(realpathSync(repo.dir), body));
    let shownPhases = 0;
    // Between phases: when `loom shepherd-phase` has answered, show status before the model goes on.
    const withStatus: Script = async (request) => {
      const last = request.toolResults.at(-1);
      if (!request.subagent && last && /shepherd-phase/.test(String(last.call.input.command))) {
        const phase = last.text.trim();
        step(`Phase ${++shownPhases}: ${phase} (the CLI decided it from labels and the PR)`);
        if (shownPhases > 1) await statusHead(repo);
      }
      return route(shepherd.script, roles.script)(request);
    };
    model = await startFakeModel(
      narrate(withStatus, realpathSync(repo.dir), (conversation) => roles.runs.get(conversation)?.skill ?? 'subagent'),
    );

    step('Claude Code runs `/shepherd 1 --force-merge` (headless, as a /loom shepherd would)');
    say(c.dim(`  $ claude -p "/shepherd 1 --force-merge"   (${path.relative(process.cwd(), CLAUDE_BIN)})`));
    const run = await runClaude(repo, model, '/shepherd 1 --force-merge', { timeoutMs: 300_000 });
    if (model.errors.length || run.exitCode !== 0) {
      say(c.red(`\nClaude Code ended with exit ${run.exitCode}; script errors: ${model.errors.join('; ') || 'none'}`));
      say(c.red(String(run.stderr).slice(0, 2000)));
      return 1;
    }
    const result = run.events.filter((e) => e.type === 'result').at(-1) as { result?: string } | undefined;
    say(`\n  Claude Code exited 0; the shepherd's last line: ${c.bold(result?.result ?? '(none)')}`);

    step('What happened, read back from the forge and the remote');
    const pr = emulator.store.pullRequest(2);
    const issue = emulator.store.issue(1);
    const { stdout: pushed } = await execa('git', ['--git-dir', bare, 'log', '--format=%h %s', '-1', pr.headRefName], {
      env: repo.env,
      extendEnv: false,
      reject: false,
    });
    say(`    commit on ${pr.headRefName} in the bare remote: ${pushed || '(none)'}`);
    say(`    PR #2 "${pr.title}": ${pr.state}`);
    say(
      `    issue #1: ${issue.state}${issue.state === 'CLOSED' ? ' (closed by the merge of PR #2, "Closes #1")' : ''}`,
    );
    const reviews = pr.comments.filter((comment) => comment.body.startsWith('## Judge review'));
    say(`    Judge reviews on PR #2: ${reviews.length}`);
    await show(repo, [
      'gh',
      'pr',
      'view',
      '2',
      '--json',
      'state,labels,title',
      '--jq',
      '[.state, .title, ([.labels[].name] | join(","))] | @tsv',
    ]);
    const merged = pr.state === 'MERGED' && issue.state === 'CLOSED' && Boolean(pushed);
    say(
      merged
        ? c.green('    The fix was built, pushed, reviewed and merged; the merge closed the issue.')
        : c.red('    The story did not end in a merge: see above.'),
    );

    step('Final status');
    say(c.dim('    No daemon ran (the shepherd was started by hand), so the daemon counters stay at 0.'));
    await show(repo, loom(repo, 'status'), { label: '.loom/scripts/loom status' });
    say(`\n${c.green('Demo complete')} in ${elapsed()}; the sandbox is removed.`);
    return merged ? 0 : 1;
  } finally {
    await model?.close();
    await emulator.close();
    repo.cleanup();
  }
}

async function quickDemo(): Promise<number> {
  say(c.bold('Loom demo (--quick): the daemon side, without Claude Code: no agent works in this form.'));
  step('Sandbox forge: the GitHub emulator on 127.0.0.1 with a small backlog');
  const emulator = await startEmulator(
    seedWith([
      { title: 'Add a --verbose flag to the importer', labels: ['loom:issue'] },
      { title: 'Crash when the config file is empty', labels: ['loom:issue', 'loom:urgent'] },
      { title: 'Document the export format', labels: ['loom:issue'] },
      { title: 'Cache parsed templates', labels: ['loom:issue'] },
      { title: 'Support YAML input', labels: ['loom:issue'] },
    ]),
  );
  const repo = await install(emulator);
  repo.writeConfig({ max_shepherds: 3, issue_threshold: 0 });
  try {
    step('The backlog, as gh sees it');
    await show(
      repo,
      ['gh', 'issue', 'list', '--label', 'loom:issue', '--json', 'number,title', '--template', BACKLOG_TEMPLATE],
      { label: 'gh issue list --label loom:issue' },
    );
    step('/loom starts the daemon (loom start)');
    const id = String((await show(repo, loom(repo, 'start'), { label: 'loom start' })).stdout)
      .trim()
      .split('\n')
      .at(-1)!;
    step('Iteration 1: claims the urgent issue, then the oldest ones, up to 3 shepherds');
    await show(repo, loom(repo, 'iterate', '--daemon', id), { label: `loom iterate --daemon ${id}` });
    say(c.dim('    (/loom would now start one background shepherd per SPAWN line; --quick starts none)'));
    await statusHead(repo, 'Support roles');
    step('A person closes #2 by hand (no agent ran, so nothing was merged)');
    await show(repo, ['gh', 'issue', 'close', '2', '--comment', 'Closed by hand in the demo.']);
    step('Iteration 2: frees the slot of the closed issue and claims the next ready one');
    await show(repo, loom(repo, 'iterate', '--daemon', id), { label: `loom iterate --daemon ${id}` });
    step('touch .loom/stop-daemon, then the next iteration answers SHUTDOWN_SIGNAL');
    writeFileSync(path.join(repo.dir, '.loom/stop-daemon'), '');
    await show(repo, loom(repo, 'iterate', '--daemon', id), { label: `loom iterate --daemon ${id}` });
    step('/loom answers with loom shutdown: no shepherd ran, so their claims are released');
    await show(repo, loom(repo, 'shutdown', '--daemon', id, '--drain', '0'), {
      label: `loom shutdown --daemon ${id} --drain 0`,
    });
    step('Final status');
    await show(repo, loom(repo, 'status'), { label: '.loom/scripts/loom status' });
    say(`\n${c.green('Demo complete')} in ${elapsed()}; the sandbox is removed.`);
    return 0;
  } finally {
    await emulator.close();
    repo.cleanup();
  }
}

const gh = await execa('gh', ['--version'], { reject: false }).catch(() => null);
if (gh?.exitCode !== 0) {
  say(c.red('The demo needs the GitHub CLI (gh), which is not installed.'));
  say(
    'Install it: `sudo apt-get install -y gh` (Debian/Ubuntu), `brew install gh` (macOS), or see https://cli.github.com',
  );
  process.exit(3);
}
process.exitCode = quick ? await quickDemo() : await agentDemo();
