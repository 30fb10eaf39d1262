/**
 * Reliability scenario 2 — two daemons. A daemon on each of two clones and
 * one-off iterations on a third clone of the same repository race for 30
 * ready issues over 50 iterations: every issue is claimed exactly once, a
 * second daemon id or a one-off iteration on a daemon's clone is refused
 * naming the holder (one owner per clone), and the state files stay valid.
 *
 * The two daemons are real processes (node and gh per iteration), so the race between clones is one of real
 * processes. The one-off iterations and the intruder run in the test process (test/helpers/in-process.ts: no node
 * or gh start, the same requests to the same emulator, the same state files and locks): they still race the
 * daemons, at a fraction of the CPU that about 26 more process starts cost on two cores. An in-process iteration
 * is several times faster than a process one, so each one-off iteration starts with daemon A's iteration of the
 * same number: without that it could take every issue before the daemons' first snapshot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';
import { commentsOf, expectNoSecrets, readState, run } from './helpers/reliability.js';
import { createTestRepo, inProcessView, seedWith, type TestRepo } from './helpers/repo.js';

const ISSUES = 30;
const config = {
  max_shepherds: 4,
  issue_threshold: 0,
  poll_interval: 30,
  guide: { enabled: false },
  champion: { enabled: false },
  doctor: { enabled: false },
};

let emulator: EmulatorHandle;
let cloneA: TestRepo;
let cloneB: TestRepo;
let cloneC: TestRepo;
/** Issue → how often it went from not-`loom:building` to `loom:building` on the forge. */
const buildingTransitions = new Map<number, number>();

beforeAll(async () => {
  emulator = await startEmulator(seedWith(Array.from({ length: ISSUES }, () => ({ labels: ['loom:issue'] }))));
  const store = emulator.store;
  const addLabels = store.addLabels.bind(store);
  store.addLabels = (n, names) => {
    const had = store.item(n).labels.includes('loom:building');
    const item = addLabels(n, names);
    if (!had && item.labels.includes('loom:building'))
      buildingTransitions.set(n, (buildingTransitions.get(n) ?? 0) + 1);
    return item;
  };
  [cloneA, cloneB, cloneC] = await Promise.all([
    createTestRepo(emulator, { config }),
    createTestRepo(emulator, { config }),
    createTestRepo(emulator, { config }),
  ]);
});

afterAll(async () => {
  cloneA?.cleanup();
  cloneB?.cleanup();
  cloneC?.cleanup();
  await emulator?.close();
});

describe('two daemons, two clones, one repository', () => {
  it('claims each of 30 issues exactly once over 50 concurrent iterations', async () => {
    const [idA = '', idB = ''] = (await Promise.all([run(cloneA, ['start']), run(cloneB, ['start'])])).map(
      (r) => r.stdout.trim().split('\n').at(-1)!,
    );
    expect(idA).toMatch(/^loom-/);
    expect(idB).toMatch(/^loom-/);
    // Widen the window between a claim's read and its edit, so the clones collide.
    emulator.addFault({ match: { operation: 'LoomItem' }, delayMs: 30 });
    emulator.clearRequests();

    const spawned = new Map<number, string[]>();
    const failures: string[] = [];
    // Daemon A's iteration i has started: one-off iteration i may start (see the file's comment).
    const aStarted = Array.from({ length: 17 }, () => {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      return { promise, resolve };
    });
    const loop = async (
      name: string,
      repo: TestRepo,
      args: string[],
      iterations: number,
      before: (i: number) => unknown = () => undefined,
    ) => {
      for (let i = 0; i < iterations; i++) {
        await before(i);
        const result = await run(repo, args);
        if (result.exitCode !== 0) failures.push(`${name}#${i}: exit ${result.exitCode} ${result.stderr}`);
        for (const line of result.stdout.split('\n').filter((l) => l.startsWith('SPAWN '))) {
          const issue = Number(line.split(' ')[3]);
          spawned.set(issue, [...(spawned.get(issue) ?? []), name]);
          // The shepherd "finishes" at once: its slot frees at the next iteration.
          emulator.store.closeIssue(issue);
        }
        readState(repo); // parses with the real schema: never corrupt, even mid-race
      }
    };
    const refusals: { exitCode: number; stderr: string }[] = [];
    const intruder = async () => {
      const intruding = inProcessView(cloneA, emulator);
      for (let i = 0; i < 5; i++) {
        refusals.push(await run(intruding, ['iterate', '--daemon', 'loom-20200101000000-abcdef']));
        refusals.push(await run(intruding, ['iterate']));
      }
    };

    await Promise.all([
      loop('A-daemon', cloneA, ['iterate', '--daemon', idA], 17, (i) => aStarted[i]!.resolve()),
      loop('C-one-off', inProcessView(cloneC, emulator), ['iterate'], 16, (i) => aStarted[i]!.promise),
      loop('B-daemon', cloneB, ['iterate', '--daemon', idB], 17),
      intruder(),
    ]);
    emulator.clearFaults();

    expect(failures).toEqual([]);
    const doubles = [...spawned].filter(([, by]) => by.length !== 1);
    expect(doubles, 'issues spawned more than once').toEqual([]);
    expect([...spawned.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: ISSUES }, (_, i) => i + 1));
    for (let n = 1; n <= ISSUES; n++) {
      expect(buildingTransitions.get(n), `#${n} loom:building transitions`).toBe(1);
      expect(commentsOf(emulator, n).claims, `#${n} live claim comments`).toHaveLength(1);
    }
    // Both clones took part, so the arbitration was exercised across clones.
    const byClone = (prefix: string) => [...spawned.values()].filter((by) => by[0]!.startsWith(prefix)).length;
    expect(byClone('A')).toBeGreaterThan(0);
    expect(byClone('B')).toBeGreaterThan(0);

    expect(refusals.length).toBe(10);
    // An intruder is refused either by the owner check (naming the daemon) or, when a daemon's iteration holds
    // the state lock past the wait (a loaded machine), by the lock; both exit 9 and change nothing. The owner's
    // message on its own is tested in dead-ends and iterate.
    for (const refusal of refusals) {
      expect(refusal.exitCode).toBe(9);
      expect(refusal.stderr).toMatch(new RegExp(`${idA}|holds the state lock`));
    }
    expect(readState(cloneA)?.daemon_id).toBe(idA);
    expect(readState(cloneB)?.daemon_id).toBe(idB);
  }, 180_000); // about 60 process starts: the default 60 s is too short on a loaded machine

  it('leaks no secret', () => {
    expectNoSecrets(emulator, [cloneA, cloneB, cloneC]);
  });
});
