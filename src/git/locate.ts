/**
 * Where a directory sits in git, answered from the file system alone (no `git`
 * process): the guard runs before every tool call and must stay fast, and the
 * state files must land in the main checkout's `.loom/` whatever the current
 * directory is (a linked worktree has its own `.loom/` copy of the scripts).
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface Checkout {
  /** The top directory of this checkout (main or linked worktree). */
  root: string;
  /** This checkout's own git directory (`.git`, or `.git/worktrees/<name>` for a linked one). */
  gitDir: string;
  /** The repository's shared git directory (git's common dir). */
  commonDir: string;
  /** The top directory of the main checkout (the parent of the common dir). */
  mainRoot: string;
  /** True for a linked worktree (`git worktree add`), false for the main checkout. */
  linked: boolean;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The checkout that holds `dir`, or null outside any git repository. Reads `.git` files only. */
export function locateCheckout(dir: string): Checkout | null {
  let current = path.resolve(dir);
  for (;;) {
    const dotGit = path.join(current, '.git');
    let stat: ReturnType<typeof statSync> | undefined;
    try {
      stat = statSync(dotGit);
    } catch {
      stat = undefined;
    }
    if (stat?.isDirectory()) {
      return { root: current, gitDir: dotGit, commonDir: dotGit, mainRoot: current, linked: false };
    }
    if (stat?.isFile()) {
      const match = /^gitdir:\s*(.+)$/m.exec(readText(dotGit) ?? '');
      if (!match) return null;
      const gitDir = path.resolve(current, match[1]!.trim());
      const common = readText(path.join(gitDir, 'commondir'))?.trim();
      const commonDir = common ? path.resolve(gitDir, common) : gitDir;
      // A submodule's `.git` file points at a git dir without `commondir`: it is its own main checkout.
      const linked = Boolean(common);
      const mainRoot = linked && path.basename(commonDir) === '.git' ? path.dirname(commonDir) : current;
      return { root: current, gitDir, commonDir, mainRoot, linked };
    }
    const parent = path.dirname(current);
    if (parent === current) return null;
    current = parent;
  }
}

/** The branch checked out in a checkout (from its HEAD file), or null when detached or unreadable. */
export function currentBranch(checkout: Checkout): string | null {
  const head = readText(path.join(checkout.gitDir, 'HEAD'))?.trim() ?? '';
  const match = /^ref:\s*refs\/heads\/(.+)$/.exec(head);
  return match ? match[1]! : null;
}

/**
 * The default branch names to protect: origin's HEAD when git knows it
 * (`refs/remotes/origin/HEAD`), otherwise the usual `main` and `master`.
 */
export function defaultBranches(checkout: Checkout): string[] {
  const head = readText(path.join(checkout.commonDir, 'refs/remotes/origin/HEAD'))?.trim() ?? '';
  const match = /^ref:\s*refs\/remotes\/origin\/(.+)$/.exec(head);
  return match ? [match[1]!] : ['main', 'master'];
}

/**
 * The main checkout for a checkout's top folder `top`: itself, or for a linked worktree the checkout it was
 * added to (where `.loom/` state lives); `top` outside git.
 */
export function mainRootFor(top: string): string {
  const checkout = locateCheckout(top);
  return checkout?.linked ? checkout.mainRoot : top;
}

/** The main checkout's top directory for `dir` (falls back to `dir` outside git). */
export function mainCheckoutRoot(dir: string): string {
  return locateCheckout(dir)?.mainRoot ?? path.resolve(dir);
}

export function isInside(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
