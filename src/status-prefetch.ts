/**
 * `loom status`'s one GitHub request, started by the launcher (src/bin.ts) before the CLI's code loads. The
 * request depends only on the repository, so it can run while node compiles the status command, and the
 * command's own gh call adopts it (src/github/prefetch.ts: only when every field of the call is the same).
 *
 * This module is its own entry chunk (lib/prefetch.mjs): it imports no zod, no commander and no schema, so
 * the gh process starts a few milliseconds after node. Every input is a guess checked later: the repository
 * is read from the files `git` itself reads (no git process), and whenever anything is unusual (not installed,
 * a rate-limit pause, `--fast`, `--watch`, an `insteadOf` rewrite or include in .git/config) nothing starts.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { clockFrom } from './clock.js';
import { locateCheckout } from './git/locate.js';
import { ghInvocation, ghSettings, graphqlCall } from './github/gh.js';
import { prefetchGh } from './github/prefetch.js';
import { repoFrom } from './github/repo.js';
import { buildSnapshotQuery } from './github/snapshot-query.js';
import { loomPaths } from './state/paths.js';

export { discardPrefetched } from './github/prefetch.js';

/**
 * Starts the snapshot request of `loom status [--json]` (argv as given to the launcher, without node and the
 * script) run in `cwd`; returns whether it did. Never throws: a failed guess only means no head start.
 */
export function prefetchStatus(
  argv: readonly string[],
  cwd: string = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (argv[0] !== 'status' || argv.slice(1).some((arg) => arg !== '--json')) return false;
  try {
    const checkout = locateCheckout(cwd);
    if (!checkout) return false;
    // The root as `git rev-parse --show-toplevel` prints it (symbolic links resolved): gh runs there.
    const root = realpathSync(checkout.mainRoot);
    if (noRequestComing(root, clockFrom(env).now())) return false;
    const repo = repoFrom(env, originUrl(path.join(checkout.commonDir, 'config')));
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

/**
 * The `origin` remote's URL from a plain git config file: the one `url` line of `[remote "origin"]`.
 * Undefined when there is none, and a throw (no prefetch) for what git would rewrite or read elsewhere.
 */
export function originUrl(configFile: string): string | undefined {
  const text = readFileSync(configFile, 'utf8');
  if (/insteadof|^\s*\[\s*include/im.test(text)) throw new Error('git would rewrite or include: ask git');
  let inOrigin = false;
  const urls: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const section = /^\s*\[([^\]]*)\]/.exec(line);
    if (section) inOrigin = /^remote\s+"origin"$/i.test(section[1]!.trim());
    else if (inOrigin) {
      const url = /^\s*url\s*=\s*([^\s"'#;\\]+)\s*$/i.exec(line);
      if (url) urls.push(url[1]!);
      else if (/^\s*url\s*=/i.test(line)) throw new Error('a quoted or spaced url: ask git');
    }
  }
  if (urls.length > 1) throw new Error('several origin urls: ask git');
  return urls[0];
}
