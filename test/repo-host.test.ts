/**
 * D3 (issue 13): the remote's host is kept. A GitHub Enterprise remote is
 * addressed on its own host, never on github.com. The real `gh` does the work;
 * a small LOOM_GH wrapper records the host Loom asked for, then sends the call
 * to the emulator (which only answers as github.localhost).
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ghRepoArg } from '../src/core/repo-arg.js';
import { parseRemoteUrl, parseRepoSlug, type Repo, repoArg, resolveRepo } from '../src/github/repo.js';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';
import { createTestRepo, seedWith } from './helpers/repo.js';

describe('repository host', () => {
  it.each([
    ['https://git.corp.example/acme/app.git', 'git.corp.example'],
    ['git@git.corp.example:acme/app.git', 'git.corp.example'],
    ['ssh://git@git.corp.example:2222/acme/app', 'git.corp.example'],
    ['https://github.com/acme/app', 'github.com'],
    ['git@github-work:acme/app.git', undefined], // an ssh alias, not a host name: gh's default
  ])('%s → host %s', (url, host) => {
    expect(parseRemoteUrl(url)).toEqual({ owner: 'acme', name: 'app', ...(host ? { host } : {}) });
  });

  it('LOOM_REPO/GH_REPO may name the host; else GH_HOST', async () => {
    expect(parseRepoSlug('git.corp.example/acme/app')).toEqual({
      owner: 'acme',
      name: 'app',
      host: 'git.corp.example',
    });
    expect(await resolveRepo('.', { GH_REPO: 'acme/app', GH_HOST: 'ghe.example' })).toEqual({
      owner: 'acme',
      name: 'app',
      host: 'ghe.example',
    });
    expect(await resolveRepo('.', { LOOM_REPO: 'git.corp.example/acme/app', GH_HOST: 'ghe.example' })).toEqual({
      owner: 'acme',
      name: 'app',
      host: 'git.corp.example',
    });
  });

  it.each<[Repo, string]>([
    [{ owner: 'acme', name: 'app' }, 'acme/app'],
    [{ owner: 'acme', name: 'app', host: 'github.com' }, 'acme/app'],
    [{ owner: 'acme', name: 'app', host: 'git.corp.example' }, 'git.corp.example/acme/app'],
  ])("gh's -R for %o is %s", (repo, arg) => {
    expect(repoArg(repo)).toBe(arg);
    expect(ghRepoArg('acme/app', repo.host)).toBe(arg);
  });
});

describe('a GitHub Enterprise remote', () => {
  let emulator: EmulatorHandle;
  let tools: string;
  beforeAll(async () => {
    emulator = await startEmulator(
      seedWith([
        { title: 'On the corporate forge', labels: ['loom:issue'] },
        { title: 'Waiting for a person', labels: ['loom:blocked'] },
      ]),
    );
    tools = mkdtempSync(path.join(tmpdir(), 'loom-gh-wrapper-'));
    writeFileSync(
      path.join(tools, 'gh'),
      `#!/bin/sh\necho "\${GH_HOST:-<default github.com>}" >> "${tools}/hosts.log"\nGH_HOST=github.localhost exec gh "$@"\n`,
    );
    chmodSync(path.join(tools, 'gh'), 0o755);
  });
  afterAll(async () => {
    await emulator.close();
    rmSync(tools, { recursive: true, force: true });
  });

  it('is addressed on its host, not on github.com', async () => {
    const repo = await createTestRepo(emulator);
    await repo.git(['remote', 'set-url', 'origin', 'https://git.corp.example/acme/widgets.git']);
    const env = { GH_REPO: '', GH_HOST: '', LOOM_GH: path.join(tools, 'gh') };
    const status = await repo.loom(['status', '--json'], { env });
    expect(status.exitCode, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      repository: 'acme/widgets',
      pipeline_source: 'github',
      errors: [],
    });
    // What status tells a person to run names the host: a bare -R acme/widgets would go to github.com.
    const unblock = JSON.parse(status.stdout).human_actions.find((a: { kind: string }) => a.kind === 'unblock');
    expect(unblock.command).toBe(
      `gh issue edit ${unblock.number} -R git.corp.example/acme/widgets --remove-label loom:blocked --add-label loom:issue`,
    );
    const text = await repo.loom(['status'], { env });
    expect(text.stdout).toContain(`gh issue edit ${unblock.number} -R git.corp.example/acme/widgets `);
    const labels = await repo.loom(['labels', 'sync', '--dry-run'], { env });
    expect(labels.exitCode, labels.stderr).toBe(0);
    const hosts = readFileSync(path.join(tools, 'hosts.log'), 'utf8').trim().split('\n');
    expect(hosts.length).toBeGreaterThanOrEqual(2);
    expect(new Set(hosts)).toEqual(new Set(['git.corp.example']));
    repo.cleanup();
  });
});
