/**
 * The guard's rules, as data: each has an id (the key that switches it off in
 * `.loom/config.json` → `guard`), a one-line summary (README, `--help`) and a
 * check that returns the reason to block or null. Checks are pure: every fact
 * about git (which checkout, which branch) is computed once by the caller.
 */
import path from 'node:path';
import { type Checkout, currentBranch, defaultBranches, isInside } from '../git/locate.js';

/** One simple command as the guard sees it, after wrappers (`env`, `sudo`, …) are removed. */
export interface CommandFacts {
  argv: string[];
  /** Files written by redirections, as written. */
  writes: string[];
  /** The directory the command runs in; null when a `cd` made it unknowable. */
  dir: string | null;
  /** The checkout holding `dir` (null outside git or when `dir` is unknown). */
  checkout: Checkout | null;
  home: string | undefined;
  /** The checkout holding a file (injected so the rules stay free of I/O). */
  checkoutOf: (file: string) => Checkout | null;
}

/** A Write/Edit tool call. */
export interface FileFacts {
  /** Absolute path of the file the tool would write. */
  file: string;
  /** The checkout the agent works in (from the hook's `cwd`). */
  session: Checkout | null;
  checkoutOf: (file: string) => Checkout | null;
}

export interface GuardRule {
  id: string;
  summary: string;
  /** Whole-line check (before splitting). */
  line?: (facts: { substitution: boolean }) => string | null;
  command?: (facts: CommandFacts) => string | null;
  file?: (facts: FileFacts) => string | null;
}

/**
 * `git [global options] <sub> <args>`: the subcommand and its arguments. The
 * directory `-C` selects is resolved by the caller (see `gitDirectory`), so
 * `facts.dir` and `facts.checkout` already describe where git works.
 */
export function readGit(facts: Pick<CommandFacts, 'argv'>): { sub: string; args: string[] } | null {
  if (facts.argv[0] !== 'git') return null;
  const argv = facts.argv;
  let i = 1;
  while (i < argv.length && argv[i]!.startsWith('-')) {
    const a = argv[i]!;
    i += a === '-C' || a === '-c' || a === '--git-dir' || a === '--work-tree' || a === '--namespace' ? 2 : 1;
  }
  return { sub: argv[i] ?? '', args: argv.slice(i + 1) };
}

/** The directory a git command works in after its `-C` options; null when it cannot be known. */
export function gitDirectory(argv: string[], dir: string | null): string | null {
  let current = dir;
  for (let i = 1; i < argv.length && argv[i]!.startsWith('-'); i++) {
    if (argv[i] === '-C') {
      const target = argv[i + 1] ?? '';
      current =
        current === null || target.includes('$') || target.startsWith('~') ? null : path.resolve(current, target);
      i++;
    } else if (['-c', '--git-dir', '--work-tree', '--namespace'].includes(argv[i]!)) i++;
  }
  return current;
}

/** `gh [-R repo] <group> <verb> <args>`. */
function readGh(argv: string[]): { words: string[]; args: string[] } | null {
  if (argv[0] !== 'gh') return null;
  const words: string[] = [];
  const rest = argv.slice(1);
  let i = 0;
  while (i < rest.length && words.length < 2) {
    const a = rest[i]!;
    if (a === '-R' || a === '--repo') i += 2;
    else if (a.startsWith('-')) i += 1;
    else {
      words.push(a);
      i += 1;
      if (words[0] === 'api') break;
    }
  }
  return { words, args: rest.slice(i) };
}

const shortCluster = (arg: string, letter: string) => /^-[a-zA-Z0-9]+$/.test(arg) && arg.slice(1).includes(letter);

function pushFacts(args: string[]): { force: boolean; all: boolean; positional: string[]; deleting: boolean } {
  const positional: string[] = [];
  let force = false;
  let all = false;
  let deleting = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (a === '--force' || a.startsWith('--force-with-lease') || a === '--force-if-includes' || a === '--mirror') {
      force = true;
      if (a === '--mirror') all = true;
    } else if (a === '--all' || a === '--branches') all = true;
    else if (a === '--delete') deleting = true;
    else if (a === '-o' || a === '--push-option' || a === '--repo' || a === '--receive-pack' || a === '--exec') i++;
    else if (a.startsWith('--')) continue;
    else if (a.startsWith('-') && a.length > 1) {
      if (shortCluster(a, 'f')) force = true;
      if (shortCluster(a, 'd')) deleting = true;
      if (a.endsWith('o')) i++;
    } else positional.push(a);
  }
  if (positional.slice(1).some((spec) => spec.startsWith('+'))) force = true;
  return { force, all, positional, deleting };
}

const PATHSPEC_ALL = new Set(['.', './', ':/', ':/*', '*', ':(top)']);

function inMainCheckout(checkout: Checkout | null, dir: string | null): boolean {
  // An unknown directory counts as the main checkout: refuse rather than guess.
  return dir === null || (checkout !== null && !checkout.linked);
}

function resolveTarget(facts: CommandFacts, target: string): string | null {
  if (facts.dir === null || target.includes('$') || target.startsWith('~')) return null;
  // A glob removes what its directory holds: judge by the part before the first wildcard.
  const wild = target.search(/[*?[]/);
  const fixed = wild === -1 ? target : target.slice(0, wild);
  const base = wild === -1 ? fixed : fixed.endsWith('/') || fixed === '' ? fixed || '.' : path.dirname(fixed);
  return path.resolve(facts.dir, base);
}

/**
 * Files no agent may write: git's data, the daemon's state, Claude Code's
 * settings (they hold this hook), and in the main checkout Loom's config and
 * scripts (they hold the guard's switches and the guard itself).
 */
function protectedFile(file: string, checkoutOf: (file: string) => Checkout | null): string | null {
  const parts = file.split(/[\\/]/);
  if (parts.includes('.git')) return "git's own data (.git)";
  if (file.endsWith(`${path.sep}.loom${path.sep}daemon-state.json`)) return "the daemon's state file";
  if (/[\\/]\.claude[\\/]settings(\.[^\\/]*)?\.json$/.test(file)) return 'Claude Code settings (they hold this guard)';
  const checkout = checkoutOf(file);
  if (checkout && !checkout.linked) {
    const relative = path.relative(checkout.root, file).split(path.sep).join('/');
    if (relative === '.loom/config.json') return "Loom's config (it holds the guard's switches)";
    if (relative.startsWith('.loom/scripts/')) return "Loom's scripts";
  }
  return null;
}

export const RULES: readonly GuardRule[] = [
  {
    id: 'shell-substitution',
    summary: 'refuses $( ), backticks, <( ) and eval: their result cannot be checked before it runs',
    line: ({ substitution }) =>
      substitution
        ? 'command substitution ($( ) or backticks) is refused: write text to a file and pass its path (-F, --body-file)'
        : null,
    command: ({ argv }) => (argv[0] === 'eval' ? 'eval is refused: run the command directly' : null),
  },
  {
    id: 'force-push',
    summary: 'refuses force pushes: --force, -f, --force-with-lease, --mirror, +refspec',
    command: (facts) => {
      const g = readGit(facts);
      return g?.sub === 'push' && pushFacts(g.args).force
        ? 'force push is refused: pull --rebase (or merge) and push normally'
        : null;
    },
  },
  {
    id: 'push-default-branch',
    summary:
      'refuses a push (or branch deletion) to the default branch; changes reach it only through merged pull requests',
    command: (facts) => {
      const g = readGit(facts);
      if (g?.sub !== 'push') return null;
      const checkout = facts.checkout;
      const protectedNames = checkout ? defaultBranches(checkout) : ['main', 'master'];
      const push = pushFacts(g.args);
      const current = checkout ? currentBranch(checkout) : null;
      const specs = push.positional.slice(1);
      const targets = push.all
        ? protectedNames
        : specs.length === 0
          ? [current ?? '']
          : specs.map((spec) => {
              const bare = spec.replace(/^\+/, '');
              const dst = bare.includes(':') ? bare.slice(bare.indexOf(':') + 1) : bare;
              return dst === 'HEAD' || dst === '@' ? (current ?? '') : dst.replace(/^refs\/heads\//, '');
            });
      const hit = targets.find((t) => protectedNames.includes(t));
      return hit ? `push to the default branch ${hit} is refused: push a feature branch and open a pull request` : null;
    },
  },
  {
    id: 'reset-hard',
    summary: 'refuses git reset --hard in the main checkout (it throws away uncommitted work)',
    command: (facts) => {
      const g = readGit(facts);
      return g?.sub === 'reset' && g.args.includes('--hard') && inMainCheckout(facts.checkout, facts.dir)
        ? 'git reset --hard in the main checkout is refused: it discards uncommitted work'
        : null;
    },
  },
  {
    id: 'clean-untracked',
    summary: 'refuses git clean -f (e.g. -fdx) in the main checkout (it deletes untracked files)',
    command: (facts) => {
      const g = readGit(facts);
      const forced = g?.args.some((a) => a === '--force' || shortCluster(a, 'f'));
      return g?.sub === 'clean' && forced && inMainCheckout(facts.checkout, facts.dir)
        ? 'git clean -f in the main checkout is refused: it deletes untracked files'
        : null;
    },
  },
  {
    id: 'discard-changes',
    summary: 'refuses git checkout -- . and git restore . in the main checkout (they discard every change)',
    command: (facts) => {
      const g = readGit(facts);
      if (!g || !inMainCheckout(facts.checkout, facts.dir)) return null;
      const wholeTree = g.args.some((a) => PATHSPEC_ALL.has(a));
      const onlyStaged =
        g.sub === 'restore' &&
        g.args.some((a) => a === '--staged' || a === '-S') &&
        !g.args.some((a) => a === '--worktree' || a === '-W');
      return (g.sub === 'checkout' || g.sub === 'restore') && wholeTree && !onlyStaged
        ? `git ${g.sub} of the whole tree in the main checkout is refused: it discards every uncommitted change`
        : null;
    },
  },
  {
    id: 'rm-outside-worktree',
    summary: 'refuses rm -r of a path outside the current worktree (or of the worktree itself), and any rm of .git',
    command: (facts) => {
      if (facts.argv[0] !== 'rm') return null;
      const args = facts.argv.slice(1);
      const dashdash = args.indexOf('--');
      const options = dashdash === -1 ? args : args.slice(0, dashdash);
      const recursive = options.some((a) => a === '--recursive' || shortCluster(a, 'r') || shortCluster(a, 'R'));
      const targets = [
        ...options.filter((a) => !a.startsWith('-')),
        ...(dashdash === -1 ? [] : args.slice(dashdash + 1)),
      ];
      for (const target of targets) {
        if (target.split('/').includes('.git')) return `rm of ${target} is refused: it is part of git's own data`;
        if (!recursive) continue;
        const resolved = resolveTarget(facts, target);
        const root = facts.checkout?.root;
        if (resolved === null || !root || !isInside(root, resolved) || resolved === root)
          return `rm -r of ${target} is refused: it is outside the current worktree (or the worktree itself)`;
      }
      return null;
    },
  },
  {
    id: 'protected-files',
    summary:
      "refuses writing .git/, .loom/daemon-state.json, .claude/settings*.json and the main checkout's .loom/config.json and .loom/scripts/ (Write/Edit and > redirections)",
    command: (facts) => {
      for (const target of facts.writes) {
        const resolved = facts.dir === null ? target : path.resolve(facts.dir, target);
        const what = protectedFile(resolved, facts.checkoutOf);
        if (what) return `writing ${target} is refused: ${what} is not for agents to edit`;
      }
      return null;
    },
    file: ({ file, checkoutOf }) => {
      const what = protectedFile(file, checkoutOf);
      return what ? `writing ${file} is refused: ${what} is not for agents to edit` : null;
    },
  },
  {
    id: 'write-outside-worktree',
    summary: "refuses Write/Edit outside the worktree an agent works in (except the main checkout's .loom/tmp/)",
    file: ({ file, session }) => {
      if (!session?.linked || isInside(session.root, file)) return null;
      if (isInside(path.join(session.mainRoot, '.loom', 'tmp'), file)) return null;
      return `writing ${file} is refused: you work in the worktree ${session.root}; edit files there`;
    },
  },
  {
    id: 'gh-pr-merge',
    summary: 'refuses gh pr merge: only `loom merge` merges, after its merge gate',
    command: ({ argv }) => {
      const gh = readGh(argv);
      return gh?.words[0] === 'pr' && gh.words[1] === 'merge'
        ? 'gh pr merge is refused: merges go through .loom/scripts/loom merge (the merge gate)'
        : null;
    },
  },
  {
    id: 'gh-repo-delete',
    summary: 'refuses gh repo delete',
    command: ({ argv }) => {
      const gh = readGh(argv);
      return gh?.words[0] === 'repo' && gh.words[1] === 'delete' ? 'gh repo delete is refused' : null;
    },
  },
  {
    id: 'gh-api-mutation',
    summary: 'refuses gh api calls that change GitHub (POST/PUT/PATCH/DELETE, fields, GraphQL mutations)',
    command: ({ argv }) => {
      const gh = readGh(argv);
      if (gh?.words[0] !== 'api') return null;
      let endpoint = '';
      let method: string | null = null;
      const fields: string[] = [];
      let input = false;
      const args = gh.args;
      for (let i = 0; i < args.length; i++) {
        const a = args[i]!;
        const eq = a.indexOf('=');
        const name = a.startsWith('--') && eq !== -1 ? a.slice(0, eq) : a;
        const inline = a.startsWith('--') && eq !== -1 ? a.slice(eq + 1) : null;
        const value = () => inline ?? args[++i] ?? '';
        if (name === '-X' || name === '--method') method = value().toUpperCase();
        else if (/^-X./.test(a)) method = a.slice(2).toUpperCase();
        else if (['-f', '-F', '--field', '--raw-field'].includes(name)) fields.push(value());
        else if (name === '--input') {
          input = true;
          value();
        } else if (['-H', '--header', '-q', '--jq', '-t', '--template', '--hostname', '--cache'].includes(name))
          value();
        else if (!a.startsWith('-') && !endpoint) endpoint = a;
      }
      const effective = method ?? (fields.length || input ? 'POST' : 'GET');
      if (endpoint === 'graphql') {
        const mutation = input || fields.some((f) => /\bmutation\b/i.test(f));
        return mutation ? 'gh api graphql mutations are refused: Loom changes GitHub through its own commands' : null;
      }
      return effective === 'GET' || effective === 'HEAD'
        ? null
        : `gh api ${effective} is refused: Loom changes GitHub through its own commands`;
    },
  },
];

export type RuleSwitches = Record<string, boolean>;

/** The rules left on by `.loom/config.json` → `guard` (`false` there switches all off). */
export function activeRules(switches: RuleSwitches | false | undefined): GuardRule[] {
  if (switches === false) return [];
  return RULES.filter((rule) => switches?.[rule.id] !== false);
}
