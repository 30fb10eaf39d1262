/**
 * The pure merges behind init, upgrade and uninstall (src/install/init.ts,
 * src/install/uninstall.ts): which lines are Loom's and which the user's.
 * The end-to-end cases with real repositories are in test/lifecycle.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { loadDefaults } from '../src/install/defaults.js';
import {
  GITIGNORE_HEADER,
  loomSettingsEnv,
  loomSettingsRules,
  mergeGitignore,
  mergeLabelsYaml,
  mergeSettings,
} from '../src/install/init.js';
import type { Manifest } from '../src/install/manifest.js';
import { withoutClaudeSection, withoutGitignoreLines, withoutLoomSettings } from '../src/install/uninstall.js';

const defaults = loadDefaults();
const settings = defaults['.claude/settings.json']!;
const labels = defaults['.github/labels.yml']!;
const manifest = (extra: Partial<Manifest> = {}): Manifest => ({
  manifest_version: 1,
  loom_version: '0.1.0',
  files: {},
  labels: {},
  ...extra,
});

describe('settings.json rules', () => {
  it("drops Loom's obsolete rules on upgrade, never a rule Loom still ships or the user's", () => {
    const shipped = 'Bash(.loom/scripts/loom:*)';
    const user = JSON.stringify({ permissions: { allow: ['Bash(make:*)', 'Bash(.loom/scripts/*:*)', shipped] } });
    const merged = JSON.parse(mergeSettings(user, settings, ['Bash(.loom/scripts/*:*)', shipped]));
    expect(merged.permissions.allow).toContain('Bash(make:*)');
    expect(merged.permissions.allow).toContain(shipped);
    expect(merged.permissions.allow).not.toContain('Bash(.loom/scripts/*:*)');
  });

  it("records as Loom's only the rules it added, and removes only those on uninstall", () => {
    const before = JSON.stringify({
      model: 'opus',
      env: { MY_VAR: 'x' },
      permissions: { allow: ['Bash(.loom/scripts/loom:*)'] },
    });
    const rules = loomSettingsRules(before, settings, undefined);
    expect(rules).not.toContain('Bash(.loom/scripts/loom:*)');
    expect(rules.length).toBeGreaterThan(0);
    const installed = mergeSettings(before, settings);
    const env = loomSettingsEnv(before, settings, undefined);
    expect(
      JSON.parse(withoutLoomSettings(installed, manifest({ settings_allow: rules, settings_env: env }), settings)!),
    ).toEqual(JSON.parse(before));
    // Only Loom's entries: nothing left, the file can go.
    expect(
      withoutLoomSettings(
        settings,
        manifest({
          settings_allow: loomSettingsRules(undefined, settings, undefined),
          settings_env: loomSettingsEnv(undefined, settings, undefined),
        }),
        settings,
      ),
    ).toBe(undefined);
  });
});

describe('CLAUDE.md and .gitignore', () => {
  it('the section goes with the blank line init put before it', () => {
    expect(withoutClaudeSection('# Mine\n\n<!-- BEGIN LOOM -->\nx\n<!-- END LOOM -->\n')).toBe('# Mine\n');
    expect(withoutClaudeSection('<!-- BEGIN LOOM -->\nx\n<!-- END LOOM -->\n')).toBeUndefined();
  });

  it("an install without a record loses only the entries under Loom's header", () => {
    const text = `.loom/logs/\nnode_modules\n${mergeGitignore('x\n').slice(2)}`;
    const out = withoutGitignoreLines(text, manifest());
    expect(out).toBe('.loom/logs/\nnode_modules\n');
    expect(text).toContain(GITIGNORE_HEADER);
    // With the record: the user's earlier copy of an entry stays, Loom's appended one goes.
    const recorded = manifest({ gitignore_lines: [GITIGNORE_HEADER, '.loom/logs/'] });
    expect(withoutGitignoreLines(`.loom/logs/\nx\n\n${GITIGNORE_HEADER}\n.loom/logs/\n`, recorded)).toBe(
      '.loom/logs/\nx\n',
    );
  });
});

describe('labels.yml', () => {
  it('a file that is not a YAML list is not merged (init keeps it and writes its version beside it)', () => {
    expect(mergeLabelsYaml('name: [unclosed', labels)).toBeUndefined();
    expect(mergeLabelsYaml('just: a map\n', labels)).toBeUndefined();
  });

  it('--force sets Loom values on an entry the user edited', () => {
    const edited = labels.replace(/(- name: loom:issue\n {2}color: )"[0-9a-f]{6}"/, '$1"123456"');
    expect(mergeLabelsYaml(edited, labels)).toBe(edited);
    expect(mergeLabelsYaml(edited, labels, {}, true)).toBe(labels);
  });
});
