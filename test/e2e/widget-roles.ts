/**
 * The roles of the widget scenario, scripted for the Claude Code end-to-end tests
 * (test/claude-code.e2e.test.ts runs `/shepherd 1 --force-pr` directly,
 * test/run-claude.e2e.test.ts under `loom run`): curator, builder and judge
 * each follow the commands their expanded command file names, to a PR with
 * loom:pr. Plus the git side: a local bare repository as `origin`.
 */
import path from 'node:path';
import { execa } from 'execa';
import type { TestRepo } from '../helpers/repo.js';
import type { ReplyTool, ToolResult } from './fake-model.js';
import type { RoleOptions, RoleRun } from './loom-scripts.js';

/**
 * A local bare repository stands in for GitHub's git side as `origin` (fetch and push); a second remote keeps
 * the github.localhost URL, which `gh pr create` needs to find among the remotes (GH_HOST). Returns its path.
 */
export async function bareOrigin(repo: TestRepo): Promise<string> {
  const bare = path.join(repo.home, 'origin.git');
  await execa('git', ['init', '-q', '--bare', '-b', 'main', bare], { env: repo.env, extendEnv: false });
  await repo.git(['remote', 'set-url', 'origin', bare]);
  await repo.git(['remote', 'add', 'github', 'https://github.localhost/acme/widgets.git']);
  await repo.git(['push', '-q', 'origin', 'main']);
  return bare;
}

/**
 * `root`: the repository's real path (the builder writes its file inside the worktree under it);
 * `issueBody`: the issue's original body, which the curator keeps word for word above its additions.
 */
export function widgetRoles(root: string, issueBody: string): RoleOptions {
  const bashTool = (command: string, description: string): ReplyTool => ({
    name: 'Bash',
    input: { command, description },
  });
  /** Fails the step when the role's expanded command file no longer names a command the script uses. */
  const named = (r: RoleRun, snippets: string[]) => {
    for (const snippet of snippets)
      if (!r.expansion.includes(snippet)) throw new Error(`${r.skill}.md no longer names \`${snippet}\``);
  };
  const prOf = (outputs: ToolResult[], at: number) => outputs[at]!.text.trim();
  const write = (file: string, content: string): ReplyTool => ({
    name: 'Write',
    input: { file_path: file, content },
  });
  const tmp = (name: string) => path.join(root, '.loom/tmp', name);
  const steps: Record<string, (r: RoleRun, outputs: ToolResult[]) => ReplyTool | null> = {
    curator: (r, outputs) => {
      named(r, [
        'gh issue view N --json title,body,comments,labels,state',
        '.loom/scripts/loom transition N --add loom:curating',
        'gh issue edit N --body-file .loom/tmp/curated-N.md',
        '.loom/scripts/loom transition N --add loom:curated --remove loom:curating,loom:triage',
      ]);
      const n = r.args.split(' ')[0]!;
      return (
        [
          bashTool(`gh issue view ${n} --json title,body,comments,labels,state`, 'read the issue'),
          bashTool(`.loom/scripts/loom transition ${n} --add loom:curating`, 'mark curating'),
          // The author's hostile text kept word for word, in a file: nothing in it reaches a shell.
          write(
            tmp(`curated-${n}.md`),
            `${issueBody}\n\n## Curated\n\n**Summary.** Add widget.txt.\n\n**Acceptance criteria**\n- [ ] widget.txt exists\n\n**Dependencies**\nNone\n`,
          ),
          bashTool(`gh issue edit ${n} --body-file .loom/tmp/curated-${n}.md`, 'write the curated body'),
          bashTool(
            `.loom/scripts/loom transition ${n} --add loom:curated --remove loom:curating,loom:triage`,
            'mark curated',
          ),
        ][outputs.length] ?? null
      );
    },
    builder: (r, outputs) => {
      named(r, [
        '.loom/scripts/loom deps N --block',
        '.loom/scripts/loom worktree N',
        'git -C W push -u origin feature/issue-N',
        'git -C W commit -F .loom/tmp/commit-N.txt',
        '.loom/scripts/loom pr-open N --file .loom/tmp/pr-N.md',
        '.loom/scripts/loom transition M --add loom:review-requested',
        '.loom/scripts/loom progress N --phase builder --pr M',
      ]);
      const n = r.args.split(' ')[0]!;
      const w = outputs[2]?.text.trim().split('\n').at(-1) ?? '';
      const m = () => prOf(outputs, 9);
      return (
        [
          () => bashTool(`gh issue view ${n} --json title,body,comments,labels,state`, 'read the issue'),
          () => bashTool(`.loom/scripts/loom deps ${n} --block`, 'dependencies'),
          () => bashTool(`.loom/scripts/loom worktree ${n}`, 'worktree'),
          () => write(path.join(root, w, 'widget.txt'), 'a widget\n'),
          () => bashTool(`git -C ${w} add -A`, 'stage'),
          () =>
            write(
              path.join(root, w, `.loom/tmp/commit-${n}.txt`),
              `Add the widget (#${n})\n\nThe issue asks for a widget file.\n`,
            ),
          () => bashTool(`git -C ${w} commit -F .loom/tmp/commit-${n}.txt`, 'commit'),
          () => bashTool(`git -C ${w} push -u origin feature/issue-${n}`, 'push'),
          () =>
            write(
              tmp(`pr-${n}.md`),
              `# Add the widget\n\n## Summary\nAdds widget.txt.\n\nCloses #${n}\n\n## Test plan\nNone needed.\n`,
            ),
          () => bashTool(`.loom/scripts/loom pr-open ${n} --file .loom/tmp/pr-${n}.md`, 'open the PR'),
          () => bashTool(`.loom/scripts/loom transition ${m()} --add loom:review-requested`, 'request review'),
          () => bashTool(`.loom/scripts/loom progress ${n} --phase builder --pr ${m()}`, 'report'),
        ][outputs.length]?.() ?? null
      );
    },
    judge: (r, outputs) => {
      named(r, [
        '.loom/scripts/loom take M --role judge',
        '.loom/scripts/loom comment M --body-file .loom/tmp/review-M.md',
        '.loom/scripts/loom transition M --expect loom:reviewing --add loom:pr --remove loom:reviewing',
      ]);
      const m = r.args.split(' ')[0]!;
      return (
        [
          bashTool(`.loom/scripts/loom take ${m} --role judge --shepherded`, 'take the review'),
          bashTool(`gh pr view ${m} --json title,body,files,additions,deletions,comments`, 'read the PR'),
          write(tmp(`review-${m}.md`), '## Judge review: approved\n\nThe widget is there.\n\n### Blocking\nNone\n'),
          bashTool(`.loom/scripts/loom comment ${m} --body-file .loom/tmp/review-${m}.md`, 'review comment'),
          bashTool(
            `.loom/scripts/loom transition ${m} --expect loom:reviewing --add loom:pr --remove loom:reviewing`,
            'approve',
          ),
        ][outputs.length] ?? null
      );
    },
  };
  const lines: Record<string, (r: RoleRun) => string> = {
    curator: (r) => `curator #${r.args}: curated`,
    builder: (r) => `builder #${r.args.split(' ')[0]}: opened PR #2`,
    judge: (r) => `judge PR #${r.args.split(' ')[0]}: approved`,
  };
  return {
    next: (r, outputs) => steps[r.skill]!(r, outputs),
    finalLine: (r) => lines[r.skill]!(r),
  };
}
