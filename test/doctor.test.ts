/**
 * `loom doctor` against the emulator, in real temporary git repositories with
 * the real gh and the real Claude Code (devDependency): all checks pass on a
 * healthy install (exit 0), and each broken part fails its own check with a
 * fix (exit 17).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DoctorJsonSchema } from '../src/core/doctor.js';
import { ExitCode } from '../src/errors.js';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';
import { createTestRepo, seedWith, type TestRepo } from './helpers/repo.js';

const CLAUDE = path.resolve(import.meta.dirname, '../node_modules/.bin/claude');

let emulator: EmulatorHandle;
beforeAll(async () => {
  emulator = await startEmulator(seedWith([]));
});
afterAll(() => emulator.close());

/** A repository with Loom installed, its labels synced and the folder trusted in Claude Code. */
async function healthyRepo(): Promise<TestRepo> {
  const repo = await createTestRepo(emulator, { env: { LOOM_CLAUDE: CLAUDE } });
  writeFileSync(
    path.join(repo.home, '.claude.json'),
    JSON.stringify({ projects: { [repo.dir]: { hasTrustDialogAccepted: true } } }),
  );
  return repo;
}

const doctor = async (repo: TestRepo, env: NodeJS.ProcessEnv = {}) => {
  const result = await repo.loom(['doctor', '--json'], { env });
  return {
    exitCode: result.exitCode,
    stderr: result.stderr,
    report: DoctorJsonSchema.parse(JSON.parse(result.stdout)),
  };
};
const failed = (report: { checks: { id: string; ok: boolean }[] }) =>
  report.checks.filter((c) => !c.ok).map((c) => c.id);

describe('loom doctor', () => {
  it('passes every check on a healthy install: one ✓ line per check, exit 0', async () => {
    const repo = await healthyRepo();
    const result = await repo.loom(['doctor']);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('✓ '))).toHaveLength(13);
    expect(result.stdout).toMatch(/✓ claude: Claude Code 2\.1\.197/);
    expect(result.stdout).toMatch(/✓ repository: github\.localhost\/acme\/widgets/);
    expect(result.stdout).toMatch(/All 13 checks passed/);
    const { report } = await doctor(repo);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.id)).toContain('gh-auth');
    repo.cleanup();
  });

  it('fails the checks of what is broken, each with its fix, and exits 17', async () => {
    const repo = await healthyRepo();
    writeFileSync(path.join(repo.dir, '.claude/settings.json'), '{"permissions": ');
    writeFileSync(path.join(repo.dir, '.loom/config.json'), '{"poll_interval": 0}');
    mkdirSync(path.join(repo.dir, '.loom/worktrees/issue-9'), { recursive: true });
    writeFileSync(path.join(repo.dir, '.loom/worktree-include'), '.env\n../outside\n');
    // A lock whose recorded holder is a process that no longer exists on this host.
    mkdirSync(path.join(repo.dir, '.loom/daemon-state.json.lock'));
    const { hostname } = await import('node:os');
    writeFileSync(
      path.join(repo.dir, '.loom/daemon-state.json.lock-owner'),
      JSON.stringify({ pid: 2 ** 22 + 17, host: hostname(), token: 't', since: new Date().toISOString() }),
    );
    rmSync(path.join(repo.home, '.claude.json'));
    const { exitCode, report } = await doctor(repo, { LOOM_CLAUDE: path.join(repo.home, 'no-claude') });
    expect(exitCode).toBe(ExitCode.checksFailed);
    expect(report.ok).toBe(false);
    expect(failed(report).sort()).toEqual(['claude', 'config', 'locks', 'settings', 'trusted', 'worktrees']);
    for (const check of report.checks.filter((c) => !c.ok)) expect(check.fix, check.id).toBeTruthy();
    expect(report.checks.find((c) => c.id === 'worktrees')?.detail).toContain('.loom/worktrees/issue-9');
    expect(report.checks.find((c) => c.id === 'worktrees')?.detail).toMatch(/worktree-include line 2/);
    expect(report.checks.find((c) => c.id === 'locks')?.detail).toContain('.loom/daemon-state.json.lock');
    repo.cleanup();
  });

  it('fails gh-auth when gh has no login for the host and names it; labels missing on GitHub fail labels', async () => {
    const repo = await healthyRepo();
    const emptyConfig = path.join(repo.home, 'gh-config');
    mkdirSync(emptyConfig);
    const bad = await doctor(repo, { GH_TOKEN: '', GH_CONFIG_DIR: emptyConfig });
    expect(bad.exitCode).toBe(ExitCode.checksFailed);
    expect(failed(bad.report)).toEqual(['gh-auth', 'repository', 'labels']);
    expect(bad.report.checks.find((c) => c.id === 'gh-auth')?.fix).toMatch(
      /gh auth login --hostname github\.localhost/,
    );

    emulator.store.deleteLabel('loom:building');
    const missing = await doctor(repo);
    expect(failed(missing.report)).toEqual(['labels']);
    expect(missing.report.checks.find((c) => c.id === 'labels')?.detail).toContain('loom:building');
    expect((await repo.loom(['labels', 'sync'])).exitCode).toBe(0);
    expect((await doctor(repo)).exitCode).toBe(0);
    repo.cleanup();
  });
});
