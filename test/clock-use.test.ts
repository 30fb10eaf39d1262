/**
 * Time is injected (src/clock.ts: `now`, `monotonic`, `sleep` in the context), so tests move a clock instead of
 * waiting and LOOM_NOW agrees with every decision. This reads the sources and fails when a direct use of the
 * system's time appears outside the clock module, unless the file is listed below with how many uses it has and
 * why each is real time by nature. A listed file whose count drops fails too, so the list stays exact.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');

/** Direct uses of the system's time: wall time, monotonic time, timers and sleeps. */
const DIRECT_TIME =
  /\bDate\.now\(\)|\bnew Date\(\)|\bsetTimeout\(|\bsetInterval\(|\bperformance\.now\(\)|node:timers\/promises/g;

/** File (relative to src/) → uses allowed and why they are not the injected clock's business. */
const ALLOWED: Record<string, { uses: number; why: string }> = {
  'clock.ts': { uses: 3, why: 'the clock module itself: the system clock every context gets by default' },
  'process/run.ts': { uses: 1, why: "a child process's timeout: the child runs on real time whatever the clock says" },
  'commands/pr-test.ts': { uses: 1, why: "the test command's timeout kills a real process group (timed by the clock)" },
  'daemon/worker.ts': { uses: 1, why: "the grace period before SIGKILL of a worker's process group" },
  'state/lock.ts': {
    uses: 7,
    why: "an inter-process file lock: waiting on another process and comparing with file mtimes (the OS's wall time)",
  },
  'commands/doctor.ts': { uses: 1, why: "a stale lock is judged by its file's mtime, the OS's wall time" },
  'commands/status.ts': {
    uses: 1,
    why: 'the report of a status that could not even build its context (so has no clock); generated_at only',
  },
  'dashboard/page.ts': { uses: 2, why: "the page's own script: it runs in the browser, not in Loom" },
  'dashboard/log-tail.ts': { uses: 1, why: "the web page's live log tail: polls a file for a person watching" },
  'dashboard/server.ts': { uses: 1, why: 'keep-alive comments on an open Server-Sent Events connection' },
  'dashboard/refresher.ts': { uses: 1, why: 'schedules the next refresh of an open page (its times come from `now`)' },
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.[cm]?ts$/.test(entry.name) ? [path] : [];
  });
}

/** Uses of the system's time per file; files without any are left out. */
function timeUses(files: { file: string; source: string }[]): Record<string, number> {
  const uses: Record<string, number> = {};
  for (const { file, source } of files) {
    const count = source.match(DIRECT_TIME)?.length ?? 0;
    if (count) uses[file] = count;
  }
  return uses;
}

describe('time in src/', () => {
  const files = sourceFiles(SRC).map((path) => ({
    file: relative(SRC, path).split(/[\\/]/).join('/'),
    source: readFileSync(path, 'utf8'),
  }));

  it('is read directly only where the allow-list says why', () => {
    const found = timeUses(files);
    const unexpected = Object.entries(found)
      .filter(([file, count]) => count !== ALLOWED[file]?.uses)
      .map(
        ([file, count]) => `${file}: ${count} direct use(s) of the system's time, allowed ${ALLOWED[file]?.uses ?? 0}`,
      );
    expect(unexpected, 'use ctx.clock (now, monotonic, sleep), or list the file in ALLOWED with a reason').toEqual([]);
    const stale = Object.keys(ALLOWED).filter((file) => !found[file]);
    expect(stale, 'listed files that no longer read the time directly: drop them from ALLOWED').toEqual([]);
  });

  it.each([
    ['const started = Date.now();', 1],
    ['const t = new Date(); await new Promise((r) => setTimeout(r, 500));', 2],
    ["import { setTimeout as sleep } from 'node:timers/promises';", 1],
    ['const start = performance.now(); setInterval(tick, 1000);', 2],
    ['const when = new Date(iso); const later = clock.now(); await clock.sleep(500);', 0],
  ])('counts the direct uses in %s', (source, count) => {
    expect(timeUses([{ file: 'planted.ts', source }])['planted.ts'] ?? 0).toBe(count);
  });
});
