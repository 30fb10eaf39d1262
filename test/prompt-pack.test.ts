/**
 * A static checker of the prompt pack (defaults/.claude/commands/*.md), run by
 * `npm test`. For every command file it checks what a model following the
 * file literally would run:
 * - every `.loom/scripts/loom …` call parses against the real commander
 *   program (every command module registered, actions stubbed);
 * - every exit code the file acts on is one its command can produce
 *   (src/commands/exit-codes.ts, the table --help prints);
 * - every Bash command it names is allowed by its allowed-tools plus
 *   .claude/settings.json under Claude Code's prefix rule (compound commands
 *   split), and no rule has a wildcard in the middle;
 * - every label it names exists and every transition is allowed;
 * - no heredoc, no quoted argument, no substitution: GitHub text can never be
 *   spliced into a command line.
 * The last block plants one mistake of each kind and shows the checker fails.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/cli.js';
import { COMMON_EXIT_CODES, EXIT_CODES } from '../src/commands/exit-codes.js';
import type { Run } from '../src/commands/shared.js';
import { planTransition } from '../src/core/label-transition.js';
import { allLabelNames } from '../src/core/labels.js';
import { commandRules } from '../src/core/project-commands.js';
import { PROJECT_COMMAND_ROLES, withAllowedTools } from '../src/install/project-commands.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const COMMANDS_DIR = path.join(ROOT, 'defaults/.claude/commands');
const SETTINGS = JSON.parse(readFileSync(path.join(ROOT, 'defaults/.claude/settings.json'), 'utf8')) as {
  permissions: { allow: string[] };
};

const stub: Run = async () => {};
async function program(): Promise<Command> {
  const p = new Command('loom').exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {} });
  for (const load of new Set(Object.values(COMMANDS))) (await load()).register(p, stub);
  const quiet = (c: Command) => {
    c.exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {} });
    for (const sub of c.commands) quiet(sub);
  };
  quiet(p);
  return p;
}
const PROGRAM = await program();

/** Placeholders the files use, filled with sample values of the right shape. */
function fill(command: string): string {
  return command
    .replace(/<[^>]+>/g, (m) => (/slot/.test(m) ? 'shepherd-1' : /file/.test(m) ? '/tmp/x.output' : 'a1'))
    .replace(/\bW\b/g, '.loom/worktrees/issue-12')
    .replace(/\bID\b/g, 'd-1')
    .replace(/#K\b/g, '#13')
    .replace(/(^|[\s/-])[NMKA](?=$|[\s.,])/g, '$112')
    .replace(/--phase [RP]\b/g, '--phase builder');
}

interface Problem {
  file: string;
  problem: string;
}

interface CommandFile {
  name: string;
  text: string;
}

const spans = (text: string) => [...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!.trim());
const isCommand = (s: string) => /^(\.loom\/scripts\/|gh |git |cd |npm |npx )/.test(s);
const allowedTools = (text: string) => (/^allowed-tools:\s*(.*)$/m.exec(text)?.[1] ?? '').split(/,\s*/).filter(Boolean);

/** Claude Code's Bash rules: `Bash(prefix:*)` matches the prefix followed by nothing or a space; `Bash(cmd)` exactly. */
function allowedBy(rules: string[], command: string): boolean {
  return rules.some((rule) => {
    const m = /^Bash\((.*)\)$/.exec(rule);
    if (!m) return false;
    const body = m[1]!;
    if (body.endsWith(':*')) {
      const prefix = body.slice(0, -2);
      return command === prefix || command.startsWith(`${prefix} `);
    }
    return command === body;
  });
}

function parses(argv: string[]): string | null {
  try {
    PROGRAM.parse(argv, { from: 'user' });
    return null;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? null : error.message;
    throw error;
  }
}

const subcommandOf = (argv: string[]) =>
  argv[0] === 'labels' ? `labels ${argv[1] ?? ''}` : argv[0] === 'worktree' && argv[1] === 'clean' ? 'clean' : argv[0]!;

/**
 * A project's commands as `loom init` writes them into the config: `<command>` in a role file stands for each,
 * and init adds their rules to the roles that run them (src/install/project-commands.ts), as it does here.
 */
const SAMPLE_COMMANDS = { test: 'npm test', typecheck: 'npx tsc --noEmit', lint: 'make lint' };
const SAMPLE_RULES = commandRules(SAMPLE_COMMANDS).rules;
const installed = (file: CommandFile): CommandFile =>
  (PROJECT_COMMAND_ROLES as readonly string[]).includes(file.name.replace(/\.md$/, ''))
    ? { ...file, text: withAllowedTools(file.text, SAMPLE_RULES) }
    : file;

/**
 * Rules that let a role change a repository or GitHub, and the roles that need each: git only to the two roles
 * that commit in a worktree, `gh issue edit` to the Curator, `gh issue close` to the Guide. Every other change
 * goes through `loom`, whose commands check preconditions themselves.
 */
const MUTATIONS: { rule: RegExp; roles: string[] }[] = [
  { rule: /^Bash\(git(?! (log|grep|status|diff|show)\b)/, roles: ['builder', 'doctor'] },
  { rule: /^Bash\(gh issue edit\b/, roles: ['curator'] },
  { rule: /^Bash\(gh issue close\b/, roles: ['guide'] },
  { rule: /^Bash\(gh (?!(issue|pr) (view|list|diff|checks)\b)/, roles: [] },
];
/** The roles a rule's change belongs to (first match), or undefined when the rule changes nothing. */
const mutationRoles = (rule: string) => MUTATIONS.find((m) => m.rule.test(rule))?.roles;
/**
 * settings.json holds what roles run inside a shepherd's subagent (docs/SECURITY.md, the measured limit), so it
 * has to grant these three changes to every session; but git only with `-C` (a worktree), never bare.
 */
const SETTINGS_MUTATIONS = ['Bash(git -C:*)', 'Bash(gh issue edit:*)', 'Bash(gh issue close:*)'];
const settingsProblems = (allow: string[]) =>
  allow.filter((rule) => mutationRoles(rule) && !SETTINGS_MUTATIONS.includes(rule));

/** Calls that may run for minutes: `loom await`, `iterate --wait`, `shutdown`, `worktree` (a bootstrap), the project's commands. */
const LONG_CALLS = [
  /^\.loom\/scripts\/loom await\b/,
  /^\.loom\/scripts\/loom iterate\b.*--wait/,
  /^\.loom\/scripts\/loom shutdown\b/,
  /^\.loom\/scripts\/loom worktree \w/,
  /&& <command>$/,
];
/** The longest any of them may take: Loom's waits end at 590 s at most (src/core/config.ts, BASH_LIMIT). */
const LONG_BUDGET_SECONDS = 590;

function checkCommandFile(original: CommandFile, settings = SETTINGS): Problem[] {
  const file = installed(original);
  const problems: Problem[] = [];
  const add = (problem: string) => problems.push({ file: file.name, problem });
  const rules = [...allowedTools(file.text), ...settings.permissions.allow, ...SAMPLE_RULES];

  for (const rule of rules)
    if (/\*/.test(rule.replace(/:\*\)$/, ')'))) add(`permission rule ${rule} has a wildcard that is not a final :*`);
  const role = file.name.replace(/\.md$/, '');
  for (const rule of allowedTools(file.text)) {
    const roles = mutationRoles(rule);
    if (roles && !roles.includes(role))
      add(`allowed-tools grants ${rule}, a change only ${roles.join('/') || 'loom'} may make`);
  }
  if (file.text.includes('<command>') && !(PROJECT_COMMAND_ROLES as readonly string[]).includes(role))
    add("runs the project's commands, which init grants only to the builder, doctor and judge");
  if (/<<-?\s*['"]?\w+/.test(file.text)) add('a heredoc: text would be spliced into a shell command');

  for (const span of spans(file.text).filter(isCommand)) {
    if (/["'$`\\]/.test(span)) add(`\`${span}\`: a quoted argument or substitution in a command line`);
    for (const part of span.split(/\s*(?:&&|\|\||;|\|)\s*/)) {
      if (part === '…' || part === '...') continue;
      for (const command of part === '<command>' ? Object.values(SAMPLE_COMMANDS) : [part])
        if (!allowedBy(rules, command)) add(`\`${command}\` is not allowed by allowed-tools or settings.json`);
    }
    if (!span.startsWith('.loom/scripts/loom ')) continue;
    const argv = fill(span).split(/\s+/).slice(1);
    const error = parses(argv);
    if (error) add(`\`${span}\` does not parse: ${error}`);
    const labels = argv.flatMap((a) => a.split(',')).filter((a) => a.startsWith('loom:'));
    for (const label of labels)
      if (!(allLabelNames as readonly string[]).includes(label)) add(`\`${span}\`: unknown label ${label}`);
    const list = (flag: string) => {
      const i = argv.indexOf(flag);
      return i === -1 ? [] : argv[i + 1]!.split(',');
    };
    if (argv[0] === 'transition') {
      const plan = planTransition(list('--add'), list('--remove'));
      if (!plan.ok) add(`\`${span}\`: transition not allowed: ${plan.problems.join('; ')}`);
    }
  }

  // Exit codes, per step: the codes a step acts on must be ones its loom commands can give.
  const steps = file.text.split(/\n(?=\s*(?:\d+\.|-) )/);
  // A long call without an explicit Bash timeout ends at Claude Code's 120 s default: the call moves to the
  // background and the model never sees its exit code (issue 9, point 8). The timeout must exceed its budget.
  for (const step of steps) {
    const longCalls = spans(step).filter((s) => LONG_CALLS.some((re) => re.test(s)));
    if (!longCalls.length) continue;
    const timeouts = [...step.replace(/\s+/g, ' ').matchAll(/Bash timeout (?:of )?(\d+) ms/g)].map((m) => Number(m[1]));
    if (!timeouts.some((ms) => ms > LONG_BUDGET_SECONDS * 1000))
      add(`\`${longCalls[0]}\` runs up to ${LONG_BUDGET_SECONDS} s but its step sets no Bash timeout above that`);
  }
  for (const step of steps) {
    const subs = [...step.matchAll(/\.loom\/scripts\/loom ([a-z-]+)(?: (sync|lint))?/g)].map((m) =>
      m[1] === 'labels' ? `labels ${m[2]}` : m[1]!,
    );
    if (!subs.length) continue;
    const possible = new Set<number>([
      0,
      ...Object.keys(COMMON_EXIT_CODES).map(Number),
      ...subs.flatMap((s) => Object.keys(EXIT_CODES[s] ?? {}).map(Number)),
    ]);
    for (const m of step.matchAll(/\b[Ee]xit (?:code )?(\d+)/g)) {
      const code = Number(m[1]);
      if (!possible.has(code)) add(`acts on exit ${code}, which ${[...new Set(subs)].join('/')} cannot give`);
    }
    for (const s of subs) if (!EXIT_CODES[s]) add(`loom ${s} has no exit-code table`);
  }
  return problems;
}

const packFiles = (): CommandFile[] =>
  readdirSync(COMMANDS_DIR)
    .filter((f) => f.endsWith('.md'))
    .map((f) => ({ name: f, text: readFileSync(path.join(COMMANDS_DIR, f), 'utf8') }));

describe('the prompt pack (static checks)', () => {
  it.each(packFiles().map((f) => [f.name, f] as const))('%s passes every check', (_name, file) => {
    expect(checkCommandFile(file)).toEqual([]);
  });

  it('settings.json grants no change beyond git in a worktree, gh issue edit and gh issue close', () => {
    expect(settingsProblems(SETTINGS.permissions.allow)).toEqual([]);
  });

  it('every exit-code table entry belongs to a command the CLI has', () => {
    const names = PROGRAM.commands.flatMap((c) => [c.name(), ...c.commands.map((s) => `${c.name()} ${s.name()}`)]);
    for (const command of Object.keys(EXIT_CODES)) expect(names, command).toContain(command);
  });

  it('the checker really reads the files (it finds loom calls in each role)', () => {
    for (const file of packFiles())
      expect(spans(file.text).filter((s) => s.startsWith('.loom/scripts/loom ')).length, file.name).toBeGreaterThan(0);
    expect(subcommandOf(['labels', 'sync'])).toBe('labels sync');
  });
});

describe('the checker fails on planted mistakes', () => {
  const base = readFileSync(path.join(COMMANDS_DIR, 'judge.md'), 'utf8');
  const planted = (extra: string) => checkCommandFile({ name: 'planted.md', text: `${base}\n${extra}\n` });
  it.each([
    ['an unknown option', '8. Run `.loom/scripts/loom transition M --bogus`.', /does not parse/],
    ['a missing argument', '8. Run `.loom/scripts/loom take --role judge`.', /does not parse/],
    ['an unknown command', '8. Run `.loom/scripts/loom teleport M`.', /does not parse/],
    ['an exit code the command cannot give', '8. Run `.loom/scripts/loom pr-for N`. Exit 25 → stop.', /exit 25/],
    ['an unknown label', '8. Run `.loom/scripts/loom transition M --add loom:approved`.', /unknown label/],
    [
      'a forbidden transition',
      '8. Run `.loom/scripts/loom transition M --add loom:pr,loom:changes-requested`.',
      /transition not allowed/,
    ],
    ['a heredoc', "8. `gh pr comment M --body-file - <<'EOF'` then the text, `EOF`.", /heredoc/],
    ['a quoted text argument', '8. Run `.loom/scripts/loom release N --comment "Stopped: <reason>"`.', /quoted/],
    ['a command outside allowed-tools', '8. Run `gh pr merge M`.', /not allowed/],
    [
      'a long wait without a Bash timeout',
      '8. Run `.loom/scripts/loom await N --label loom:issue`.',
      /no Bash timeout/,
    ],
    [
      'a Bash timeout below the wait',
      '8. Run `.loom/scripts/loom worktree N` with a Bash timeout of 120000 ms.',
      /no Bash timeout above/,
    ],
    ['a compound command with a part not allowed', '8. Run `cd W && cargo build`.', /`cargo build` is not allowed/],
  ] as const)('%s', (_what, extra, pattern) => {
    const problems = planted(extra).map((p) => p.problem);
    expect(
      problems.some((p) => pattern.test(p)),
      problems.join('\n'),
    ).toBe(true);
  });

  it('a git or gh change granted to a role that does not need it', () => {
    const granted = base.replace(
      /^allowed-tools: /m,
      'allowed-tools: Bash(git:*), Bash(gh issue close:*), Bash(gh pr merge:*), ',
    );
    const problems = checkCommandFile({ name: 'judge.md', text: granted }).map((p) => p.problem);
    expect(problems).toEqual([
      'allowed-tools grants Bash(git:*), a change only builder/doctor may make',
      'allowed-tools grants Bash(gh issue close:*), a change only guide may make',
      'allowed-tools grants Bash(gh pr merge:*), a change only loom may make',
    ]);
    expect(
      checkCommandFile({
        name: 'doctor.md',
        text: granted.replace('Bash(gh issue close:*), Bash(gh pr merge:*), ', ''),
      }),
    ).toEqual([]);
  });

  it('settings.json granting bare git or another gh change', () => {
    expect(
      settingsProblems([
        'Bash(git:*)',
        'Bash(git push:*)',
        'Bash(gh pr create:*)',
        'Bash(git log:*)',
        'Bash(gh pr view:*)',
      ]),
    ).toEqual(['Bash(git:*)', 'Bash(git push:*)', 'Bash(gh pr create:*)']);
  });

  it('project commands in a role init does not grant them to', () => {
    const problems = planted('8. Run `cd W && <command>`.').map((p) => p.problem);
    expect(problems.join('\n')).toMatch(/only to the builder, doctor and judge/);
    expect(
      checkCommandFile({
        name: 'judge.md',
        text: `${base}\n8. Run \`cd W && <command>\` with a Bash timeout of 600000 ms.\n`,
      }),
    ).toEqual([]);
  });

  it('a settings rule with a wildcard in the middle', () => {
    const problems = checkCommandFile(
      { name: 'x.md', text: base },
      { permissions: { allow: ['Bash(.loom/scripts/*:*)'] } },
    );
    expect(problems.map((p) => p.problem).join('\n')).toMatch(/wildcard/);
  });

  it('the prefix rule matches on a word boundary only', () => {
    expect(allowedBy(['Bash(git log:*)'], 'git log --oneline')).toBe(true);
    expect(allowedBy(['Bash(git log:*)'], 'git logx')).toBe(false);
    expect(allowedBy(['Bash(touch .loom/stop-daemon)'], 'touch .loom/stop-daemon')).toBe(true);
    expect(allowedBy(['Bash(touch .loom/stop-daemon)'], 'touch .loom/stop-daemon2')).toBe(false);
  });
});
