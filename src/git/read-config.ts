/**
 * Two answers every command needs before its first GitHub request — the checkout's top folder and the `origin`
 * remote's URL — read from the files git reads, without starting git (a process start is 5 to 30 ms, twice per
 * command). Each answer is either exactly what `git rev-parse --show-toplevel` / `git remote get-url origin`
 * would print, or null, and then the caller asks git: whenever anything could make git answer otherwise
 * (GIT_DIR and friends, `insteadOf` rewrites, includes, per-worktree config, a configured work tree), this
 * module declines rather than guesses.
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { locateCheckout } from './locate.js';

/** Variables that point git at other repositories, work trees or configuration: only git can answer then. */
const GIT_OVERRIDES = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_COMMON_DIR',
  'GIT_CONFIG',
  'GIT_CONFIG_GLOBAL',
  'GIT_CONFIG_SYSTEM',
  'GIT_CONFIG_NOSYSTEM',
  'GIT_CONFIG_COUNT',
  'GIT_CONFIG_PARAMETERS',
  'GIT_CEILING_DIRECTORIES',
  'GIT_DISCOVERY_ACROSS_FILESYSTEM',
];

/** What in a config file changes where git looks or what it reports: such a file is left to git. */
const UNUSUAL = /insteadof|^\s*\[\s*include|worktreeconfig|^\s*worktree\s*=|^\s*bare\s*=\s*true/im;

const overridden = (env: NodeJS.ProcessEnv) => GIT_OVERRIDES.some((name) => env[name] !== undefined);

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The top folder of the checkout holding `dir`, symbolic links resolved, as git prints it; null: ask git. */
export function checkoutTop(dir: string, env: NodeJS.ProcessEnv): string | null {
  if (overridden(env)) return null;
  const checkout = locateCheckout(dir);
  if (!checkout) return null;
  const config = readText(path.join(checkout.commonDir, 'config'));
  if (config === undefined || UNUSUAL.test(config)) return null;
  try {
    // A repository another user owns is one git may refuse (safe.directory): let git say so.
    if (statSync(checkout.commonDir).uid !== process.getuid?.()) return null;
    return realpathSync(checkout.root);
  } catch {
    return null;
  }
}

/**
 * The `origin` remote's URL for the checkout holding `dir`: `{ url }` (undefined when there is no origin) as
 * `git remote get-url origin` would print it, or null when only git can tell (see the module comment; the
 * user's and the system's git config are read too, since an `insteadOf` there rewrites the URL).
 */
export function originUrl(dir: string, env: NodeJS.ProcessEnv): { url: string | undefined } | null {
  if (overridden(env)) return null;
  const checkout = locateCheckout(dir);
  const config = checkout && readText(path.join(checkout.commonDir, 'config'));
  if (!config || UNUSUAL.test(config)) return null;
  const home = env.HOME ?? '';
  const xdg = env.XDG_CONFIG_HOME || path.join(home, '.config');
  for (const file of [path.join(home, '.gitconfig'), path.join(xdg, 'git', 'config'), '/etc/gitconfig']) {
    const text = readText(file);
    if (text !== undefined && (UNUSUAL.test(text) || /^\s*\[\s*remote\s/im.test(text))) return null;
  }
  let inOrigin = false;
  const urls: string[] = [];
  for (const line of config.split(/\r?\n/)) {
    const section = /^\s*\[([^\]]*)\](.*)$/.exec(line);
    if (section) {
      // `[remote "origin"]`: the section name ignores case, the subsection does not. Anything else on the
      // line (a key after the header, the old `[remote.origin]` form) is left to git.
      const header = /^([A-Za-z0-9.-]+)(?:\s+"([^"\\]*)")?$/.exec(section[1]!.trim());
      if (!header || /^\s*[^\s#;]/.test(section[2]!) || /^remote\./i.test(header[1]!)) return null;
      inOrigin = header[1]!.toLowerCase() === 'remote' && header[2] === 'origin';
      continue;
    }
    if (!inOrigin || !/^\s*url\s*=/i.test(line)) continue;
    // A plain value only: quotes, escapes or a comment on the line are left to git's own parser.
    const url = /^\s*url\s*=\s*([^\s"'#;\\]+)\s*$/i.exec(line);
    if (!url) return null;
    urls.push(url[1]!);
  }
  // `git remote get-url` prints the first of several; a rare setup, left to git all the same.
  if (urls.length > 1) return null;
  return { url: urls[0] };
}
