#!/usr/bin/env zx
// `npm run bench`: what an iteration and a status call cost, measured on the
// sandbox forge with the built bundle and the real gh. Prints a table of
// request counts, wall times and ratios; `--write` also records them in
// docs/PERFORMANCE.md with the machine they ran on. Not a test: no thresholds.
// Start-up is measured against floors in the same run, interleaved, and
// reported as ratios (absolute times depend on the machine and its load).
// `--quick` measures only those ratios; `--loom <file>` measures another
// build's launcher (e.g. an older commit's, to compare).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { $, argv } from 'zx';

const root = path.resolve(import.meta.dirname, '..');
const bundle = path.resolve(argv.loom ?? path.join(root, '.loom/scripts/loom'));
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

/** Runs a command once; resolves to its wall time and the CPU time (user + system) of its processes, in ms. */
function measure(command, args, { cwd, env, input = '' }) {
  // bash's `times` prints the CPU time of the shell's finished children: the command and its own children.
  const t = process.hrtime.bigint();
  const r = spawnSync('bash', ['-c', '"$@" >/dev/null; code=$?; times; exit $code', 'measure', command, ...args], {
    cwd,
    env,
    input,
    encoding: 'utf8',
  });
  const wall = Number(process.hrtime.bigint() - t) / 1e6;
  const children = r.stdout.trim().split('\n').at(-1) ?? '';
  const seconds = children.split(/\s+/).map((x) => {
    const m = /(\d+)m([\d.]+)s/.exec(x);
    return m ? Number(m[1]) * 60 + Number(m[2]) : Number.NaN;
  });
  return { wall, cpu: (seconds[0] + seconds[1]) * 1000, code: r.status };
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
    return await fn({ repoDir, inRepo, api, env });
  } finally {
    forge.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

const rows = [];
const row = (metric, value, note = '') => rows.push({ metric, value, note });

// Start-up against its floors, side by side in one run on one backlog (1 000 open issues):
// - status: `loom-status.sh --json` against the floor `node -e 0` plus one `gh api graphql` call carrying the
//   same query the status call sends;
// - `loom --version` and `loom guard` (the PreToolUse hook, on a harmless Bash call) against `node -e 0`.
// Every round runs each command once, in turn (starting one step later each round), so load on the machine
// and the position in the round hit all of them alike.
if (argv.quick && argv.write) throw new Error('--write records every row: run it without --quick');
const ROUNDS = Number(argv.rounds ?? 21);
await withForge(seed(1000), async ({ repoDir, inRepo, env }) => {
  const queryFile = path.join(repoDir, '..', 'status-query.json');
  const script = `import { buildSnapshotQuery } from ${JSON.stringify(path.join(root, 'src/github/snapshot.ts'))};
process.stdout.write(JSON.stringify(buildSnapshotQuery({ repo: { owner: 'bench', name: 'widgets' }, readyLimit: 0, countsOnly: true })));`;
  await writeFile(queryFile.replace(/json$/, 'mts'), script);
  await writeFile(
    queryFile,
    (await $`node ${path.join(root, 'node_modules/tsx/dist/cli.mjs')} ${queryFile.replace(/json$/, 'mts')}`).stdout,
  );
  const hasGuard = (await inRepo`.loom/scripts/loom --help`.nothrow()).stdout.match(/^ {2}guard\b/m);
  const hookInput = JSON.stringify({
    session_id: 'bench',
    hook_event_name: 'PreToolUse',
    tool_name: 'Bash',
    tool_input: { command: 'git status --short' },
    cwd: repoDir,
  });
  const run = (command, args, input) => measure(command, args, { cwd: repoDir, env, input });
  const samples = { node: [], version: [], guard: [], floor: [], status: [] };
  await inRepo`.loom/scripts/loom-status.sh --json`; // warm the file cache
  const steps = [
    () => samples.node.push(run('node', ['-e', '0'])),
    () => samples.version.push(run('node', ['.loom/scripts/loom', '--version'])),
    () => hasGuard && samples.guard.push(run('node', ['.loom/scripts/loom', 'guard'], hookInput)),
    () => {
      const bare = run('node', ['-e', '0']);
      const gh = run('gh', ['api', 'graphql', '--input', queryFile]);
      if (gh.code !== 0) throw new Error('the floor gh call failed');
      samples.floor.push({ wall: bare.wall + gh.wall, cpu: bare.cpu + gh.cpu });
    },
    () => {
      const status = run('.loom/scripts/loom-status.sh', ['--json']);
      if (status.code !== 0) throw new Error('loom-status.sh --json failed');
      samples.status.push(status);
    },
  ];
  // Each round starts one step later, so no command always runs first (or right after the same one).
  for (let i = 0; i < ROUNDS; i++) for (let k = 0; k < steps.length; k++) steps[(i + k) % steps.length]();
  const m = (name, key) => median(samples[name].map((x) => x[key]));
  const ms = (x) => `${x.toFixed(0)} ms`;
  row(
    'status: loom-status.sh --json / floor, wall',
    (m('status', 'wall') / m('floor', 'wall')).toFixed(2),
    `target ≤ 1.25; ${ms(m('status', 'wall'))} vs ${ms(m('floor', 'wall'))} (node -e 0 + one gh api graphql), median of ${ROUNDS}`,
  );
  row(
    'cold start: loom --version / node -e 0, CPU',
    (m('version', 'cpu') / m('node', 'cpu')).toFixed(2),
    `target ≤ 1.3; ${ms(m('version', 'cpu'))} vs ${ms(m('node', 'cpu'))} (wall ${ms(m('version', 'wall'))} vs ${ms(m('node', 'wall'))})`,
  );
  if (hasGuard) {
    row(
      'guard hook: loom guard / node -e 0, CPU',
      (m('guard', 'cpu') / m('node', 'cpu')).toFixed(2),
      `target ≤ 1.3; ${ms(m('guard', 'cpu'))} vs ${ms(m('node', 'cpu'))}, one Bash call allowed`,
    );
    row(
      'guard hook: loom guard / node -e 0, wall',
      (m('guard', 'wall') / m('node', 'wall')).toFixed(2),
      `${ms(m('guard', 'wall'))} vs ${ms(m('node', 'wall'))} per tool call`,
    );
  } else row('guard hook', 'n/a', 'this build has no `loom guard`');
  row(
    'status: loom-status.sh --json / floor, CPU',
    (m('status', 'cpu') / m('floor', 'cpu')).toFixed(2),
    `${ms(m('status', 'cpu'))} vs ${ms(m('floor', 'cpu'))}`,
  );
});

// Iteration cost: one claiming iteration (3 claims), then idle iterations.
if (!argv.quick)
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

// `loom run` idle: the parent process's own CPU (utime + stime from /proc, its workers and gh excluded) and the
// GitHub requests per poll, over a measured stretch of idle polls; CPU extrapolated to an hour at the default poll.
if (!argv.quick && existsSync('/proc/self/stat'))
  await withForge(seed(200, 0), async ({ repoDir, api, env }) => {
    const POLL = 5;
    const SECONDS = Number(argv['run-seconds'] ?? 60);
    await writeFile(
      path.join(repoDir, '.loom/config.json'),
      JSON.stringify({ issue_threshold: 0, poll_interval: POLL }),
    );
    const daemon = spawn(process.execPath, [path.join(repoDir, '.loom/scripts/loom'), 'run'], {
      cwd: repoDir,
      env: { ...env, LOOM_CLAUDE: process.execPath }, // never started: nothing is ready
      stdio: 'ignore',
    });
    const ticks = () => {
      const fields = readFileSync(`/proc/${daemon.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14 and 15), in clock ticks
    };
    const hz = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);
    await new Promise((r) => setTimeout(r, 8000)); // past start-up and the first iterations
    await api('DELETE', '/_emulator/requests');
    const stateFile = path.join(repoDir, '.loom/daemon-state.json');
    const iteration = async () => JSON.parse(await readFile(stateFile, 'utf8')).iteration;
    const [t0, i0, w0] = [ticks(), await iteration(), Date.now()];
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const [t1, i1, w1] = [ticks(), await iteration(), Date.now()];
    const requests = (await api('GET', '/_emulator/requests')).length;
    await writeFile(path.join(repoDir, '.loom/stop-daemon'), '');
    await new Promise((r) => daemon.once('exit', r));
    const cpuSeconds = (t1 - t0) / hz;
    const wall = (w1 - w0) / 1000;
    const polls = i1 - i0;
    // CPU per poll includes the once-a-second stop-file checks between polls; an hour at poll 30 s has 120 polls.
    const perPoll = cpuSeconds / Math.max(1, polls);
    const perHourDefault = perPoll * (3600 / 30);
    row(
      'loom run idle: parent CPU per hour (% of a core)',
      ((perHourDefault / 3600) * 100).toFixed(3),
      `goal < 2 %; at poll 30 s, from ${polls} polls in ${wall.toFixed(0)} s at poll ${POLL} s: ${(perPoll * 1000).toFixed(0)} ms CPU per poll, ${((cpuSeconds / wall) * 100).toFixed(2)} % measured at poll ${POLL} s`,
    );
    row(
      'loom run idle: GitHub requests per poll',
      (requests / Math.max(1, polls)).toFixed(2),
      `goal 1; ${requests} requests in ${polls} polls`,
    );
  });

// Status at growing backlogs: cost must stay flat (counts come from issueCount).
const statusTimes = {};
for (const size of argv.quick ? [] : [100, 1000, 10000]) {
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
if (!argv.quick)
  row(
    'status time ratio 10 000 / 100 issues',
    (statusTimes[10000] / statusTimes[100]).toFixed(2),
    'flat = 1.0; the emulator scans linearly, GitHub does not',
  );

// What a call parses: the launcher, plus lib/ chunks for every command but --version and guard.
const launcher = (await readFile(bundle)).length;
const libDir = path.join(path.dirname(bundle), 'lib');
const lib = existsSync(libDir) ? await readdir(libDir) : [];
let libBytes = 0;
for (const name of lib) libBytes += (await stat(path.join(libDir, name))).size;
row('launcher size (KiB)', (launcher / 1024).toFixed(0), '.loom/scripts/loom; all a --version or guard call loads');
row(
  'chunks size (KiB)',
  (libBytes / 1024).toFixed(0),
  `${lib.length} files in .loom/scripts/lib/, no node_modules needed`,
);

// Parent context growth, from the Claude Code end-to-end test (if it has run).
const growthFile = path.join(root, 'test/e2e/.results/context-growth.json');
if (argv.quick) {
  // no parent-context rows
} else if (existsSync(growthFile)) {
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

const HOW = `## How start-up is kept low

Every Bash call of the /loom parent, every status refresh and the guard hook before each tool call start a
node process, so what a call loads is what it costs. \`.loom/scripts/loom\` is a small CommonJS launcher: it
answers \`--version\` and runs \`loom guard\` (built-ins and its own rule modules only) by itself, and imports
\`lib/cli.mjs\` for everything else. src/cli.ts maps each command to a dynamic \`import()\`, so the build
(esbuild code splitting) gives every command group its own chunk with the libraries only it uses; a call
parses only its command's chunks. On the status path, git and gh run through node:child_process
(src/process/run.ts) rather than execa, and tables, colours and the lock library load only where used
(text output, state writes). Every schema on the status and iterate paths (config, daemon state, snapshot,
the status and iterate reports, option parsing) is written with \`zod/mini\`, so neither loads classic zod
(test/bundle.test.ts fails if one does again); classic zod, still used by other commands, is imported as a
namespace (\`import * as z\`, enforced by Biome in src/), without which esbuild keeps every zod export.

\`loom status\` makes one GitHub request, and that request depends only on the repository. So the launcher
itself (src/status-prefetch.ts is bundled into it: no zod, no commander, no module file to load) reads the
checkout and the repository from the files git reads and starts gh at once; node then compiles the status
command while gh waits for GitHub. The command's own gh call adopts that process only when its invocation
(program, arguments, stdin, folder, environment, timeout) is identical in every field (src/github/prefetch.ts);
otherwise the early answer is never read and the process is stopped when the command ends. Where status would
make no request (not installed, a recorded rate-limit pause, \`--fast\`, \`--watch\`) or only git could tell
the repository (\`insteadOf\`, includes, GIT_DIR), nothing starts early. The plain \`status [--json]\` then runs
from its own entry chunk, \`lib/status-main.mjs\`, without commander. Every command reads the checkout's top
folder and the origin URL from git's files when they are plain (src/git/read-config.ts) instead of starting
git twice, and node:crypto is required on first use (an ES module import of it loads Web Crypto). So status's
own work overlaps the request instead of preceding it; the overlap needs a free core, so the ratio grows with
the machine's load.

Node >= 22.1 also keeps compiled code between runs (\`module.enableCompileCache\`, called by the launcher);
node 20 has no such API.`;

if (argv.write) {
  const table = [
    '| metric | value | note |',
    '|---|---:|---|',
    ...rows.map((r) => `| ${r.metric} | ${r.value} | ${r.note} |`),
  ].join('\n');
  const doc = `# Performance\n\nMeasured by \`npm run bench -- --write\` on ${new Date().toISOString().slice(0, 10)}.\nMachine: ${machine}.\nGitHub is the sandbox forge on loopback (test/emulator), reached through the real gh 2.23.\n\n${table}\n\n${HOW}\n`;
  await writeFile(path.join(root, 'docs/PERFORMANCE.md'), doc);
  console.log('\nwrote docs/PERFORMANCE.md');
}
