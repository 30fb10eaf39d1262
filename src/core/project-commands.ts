/**
 * The target project's own test, type-check and lint commands, detected from the files at its root
 * (`loom init` writes them into `.loom/config.json` `commands.*` where the user set none), and the Claude
 * Code permission rules that let the Builder, Doctor and Judge run exactly those commands.
 * Pure: the caller reads the files; nothing here touches the disk.
 */

export const COMMAND_KINDS = ['test', 'typecheck', 'lint'] as const;
export type CommandKind = (typeof COMMAND_KINDS)[number];
export type ProjectCommands = Partial<Record<CommandKind, string>>;

/** What detection may look at: the names at the repository root and the text of some of those files. */
export interface ProjectFiles {
  /** File and folder names at the root (no paths). */
  names: readonly string[];
  /** The text of a root file, or undefined when it is missing or unreadable. */
  read(name: string): string | undefined;
}

/** The root files detection reads; the caller reads only these (and `*.csproj`/`*.sln` names). */
export const DETECTION_FILES = [
  'package.json',
  'Makefile',
  'makefile',
  'GNUmakefile',
  'pyproject.toml',
  'tox.ini',
  'setup.cfg',
  'requirements-dev.txt',
  'Cargo.toml',
  'go.mod',
  'pom.xml',
  'build.gradle',
  'build.gradle.kts',
  'Gemfile',
] as const;

export interface Detection {
  commands: ProjectCommands;
  /** Where each command came from, e.g. `package.json scripts.test`. */
  sources: Partial<Record<CommandKind, string>>;
}

/** A word of a command Loom writes or turns into a rule: no shell syntax, no glob, nothing to expand. */
const SAFE_WORD = /^[A-Za-z0-9_./:=@+,%-]+$/;
const safeCommand = (command: string) => command.split(' ').every((w) => SAFE_WORD.test(w));

type Found = { command: string; source: string };
type Detector = (files: ProjectFiles) => Partial<Record<CommandKind, Found>>;

const has = (files: ProjectFiles, name: string) => files.names.includes(name);

function packageJson(files: ProjectFiles): Partial<Record<CommandKind, Found>> {
  const text = files.read('package.json');
  if (text === undefined) return {};
  let pkg: { scripts?: Record<string, unknown>; devDependencies?: object; dependencies?: object };
  try {
    pkg = JSON.parse(text);
  } catch {
    return {};
  }
  const scripts = pkg.scripts && typeof pkg.scripts === 'object' ? pkg.scripts : {};
  const manager = has(files, 'pnpm-lock.yaml')
    ? 'pnpm'
    : has(files, 'yarn.lock')
      ? 'yarn'
      : has(files, 'bun.lockb') || has(files, 'bun.lock')
        ? 'bun'
        : 'npm';
  const script = (names: string[]): Found | undefined => {
    for (const name of names) {
      const body = scripts[name];
      if (typeof body !== 'string' || !SAFE_WORD.test(name)) continue;
      // npm init's placeholder test script only fails.
      if (name === 'test' && /no test specified/.test(body)) continue;
      const command = name === 'test' && manager !== 'bun' ? `${manager} test` : `${manager} run ${name}`;
      return { command, source: `package.json scripts.${name}` };
    }
    return undefined;
  };
  const found: Partial<Record<CommandKind, Found>> = {};
  const test = script(['test']);
  if (test) found.test = test;
  const typecheck = script(['typecheck', 'type-check', 'check-types', 'types', 'tsc']);
  const deps = { ...(pkg.dependencies ?? {}), ...(pkg.devDependencies ?? {}) };
  if (typecheck) found.typecheck = typecheck;
  else if (has(files, 'tsconfig.json') && 'typescript' in deps) {
    const runner = manager === 'npm' ? 'npx' : manager === 'bun' ? 'bunx' : `${manager} exec`;
    found.typecheck = { command: `${runner} tsc --noEmit`, source: 'tsconfig.json and typescript' };
  }
  const lint = script(['lint']);
  if (lint) found.lint = lint;
  return found;
}

function makefile(files: ProjectFiles): Partial<Record<CommandKind, Found>> {
  const name = ['Makefile', 'makefile', 'GNUmakefile'].find((n) => has(files, n));
  const text = name ? files.read(name) : undefined;
  if (!name || text === undefined) return {};
  // A rule line `target: deps` (not `VAR := x`, not a recipe line, which starts with a tab).
  const targets = new Set(
    [...text.matchAll(/^([A-Za-z0-9_.][A-Za-z0-9_.-]*(?:[ \t]+[A-Za-z0-9_.][A-Za-z0-9_.-]*)*)[ \t]*:(?![:=])/gm)]
      .flatMap((m) => m[1]!.split(/[ \t]+/))
      .filter((t) => !t.startsWith('.')),
  );
  const target = (names: string[]): Found | undefined => {
    const hit = names.find((t) => targets.has(t));
    return hit ? { command: `make ${hit}`, source: `${name} target ${hit}` } : undefined;
  };
  const found: Partial<Record<CommandKind, Found>> = {};
  const test = target(['test', 'tests', 'check']);
  if (test) found.test = test;
  const typecheck = target(['typecheck', 'type-check', 'types', 'mypy']);
  if (typecheck) found.typecheck = typecheck;
  const lint = target(['lint']);
  if (lint) found.lint = lint;
  return found;
}

function python(files: ProjectFiles): Partial<Record<CommandKind, Found>> {
  const pyproject = files.read('pyproject.toml');
  const texts = [pyproject, files.read('tox.ini'), files.read('setup.cfg'), files.read('requirements-dev.txt')];
  if (texts.every((t) => t === undefined) && !has(files, 'pytest.ini')) return {};
  const all = texts.filter((t) => t !== undefined).join('\n');
  const runner =
    has(files, 'uv.lock') || /^\[tool\.uv\]/m.test(pyproject ?? '')
      ? 'uv run '
      : /^\[tool\.poetry\]/m.test(pyproject ?? '') || has(files, 'poetry.lock')
        ? 'poetry run '
        : '';
  const source = pyproject !== undefined ? 'pyproject.toml' : has(files, 'tox.ini') ? 'tox.ini' : 'setup.cfg';
  const found: Partial<Record<CommandKind, Found>> = {};
  if (/\bpytest\b/.test(all) || has(files, 'pytest.ini') || has(files, 'conftest.py'))
    found.test = { command: runner ? `${runner}pytest` : 'python -m pytest', source: `${source} (pytest)` };
  else if (has(files, 'tox.ini')) found.test = { command: 'tox', source: 'tox.ini' };
  if (/\bmypy\b/.test(all)) found.typecheck = { command: `${runner}mypy .`, source: `${source} (mypy)` };
  else if (/\bpyright\b/.test(all)) found.typecheck = { command: `${runner}pyright`, source: `${source} (pyright)` };
  if (/\bruff\b/.test(all)) found.lint = { command: `${runner}ruff check .`, source: `${source} (ruff)` };
  else if (/\bflake8\b/.test(all)) found.lint = { command: `${runner}flake8`, source: `${source} (flake8)` };
  return found;
}

function rust(files: ProjectFiles): Partial<Record<CommandKind, Found>> {
  if (!has(files, 'Cargo.toml')) return {};
  const source = 'Cargo.toml';
  return {
    test: { command: 'cargo test', source },
    typecheck: { command: 'cargo check --all-targets', source },
    lint: { command: 'cargo clippy --all-targets', source },
  };
}

function go(files: ProjectFiles): Partial<Record<CommandKind, Found>> {
  if (!has(files, 'go.mod')) return {};
  const golangci = ['.golangci.yml', '.golangci.yaml', '.golangci.toml', '.golangci.json'].find((n) => has(files, n));
  return {
    test: { command: 'go test ./...', source: 'go.mod' },
    typecheck: { command: 'go build ./...', source: 'go.mod' },
    lint: golangci ? { command: 'golangci-lint run', source: golangci } : { command: 'go vet ./...', source: 'go.mod' },
  };
}

function gradle(files: ProjectFiles): Partial<Record<CommandKind, Found>> {
  const build = ['build.gradle.kts', 'build.gradle'].find((n) => has(files, n));
  if (!build) return {};
  const gradlew = has(files, 'gradlew') ? './gradlew' : 'gradle';
  return {
    test: { command: `${gradlew} test`, source: build },
    // testClasses compiles main and test sources of any JVM language without running tests.
    typecheck: { command: `${gradlew} testClasses`, source: build },
    lint: { command: `${gradlew} check -x test`, source: build },
  };
}

function maven(files: ProjectFiles): Partial<Record<CommandKind, Found>> {
  if (!has(files, 'pom.xml')) return {};
  const mvn = has(files, 'mvnw') ? './mvnw' : 'mvn';
  const pom = files.read('pom.xml') ?? '';
  const found: Partial<Record<CommandKind, Found>> = {
    test: { command: `${mvn} test`, source: 'pom.xml' },
    typecheck: { command: `${mvn} test-compile`, source: 'pom.xml' },
  };
  if (/spotless-maven-plugin/.test(pom))
    found.lint = { command: `${mvn} spotless:check`, source: 'pom.xml (spotless)' };
  else if (/maven-checkstyle-plugin/.test(pom))
    found.lint = { command: `${mvn} checkstyle:check`, source: 'pom.xml (checkstyle)' };
  return found;
}

function ruby(files: ProjectFiles): Partial<Record<CommandKind, Found>> {
  const gemfile = files.read('Gemfile');
  if (gemfile === undefined) return {};
  const gem = (name: string) => new RegExp(`^\\s*gem\\s+['"]${name}['"]`, 'm').test(gemfile);
  const found: Partial<Record<CommandKind, Found>> = {};
  if (gem('rspec') || gem('rspec-rails') || has(files, '.rspec'))
    found.test = { command: 'bundle exec rspec', source: 'Gemfile (rspec)' };
  else if (has(files, 'Rakefile')) found.test = { command: 'bundle exec rake test', source: 'Gemfile and Rakefile' };
  if (gem('sorbet')) found.typecheck = { command: 'bundle exec srb tc', source: 'Gemfile (sorbet)' };
  else if (gem('steep')) found.typecheck = { command: 'bundle exec steep check', source: 'Gemfile (steep)' };
  if (gem('rubocop') || gem('rubocop-rails'))
    found.lint = { command: 'bundle exec rubocop', source: 'Gemfile (rubocop)' };
  else if (gem('standard')) found.lint = { command: 'bundle exec standardrb', source: 'Gemfile (standard)' };
  return found;
}

function dotnet(files: ProjectFiles): Partial<Record<CommandKind, Found>> {
  const project = files.names.find((n) => /\.(sln|slnx|csproj|fsproj|vbproj)$/.test(n));
  if (!project) return {};
  return {
    test: { command: 'dotnet test', source: project },
    typecheck: { command: 'dotnet build', source: project },
    lint: { command: 'dotnet format --verify-no-changes', source: project },
  };
}

/**
 * Earlier detectors win per kind: the project's own entry points (Makefile targets, package.json scripts)
 * before what a language's tool offers by convention.
 */
const DETECTORS: Detector[] = [makefile, packageJson, python, rust, go, gradle, maven, ruby, dotnet];

/** The test, type-check and lint commands of the project whose root files `files` describes. */
export function detectProjectCommands(files: ProjectFiles): Detection {
  const commands: ProjectCommands = {};
  const sources: Detection['sources'] = {};
  for (const detect of DETECTORS) {
    const found = detect(files);
    for (const kind of COMMAND_KINDS) {
      const hit = found[kind];
      if (!hit || commands[kind] !== undefined || !safeCommand(hit.command)) continue;
      commands[kind] = hit.command;
      sources[kind] = hit.source;
    }
  }
  return { commands, sources };
}

export interface CommandRules {
  /** Claude Code permission rules (`Bash(<command>:*)`), one per simple command, deduplicated. */
  rules: string[];
  /** Parts of configured commands no rule can cover, with why (init prints them). */
  skipped: string[];
}

/**
 * The permission rules that let a role run `commands` and nothing else: each command split where Claude
 * Code splits compound commands (`&&`, `||`, `;`, `|`) and each part granted as a prefix rule, so the
 * role may add arguments (one test file) but not another program. A part with shell syntax or a glob
 * (`$`, quotes, `*`, redirections, `cd`) cannot be a prefix rule that means what it says: it is skipped.
 */
export function commandRules(commands: ProjectCommands): CommandRules {
  const rules: string[] = [];
  const skipped: string[] = [];
  for (const kind of COMMAND_KINDS) {
    const command = commands[kind];
    if (!command) continue;
    for (const raw of command.split(/&&|\|\||;|\|/)) {
      const part = raw.trim().replace(/\s+/g, ' ');
      if (!part) continue;
      if (!safeCommand(part) || /^(cd|env|sudo|bash|sh|eval|exec)$/.test(part.split(' ')[0]!)) {
        skipped.push(`commands.${kind}: "${part}" cannot be granted as a permission rule (shell syntax)`);
        continue;
      }
      const rule = `Bash(${part}:*)`;
      if (!rules.includes(rule)) rules.push(rule);
    }
  }
  return { rules, skipped };
}
