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

  it('config accepts guard switches by rule id and refuses unknown rule names', () => {
    expect(parseConfig({ guard: { 'force-push': false } }).ok).toBe(true);
    expect(parseConfig({ guard: false }).ok).toBe(true);
    const bad = parseConfig({ guard: { 'no-such-rule': false } });
    expect(bad.ok).toBe(false);
  });
});
