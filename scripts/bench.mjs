#!/usr/bin/env zx
// `npm run bench`: what an iteration and a status call cost, measured on the
// sandbox forge with the built bundle and the real gh. Prints a table of
// request counts, wall times and ratios; `--write` also records them in
// docs/PERFORMANCE.md with the machine they ran on. Not a test: no thresholds.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { $, argv } from 'zx';

const root = path.resolve(import.meta.dirname, '..');
const bundle = path.join(root, '.loom/scripts/loom');
$.verbose = false;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function timed(fn, runs) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(times);
}

function seed(open, ready = 5) {
  const issues = Array.from({ length: open }, (_, i) => ({
    number: i + 1,
    title: `Issue ${i + 1}`,
    body: '',
    labels: i < ready ? ['loom:issue'] : i % 5 === 0 ? ['loom:curated'] : i % 11 === 0 ? ['loom:blocked'] : [],
    state: 'OPEN',
    createdAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
    updatedAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
  }));
  return { repo: 'bench/widgets', labels: [], issues, pullRequests: [] };
}

async function withForge(seedData, fn) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'loom-bench-'));
  const seedFile = path.join(dir, 'seed.json');
  await writeFile(seedFile, JSON.stringify(seedData));
  const forge = spawn(
    process.execPath,
    [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(root, 'test/emulator/cli.ts'), '--seed', seedFile],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = await new Promise((resolve) => readline.createInterface({ input: forge.stdout }).once('line', resolve));
  const { port, env: forgeEnv } = JSON.parse(line);
  const repoDir = path.join(dir, 'repo');
  const env = {
    ...process.env,
    ...forgeEnv,
    HOME: dir,
    NO_COLOR: '1',
    GIT_AUTHOR_NAME: 'b',
    GIT_AUTHOR_EMAIL: 'b@b',
    GIT_COMMITTER_NAME: 'b',
    GIT_COMMITTER_EMAIL: 'b@b',
  };
  const sh = $({ cwd: dir, env });
  await sh`git init -q -b main ${repoDir}`;
  const inRepo = $({ cwd: repoDir, env });
  await inRepo`git remote add origin https://github.localhost/bench/widgets.git`;
  await inRepo`node ${bundle} init .`;
  const api = async (method, p) => (await fetch(`http://127.0.0.1:${port}${p}`, { method })).json().catch(() => null);
  try {
    return await fn({ repoDir, inRepo, api });
  } finally {
    forge.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

const rows = [];
const row = (metric, value, note = '') => rows.push({ metric, value, note });

// Iteration cost: one claiming iteration (3 claims), then idle iterations.
await withForge(seed(200, 3), async ({ repoDir, inRepo, api }) => {
  // Work generation off: the idle iterations must stay idle.
  await writeFile(path.join(repoDir, '.loom/config.json'), JSON.stringify({ issue_threshold: 0 }));
  await api('DELETE', '/_emulator/requests');
  const t = process.hrtime.bigint();
  await inRepo`.loom/scripts/loom iterate`;
  const claimMs = Number(process.hrtime.bigint() - t) / 1e6;
  const claimRequests = (await api('GET', '/_emulator/requests')).length;
  await api('DELETE', '/_emulator/requests');
  const idleMs = await timed(() => inRepo`.loom/scripts/loom iterate`, 5);
  const idleRequests = (await api('GET', '/_emulator/requests')).length / 5;
  row('GitHub requests, idle iteration', idleRequests, 'one GraphQL snapshot');
  row('GitHub requests, iteration claiming 3', claimRequests, '1 snapshot + 3 per claim (read, edit, re-read)');
  row('wall time, idle iteration (ms)', idleMs.toFixed(0), 'median of 5, process start included');
  row('wall time, claiming iteration (ms)', claimMs.toFixed(0));
});

// Status at growing backlogs: cost must stay flat (counts come from issueCount).
const statusTimes = {};
for (const size of [100, 1000, 10000]) {
  await withForge(seed(size), async ({ inRepo, api }) => {
    await inRepo`.loom/scripts/loom-status.sh --json`;
    await api('DELETE', '/_emulator/requests');
    statusTimes[size] = await timed(() => inRepo`.loom/scripts/loom-status.sh --json`, 5);
    const requests = (await api('GET', '/_emulator/requests')).length / 5;
    row(
      `loom-status.sh --json at ${size} open issues (ms)`,
      statusTimes[size].toFixed(0),
      `${requests} request per call`,
    );
  });
}
row(
  'status time ratio 10 000 / 100 issues',
  (statusTimes[10000] / statusTimes[100]).toFixed(2),
  'flat = 1.0; the emulator scans linearly, GitHub does not',
);

// Cold start of the bundle against bare node.
const nodeMs = await timed(() => $`node -e 0`, 10);
const loomMs = await timed(() => $`node ${bundle} --version`, 10);
row('cold start, node -e 0 (ms)', nodeMs.toFixed(0), 'the floor');
row('cold start, loom --version (ms)', loomMs.toFixed(0), `${(loomMs / nodeMs).toFixed(2)}x the floor`);
const size = (await readFile(bundle)).length;
row('bundle size (KiB)', (size / 1024).toFixed(0), '.loom/scripts/loom, no node_modules needed');

// Parent context growth, from the Claude Code end-to-end test (if it has run).
const growthFile = path.join(root, 'test/e2e/.results/context-growth.json');
if (existsSync(growthFile)) {
  const growth = JSON.parse(await readFile(growthFile, 'utf8'));
  for (const [key, value] of Object.entries(growth))
    if (typeof value === 'number') row(`parent context: ${key}`, value);
} else {
  row('parent context growth', 'n/a', 'run test/claude-code.e2e.test.ts first');
}

const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${os.platform()} ${os.release()}`;
const width = Math.max(...rows.map((r) => r.metric.length));
console.log(`machine: ${machine}\n`);
for (const r of rows) console.log(`${r.metric.padEnd(width)}  ${String(r.value).padStart(8)}  ${r.note}`);

if (argv.write) {
  const table = [
    '| metric | value | note |',
    '|---|---:|---|',
    ...rows.map((r) => `| ${r.metric} | ${r.value} | ${r.note} |`),
  ].join('\n');
  const doc = `# Performance\n\nMeasured by \`npm run bench -- --write\` on ${new Date().toISOString().slice(0, 10)}.\nMachine: ${machine}.\nGitHub is the sandbox forge on loopback (test/emulator), reached through the real gh 2.23.\n\n${table}\n`;
  await writeFile(path.join(root, 'docs/PERFORMANCE.md'), doc);
  console.log('\nwrote docs/PERFORMANCE.md');
}
