/**
 * `loom status`'s one GitHub request, started by the launcher (src/bin.ts) before the CLI's code loads. The
 * request depends only on the repository, so it can run while node compiles the status command, and the
 * command's own gh call adopts it (src/github/prefetch.ts: only when every field of the call is the same).
 *
 * This module is bundled into the launcher itself (initialized only for `status`): it imports no zod, no
 * commander and no schema, and no module file has to load first, so the gh process starts a few milliseconds
 * after node. It finds the folder and the repository as the command's
 * context does, from git's files (src/git/read-config.ts); where only git could tell, where status makes no
 * request (not installed, a rate-limit pause) and for `--fast` or `--watch`, nothing starts early.
 */
import { existsSync, readFileSync } from 'node:fs';
import { clockFrom } from './clock.js';
import { mainRootFor } from './git/locate.js';
import { checkoutTop } from './git/read-config.js';
import { ghInvocation, ghSettings, graphqlCall } from './github/gh.js';
import { prefetchGh } from './github/prefetch.js';
import { repoFromFiles } from './github/repo.js';
import { buildSnapshotQuery } from './github/snapshot-query.js';
import { loomPaths } from './state/paths.js';

export { discardPrefetched } from './github/prefetch.js';

/** True for `status` and `status --json` (launcher argv): the command lines that make the counts-only request. */
export function isPlainStatus(argv: readonly string[]): boolean {
  return argv[0] === 'status' && argv.length <= 2 && argv.slice(1).every((arg) => arg === '--json');
}

/**
 * Starts the snapshot request of `loom status [--json]` (argv as given to the launcher, without node and the
 * script) run in `cwd`; returns whether it did. Never throws: a failed guess only means no head start.
 */
export function prefetchStatus(
  argv: readonly string[],
  cwd: string = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (!isPlainStatus(argv)) return false;
  try {
    // The folder and repository exactly as the status command's context will find them, or no head start.
    const top = checkoutTop(cwd, env);
    if (!top) return false;
    const root = mainRootFor(top);
    if (noRequestComing(root, clockFrom(env).now())) return false;
    const repo = repoFromFiles(root, env);
    if (!repo) return false;
    const { query, variables } = buildSnapshotQuery({ repo, readyLimit: 0, countsOnly: true });
    const call = graphqlCall(query, variables);
    prefetchGh(ghInvocation(ghSettings({ env, cwd: root }), call.args, call.input, repo.host));
    return true;
  } catch {
    return false;
  }
}

/**
 * True when status will make no request: Loom is not installed here (no `.loom/`), or the state file records
 * a rate-limit pause still running. An unreadable or malformed state file does not stop status's request.
 */
function noRequestComing(root: string, now: Date): boolean {
  const paths = loomPaths(root);
  if (!existsSync(paths.loomDir)) return true;
  try {
    const state = JSON.parse(readFileSync(paths.state, 'utf8'));
    const until = Date.parse(state?.rate_limited_until);
    return !Number.isNaN(until) && until > now.getTime();
  } catch {
    return false;
  }
}
