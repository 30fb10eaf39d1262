/**
 * Where Loom keeps things inside a target repository (DESIGN.md §2). Every path
 * Loom writes is built here from the repository root, so no command can be
 * talked into writing outside `.loom/` with a crafted issue number or name.
 */
import path from 'node:path';

export interface LoomPaths {
  root: string;
  loomDir: string;
  state: string;
  config: string;
  stopDaemon: string;
  stopShepherds: string;
  claims: string;
  logs: string;
  worktrees: string;
  scripts: string;
}

export function loomPaths(root: string): LoomPaths {
  const loomDir = path.join(root, '.loom');
  return {
    root,
    loomDir,
    state: path.join(loomDir, 'daemon-state.json'),
    config: path.join(loomDir, 'config.json'),
    stopDaemon: path.join(loomDir, 'stop-daemon'),
    stopShepherds: path.join(loomDir, 'stop-shepherds'),
    claims: path.join(loomDir, 'claims'),
    logs: path.join(loomDir, 'logs'),
    worktrees: path.join(loomDir, 'worktrees'),
    scripts: path.join(loomDir, 'scripts'),
  };
}

/** The claim lock file of one issue; `issue` is validated as a positive integer by the caller's schema. */
export function claimPath(paths: LoomPaths, issue: number): string {
  if (!Number.isSafeInteger(issue) || issue <= 0) throw new RangeError(`not an issue number: ${issue}`);
  return path.join(paths.claims, `issue-${issue}.json`);
}
