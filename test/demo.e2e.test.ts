/**
 * `npm run demo` (scripts/demo.ts) end to end: the real Claude Code with the scripted model carries
 * issue #1 to a merged PR, and the story it prints is the one the forge and the remote tell; `--quick`
 * runs the daemon side without Claude Code and never calls a hand-closed issue merged.
 */
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const demo = (args: string[]) =>
  execa('node', [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'scripts/demo.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1' },
    reject: false,
    timeout: 280_000,
  });

describe('npm run demo', () => {
  it('shows one shepherd carrying one issue through curator, builder, judge and merge, saying the model is scripted', async () => {
    const result = await demo([]);
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    const out = String(result.stdout);
    expect(out).toContain('SCRIPTED stand-in');
    const phases = [...out.matchAll(/^==> Phase \d: (\w+)/gm)].map((m) => m[1]);
    expect(phases).toEqual(['curator', 'builder', 'judge', 'merge', 'done']);
    // Status between phases, the real work, and the closing facts read back from the forge and the remote.
    expect(out.match(/\$ \.loom\/scripts\/loom status/g)!.length).toBeGreaterThanOrEqual(5);
    for (const step of [
      'loom worktree 1',
      'git -C .loom/worktrees/issue-1 commit',
      'git -C .loom/worktrees/issue-1 push -u origin feature/issue-1',
      'loom pr-open 1',
      'loom merge 2 --force',
      'shepherd says  shepherd #1: merged PR #2',
      'commit on feature/issue-1 in the bare remote: ',
      'PR #2 "Add the widget": MERGED',
      'issue #1: CLOSED (closed by the merge of PR #2',
    ])
      expect(out).toContain(step);
    expect(out).not.toContain('gh issue close');
  }, 300_000);

  it('--quick runs the daemon side without Claude Code and says the close was by hand', async () => {
    const result = await demo(['--quick']);
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    const out = String(result.stdout);
    expect(out).toContain('without Claude Code');
    expect(out).toContain('SPAWN shepherd-1 shepherd 2 --force-pr');
    expect(out).toContain('A person closes #2 by hand (no agent ran, so nothing was merged)');
    expect(out).toContain('SHUTDOWN_SIGNAL');
    expect(out).not.toMatch(/merged fix/);
  }, 300_000);
});
