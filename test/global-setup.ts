/**
 * vitest globalSetup: one temporary folder for this run's template repositories (test/helpers/repo.ts), passed
 * to the workers in LOOM_TEST_TEMPLATES and removed when the run ends (workers are killed, not exited, so
 * their own exit handlers cannot be relied on).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(path.join(tmpdir(), 'loom-templates-'));
  process.env.LOOM_TEST_TEMPLATES = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
