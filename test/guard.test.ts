import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa, execaSync } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide } from '../src/guard/hook.js';
import { activeRules, RULES } from '../src/guard/rules.js';
import { parseShell } from '../src/guard/shell.js';
import { BUNDLE } from './helpers/repo.js';

// A real repository: the main checkout on `main`, and a linked worktree where Loom puts them.
let dir: string;
let main: string;
let wt: string;
let home: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'loom-guard-'));
  main = path.join(dir, 'repo');
  home = path.join(dir, 'home');
  mkdirSync(home);
  const git = (...args: string[]) =>
    execaSync('git', args, {
      cwd: main,
      env: { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' },
    });
  mkdirSync(main);
  git('init', '-q', '-b', 'main');
  writeFileSync(path.join(main, 'a.txt'), 'a\n');
  git('add', '.');
  git('commit', '-qm', 'one');
  wt = path.join(main, '.loom/worktrees/issue-1');
  git('worktree', 'add', '-q', '-b', 'feature/issue-1', wt);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Where = 'main' | 'wt';
const at = (where: Where) => (where === 'main' ? main : wt);
const bash = (command: string, where: Where = 'wt') =>
  decide({ tool_name: 'Bash', tool_input: { command }, cwd: at(where) }, { rules: activeRules(undefined), home }).rule;
const write = (file: string, where: Where = 'wt', tool = 'Write') =>
  decide(
    { tool_name: tool, tool_input: { file_path: file.replace('<main>', main).replace('<wt>', wt) }, cwd: at(where) },
    { rules: activeRules(undefined), home },
  ).rule;

// [command, where it runs, the rule that must block it (null: allowed)]
const BASH_TABLE: [string, Where, string | null][] = [
  // ordinary work passes
  ['git status && npm test', 'wt', null],
  ['git -C . push -u origin feature/issue-1', 'wt', null],
  ['git push origin feature/issue-1', 'main', null],
  ['git commit -F .loom/tmp/msg.txt', 'wt', null],
  ['.loom/scripts/loom transition 5 --add loom:pr --comment-file .loom/tmp/c.md', 'main', null],
  ["grep -n 'rm -rf /' README.md", 'main', null],
  ['echo "git push --force"', 'main', null],
  ['rm -rf node_modules dist', 'wt', null],
  ['rm -f /tmp/x.txt', 'main', null],
  ['git reset --hard origin/feature/issue-1', 'wt', null],
  ['git clean -fdx', 'wt', null],
  ['git checkout -- .', 'wt', null],
  ['git restore --staged .', 'main', null],
  ['gh api repos/o/r/pulls/3', 'main', null],
  ["gh api graphql -f query='query { viewer { login } }'", 'main', null],
  ['gh pr view 3 --json title', 'main', null],
  ['ls 2>&1 >/dev/null', 'main', null],
  ["cat <<'EOF' > .loom/tmp/body.md\n$(not run) `nor this`\nEOF", 'main', null],
  // force pushes
  ['git push --force origin feature/issue-1', 'wt', 'force-push'],
  ['git push -f', 'wt', 'force-push'],
  ['git push -uf origin feature/issue-1', 'wt', 'force-push'],
  ['git push --force-with-lease origin feature/issue-1', 'wt', 'force-push'],
  ['git push --force-with-lease=feature/issue-1:abc origin feature/issue-1', 'wt', 'force-push'],
  ['git push origin +feature/issue-1', 'wt', 'force-push'],
  ['git push --mirror', 'wt', 'force-push'],
  ['git -C .loom/worktrees/issue-1 push -f origin HEAD', 'main', 'force-push'],
  // the default branch
  ['git push origin main', 'wt', 'push-default-branch'],
  ['git push origin HEAD:main', 'wt', 'push-default-branch'],
  ['git push origin feature/issue-1:refs/heads/main', 'wt', 'push-default-branch'],
  ['git push', 'main', 'push-default-branch'],
  ['git push origin HEAD', 'main', 'push-default-branch'],
  ['git push --all origin', 'wt', 'push-default-branch'],
  ['git push origin --delete main', 'wt', 'push-default-branch'],
  // destroying work in the main checkout
  ['git reset --hard', 'main', 'reset-hard'],
  ['git -C ../../.. reset --hard HEAD~1', 'wt', 'reset-hard'],
  ['cd ../../.. && git reset --hard', 'wt', 'reset-hard'],
  ['git clean -fdx', 'main', 'clean-untracked'],
  ['git clean -f -d', 'main', 'clean-untracked'],
  ['git checkout -- .', 'main', 'discard-changes'],
  ['git checkout .', 'main', 'discard-changes'],
  ['git restore .', 'main', 'discard-changes'],
  // rm
  ['rm -rf /', 'wt', 'rm-outside-worktree'],
  ['rm -rf ~', 'wt', 'rm-outside-worktree'],
  ['rm -rf "$HOME/x"', 'wt', 'rm-outside-worktree'],
  ['rm -rf ../..', 'wt', 'rm-outside-worktree'],
  ['rm -rf .', 'wt', 'rm-outside-worktree'],
  ['rm -r -f ../other/*', 'wt', 'rm-outside-worktree'],
  ['rm -rf .git', 'main', 'rm-outside-worktree'],
  ['rm .git/index', 'main', 'rm-outside-worktree'],
  ['cd /tmp && rm -rf build', 'main', 'rm-outside-worktree'],
  ['sudo rm -rf /var/lib', 'main', 'rm-outside-worktree'],
  ['/bin/rm -Rf /etc', 'main', 'rm-outside-worktree'],
  ['find . -name x | xargs rm -rf /opt', 'main', 'rm-outside-worktree'],
  // gh
  ['gh pr merge 3 --squash', 'main', 'gh-pr-merge'],
  ['gh -R o/r pr merge 3', 'main', 'gh-pr-merge'],
  ['gh repo delete o/r --yes', 'main', 'gh-repo-delete'],
  ['gh api -X DELETE repos/o/r/git/refs/heads/x', 'main', 'gh-api-mutation'],
  ['gh api --method=PATCH repos/o/r', 'main', 'gh-api-mutation'],
  ['gh api repos/o/r/issues/1/comments -f body=hi', 'main', 'gh-api-mutation'],
  ["gh api graphql -f query='mutation { closeIssue(input:{}) { clientMutationId } }'", 'main', 'gh-api-mutation'],
  // compound commands, wrappers and substitutions
  ['npm test; git push --force', 'wt', 'force-push'],
  ['npm test && git push -f', 'wt', 'force-push'],
  ['npm test || git push -f', 'wt', 'force-push'],
  ['npm test | git push -f', 'wt', 'force-push'],
  ['npm test & git push -f', 'wt', 'force-push'],
  ['npm test\ngit push -f', 'wt', 'force-push'],
  ['(git push -f)', 'wt', 'force-push'],
  ['env GIT_TRACE=1 git push -f', 'wt', 'force-push'],
  ['FOO=1 timeout 30 git push -f', 'wt', 'force-push'],
  ["bash -c 'git push --force'", 'wt', 'force-push'],
  ['sh -lc "gh pr merge 1"', 'main', 'gh-pr-merge'],
  ['eval git push -f', 'wt', 'shell-substitution'],
  ['echo $(git push -f)', 'wt', 'shell-substitution'],
  ['echo "$(id)"', 'wt', 'shell-substitution'],
  ['echo `id`', 'wt', 'shell-substitution'],
  ['diff <(ls) <(ls -a)', 'wt', 'shell-substitution'],
  ['git commit -m "$(cat <<\'EOF\'\nmsg\nEOF\n)"', 'wt', 'shell-substitution'],
  ['cat <<EOF\n$(id)\nEOF', 'wt', 'shell-substitution'],
  // a here-document ends at its terminator line: what follows runs, and is checked
  ["cat <<'EOF' > .loom/tmp/b.md\ntext\nEOF\ngit push -f", 'wt', 'force-push'],
  // redirections into protected files
  ['echo {} > .claude/settings.json', 'main', 'protected-files'],
  ['echo x >> .loom/daemon-state.json', 'main', 'protected-files'],
  ['echo x > .git/hooks/pre-commit', 'wt', 'protected-files'],
  ['echo \'{"guard":false}\' > .loom/config.json', 'main', 'protected-files'],
];

describe('loom guard rules (table)', () => {
  it.each(BASH_TABLE)('Bash %j in %s → %s', (command, where, rule) => {
    expect(bash(command, where)).toBe(rule);
  });

  const FILE_TABLE: [string, Where, string | null][] = [
    ['<wt>/src/a.ts', 'wt', null],
    ['<main>/src/a.ts', 'main', null],
    ['<main>/.loom/tmp/body.md', 'wt', null],
    ['<main>/src/a.ts', 'wt', 'write-outside-worktree'],
    ['/etc/passwd', 'wt', 'write-outside-worktree'],
    ['<wt>/.git', 'wt', 'protected-files'],
    ['<main>/.git/config', 'main', 'protected-files'],
    ['<main>/.loom/daemon-state.json', 'main', 'protected-files'],
    ['<main>/.claude/settings.json', 'main', 'protected-files'],
    ['<main>/.claude/settings.local.json', 'main', 'protected-files'],
    ['<wt>/.claude/settings.json', 'wt', 'protected-files'],
    ['<main>/.loom/config.json', 'main', 'protected-files'],
    ['<main>/.loom/scripts/loom', 'main', 'protected-files'],
    ['<wt>/.loom/config.json', 'wt', null],
  ];
  it.each(FILE_TABLE)('Write %s from %s → %s', (file, where, rule) => {
    expect(write(file, where)).toBe(rule);
    expect(write(file, where, 'Edit')).toBe(rule);
  });

  it('lets every other tool through', () => {
    expect(
      decide({ tool_name: 'Read', tool_input: { file_path: '/etc/passwd' }, cwd: main }, { rules: [...RULES] }).rule,
    ).toBeNull();
  });

  it('every rule in the table is exercised, and each can be switched off alone', () => {
    const used = new Set([...BASH_TABLE.map((r) => r[2])]);
    for (const rule of RULES) {
      if (rule.id === 'write-outside-worktree') continue; // file table
      expect(used, rule.id).toContain(rule.id);
    }
    for (const [command, where, rule] of BASH_TABLE) {
      if (!rule) continue;
      const rules = activeRules({ [rule]: false });
      const verdict = decide({ tool_name: 'Bash', tool_input: { command }, cwd: at(where) }, { rules, home }).rule;
      expect(verdict, command).not.toBe(rule);
    }
    expect(activeRules(false)).toEqual([]);
  });
});

describe('shell reader', () => {
  it('splits, unquotes and keeps redirect targets apart', () => {
    const parsed = parseShell(`a 'b c' "d\\"e" f\\ g > out.txt 2>&1 && h; i | j`);
    expect(parsed.commands.map((c) => c.argv)).toEqual([['a', 'b c', 'd"e', 'f g'], ['h'], ['i'], ['j']]);
    expect(parsed.commands[0]!.writes).toEqual(['out.txt']);
    expect(parsed.substitution).toBe(false);
  });
  it('sees a substitution inside double quotes but not inside single quotes', () => {
    expect(parseShell(`echo '$(x)'`).substitution).toBe(false);
    expect(parseShell('echo "`x`"').substitution).toBe(true);
  });
});

describe('loom guard (the built hook process)', () => {
  const runHook = (input: string, cwd = main) =>
    execa('node', [BUNDLE, 'guard'], { input, cwd, reject: false, env: { HOME: home } });

  it('exits 2 with one line naming the rule when it blocks, 0 when it allows', async () => {
    const blocked = await runHook(
      JSON.stringify({ tool_name: 'Bash', tool_input: { command: 'git push -f' }, cwd: wt }),
    );
    expect(blocked.exitCode).toBe(2);
    expect(blocked.stderr.trim().split('\n')).toHaveLength(1);
    expect(blocked.stderr).toMatch(/^loom guard \(force-push\): force push is refused/);
    const allowed = await runHook(
      JSON.stringify({ tool_name: 'Bash', tool_input: { command: 'git status' }, cwd: wt }),
    );
    expect(allowed.exitCode).toBe(0);
    expect(allowed.stderr).toBe('');
  });

  it('refuses input it cannot read (fails closed)', async () => {
    const result = await runHook('not json');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/could not read the hook input/);
  });

  it('a rule switched off in .loom/config.json lets the call through; guard:false switches all off', async () => {
    mkdirSync(path.join(main, '.loom'), { recursive: true });
    const input = JSON.stringify({ tool_name: 'Bash', tool_input: { command: 'gh pr merge 1' }, cwd: wt });
    writeFileSync(path.join(main, '.loom/config.json'), JSON.stringify({ guard: { 'gh-pr-merge': false } }));
    expect((await runHook(input)).exitCode).toBe(0);
    const force = JSON.stringify({ tool_name: 'Bash', tool_input: { command: 'git push -f' }, cwd: wt });
    expect((await runHook(force)).exitCode).toBe(2);
    writeFileSync(path.join(main, '.loom/config.json'), JSON.stringify({ guard: false }));
    expect((await runHook(force)).exitCode).toBe(0);
    rmSync(path.join(main, '.loom/config.json'));
  });

  it('--help lists every rule and the exit codes', async () => {
    const help = await execa('node', [BUNDLE, 'guard', '--help'], { reject: false });
    expect(help.exitCode).toBe(0);
    for (const rule of RULES) expect(help.stdout).toContain(rule.id);
    expect(help.stdout).toMatch(/Exit codes:\s+0 .* 2\s+blocked/s);
  });
});
