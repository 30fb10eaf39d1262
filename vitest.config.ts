import path from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Files that take longest (real Claude Code, `loom run` with its workers, racing daemons), measured on CI. A clean
 * checkout has no timing cache, so vitest would order files by size and some of these short files would start
 * last, leaving one worker alone with them at the end; they start first instead.
 */
const SLOW_FIRST = [
  'claude-code.e2e',
  'run',
  'run-claude.e2e',
  'demo.e2e',
  'reliability-concurrency',
  'reliability-github-faults',
  'hostile-names.e2e',
  'guard.e2e',
];

class SlowFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification) => {
      const at = SLOW_FIRST.indexOf(path.basename(file.moduleId).replace(/\.test\.ts$/, ''));
      return at < 0 ? SLOW_FIRST.length : at;
    };
    // A stable sort: the rest keep vitest's order (failed first, then longest by its cache, else largest).
    return sorted
      .map((file, i) => ({ file, i }))
      .sort((a, b) => rank(a.file) - rank(b.file) || a.i - b.i)
      .map((e) => e.file);
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores on CI: the suite spawns many real gh and loom processes.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    sequence: { sequencer: SlowFilesFirst },
  },
});
