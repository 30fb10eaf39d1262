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

/** `root`: the repository's real path (the builder writes its file inside the worktree under it). */
export function widgetRoles(root: string): RoleOptions {
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
  const steps: Record<string, (r: RoleRun, outputs: ToolResult[]) => ReplyTool | null> = {
    curator: (r, outputs) => {
      named(r, [
        'gh issue view N --json title,body,comments,labels,state',
        '.loom/scripts/loom transition N --add loom:curating',
        "gh issue edit N --body-file - <<'EOF'",
        '.loom/scripts/loom transition N --add loom:curated --remove loom:curating,loom:triage',
      ]);
      const n = r.args;
      return (
        [
          bashTool(`gh issue view ${n} --json title,body,comments,labels,state`, 'read the issue'),
          bashTool(`.loom/scripts/loom transition ${n} --add loom:curating`, 'mark curating'),
          bashTool(
            `gh issue edit ${n} --body-file - <<'EOF'\nWe need a widget file.\n\n## Curated\n\n**Summary.** Add widget.txt.\n\n**Acceptance criteria**\n- [ ] widget.txt exists\n\n**Dependencies**\nNone\nEOF`,
            'write the curated body',
          ),
          bashTool(
            `.loom/scripts/loom transition ${n} --add loom:curated --remove loom:curating,loom:triage`,
            'mark curated',
          ),
        ][outputs.length] ?? null
      );
    },
    builder: (r, outputs) => {
      named(r, [
        '.loom/scripts/loom deps N',
        '.loom/scripts/loom worktree N',
        'git -C W push -u origin feature/issue-N',
        'gh pr create --head feature/issue-N',
        '.loom/scripts/loom pr-for N',
        '.loom/scripts/loom transition M --add loom:review-requested',
        '.loom/scripts/loom progress N --phase builder --pr M',
      ]);
      const n = r.args;
      const w = outputs[2]?.text.trim().split('\n').at(-1) ?? '';
      return (
        [
          () => bashTool(`gh issue view ${n} --json title,body,comments,labels,state`, 'read the issue'),
          () => bashTool(`.loom/scripts/loom deps ${n}`, 'dependencies'),
          () => bashTool(`.loom/scripts/loom worktree ${n}`, 'worktree'),
          () => ({ name: 'Write', input: { file_path: path.join(root, w, 'widget.txt'), content: 'a widget\n' } }),
          () => bashTool(`git -C ${w} add -A`, 'stage'),
          () =>
            bashTool(
              `git -C ${w} commit -F - <<'EOF'\nAdd the widget (#${n})\n\nThe issue asks for a widget file.\nEOF`,
              'commit',
            ),
          () => bashTool(`git -C ${w} push -u origin feature/issue-${n}`, 'push'),
          () =>
            bashTool(
              `gh pr create --head feature/issue-${n} --title "Add the widget" --body-file - <<'EOF'\n## Summary\nAdds widget.txt.\n\nCloses #${n}\n\n## Test plan\nNone needed.\nEOF`,
              'open the PR',
            ),
          () => bashTool(`.loom/scripts/loom pr-for ${n}`, 'PR number'),
          () =>
            bashTool(`.loom/scripts/loom transition ${prOf(outputs, 8)} --add loom:review-requested`, 'request review'),
          () => bashTool(`.loom/scripts/loom progress ${n} --phase builder --pr ${prOf(outputs, 8)}`, 'report'),
        ][outputs.length]?.() ?? null
      );
    },
    judge: (r, outputs) => {
      named(r, [
        '.loom/scripts/loom transition M --add loom:reviewing --remove loom:review-requested',
        "gh pr comment M --body-file - <<'EOF'",
        '.loom/scripts/loom transition M --add loom:pr --remove loom:reviewing',
      ]);
      const m = r.args;
      return (
        [
          bashTool(
            `.loom/scripts/loom transition ${m} --add loom:reviewing --remove loom:review-requested`,
            'take the review',
          ),
          bashTool(
            `gh pr view ${m} --json title,body,headRefName,baseRefName,additions,deletions,comments`,
            'read the PR',
          ),
          bashTool(
            `gh pr comment ${m} --body-file - <<'EOF'\n## Judge review: approved\n\nThe widget is there.\n\n### Blocking\nNone\nEOF`,
            'review comment',
          ),
          bashTool(`.loom/scripts/loom transition ${m} --add loom:pr --remove loom:reviewing`, 'approve'),
        ][outputs.length] ?? null
      );
    },
  };
  const lines: Record<string, (r: RoleRun) => string> = {
    curator: (r) => `curator #${r.args}: curated`,
    builder: (r) => `builder #${r.args}: opened PR #2`,
    judge: (r) => `judge PR #${r.args}: approved`,
  };
  return {
    next: (r, outputs) => steps[r.skill]!(r, outputs),
    finalLine: (r) => lines[r.skill]!(r),
  };
}
