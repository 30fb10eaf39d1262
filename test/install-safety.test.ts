/**
 * `loom init` never loses what a user wrote (issue 13, D1 and D6): changed
 * command files are kept with Loom's version beside them, `--force` backs up
 * first, a CLAUDE.md with broken markers is left alone, and existing labels keep
 * the user's colours unless they still have Loom's previous values.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';
import { createTestRepo, inProcessView, seedWith } from './helpers/repo.js';

let emulator: EmulatorHandle;
beforeAll(async () => {
  emulator = await startEmulator(seedWith([]));
});
afterAll(() => emulator.close());

const read = (dir: string, file: string) => readFileSync(path.join(dir, file), 'utf8');
const manifestOf = (dir: string) => JSON.parse(read(dir, '.loom/install-manifest.json'));

describe('install manifest', () => {
  it('records every installed file with its hash and the Loom version', async () => {
    const repo = await createTestRepo(emulator);
    const manifest = manifestOf(repo.dir);
    expect(manifest.loom_version).toMatch(/^\d+\.\d+\.\d+/);
    expect(Object.keys(manifest.files)).toEqual(
      expect.arrayContaining(['.claude/commands/builder.md', '.loom/scripts/loom', 'CLAUDE.md', '.gitignore']),
    );
    expect(manifest.files['.claude/commands/builder.md']).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.labels['loom:issue']).toMatchObject({ color: expect.stringMatching(/^[0-9a-f]{6}$/i) });
    repo.cleanup();
  });
});

describe('files the user changed (D6)', () => {
  it('keeps an edited command file, writes the new version beside it and says so', async () => {
    const repo = await createTestRepo(emulator);
    const file = path.join(repo.dir, '.claude/commands/builder.md');
    const loomVersion = readFileSync(file, 'utf8');
    writeFileSync(file, `${loomVersion}\nAlways run make lint first.\n`);
    const edited = readFileSync(file, 'utf8');

    const result = await repo.loom(['init', '.', '--no-labels']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(edited);
    expect(read(repo.dir, '.claude/commands/builder.md.loom-new')).toBe(loomVersion);
    expect(result.stdout).toMatch(/kept \.claude\/commands\/builder\.md/);
    expect(result.stdout).toContain('builder.md.loom-new');

    const json = JSON.parse((await repo.loom(['init', '.', '--no-labels', '--json'])).stdout);
    expect(json.files.find((f: { path: string }) => f.path === '.claude/commands/builder.md')).toMatchObject({
      action: 'kept',
      beside: '.claude/commands/builder.md.loom-new',
    });
    // Still the user's on every later run.
    expect(readFileSync(file, 'utf8')).toBe(edited);
    repo.cleanup();
  });

  it('--force replaces an edited file only after saving it as .loom-backup', async () => {
    const repo = await createTestRepo(emulator);
    const file = path.join(repo.dir, '.claude/commands/judge.md');
    const loomVersion = readFileSync(file, 'utf8');
    writeFileSync(file, 'my own judge\n');

    const result = await repo.loom(['init', '.', '--no-labels', '--force']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(loomVersion);
    expect(read(repo.dir, '.claude/commands/judge.md.loom-backup')).toBe('my own judge\n');
    expect(result.stdout).toContain('judge.md.loom-backup');
    repo.cleanup();
  });

  it("replaces a file that is still Loom's previous version without asking", async () => {
    const repo = await createTestRepo(emulator);
    // Pretend an older Loom installed a different curator.md: file and manifest agree.
    const file = path.join(repo.dir, '.claude/commands/curator.md');
    const current = readFileSync(file, 'utf8');
    writeFileSync(file, 'curator as an older Loom shipped it\n');
    const manifest = manifestOf(repo.dir);
    const { createHash } = await import('node:crypto');
    manifest.files['.claude/commands/curator.md'] = createHash('sha256')
      .update('curator as an older Loom shipped it\n')
      .digest('hex');
    writeFileSync(path.join(repo.dir, '.loom/install-manifest.json'), JSON.stringify(manifest));

    const result = await repo.loom(['init', '.', '--no-labels']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(current);
    expect(existsSync(`${file}.loom-new`)).toBe(false);
    repo.cleanup();
  });

  it("keeps a user's own same-named command file in a repository Loom was never installed in", async () => {
    const repo = await createTestRepo(emulator, { install: false });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(path.join(repo.dir, '.claude/commands'), { recursive: true });
    writeFileSync(path.join(repo.dir, '.claude/commands/doctor.md'), 'my doctor command\n');
    const result = await repo.loomFromBundle(['init', '.', '--no-labels']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(read(repo.dir, '.claude/commands/doctor.md')).toBe('my doctor command\n');
    expect(read(repo.dir, '.claude/commands/doctor.md.loom-new')).toContain('description:');
    repo.cleanup();
  });
});

describe('CLAUDE.md with broken markers (D1)', () => {
  const cases: [string, (loomSection: string) => string, RegExp][] = [
    [
      'END marker deleted',
      (s) => `# Mine\n\nKeep this.\n\n${s.replace('<!-- END LOOM -->', '')}\nMy notes after Loom.\n`,
      /no <!-- END LOOM -->/,
    ],
    [
      'BEGIN marker deleted',
      (s) => `# Mine\n\n${s.replace('<!-- BEGIN LOOM -->', '')}\nMy notes after Loom.\n`,
      /no <!-- BEGIN LOOM -->/,
    ],
    ['markers swapped', () => '<!-- END LOOM -->\nMine\n<!-- BEGIN LOOM -->\nLoom text\n', /order/],
    ['two Loom sections', (s) => `# Mine\n${s}\nMiddle text.\n${s}`, /repeated/],
  ];
  for (const [name, breakIt, problem] of cases) {
    it(`${name}: left untouched, twice, with what is wrong and how to mend it`, async () => {
      const repo = await createTestRepo(emulator);
      const broken = breakIt(read(repo.dir, 'CLAUDE.md'));
      writeFileSync(path.join(repo.dir, 'CLAUDE.md'), broken);
      for (const _ of [1, 2]) {
        const result = await repo.loom(['init', '.', '--no-labels']);
        expect(result.exitCode, result.stderr).toBe(0);
        expect(read(repo.dir, 'CLAUDE.md')).toBe(broken);
        expect(result.stderr).toMatch(problem);
        expect(result.stderr).toMatch(/then run init again/);
        expect(result.stdout).not.toMatch(/your text kept/);
      }
      repo.cleanup();
    });
  }

  it('mended markers: the section is replaced and the text around it kept', async () => {
    const repo = await createTestRepo(emulator);
    const section = read(repo.dir, 'CLAUDE.md');
    writeFileSync(
      path.join(repo.dir, 'CLAUDE.md'),
      `# Mine\n\n${section.replace(/(BEGIN LOOM -->\n)[\s\S]*(<!-- END)/, '$1old text\n$2')}\nAfter.\n`,
    );
    const result = await repo.loom(['init', '.', '--no-labels']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(read(repo.dir, 'CLAUDE.md')).toBe(`# Mine\n\n${section}\nAfter.\n`);
    repo.cleanup();
  });
});

describe('labels that already exist (D6)', () => {
  async function withLabel(color: string, description: string) {
    const own = await startEmulator({ ...seedWith([]), labels: [{ name: 'loom:issue', color, description }] });
    return own;
  }
  const label = (e: EmulatorHandle) => e.state().labels!.find((l) => l.name === 'loom:issue')!;

  it('keeps the colour and description a repository gave its label; --force sets Loom’s', async () => {
    const own = await withLabel('000000', 'ours, hands off');
    const repo = await createTestRepo(own, { install: false });
    const first = await repo.loomFromBundle(['init', '.']);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(label(own)).toMatchObject({ color: '000000', description: 'ours, hands off' });
    expect(first.stdout).toMatch(/1 kept/);
    expect(first.stdout).toContain('loom:issue');
    expect(own.state().labels!.length).toBeGreaterThan(5); // the missing ones were created

    const forced = await repo.loom(['init', '.', '--force']);
    expect(forced.exitCode, forced.stderr).toBe(0);
    const loomValues = manifestOf(repo.dir).labels['loom:issue'];
    expect(label(own)).toMatchObject({ color: loomValues.color, description: loomValues.description });
    repo.cleanup();
    await own.close();
  });

  it("updates a label that still has Loom's previous values", async () => {
    const own = await withLabel('123456', 'what an older Loom said');
    const repo = await createTestRepo(own, { install: false });
    await repo.loomFromBundle(['init', '.', '--no-labels']);
    const manifest = manifestOf(repo.dir);
    manifest.labels['loom:issue'] = { color: '123456', description: 'what an older Loom said' };
    writeFileSync(path.join(repo.dir, '.loom/install-manifest.json'), JSON.stringify(manifest));
    // The rule, in-process; the sync through the real gh is the case above.
    const result = await inProcessView(repo, own).loom(['labels', 'sync', '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).updated).toContain('loom:issue');
    expect(label(own).color).not.toBe('123456');
    repo.cleanup();
    await own.close();
  });
});
