/**
 * `loom guard`: Claude Code's PreToolUse hook. Reads the hook JSON on stdin
 * (`tool_name`, `tool_input`, `cwd`), checks the call against the rules in
 * ./rules.ts and answers with an exit code: 0 lets the call run, 2 blocks it
 * and the one line on stderr is what the model sees. It runs before every
 * Bash/Write/Edit call, so this module imports only node built-ins and the
 * small rule and shell readers (no commander, zod, execa or yaml).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { safeReadFile } from '../fs/safe-file.js';
import { type Checkout, locateCheckout } from '../git/locate.js';
import type { Output } from '../io.js';
import { activeRules, type CommandFacts, type GuardRule, gitDirectory, type RuleSwitches } from './rules.js';
import { parseShell } from './shell.js';

export interface HookInput {
  tool_name?: unknown;
  tool_input?: unknown;
  cwd?: unknown;
}

export interface GuardVerdict {
  /** The rule that blocked the call, or null when it may run. */
  rule: string | null;
  reason: string | null;
}

const ALLOW: GuardVerdict = { rule: null, reason: null };
const FILE_TOOLS = new Set(['Write', 'Edit', 'MultiEdit', 'NotebookEdit']);
const SHELLS = new Set(['bash', 'sh', 'zsh', 'dash', 'ksh']);
/** Commands that run the rest of their arguments as a command. */
const WRAPPERS: Record<string, Set<string>> = {
  sudo: new Set(['-u', '-g', '-C', '-h', '-p', '-U']),
  command: new Set(),
  builtin: new Set(),
  exec: new Set(['-a']),
  nohup: new Set(),
  time: new Set(['-f', '-o']),
  nice: new Set(['-n']),
  env: new Set(['-u', '-C', '-S']),
  xargs: new Set(['-I', '-n', '-L', '-P', '-d', '-E', '-s', '-a']),
  timeout: new Set(['-s', '-k']),
};

/** Removes variable assignments and wrappers (`env X=1 sudo git …` → `git …`). */
export function unwrap(argv: string[]): string[] {
  let rest = argv.slice();
  for (let guard = 0; guard < 10; guard++) {
    while (rest.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(rest[0]!)) rest = rest.slice(1);
    const head = path.basename(rest[0] ?? '');
    const valued = WRAPPERS[head];
    if (!valued) break;
    let i = 1;
    while (i < rest.length && (rest[i]!.startsWith('-') || (head === 'env' && rest[i]!.includes('=')))) {
      i += valued.has(rest[i]!) ? 2 : 1;
    }
    if (head === 'timeout') i++; // the duration
    rest = rest.slice(i);
  }
  if (rest[0]) rest[0] = path.basename(rest[0]);
  return rest;
}

function shellScript(argv: string[]): string | null {
  if (!SHELLS.has(argv[0] ?? '')) return null;
  const flag = argv.findIndex((a, i) => i > 0 && /^-[a-z]*c[a-z]*$/.test(a));
  return flag === -1 ? null : (argv[flag + 1] ?? '');
}

interface BashContext {
  rules: GuardRule[];
  home: string | undefined;
  locate: (dir: string) => Checkout | null;
}

function checkBash(line: string, dir: string | null, ctx: BashContext, depth = 0): GuardVerdict {
  if (depth > 4) return { rule: 'shell-substitution', reason: 'nested shells this deep are refused' };
  const parsed = parseShell(line);
  for (const rule of ctx.rules) {
    const reason = rule.line?.(parsed);
    if (reason) return { rule: rule.id, reason };
  }
  let current = dir;
  for (const command of parsed.commands) {
    const argv = unwrap(command.argv);
    const inner = shellScript(argv);
    if (inner !== null) {
      const verdict = checkBash(inner, current, ctx, depth + 1);
      if (verdict.rule) return verdict;
    }
    if (argv[0] === 'cd' || argv[0] === 'pushd') {
      const target = argv[1];
      current =
        target === undefined || target === '~'
          ? (ctx.home ?? null)
          : current === null || target === '-' || target.includes('$') || target.startsWith('~')
            ? null
            : path.resolve(current, target);
      continue;
    }
    const effective = argv[0] === 'git' ? gitDirectory(argv, current) : current;
    const facts: CommandFacts = {
      argv,
      writes: command.writes,
      dir: effective,
      checkout: effective === null ? null : ctx.locate(effective),
      home: ctx.home,
      checkoutOf: (file) => ctx.locate(path.dirname(file)),
    };
    for (const rule of ctx.rules) {
      const reason = rule.command?.(facts);
      if (reason) return { rule: rule.id, reason };
    }
  }
  return ALLOW;
}

/** Decides one hook call. Pure apart from the injected `locate` (file-system reads of `.git`). */
export function decide(
  input: HookInput,
  options: { rules: GuardRule[]; home?: string; locate?: (dir: string) => Checkout | null },
): GuardVerdict {
  const locate = options.locate ?? locateCheckout;
  const cwd = typeof input.cwd === 'string' && input.cwd ? input.cwd : process.cwd();
  const toolInput = (input.tool_input && typeof input.tool_input === 'object' ? input.tool_input : {}) as Record<
    string,
    unknown
  >;
  if (input.tool_name === 'Bash') {
    const command = typeof toolInput.command === 'string' ? toolInput.command : '';
    return checkBash(command, cwd, { rules: options.rules, home: options.home, locate });
  }
  if (typeof input.tool_name === 'string' && FILE_TOOLS.has(input.tool_name)) {
    const raw = toolInput.file_path ?? toolInput.notebook_path;
    if (typeof raw !== 'string' || !raw) return ALLOW;
    const file = path.resolve(cwd, raw);
    const facts = { file, session: locate(cwd), checkoutOf: (f: string) => locate(path.dirname(f)) };
    for (const rule of options.rules) {
      const reason = rule.file?.(facts);
      if (reason) return { rule: rule.id, reason };
    }
  }
  return ALLOW;
}

/** `guard` in the main checkout's `.loom/config.json`: false (all off) or `{rule-id: false}`. */
export function readSwitches(cwd: string): RuleSwitches | false | undefined {
  const root = locateCheckout(cwd)?.mainRoot ?? cwd;
  try {
    // Safe reader: a FIFO or symlink in place of the config is refused (rules stay on), never opened.
    const config = JSON.parse(safeReadFile(root, path.join(root, '.loom', 'config.json')) ?? '{}') as {
      guard?: unknown;
    };
    if (config.guard === false) return false;
    if (config.guard && typeof config.guard === 'object') return config.guard as RuleSwitches;
  } catch {
    // No config or an unreadable one: every rule stays on (the CLI reports a bad config elsewhere).
  }
  return undefined;
}

/** What `guard` decided on one hook call: `blocked` false lets the call run; else why (the rule, null for unreadable input). */
export interface GuardResult {
  blocked: boolean;
  rule: string | null;
  reason: string | null;
}

/** The options of `loom guard` (src/commands/guard.ts parses them with zod; this module loads no zod). */
export interface GuardInput {
  /** Claude Code's PreToolUse hook JSON, as read from stdin. */
  input: string;
}

/**
 * Decides one hook call from its stdin text. Reads `HOME` from `ctx.env` and the `guard` switches from
 * .loom/config.json of the checkout the call's `cwd` is in; prints nothing. Input that is not a JSON object is
 * blocked (fail closed: a guard that cannot read its input must not wave the call through).
 */
export function guard(ctx: { env: NodeJS.ProcessEnv }, options: GuardInput): GuardResult {
  let input: HookInput;
  try {
    input = JSON.parse(options.input) as HookInput;
    if (!input || typeof input !== 'object') throw new Error('not an object');
  } catch {
    return {
      blocked: true,
      rule: null,
      reason: 'could not read the hook input (expected Claude Code PreToolUse JSON on stdin); call refused',
    };
  }
  const cwd = typeof input.cwd === 'string' && input.cwd ? input.cwd : process.cwd();
  const verdict = decide(input, { rules: activeRules(readSwitches(cwd)), home: ctx.env.HOME });
  return { blocked: verdict.rule !== null, ...verdict };
}

/**
 * Answers Claude Code: exit 0 lets the call run; exit 2 blocks it, and the one line written to stderr (the rule
 * and the reason) is what the model sees.
 */
export function renderGuard(io: Pick<Output, 'err'>, result: GuardResult, _options?: GuardInput): number {
  if (!result.blocked) return 0;
  io.err(result.rule === null ? `loom guard: ${result.reason}` : `loom guard (${result.rule}): ${result.reason}`);
  return 2;
}

/** The process entry (src/bin.ts): reads all of stdin, decides, sets the exit code. */
export function guardMain(): void {
  let stdin = '';
  try {
    stdin = readFileSync(0, 'utf8');
  } catch {
    stdin = '';
  }
  const options = { input: stdin };
  const io = { err: (line: string) => process.stderr.write(`${line}\n`) };
  process.exitCode = renderGuard(io, guard({ env: process.env }, options), options);
}
