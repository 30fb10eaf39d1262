#!/usr/bin/env node
// Entry of the bundled `.loom/scripts/loom`: only starts main(); see src/cli.ts.
import { main } from './cli.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
