#!/usr/bin/env zx
// `npm run demo`: Loom's main job on an embedded default backlog, end to end,
// through the real `gh` binary against the sandbox forge (the GitHub emulator
// on loopback). Nothing here touches github.com.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { $, chalk, which } from 'zx';

const root = path.resolve(import.meta.dirname, '..');
const loom = path.join(root, '.loom/scripts/loom');
$.verbose = false;

if (!(await which('gh', { nothrow: true }))) {
  console.error(chalk.red('The demo needs the GitHub CLI (gh), which is not installed.'));
  console.error(
    'Install it: `sudo apt-get install -y gh` (Debian/Ubuntu), `brew install gh` (macOS), or see https://cli.github.com',
  );
  process.exit(3);
}

const step = (text) => console.log(`\n${chalk.bold.cyan('==>')} ${chalk.bold(text)}`);

// 1. The sandbox forge, seeded with a realistic backlog.
step('Starting the sandbox forge (GitHub emulator on 127.0.0.1) with the demo backlog');
const forge = spawn(
  process.execPath,
  [
    path.join(root, 'node_modules/tsx/dist/cli.mjs'),
    path.join(root, 'test/emulator/cli.ts'),
    '--seed',
    path.join(root, 'test/fixtures/demo-seed.json'),
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const first = await new Promise((resolve, reject) => {
  readline.createInterface({ input: forge.stdout }).once('line', resolve);
  forge.once('exit', (code) => reject(new Error(`sandbox exited with ${code}`)));
});
const { port, env: forgeEnv } = JSON.parse(first);
console.log(`forge listening on port ${port}; gh is pointed at it with GH_HOST=${forgeEnv.GH_HOST} and HTTP_PROXY`);

const dir = await mkdtemp(path.join(tmpdir(), 'loom-demo-'));
const home = await mkdtemp(path.join(tmpdir(), 'loom-demo-home-'));
const env = {
  ...process.env,
  ...forgeEnv,
  HOME: home,
  GIT_AUTHOR_NAME: 'Loom Demo',
  GIT_AUTHOR_EMAIL: 'demo@loom.invalid',
  GIT_COMMITTER_NAME: 'Loom Demo',
  GIT_COMMITTER_EMAIL: 'demo@loom.invalid',
};
const sh = $({ cwd: dir, env, verbose: false });
const show = async (title, args) => {
  console.log(chalk.dim(`$ ${title}`));
  const result = await sh`${args}`.nothrow();
  process.stdout.write(result.stdout);
  if (result.stderr.trim() && result.stderr !== result.stdout) process.stdout.write(chalk.yellow(result.stderr));
  return result;
};

try {
  // 2. A repository whose remote is the forge.
  step(`Creating a git repository in ${dir}`);
  await sh`git init -q -b main`;
  await sh`git remote add origin https://github.localhost/${forgeEnv.GH_REPO}.git`;
  await writeFile(path.join(dir, 'README.md'), '# widgets\n');
  await sh`git add -A`;
  await sh`git commit -qm ${'initial commit'}`;

  // 3. Install Loom into it.
  step('Installing Loom: loom init');
  await show('loom init .', ['node', loom, 'init', '.']);

  step('The backlog, as gh sees it');
  await show('gh issue list --label loom:issue', ['gh', 'issue', 'list', '--label', 'loom:issue']);

  step('Status before the daemon runs');
  await show('.loom/scripts/loom-status.sh', ['.loom/scripts/loom-status.sh']);

  // 4. What /loom does each poll: start once, then iterate.
  step('/loom starts the daemon (loom start)');
  const id = (await show('loom start', ['.loom/scripts/loom', 'start'])).stdout.trim().split('\n').at(-1);

  step('Iteration 1: claims the urgent issue, then the oldest ones, up to 3 shepherds');
  await show(`loom iterate --daemon ${id}`, ['.loom/scripts/loom', 'iterate', '--daemon', id]);
  await show('gh issue list --label loom:building', ['gh', 'issue', 'list', '--label', 'loom:building']);

  step('A shepherd finishes: issue #2 is closed by its merged fix');
  await show('gh issue close 2', ['gh', 'issue', 'close', '2', '--comment', 'Fixed by the demo shepherd.']);

  step('Iteration 2: frees the slot and claims the next ready issue');
  await show(`loom iterate --daemon ${id}`, ['.loom/scripts/loom', 'iterate', '--daemon', id]);

  // 5. Graceful stop.
  step('touch .loom/stop-daemon');
  await sh`touch .loom/stop-daemon`;
  await show(`loom iterate --daemon ${id}`, ['.loom/scripts/loom', 'iterate', '--daemon', id]);
  step(
    '/loom answers SHUTDOWN_SIGNAL with loom shutdown (no subagents ran in this demo, so their claims are released)',
  );
  await show(`loom shutdown --daemon ${id} --drain 0`, [
    '.loom/scripts/loom',
    'shutdown',
    '--daemon',
    id,
    '--drain',
    '0',
  ]);

  step('Final status');
  await show('.loom/scripts/loom-status.sh', ['.loom/scripts/loom-status.sh']);
  console.log(`\n${chalk.green('Demo complete.')} The repository stays in ${dir} for you to look at.`);
} finally {
  forge.kill('SIGTERM');
  await rm(home, { recursive: true, force: true });
}
