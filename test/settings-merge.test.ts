import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/core/config.js';
import { loadDefaults } from '../src/install/defaults.js';
import { mergeSettings } from '../src/install/init.js';

const defaults = () => loadDefaults()['.claude/settings.json']!;

describe('settings.json: the guard hook', () => {
  it('a fresh install registers loom guard as a PreToolUse hook for Bash and the file tools', () => {
    const settings = JSON.parse(mergeSettings(undefined, defaults()));
    const [entry] = settings.hooks.PreToolUse;
    expect(entry.matcher.split('|')).toEqual(expect.arrayContaining(['Bash', 'Write', 'Edit', 'MultiEdit']));
    expect(entry.hooks[0].command).toMatch(/\.loom\/scripts\/loom"? guard$/);
  });

  it("keeps the user's own hooks, adds Loom's once, and replaces an older Loom entry on upgrade", () => {
    const user = {
      model: 'opus',
      hooks: {
        PreToolUse: [
          { matcher: 'Bash', hooks: [{ type: 'command', command: './my-lint-hook.sh' }] },
          { matcher: 'Bash', hooks: [{ type: 'command', command: '.loom/scripts/loom guard' }] },
        ],
        PostToolUse: [{ matcher: 'Write', hooks: [{ type: 'command', command: 'prettier --write' }] }],
      },
    };
    const once = mergeSettings(JSON.stringify(user), defaults());
    const twice = mergeSettings(once, defaults());
    expect(twice).toBe(once);
    const settings = JSON.parse(twice);
    expect(settings.model).toBe('opus');
    expect(settings.hooks.PostToolUse).toEqual(user.hooks.PostToolUse);
    const commands = settings.hooks.PreToolUse.map((e: { hooks: { command: string }[] }) => e.hooks[0]!.command);
    expect(commands[0]).toBe('./my-lint-hook.sh');
    expect(commands.filter((c: string) => c.includes('loom') && c.endsWith('guard'))).toHaveLength(1);
  });

  it("sets Claude Code's Bash tool back to the project folder after each call; a user's env value wins", () => {
    // A role's `cd W && <test command>` would otherwise carry every later relative path (`.loom/scripts/loom`,
    // `git -C W`) into the worktree: the branch's own copy of the CLI would run (test/hostile-names.e2e.test.ts).
    expect(JSON.parse(mergeSettings(undefined, defaults())).env).toEqual({
      CLAUDE_BASH_MAINTAIN_PROJECT_WORKING_DIR: '1',
    });
    const user = { env: { FOO: 'bar', CLAUDE_BASH_MAINTAIN_PROJECT_WORKING_DIR: '0' } };
    expect(JSON.parse(mergeSettings(JSON.stringify(user), defaults())).env).toEqual(user.env);
    expect(JSON.parse(mergeSettings(JSON.stringify({ env: { FOO: 'bar' } }), defaults())).env).toEqual({
      CLAUDE_BASH_MAINTAIN_PROJECT_WORKING_DIR: '1',
      FOO: 'bar',
    });
    expect(() => mergeSettings(JSON.stringify({ env: ['x'] }), defaults())).toThrow(/"env" that is not an object/);
  });

  it('config accepts guard switches by rule id and refuses unknown rule names', () => {
    expect(parseConfig({ guard: { 'force-push': false } }).ok).toBe(true);
    expect(parseConfig({ guard: false }).ok).toBe(true);
    const bad = parseConfig({ guard: { 'no-such-rule': false } });
    expect(bad.ok).toBe(false);
  });
});
