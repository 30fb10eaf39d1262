#!/usr/bin/env node
// Entry of the bundled `.loom/scripts/loom`: only starts main(); see src/cli.ts.
// `loom guard` runs before every agent tool call, so it skips the CLI (commander,
// zod, every command) and loads only the guard's own small modules.
const argv = process.argv.slice(2);
if (argv.length === 1 && argv[0] === 'guard') {
  import('./guard/hook.js').then(({ guardMain }) => guardMain());
} else {
  import('./cli.js').then(async ({ main }) => {
    process.exitCode = await main(argv);
  });
}
