/**
 * The one command shape (src/cli.ts): options parsed with zod → an exported `fn(ctx, options)` that returns the
 * data `--json` prints → a render that prints and gives the exit code. Here the functions are called on a
 * context built in the test (the emulator's gh, captured output), as a test of any command's logic can: the data
 * comes back without parsing output, nothing is printed until the render, and the exit code is the render's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkedPlan, claim, renderClaim, transition } from '../src/commands/claims.js';
import { next, renderNext } from '../src/commands/next.js';
import { prFor, renderPrFor } from '../src/commands/pulls.js';
import { createContext, type LoomContext } from '../src/context.js';
import { isLoomError } from '../src/errors.js';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';
import { type CapturedOutput, captureOutput, emulatorGh } from './helpers/in-process.js';
import { createTestRepo, labelsOf, seedWith, type TestRepo } from './helpers/repo.js';

let emulator: EmulatorHandle;
let repo: TestRepo;
let ctx: LoomContext;
let io: CapturedOutput;

beforeAll(async () => {
  emulator = await startEmulator(seedWith([{ labels: ['loom:issue'] }, { labels: ['loom:issue'] }]));
  repo = await createTestRepo(emulator, { inProcess: true });
  io = captureOutput();
  ctx = await createContext({ cwd: repo.dir, env: repo.env, io, gh: emulatorGh(emulator) });
});

afterAll(async () => {
  repo?.cleanup();
  await emulator?.close();
});

describe('a command as fn(ctx, options) → render', () => {
  it('next returns the number its --json prints, printing nothing itself; the render prints and exits', async () => {
    emulator.clearRequests();
    const result = await next(ctx, { role: 'builder', json: false });
    expect(result).toEqual({ role: 'builder', number: 1 });
    expect(emulator.requests()).toHaveLength(1);
    expect(io.stdout).toEqual([]);
    expect(renderNext(io, result, { role: 'builder', json: false })).toBe(0);
    expect(io.stdout.splice(0)).toEqual(['1']);
    expect(renderNext(io, { role: 'judge', number: null }, { role: 'judge', json: false })).toBe(7);
  });

  it('claim returns claimed or the reason; the render turns a refusal into exit 12 and one line on stderr', async () => {
    expect(await claim(ctx, { issue: 1, json: false })).toEqual({
      issue: 1,
      claimed: true,
      title: 'Issue 1',
      reason: null,
    });
    expect(labelsOf(emulator, 1)).toEqual(['loom:building']);
    const again = await claim(ctx, { issue: 1, json: false });
    expect(again).toMatchObject({ issue: 1, claimed: false, title: null });
    expect(renderClaim(io, again, { issue: 1, json: false })).toBe(12);
    expect(io.stderr.splice(0)).toEqual([`loom: cannot claim #1: ${again.reason}`]);
  });

  it('transition checks its label plan before any request and returns the labels after the verified edit', async () => {
    const wrong = (() => {
      try {
        return checkedPlan({ add: ['loom:nonsense'], remove: [] });
      } catch (error) {
        return error;
      }
    })();
    expect(isLoomError(wrong) && wrong.code).toBe('USAGE');
    const moved = await transition(ctx, {
      number: 2,
      add: ['loom:blocked'],
      remove: ['loom:issue'],
      expect: [],
      json: false,
    });
    expect(moved).toMatchObject({ number: 2, ok: true, added: ['loom:blocked'], removed: ['loom:issue'] });
    expect(labelsOf(emulator, 2)).toEqual(['loom:blocked']);
  });

  it('pr-for returns pr null for an issue without one; the render exits 7 and prints nothing', async () => {
    const result = await prFor(ctx, { issue: 2, json: false });
    expect(result).toEqual({ issue: 2, pr: null, via: [] });
    expect(renderPrFor(io, result, { issue: 2, json: false })).toBe(7);
    expect(io.stdout).toEqual([]);
  });
});
