/**
 * The guard hook in the real Claude Code 2.1.197 (scripted model): `loom init`
 * registers it, Claude Code runs it before each Bash/Write call of the main
 * agent and of a subagent, the forbidden call does not run, and the model gets
 * the guard's one-line reason as an error tool result.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runClaude, trustProject } from './e2e/claude.js';
import { type FakeModel, type ModelRequest, type Reply, startFakeModel } from './e2e/fake-model.js';
import { type EmulatorHandle, startEmulator } from './emulator/index.js';
import { createTestRepo, seedWith, type TestRepo } from './helpers/repo.js';
import { endAll } from './helpers/teardown.js';

let emulator: EmulatorHandle | undefined;
let repo: TestRepo | undefined;
let model: FakeModel | undefined;
afterEach(async () => {
  await endAll({ model, repo, emulator });
  model = repo = emulator = undefined;
});

/** Plays the given tool calls one per turn in its conversation, then ends the turn. */
function sequence(steps: Reply[]): (request: ModelRequest) => Reply {
  return (request) => steps[request.calls.length] ?? { text: 'done' };
}

describe('loom guard in the real Claude Code', () => {
  it('blocks forbidden calls of the main agent and of a subagent with exit 2; the model sees the reason', async () => {
    emulator = await startEmulator(seedWith([]));
    repo = await createTestRepo(emulator);
    trustProject(repo);
    writeFileSync(path.join(repo.dir, 'notes.txt'), 'uncommitted work\n');
    await repo.git(['add', 'notes.txt']);
    const marker = path.join(repo.dir, 'marker');
    const main = sequence([
      { tools: [{ name: 'Bash', input: { command: 'git push --force origin HEAD:main' } }] },
      { tools: [{ name: 'Bash', input: { command: `npm --version > /dev/null; touch ${marker}; gh pr merge 1` } }] },
      {
        tools: [
          { name: 'Write', input: { file_path: path.join(repo.dir, '.claude/settings.local.json'), content: '{}' } },
        ],
      },
      {
        tools: [
          { name: 'Agent', input: { description: 'sub', prompt: 'SUBAGENT: reset', subagent_type: 'general-purpose' } },
        ],
      },
      { tools: [{ name: 'Bash', input: { command: `touch ${marker}-allowed` } }] },
    ]);
    const sub = sequence([{ tools: [{ name: 'Bash', input: { command: 'git reset --hard' } }] }]);
    model = await startFakeModel((request) => (request.subagent ? sub(request) : main(request)));
    const run = await runClaude(repo, model, 'go', { args: ['--allowedTools', 'Bash,Write,Agent'], timeoutMs: 90_000 });
    expect(model.errors.join('\n')).toBe('');
    expect(run.exitCode, run.stderr).toBe(0);

    const results = model.requests.flatMap((r) => r.toolResults);
    const resultOf = (pattern: RegExp) =>
      results.find((r) => pattern.test(String(r.call.input.command ?? r.call.input.file_path ?? '')));
    for (const [pattern, rule] of [
      [/push --force/, 'force-push'],
      [/gh pr merge/, 'gh-pr-merge'],
      [/settings\.local\.json/, 'protected-files'],
      [/reset --hard/, 'reset-hard'],
    ] as const) {
      const result = resultOf(pattern);
      expect(result?.isError, rule).toBe(true);
      expect(result?.text).toContain(`loom guard (${rule})`);
    }
    // The subagent's call went through the hook too, and was one of its own calls.
    expect(model.requests.some((r) => r.subagent && r.toolResults.some((t) => /reset-hard/.test(t.text)))).toBe(true);
    // Nothing of a blocked compound command ran; an allowed call did.
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(`${marker}-allowed`)).toBe(true);
    expect(readFileSync(path.join(repo.dir, 'notes.txt'), 'utf8')).toBe('uncommitted work\n');
    expect(existsSync(path.join(repo.dir, '.claude/settings.local.json'))).toBe(false);
  }, 150_000);
});
