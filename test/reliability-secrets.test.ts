/**
 * Reliability scenario 8 — secrets. GitHub answers that echo the token back
 * (in an HTTP error body, a GraphQL error message, a non-JSON answer) must not
 * carry it into any output, error message, state file, log or status — for
 * the emulator's `ghp_…` token and for a token of no recognisable shape. The
 * other reliability files end with the same scan over everything they ran.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMULATOR_TOKEN, type EmulatorHandle, startEmulator } from './emulator/index.js';
import { expectNoSecrets, run } from './helpers/reliability.js';
import { createTestRepo, seedWith, type TestRepo } from './helpers/repo.js';

const PLAIN_TOKEN = 'sekrit-loom-test-token-4242';
let emulator: EmulatorHandle;
let repo: TestRepo;

beforeAll(async () => {
  emulator = await startEmulator(
    seedWith([{ labels: ['loom:issue'] }, { labels: ['loom:issue'] }, { labels: ['loom:blocked'] }]),
  );
  repo = await createTestRepo(emulator, {
    config: { max_shepherds: 1, issue_threshold: 0, guide: { enabled: false } },
  });
});

afterAll(async () => {
  repo?.cleanup();
  await emulator?.close();
});

const echo = (token: string) => `request by ${token} (authorization: token ${token}) refused`;

describe('a GitHub answer that echoes the token', () => {
  for (const [name, token, env] of [
    ['the emulator token (ghp_…)', EMULATOR_TOKEN, {}],
    ['a token of no known shape', PLAIN_TOKEN, { GH_TOKEN: PLAIN_TOKEN }],
  ] as const) {
    it(`${name}: never printed, stored or logged`, async () => {
      const faults = [
        { match: { operation: 'LoomSnapshot' }, status: 400, body: { message: echo(token) }, times: 1 },
        { match: { operation: 'LoomSnapshot' }, status: 502, body: { message: echo(token) }, times: 1 },
        {
          match: { operation: 'LoomSnapshot' },
          status: 200,
          body: { errors: [{ type: 'FORBIDDEN', message: echo(token) }] },
          times: 1,
        },
        { match: { operation: 'LoomSnapshot' }, status: 200, body: `<html>${echo(token)}</html>`, times: 1 },
        { match: { operation: 'LoomItem' }, status: 500, body: { message: echo(token) }, times: 1 },
      ];
      for (const fault of faults) {
        emulator.addFault(fault);
        const failed = await run(repo, ['iterate', fault.match.operation === 'LoomItem' ? '--json' : '--dry-run'], env);
        expect(failed.exitCode, failed.stderr).not.toBe(0);
        expect(failed.stderr + failed.stdout).toMatch(/\*\*\*|GitHub/);
      }
      for (const fault of faults.slice(0, 3)) {
        emulator.addFault(fault);
        const status = await run(repo, ['status', '--json'], env);
        expect(JSON.parse(status.stdout).errors.length).toBeGreaterThan(0);
        emulator.addFault(fault);
        await run(repo, ['status'], env);
      }
      emulator.addFault(faults[0]!);
      await run(repo, ['iterate'], env); // records the failure in the state file's warnings
      expect((await run(repo, ['status', '--fast'], env)).exitCode).toBe(0);
      expectNoSecrets(emulator, [repo], [PLAIN_TOKEN]);
    });
  }
});
