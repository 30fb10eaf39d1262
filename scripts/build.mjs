#!/usr/bin/env zx
import { createHash } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
// Bundles the CLI into .loom/scripts/: the `loom` launcher and its chunks in
// lib/ (self-contained: node >= 20 and no node_modules), embeds defaults/ for
// `loom init`, and writes the thin *.sh wrappers.
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '..');
const outfile = path.join(root, '.loom/scripts/loom');
const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));

async function readTree(dir, base = dir, files = {}) {
  for (const name of (await readdir(dir)).sort()) {
    const full = path.join(dir, name);
    if ((await stat(full)).isDirectory()) await readTree(full, base, files);
    else files[path.relative(base, full).split(path.sep).join('/')] = await readFile(full, 'utf8');
  }
  return files;
}

// The build id: a short hash of everything the bundle is built from, stable for the same sources.
const buildHash = createHash('sha256');
for (const dir of ['src', 'defaults'])
  for (const [name, text] of Object.entries(await readTree(path.join(root, dir))))
    buildHash.update(`${dir}/${name}\0${text}\0`);
buildHash.update(await readFile(path.join(root, 'package.json'), 'utf8'));
const buildId = buildHash.digest('hex').slice(0, 12);

// The wrapper list lives in TypeScript (src/install/wrappers.ts); compile it in memory to share it.
const compiled = await build({
  entryPoints: [path.join(root, 'src/install/wrappers.ts')],
  bundle: true,
  write: false,
  format: 'esm',
  platform: 'node',
});
const { WRAPPERS, wrapperScript, SCRIPTS_PACKAGE_JSON } = await import(
  `data:text/javascript;base64,${Buffer.from(compiled.outputFiles[0].text).toString('base64')}`
);
// zod re-exports every locale as a namespace (`z.locales`), so all of them would be bundled although
// Loom uses only the English messages: serve the bundle an index that holds just `en`.
const englishOnlyZodLocales = {
  name: 'zod-english-only',
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({
      contents: 'export { default as en } from "./en.js";',
      loader: 'js',
      resolveDir: path.join(root, 'node_modules/zod/v4/locales'),
    }));
  },
};

// Both builds name sources relative to the repository even when node_modules is a symlink (worktrees share
// one install), so the output is the same on every machine.
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  preserveSymlinks: true,
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  define: { __LOOM_VERSION__: JSON.stringify(pkg.version), __LOOM_BUILD__: JSON.stringify(buildId) },
};

// defaults/ goes into src/install/embedded.ts, a module only the `init` chunk imports.
const embeddedDefaults = await readTree(path.join(root, 'defaults'));
const embedDefaults = {
  name: 'embed-defaults',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]install[\\/]embedded\.ts$/ }, () => ({
      contents: `export const EMBEDDED_DEFAULTS = ${JSON.stringify(embeddedDefaults)};`,
      loader: 'js',
    }));
  },
};

// The launcher, .loom/scripts/loom: CommonJS, because an extensionless file in a repository without
// "type": "module" loads as CommonJS on node 20. It imports lib/cli.mjs.
await mkdir(path.dirname(outfile), { recursive: true });
await build({ ...common, entryPoints: [path.join(root, 'src/bin.ts')], outfile, format: 'cjs' });

// The CLI, split: lib/cli.mjs holds the program, and each command module it imports dynamically becomes its
// own chunk with the libraries only it needs, so a call parses only what its command uses. The folder is
// rebuilt from scratch: chunk names carry a content hash, and a stale chunk must not linger.
const libDir = path.join(root, '.loom/scripts/lib');
await rm(libDir, { recursive: true, force: true });
const split = await build({
  ...common,
  plugins: [englishOnlyZodLocales, embedDefaults],
  // status-main.mjs: the plain `status [--json]` without commander (src/status-main.ts).
  entryPoints: { cli: path.join(root, 'src/cli.ts'), 'status-main': path.join(root, 'src/status-main.ts') },
  outdir: libDir,
  format: 'esm',
  splitting: true,
  outExtension: { '.js': '.mjs' },
  chunkNames: '[name]-[hash]',
  metafile: true,
  // CommonJS packages inside ES module chunks still call require() for node's built-ins and read __filename.
  banner: {
    js: [
      "import { createRequire as __loomCreateRequire } from 'node:module';",
      "import { fileURLToPath as __loomFileURLToPath } from 'node:url';",
      'const require = __loomCreateRequire(import.meta.url);',
      'const __filename = __loomFileURLToPath(import.meta.url);',
      "const __dirname = __loomFileURLToPath(new URL('.', import.meta.url));",
    ].join('\n'),
  },
});
await chmod(outfile, 0o755);
// Pins the module type of the extensionless bundle, whatever package.json the host repository has.
await writeFile(path.join(root, '.loom/scripts/package.json'), SCRIPTS_PACKAGE_JSON);

for (const [name, command] of Object.entries(WRAPPERS)) {
  const file = path.join(root, '.loom/scripts', name);
  await writeFile(file, wrapperScript(command));
  await chmod(file, 0o755);
}
// The file list `loom init` installs (src/install/defaults.ts, CHUNK_LIST).
const chunkNames = Object.keys(split.metafile.outputs)
  .map((file) => path.basename(file))
  .sort();
await writeFile(path.join(libDir, 'chunks.json'), `${JSON.stringify(chunkNames, null, 2)}\n`);
const kib = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;
const chunks = Object.entries(split.metafile.outputs).map(([file, out]) => `${path.basename(file)} ${kib(out.bytes)}`);
console.log(`built .loom/scripts/loom (${kib((await stat(outfile)).size)}) and lib/: ${chunks.join(', ')}`);
