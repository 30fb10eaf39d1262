/**
 * The teardown shared by the files that run the real Claude Code or a headless `loom run` against the emulator:
 * whatever a test left running (it may have failed halfway) ends here, the longest-lived first.
 */
import type { ResultPromise } from 'execa';

export interface LeftRunning {
  /** A child that may still run (a `loom run` daemon): killed (SIGKILL) and awaited. */
  daemon?: ResultPromise;
  /** The scripted model (test/e2e/fake-model.ts). */
  model?: { close(): Promise<void> };
  /** The test repository: its folder and HOME removed. */
  repo?: { cleanup(): void };
  emulator?: { close(): Promise<void> };
}

/** Stops the daemon, closes the model, removes the repository, closes the emulator; for an `afterEach`. */
export async function endAll({ daemon, model, repo, emulator }: LeftRunning): Promise<void> {
  if (daemon && daemon.exitCode === null) {
    daemon.kill('SIGKILL');
    await daemon.catch(() => undefined);
  }
  await model?.close();
  repo?.cleanup();
  await emulator?.close();
}
