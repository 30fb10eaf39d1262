#!/usr/bin/env zx
import { createHash } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
// Bundles the CLI into one self-contained file, .loom/scripts/loom (runs on
// node >= 20 with no node_modules), embeds defaults/ for `loom init`, and
// writes the thin *.sh wrappers.
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

await mkdir(path.dirname(outfile), { recursive: true });
await build({
  plugins: [englishOnlyZodLocales],
  entryPoints: [path.join(root, 'src/bin.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  // CommonJS: an extensionless file in a repository without "type": "module" loads as CommonJS on node 20.
  format: 'cjs',
  target: 'node20',
  // Module paths as a clean clone sees them, also in a worktree whose node_modules is a symlink.
  preserveSymlinks: true,
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  banner: { js: "const __loomImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: {
    'import.meta.url': '__loomImportMetaUrl',
    __LOOM_DEFAULTS__: JSON.stringify(await readTree(path.join(root, 'defaults'))),
    __LOOM_VERSION__: JSON.stringify(pkg.version),
    __LOOM_BUILD__: JSON.stringify(buildId),
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
const size = (await stat(outfile)).size;
console.log(`built .loom/scripts/loom (${(size / 1024).toFixed(0)} KiB)`);
