/**
 * The design lives in docs/DESIGN.md and the test facts in docs/TESTING.md.
 * Every committed file (sources, help texts, installed defaults, docs, tests)
 * must point there: no reference to a document outside the repository, no
 * `DESIGN.md §N` reference or `#anchor` link naming a section that does not
 * exist, and no absolute path of a development machine.
 *
 * The forbidden strings are assembled from pieces so this file can scan itself.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');

interface TextFile {
  path: string;
  text: string;
}

interface DocIndex {
  /** Section numbers of DESIGN.md headings: `4`, `4.3`, `4.6.1`. */
  sections: Set<string>;
  /** Explicit anchors (`<a id="…">`) per document name. */
  anchors: Record<string, Set<string>>;
}

const SPEC = `SP${'EC'}`;
/** The section sign, written so that the fixtures below are not references themselves. */
const S = String.fromCharCode(167);
const OUTSIDE_DOCS = [
  { re: new RegExp(`\\b${SPEC}\\s*${S}`), what: `a "${SPEC} ${S}" reference (use DESIGN.md ${S}N)` },
  { re: new RegExp(`\\b${SPEC}\\.md\\b`), what: `a reference to ${SPEC}.md (use docs/DESIGN.md)` },
  { re: new RegExp(`\\.\\./${'sha'}red\\b`), what: 'a path into a folder outside the repository' },
];

/** Absolute paths of someone's machine: a home, a user folder, a scratch folder, a per-user temp folder. */
const MACHINE_PATH = new RegExp(
  `(?<![\\w.~-])(?:/(?:${['wo' + 'rk', 'ro' + 'ot', 'ho' + 'me', 'Us' + 'ers'].join('|')})/|/var/fol${'ders'}/|[A-Za-z]:\\\\Us${'ers'}\\\\)`,
);
/**
 * The system temp folder named outright. Shipped code, help texts and docs use the project's own names or
 * `os.tmpdir()`; tests may name it in fixtures (shell commands a guard must judge, paths that must not exist).
 */
const TMP_PATH = new RegExp(`(?<![\\w.~-])/t${'mp'}/`);

const DESIGN_REF = /DESIGN\.md((?:\s*(?:,|and|;|–)?\s*§\d+(?:\.\d+)*)+)/g;
const ANCHOR_REF = /\b(DESIGN|TESTING)\.md#([a-z0-9-]+)/g;
const SECTION = /§(\d+(?:\.\d+)*)/g;

function indexDocs(design: string, testing: string): DocIndex {
  const sections = new Set<string>();
  for (const m of design.matchAll(/^#{2,4}\s+(\d+(?:\.\d+)*)\.?\s/gm)) sections.add(m[1]!);
  const anchorsOf = (text: string) => new Set([...text.matchAll(/<a id="([a-z0-9-]+)"><\/a>/g)].map((m) => m[1]!));
  return { sections, anchors: { DESIGN: anchorsOf(design), TESTING: anchorsOf(testing) } };
}

/** Every problem in the given files, as `path:line: what`. */
function findProblems(files: readonly TextFile[], docs: DocIndex): string[] {
  const problems: string[] = [];
  for (const file of files) {
    const isGitignore = path.basename(file.path) === '.gitignore';
    const isDesign = file.path === 'docs/DESIGN.md';
    const isTest = file.path.startsWith('test/');
    file.text.split('\n').forEach((line, i) => {
      const at = `${file.path}:${i + 1}`;
      const outside = OUTSIDE_DOCS.filter(({ re }) => re.test(line));
      for (const { what } of outside) problems.push(`${at}: ${what}`);
      if (MACHINE_PATH.test(line) || (!isGitignore && !isTest && TMP_PATH.test(line)))
        problems.push(`${at}: an absolute machine path`);
      const referenced = new Set<string>();
      for (const m of line.matchAll(DESIGN_REF))
        for (const s of m[1]!.matchAll(SECTION)) {
          referenced.add(s[1]!);
          if (!docs.sections.has(s[1]!)) problems.push(`${at}: DESIGN.md §${s[1]} does not exist`);
        }
      // A bare § elsewhere does not say which document it means; inside DESIGN.md it must exist.
      for (const s of line.matchAll(SECTION)) {
        if (referenced.has(s[1]!) || outside.length) continue;
        if (!isDesign) problems.push(`${at}: §${s[1]} without a document (write DESIGN.md §${s[1]})`);
        else if (!docs.sections.has(s[1]!)) problems.push(`${at}: §${s[1]} does not exist`);
      }
      for (const m of line.matchAll(ANCHOR_REF))
        if (!docs.anchors[m[1]!]?.has(m[2]!)) problems.push(`${at}: ${m[1]}.md#${m[2]} does not exist`);
    });
  }
  return problems;
}

/** Committed (and new, not ignored) text files; the bundle and the lock file are generated. */
function repositoryFiles(): TextFile[] {
  let names: string[];
  try {
    names = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    })
      .split('\n')
      .filter(Boolean);
  } catch {
    names = walk(ROOT).map((f) => path.relative(ROOT, f));
  }
  const generated = (name: string) =>
    name === 'package-lock.json' || (name.startsWith('.loom/scripts/') && !name.endsWith('.sh'));
  return names
    .filter((name) => !generated(name) && !name.split('/').includes('node_modules'))
    .flatMap((name) => {
      const file = path.join(ROOT, name);
      if (!existsSync(file) || !statSync(file).isFile()) return [];
      const buffer = readFileSync(file);
      return buffer.includes(0) ? [] : [{ path: name.split(path.sep).join('/'), text: buffer.toString('utf8') }];
    });
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === '.git' || entry.name === 'node_modules') return [];
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : [full];
  });
}

const read = (name: string) => readFileSync(path.join(ROOT, name), 'utf8');

describe('references to the design', () => {
  const docs = indexDocs(read('docs/DESIGN.md'), read('docs/TESTING.md'));

  it('DESIGN.md numbers its sections and gives them anchors', () => {
    for (const n of ['3', '4.3', '4.6.1', '7.2', '10', '12']) expect(docs.sections.has(n), n).toBe(true);
    for (const a of ['iteration', 'claims', 'api-budget', 'architecture'])
      expect(docs.anchors.DESIGN!.has(a), a).toBe(true);
  });

  it('the checker finds each kind of problem', () => {
    const bad = [
      `// see ${SPEC} ${S}4.3`,
      `read ../${'sha'}red/${SPEC}.md first`,
      `// DESIGN.md ${S}4.3 and ${S}99`,
      `// DESIGN.md ${S}42`,
      `// the ${S}4.5 summary`,
      `[x](DESIGN.md#${'no-such-anchor'})`,
      `const f = '/${'ho'}me/someone/loom';`,
      `hint: 'mv it /${'t'}mp/'`,
    ].join('\n');
    const problems = findProblems([{ path: 'src/x.ts', text: bad }], docs);
    expect(problems).toEqual([
      `src/x.ts:1: a "${SPEC} ${S}" reference (use DESIGN.md ${S}N)`,
      `src/x.ts:2: a reference to ${SPEC}.md (use docs/DESIGN.md)`,
      'src/x.ts:2: a path into a folder outside the repository',
      `src/x.ts:3: DESIGN.md ${S}99 does not exist`,
      `src/x.ts:4: DESIGN.md ${S}42 does not exist`,
      `src/x.ts:5: ${S}4.5 without a document (write DESIGN.md ${S}4.5)`,
      `src/x.ts:6: DESIGN.md#${'no-such-anchor'} does not exist`,
      'src/x.ts:7: an absolute machine path',
      'src/x.ts:8: an absolute machine path',
    ]);
  });

  it('the checker accepts good references and relative paths', () => {
    const good = [
      `// One iteration (DESIGN.md ${S}4.3 step 3)`,
      `// heartbeats (DESIGN.md ${S}5, ${S}9); steps (DESIGN.md ${S}8.1–${S}8.4)`,
      '[claims](docs/DESIGN.md#claims) and [tiers](TESTING.md#tiers)',
      "const dir = path.join(tmpdir(), 'loom-repo-');",
      'node_modules/.bin/claude and .loom/worktrees/issue-1',
    ].join('\n');
    expect(findProblems([{ path: 'src/y.ts', text: good }], docs)).toEqual([]);
    const tmp = `rm -f /${'t'}mp/x.txt`;
    expect(findProblems([{ path: '.gitignore', text: `/${'t'}mp/\n` }], docs)).toEqual([]);
    expect(findProblems([{ path: 'test/guard.test.ts', text: tmp }], docs)).toEqual([]);
    expect(findProblems([{ path: 'test/a.test.ts', text: `/${'ho'}me/me/x` }], docs)).toHaveLength(1);
  });

  it('no committed file points outside the repository, at a missing section, or at a machine path', () => {
    const files = repositoryFiles();
    expect(files.some((f) => f.path === 'src/cli.ts')).toBe(true);
    expect(findProblems(files, docs)).toEqual([]);
  });
});
