/**
 * The checkout's top folder and the origin remote's URL read from git's files (src/git/read-config.ts) are
 * what real git answers, in real repositories (main checkout, subfolder, linked worktree, a path through a
 * symbolic link); where git could answer otherwise the reader declines (null) and Loom asks git.
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutTop, originUrl } from '../src/git/read-config.js';

let dir: string;
let repo: string;
let env: NodeJS.ProcessEnv;

/** What git itself prints (undefined when it fails). */
async function git(cwd: string, args: string[], extra: NodeJS.ProcessEnv = {}): Promise<string | undefined> {
  const result = await execa('git', args, { cwd, env: { ...env, ...extra }, extendEnv: false, reject: false });
  return result.exitCode === 0 ? result.stdout : undefined;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'loom-read-config-'));
  const home = path.join(dir, 'home');
  mkdirSync(home);
  env = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    GIT_AUTHOR_NAME: 't',
    GIT_AUTHOR_EMAIL: 't@t',
    GIT_COMMITTER_NAME: 't',
    GIT_COMMITTER_EMAIL: 't@t',
  };
  repo = path.join(dir, 'repo');
  await execa('git', ['init', '-q', '-b', 'main', repo], { env, extendEnv: false });
  await git(repo, ['commit', '-q', '--allow-empty', '-m', 'first']);
  mkdirSync(path.join(repo, 'src', 'deep'), { recursive: true });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('checkoutTop', () => {
  it('is git rev-parse --show-toplevel from the top, a subfolder, a linked worktree and through a symlink', async () => {
    await git(repo, ['worktree', 'add', '-q', path.join(dir, 'linked'), '-b', 'side']);
    symlinkSync(repo, path.join(dir, 'link'));
    for (const start of [
      repo,
      path.join(repo, 'src', 'deep'),
      path.join(dir, 'linked'),
      path.join(dir, 'link', 'src'),
    ]) {
      const top = checkoutTop(start, env);
      expect(top, start).not.toBeNull();
      expect(top, start).toBe(await git(start, ['rev-parse', '--show-toplevel']));
    }
  });

  it('declines outside a repository, under GIT_DIR, and for a configured work tree', () => {
    expect(checkoutTop(path.join(dir, 'home'), env)).toBeNull();
    expect(checkoutTop(repo, { ...env, GIT_DIR: path.join(repo, '.git') })).toBeNull();
    const odd = path.join(dir, 'odd');
    mkdirSync(path.join(odd, '.git'), { recursive: true });
    writeFileSync(path.join(odd, '.git', 'config'), '[core]\n\tworktree = /elsewhere\n');
    expect(checkoutTop(odd, env)).toBeNull();
  });
});

describe('originUrl', () => {
  const remote = async (url: string | null) => {
    await git(repo, ['remote', 'remove', 'origin']);
    if (url !== null) await git(repo, ['remote', 'add', 'origin', url]);
  };

  it.each([
    'https://github.com/acme/widgets.git',
    'git@git.corp.example:acme/app.git',
    'ssh://git@git.corp.example:2222/acme/app',
  ])('reads %s as git remote get-url does', async (url) => {
    await remote(url);
    expect(originUrl(repo, env)).toEqual({ url: await git(repo, ['remote', 'get-url', 'origin']) });
    expect(originUrl(path.join(dir, 'linked'), env)).toEqual({ url });
  });

  it('says there is no origin where git finds none (another remote, another case of the name)', async () => {
    await remote(null);
    await git(repo, ['remote', 'add', 'upstream', 'https://github.com/up/x.git']);
    appendFileSync(path.join(repo, '.git', 'config'), '[remote "Origin"]\n\turl = https://github.com/a/b\n');
    expect(await git(repo, ['remote', 'get-url', 'origin'])).toBeUndefined();
    expect(originUrl(repo, env)).toEqual({ url: undefined });
  });

  it('declines where git would rewrite or read the URL elsewhere', async () => {
    await remote('https://github.com/acme/widgets.git');
    const global = path.join(env.HOME!, '.gitconfig');
    writeFileSync(global, '[url "ssh://git@github.com/"]\n\tinsteadOf = https://github.com/\n');
    expect(await git(repo, ['remote', 'get-url', 'origin'])).toBe('ssh://git@github.com/acme/widgets.git');
    expect(originUrl(repo, env)).toBeNull();
    rmSync(global);
    expect(originUrl(repo, { ...env, GIT_CONFIG_GLOBAL: global })).toBeNull();
    expect(originUrl(repo, env)).toEqual({ url: 'https://github.com/acme/widgets.git' });
    const config = path.join(repo, '.git', 'config');
    for (const extra of [
      '[include]\n\tpath = more.config\n',
      '[remote "origin"]\n\turl = https://github.com/c/d\n',
      '[remote "origin"]\n\turl = "https://github.com/c/d" # quoted\n',
      '[remote.origin]\n\turl = https://github.com/c/d\n',
    ]) {
      const before = (await execa('cat', [config])).stdout;
      appendFileSync(config, extra);
      expect(originUrl(repo, env), extra).toBeNull();
      writeFileSync(config, `${before}\n`);
    }
    expect(originUrl(repo, env)).toEqual({ url: 'https://github.com/acme/widgets.git' });
  });
});
