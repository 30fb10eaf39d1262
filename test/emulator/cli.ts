/**
 * `npm run sandbox -- --seed <file.json> [--port N] [--verbose]`
 * Starts the GitHub emulator and prints one JSON line {"port","env"} to
 * stdout, then serves until SIGINT/SIGTERM. Without --seed: an empty
 * repository loom-demo/sandbox.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type Seed, SeedSchema } from './seed.js';
import { startEmulator } from './server.js';

function fail(message: string): never {
  process.stderr.write(`sandbox: ${message}\n`);
  process.exit(2);
}

function loadSeed(file: string | undefined): Seed {
  if (!file) return { repo: 'loom-demo/sandbox', labels: [], issues: [], pullRequests: [] };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    fail(`cannot read seed file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    fail(`seed file ${file} is not valid JSON: ${(e as Error).message}`);
  }
  const parsed = SeedSchema.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
    fail(`seed file ${file} is not a valid seed:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

async function main(): Promise<void> {
  let values: { seed?: string; port?: string; verbose?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        seed: { type: 'string' },
        port: { type: 'string' },
        verbose: { type: 'boolean', short: 'v' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    fail((e as Error).message);
  }
  if (values.help) {
    process.stdout.write('Usage: npm run sandbox -- [--seed file.json] [--port N] [--verbose]\n');
    return;
  }
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      fail(`--port must be an integer between 0 and 65535, got "${values.port}"`);
  }
  const seed = loadSeed(values.seed);
  const opts: Parameters<typeof startEmulator>[1] = {};
  if (port !== undefined) opts.port = port;
  if (values.verbose) {
    opts.onRequest = (e) =>
      process.stderr.write(`${e.time} ${e.status} ${e.method} ${e.path}${e.operation ? ` (${e.operation})` : ''}\n`);
  }
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  try {
    emulator = await startEmulator(seed, opts);
  } catch (e) {
    fail(`cannot start: ${(e as Error).message}`);
  }
  process.stdout.write(`${JSON.stringify({ port: emulator.port, env: emulator.env })}\n`);
  const stop = () => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
