#!/usr/bin/env node
/**
 * `.loom/scripts/loom`: a small CommonJS launcher (scripts/build.mjs). It answers `--version` itself, runs
 * `loom guard` (the hook Claude Code calls before every tool use) from its own small modules bundled in here, and
 * otherwise imports the CLI from lib/cli.mjs beside it, which loads only the chunk of the command that runs
 * (src/cli.ts). The plain `status [--json]` first starts its GitHub request from here, then runs from
 * lib/status-main.mjs (DESIGN.md §6).
 * CommonJS because an extensionless file is read as CommonJS on every node 20 (.loom/scripts/package.json pins
 * it); the chunks are .mjs, so they are ES modules whatever package.json the host repository has.
 */
import module from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUILD, VERSION } from './version.js';

// `loom … | head`: when the reader goes away, stop quietly with 0 instead of an unhandled EPIPE.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${VERSION} (build ${BUILD})\n`); // as commander prints it (src/cli.ts)
} else if (args.length === 1 && args[0] === 'guard') {
  // No commander, zod or execa: src/guard/hook.ts imports only node built-ins and its rule modules.
  import('./guard/hook.js').then(({ guardMain }) => guardMain());
} else {
  // Node >= 22.1 keeps compiled code between runs (in the OS temp folder); node 20 has no such API.
  (module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
  const lib = (file: string) => pathToFileURL(path.join(__dirname, 'lib', file)).href;
  // `loom status` starts its one GitHub request before anything else, so gh works while node compiles the CLI
  // (src/status-prefetch.ts: bundled in here, but initialized only on this path, as esbuild makes the import a
  // lazy module init); the command adopts that call, or it is stopped when the command ends. The plain
  // `status [--json]` then runs without commander (src/status-main.ts); everything else loads the program.
  const prefetch: Promise<typeof import('./status-prefetch.js') | undefined> =
    args[0] === 'status'
      ? import('./status-prefetch.js').then((loaded) => {
          loaded.prefetchStatus(args);
          return loaded;
        })
      : Promise.resolve(undefined);
  prefetch
    .then((loaded) =>
      loaded?.isPlainStatus(args)
        ? import(lib('status-main.mjs')).then((entry: typeof import('./status-main.js')) => entry.statusMain(args))
        : import(lib('cli.mjs')).then((cli: typeof import('./cli.js')) => cli.main(args)),
    )
    .then(
      (code) => {
        process.exitCode = code;
      },
      (error: unknown) => {
        // Only a broken install gets here (main() reports every error itself).
        process.stderr.write(`loom: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
        process.stderr.write('  → Reinstall Loom: `node <path-to-loom>/.loom/scripts/loom init .`\n');
        process.exitCode = 1;
      },
    )
    .finally(() => prefetch.then((loaded) => loaded?.discardPrefetched()));
}
