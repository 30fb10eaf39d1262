/**
 * Projects of any stack: `loom init` finds a project's test, type-check and lint commands, writes them into
 * `.loom/config.json` where the user set none, and lets the Builder, Doctor and Judge run exactly those.
 * A table of root-file sets for the pure detection, then `loom init` (the built bundle) in real temporary
 * git repositories of four stacks.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it, test } from 'vitest';
import { parseConfig } from '../src/core/config.js';
import { commandRules, detectProjectCommands, type ProjectCommands } from '../src/core/project-commands.js';
import { fillCommands, withAllowedTools, withSettingsRules } from '../src/install/project-commands.js';
import { BUNDLE } from './helpers/repo.js';

const files = (contents: Record<string, string>, extra: string[] = []) => ({
  names: [...Object.keys(contents), ...extra],
  read: (name: string) => contents[name],
});
const pkg = (scripts: Record<string, string>, more: object = {}) => JSON.stringify({ name: 'x', scripts, ...more });

describe('detectProjectCommands', () => {
  test.each<[string, Record<string, string>, string[], ProjectCommands]>([
    ['an empty folder', {}, [], {}],
    [
      'npm scripts',
      { 'package.json': pkg({ test: 'vitest run', lint: 'eslint .', typecheck: 'tsc --noEmit' }) },
      [],
      { test: 'npm test', lint: 'npm run lint', typecheck: 'npm run typecheck' },
    ],
    [
      "npm init's placeholder test script is no test",
      { 'package.json': pkg({ test: 'echo "Error: no test specified" && exit 1' }) },
      [],
      {},
    ],
    [
      'pnpm, and tsc from tsconfig.json when no script type-checks',
      { 'package.json': pkg({ test: 'jest' }, { devDependencies: { typescript: '5' } }), 'tsconfig.json': '{}' },
      ['pnpm-lock.yaml'],
      { test: 'pnpm test', typecheck: 'pnpm exec tsc --noEmit' },
    ],
    [
      'yarn with a type-check script',
      { 'package.json': pkg({ test: 'jest', 'type-check': 'tsc' }) },
      ['yarn.lock'],
      { test: 'yarn test', typecheck: 'yarn run type-check' },
    ],
    [
      'a script name with shell syntax is not offered',
      { 'package.json': pkg({ 'lint;touch x': 'eslint', lint: 'eslint' }) },
      [],
      { lint: 'npm run lint' },
    ],
    ['package.json that is not JSON', { 'package.json': '{oops' }, [], {}],
    [
      'Makefile targets (recipe lines, variables and special targets ignored)',
      { Makefile: '.PHONY: test lint\nCC := gcc\ntest: build\n\tgo test ./...\nlint:\n\tgolangci-lint run\n' },
      [],
      { test: 'make test', lint: 'make lint' },
    ],
    [
      'a Makefile target wins over the language convention',
      { Makefile: 'check:\n\tcargo test --all\n', 'Cargo.toml': '[package]\nname="x"' },
      [],
      { test: 'make check', typecheck: 'cargo check --all-targets', lint: 'cargo clippy --all-targets' },
    ],
    [
      'pyproject with pytest, mypy and ruff',
      { 'pyproject.toml': '[project]\nname="x"\n[tool.pytest.ini_options]\n[tool.mypy]\n[tool.ruff]\n' },
      [],
      { test: 'python -m pytest', typecheck: 'mypy .', lint: 'ruff check .' },
    ],
    [
      'poetry runs its tools',
      { 'pyproject.toml': '[tool.poetry]\nname="x"\n[tool.poetry.group.dev.dependencies]\npytest="*"\nflake8="*"\n' },
      [],
      { test: 'poetry run pytest', lint: 'poetry run flake8' },
    ],
    [
      'uv and pyright',
      { 'pyproject.toml': '[project]\ndependencies=[]\n[dependency-groups]\ndev=["pytest","pyright"]\n' },
      ['uv.lock'],
      { test: 'uv run pytest', typecheck: 'uv run pyright' },
    ],
    ['tox.ini without pytest', { 'tox.ini': '[tox]\nenvlist = py311\n' }, [], { test: 'tox' }],
    [
      'Cargo',
      { 'Cargo.toml': '[package]\nname = "x"\n' },
      [],
      { test: 'cargo test', typecheck: 'cargo check --all-targets', lint: 'cargo clippy --all-targets' },
    ],
    [
      'go.mod with golangci-lint',
      { 'go.mod': 'module example.com/x\n' },
      ['.golangci.yml'],
      { test: 'go test ./...', typecheck: 'go build ./...', lint: 'golangci-lint run' },
    ],
    [
      'Gradle with its wrapper',
      { 'build.gradle.kts': 'plugins { java }' },
      ['gradlew'],
      { test: './gradlew test', typecheck: './gradlew testClasses', lint: './gradlew check -x test' },
    ],
    [
      'Maven with spotless',
      { 'pom.xml': '<project><artifactId>spotless-maven-plugin</artifactId></project>' },
      [],
      { test: 'mvn test', typecheck: 'mvn test-compile', lint: 'mvn spotless:check' },
    ],
    [
      'a Gemfile with rspec and rubocop',
      { Gemfile: "source 'https://rubygems.org'\ngem 'rspec'\ngem \"rubocop\", require: false\n" },
      [],
      { test: 'bundle exec rspec', lint: 'bundle exec rubocop' },
    ],
    [
      'a Gemfile with a Rakefile and sorbet',
      { Gemfile: "gem 'sorbet'\n" },
      ['Rakefile'],
      { test: 'bundle exec rake test', typecheck: 'bundle exec srb tc' },
    ],
    [
      'a .NET solution',
      {},
      ['App.sln', 'src'],
      { test: 'dotnet test', typecheck: 'dotnet build', lint: 'dotnet format --verify-no-changes' },
    ],
  ])('%s', (_what, contents, extra, expected) => {
    expect(detectProjectCommands(files(contents, extra)).commands).toEqual(expected);
  });

  it('names where each command came from', () => {
    const { sources } = detectProjectCommands(files({ 'package.json': pkg({ test: 'jest' }), 'go.mod': 'module x' }));
    expect(sources).toEqual({ test: 'package.json scripts.test', typecheck: 'go.mod', lint: 'go.mod' });
  });
});

describe('commandRules', () => {
  test.each<[string, ProjectCommands, string[], number]>([
    [
      'one prefix rule per command',
      { test: 'npm test', lint: 'npx biome check .' },
      ['Bash(npm test:*)', 'Bash(npx biome check .:*)'],
      0,
    ],
    [
      'a compound command is split as Claude Code splits it',
      { test: 'npm run build && npm test' },
      ['Bash(npm run build:*)', 'Bash(npm test:*)'],
      0,
    ],
    ['the same part once', { test: 'make test', lint: 'make test' }, ['Bash(make test:*)'], 0],
    ['a colon inside the command', { lint: 'mvn spotless:check' }, ['Bash(mvn spotless:check:*)'], 0],
    ['shell syntax cannot be a rule', { test: 'pytest $(cat args)', lint: "ruff check 'src'" }, [], 2],
    ['a glob would be a wildcard in the middle', { test: 'pytest tests/*.py' }, [], 1],
    [
      'cd and env are not the project command',
      { test: 'cd sub && make test', lint: 'env X=1' },
      ['Bash(make test:*)'],
      2,
    ],
    ['an empty command means none', { test: '' }, [], 0],
  ])('%s', (_what, commands, rules, skipped) => {
    const result = commandRules(commands);
    expect(result.rules).toEqual(rules);
    expect(result.skipped).toHaveLength(skipped);
    for (const rule of result.rules) expect(rule.slice(0, -3)).not.toContain('*');
  });
});

describe('filling the config and the grants', () => {
  const defaults = `${JSON.stringify({ poll_interval: 30 }, null, 2)}\n`;
  it("fills only what the user has not set, and keeps the user's values (an empty one means none)", () => {
    const user = `${JSON.stringify({ poll_interval: 30, commands: { test: 'make check', lint: '' } }, null, 2)}\n`;
    const filled = fillCommands(user, { test: 'npm test', lint: 'npm run lint', typecheck: 'npm run typecheck' });
    expect(filled.filled).toEqual(['typecheck']);
    expect(JSON.parse(filled.text).commands).toEqual({ test: 'make check', lint: '', typecheck: 'npm run typecheck' });
    expect(parseConfig(JSON.parse(filled.text)).ok).toBe(true);
    expect(fillCommands(defaults, {}).text).toBe(defaults);
  });

  it('adds the rules to a role file and to settings.json once, and changes nothing without rules', () => {
    const role =
      '---\ndescription: x\nallowed-tools: Bash(.loom/scripts/loom:*), Bash(cd:*), Read, Write\n---\n# Builder\n';
    const once = withAllowedTools(role, ['Bash(npm test:*)']);
    expect(once).toContain('allowed-tools: Bash(.loom/scripts/loom:*), Bash(cd:*), Bash(npm test:*), Read, Write\n');
    expect(withAllowedTools(once, ['Bash(npm test:*)'])).toBe(once);
    expect(withAllowedTools(role, [])).toBe(role);
    const settings = `${JSON.stringify({ permissions: { allow: ['Bash(git log:*)', 'Read'] } }, null, 2)}\n`;
    expect(JSON.parse(withSettingsRules(settings, ['Bash(npm test:*)'])).permissions.allow).toEqual([
      'Bash(git log:*)',
      'Bash(npm test:*)',
      'Read',
    ]);
  });
});

describe('loom init in repositories of four stacks', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  async function repoWith(contents: Record<string, string>, config?: object): Promise<string> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'loom-stack-'));
    dirs.push(dir);
    for (const [name, text] of Object.entries(contents)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), text);
    }
    if (config) {
      mkdirSync(path.join(dir, '.loom'), { recursive: true });
      writeFileSync(path.join(dir, '.loom/config.json'), JSON.stringify(config));
    }
    const git = (args: string[]) => execa('git', args, { cwd: dir, env: { GIT_CONFIG_GLOBAL: '/dev/null' } });
    await git(['init', '-q', '-b', 'main']);
    await git(['-c', 'user.name=t', '-c', 'user.email=t@t', 'add', '-A']);
    await git(['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'initial']);
    return dir;
  }
  const init = (dir: string) =>
    execa('node', [BUNDLE, 'init', dir, '--no-labels', '--json'], {
      cwd: dir,
      reject: false,
      env: { FORCE_COLOR: '0' },
    });
  const read = (dir: string, file: string) => readFileSync(path.join(dir, file), 'utf8');
  const allowedTools = (dir: string, role: string) =>
    (/^allowed-tools: (.*)$/m.exec(read(dir, `.claude/commands/${role}.md`))?.[1] ?? '').split(', ');
  const projectRules = (rules: string[]) =>
    rules.filter((r) => r.startsWith('Bash(') && !/^Bash\((\.loom\/|gh |git|cd:|test -f|touch )/.test(r));

  it.each([
    [
      'node',
      {
        'package.json': pkg({ test: 'node --test', lint: 'eslint .' }, { devDependencies: { typescript: '5' } }),
        'tsconfig.json': '{}',
      },
      { test: 'npm test', lint: 'npm run lint', typecheck: 'npx tsc --noEmit' },
    ],
    [
      'python',
      { 'pyproject.toml': '[project]\nname = "x"\n[tool.pytest.ini_options]\n[tool.ruff]\n', 'uv.lock': '' },
      { test: 'uv run pytest', lint: 'uv run ruff check .' },
    ],
    [
      'go with a Makefile',
      { 'go.mod': 'module example.com/x\n', Makefile: 'test:\n\tgo test -race ./...\n' },
      { test: 'make test', typecheck: 'go build ./...', lint: 'go vet ./...' },
    ],
    [
      'java with maven',
      { 'pom.xml': '<project></project>\n', 'src/main/java/App.java': 'class App {}\n' },
      { test: 'mvn test', typecheck: 'mvn test-compile' },
    ],
  ])('%s: the commands land in the config and exactly they are granted', async (_stack, contents, expected) => {
    const dir = await repoWith(contents);
    const result = await init(dir);
    expect(result.exitCode, result.stderr).toBe(0);
    const config = JSON.parse(read(dir, '.loom/config.json'));
    expect(config.commands).toEqual(expected);
    const report = JSON.parse(result.stdout).commands;
    expect(Object.fromEntries(Object.entries(report).map(([k, v]) => [k, (v as { command: string }).command]))).toEqual(
      expected,
    );
    const rules = commandRules(expected).rules;
    for (const role of ['builder', 'doctor', 'judge'])
      expect(projectRules(allowedTools(dir, role)).sort(), role).toEqual([...rules].sort());
    for (const role of ['curator', 'champion', 'guide', 'architect', 'hermit', 'shepherd', 'loom'])
      expect(projectRules(allowedTools(dir, role)), role).toEqual([]);
    const allow: string[] = JSON.parse(read(dir, '.claude/settings.json')).permissions.allow;
    expect(allow).toEqual(expect.arrayContaining(rules));
    // No generic runner is granted beside them (npm, npx, make, go … as a whole).
    expect(projectRules(allow).sort()).toEqual([...rules].sort());
    // A second init changes nothing.
    const again = JSON.parse((await init(dir)).stdout).files.filter(
      (f: { action: string }) => f.action !== 'unchanged',
    );
    expect(again).toEqual([]);
  });

  it("never overwrites a user's command, grants theirs, and says what was found", async () => {
    const dir = await repoWith(
      { 'Cargo.toml': '[package]\nname = "x"\n' },
      { commands: { test: 'cargo nextest run', lint: '' } },
    );
    const result = await execa('node', [BUNDLE, 'init', dir, '--no-labels'], { cwd: dir, reject: false });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(read(dir, '.loom/config.json')).commands).toEqual({
      test: 'cargo nextest run',
      lint: '',
      typecheck: 'cargo check --all-targets',
    });
    expect(result.stdout).toContain('  test: cargo nextest run  (yours)');
    expect(result.stdout).toContain('  typecheck: cargo check --all-targets  (found in Cargo.toml)');
    expect(projectRules(allowedTools(dir, 'builder')).sort()).toEqual([
      'Bash(cargo check --all-targets:*)',
      'Bash(cargo nextest run:*)',
    ]);
  });

  it('a project with nothing to detect gets no project rule and a hint', async () => {
    const dir = await repoWith({ 'README.md': '# x\n' });
    const result = await execa('node', [BUNDLE, 'init', dir, '--no-labels'], { cwd: dir, reject: false });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Project commands: none found\. Set commands\.test/);
    expect(JSON.parse(read(dir, '.loom/config.json')).commands).toBeUndefined();
    expect(projectRules(allowedTools(dir, 'builder'))).toEqual([]);
  });

  it('a command with shell syntax is kept in the config but not granted, with a warning', async () => {
    const dir = await repoWith({ 'README.md': '# x\n' }, { commands: { test: 'pytest $(cat args)' } });
    const result = await execa('node', [BUNDLE, 'init', dir, '--no-labels'], { cwd: dir, reject: false });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain('commands.test: "pytest $(cat args)" cannot be granted');
    expect(projectRules(allowedTools(dir, 'builder'))).toEqual([]);
  });
});
