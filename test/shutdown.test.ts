import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';
import { createTestRepo, labelsOf, seedWith, type TestRepo } from './helpers/repo.js';

let emulator: EmulatorHandle | undefined;
let repo: TestRepo | undefined;
afterEach(async () => {
  repo?.cleanup();
  await emulator?.close();
  repo = emulator = undefined;
});

const transcript = (stopReason: string) =>
  `${JSON.stringify({ type: 'user', message: { role: 'user', content: 'go' } })}\n${JSON.stringify({ type: 'assistant', message: { role: 'assistant', stop_reason: stopReason, content: [] } })}\n`;

describe('loom shutdown', () => {
  it('settles every slot: finished task without a report is released, unstarted claim released, working one left for start', async () => {
    emulator = await startEmulator(
      seedWith([{ labels: ['loom:issue'] }, { labels: ['loom:issue'] }, { labels: ['loom:issue'] }]),
    );
    repo = await createTestRepo(emulator, {
      config: { max_shepherds: 3, issue_threshold: 0, guide: { interval: 0 } },
      inProcess: true,
    });
    const id = (await repo.loom(['start'])).stdout.trim();
    const first = await repo.loom(['iterate', '--daemon', id]);
    expect(first.stdout).toContain('SPAWN guide guide');
    const ended = path.join(repo.home, 'ended.output');
    const working = path.join(repo.home, 'working.output');
    writeFileSync(ended, transcript('end_turn'));
    writeFileSync(working, transcript('tool_use'));
    await repo.loom(['record', 'shepherd-1', '--task-id', 'a1', '--output-file', ended]);
    await repo.loom(['record', 'shepherd-2', '--task-id', 'a2', '--output-file', working]);
    // shepherd-3 (issue 3) was never started by the parent.
    await repo.loom(['stop']);
    const result = await repo.loom(['shutdown', '--daemon', id, '--drain', '1', '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ drained: false, released: [1, 3], still_running: [2] });
    expect(labelsOf(emulator, 1)).toEqual(['loom:issue']);
    expect(labelsOf(emulator, 2)).toEqual(['loom:building']);
    expect(labelsOf(emulator, 3)).toEqual(['loom:issue']);
    const comments = (n: number) =>
      (emulator!.state().issues ?? [])
        .find((i) => i.number === n)
        ?.comments?.filter((c) => c.body.includes('claim is released')) ?? [];
    expect(comments(1)).toHaveLength(1);
    expect(comments(3)).toHaveLength(1);
    const state = JSON.parse(readFileSync(path.join(repo.dir, '.loom/daemon-state.json'), 'utf8'));
    expect(state.running).toBe(false);
    expect(state.stopped_at).not.toBeNull();
    expect(state.support_roles.guide.status).toBe('idle');
    expect(state.shepherds['shepherd-2'].issue).toBe(2);
  });
});
