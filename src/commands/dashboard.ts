/**
 * `loom dashboard [--port N] [--open]` (DESIGN.md §6.1): a live web page of the daemon on 127.0.0.1, for
 * the person at this machine. The data is `loom status --json`'s (one GitHub request per refresh, never
 * more often than `poll_interval`, shared by every open page), the state file and the worker logs, read
 * locally; it works with the daemon running or stopped. Runs until Ctrl-C (SIGINT) or SIGTERM.
 */
import type { Command } from 'commander';
import { execa } from 'execa';
import * as z from 'zod';
import { isBusy } from '../core/daemon-state.js';
import { logsFor } from '../daemon/worker-log.js';
import { Refresher } from '../dashboard/refresher.js';
import { newToken, startDashboardServer } from '../dashboard/server.js';
import { LoomError } from '../errors.js';
import { exitCodeHelp } from './exit-codes.js';
import type { Run } from './shared.js';
import { type CommandEnv, context, parseOptions } from './shared.js';

const Options = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(0),
  open: z.boolean().default(false),
});

/** How many ready issues the page lists (same one request). */
const READY_SHOWN = 10;

export function register(program: Command, run: Run): void {
  program
    .command('dashboard')
    .description('Serve a live web page of the daemon, pipeline and workers on 127.0.0.1 (read-only)')
    .option('--port <n>', 'the port on 127.0.0.1 (default: a free one)')
    .option('--open', 'open the page in the default browser')
    .addHelpText(
      'after',
      `
Prints the page's URL, which carries a random token: any request without it, or for another host name, gets
403. The page shows the pipeline counts, one lane per shepherd (issue, phase timeline, heartbeat age, stuck
marker, PR, cost), the support roles, the usage pause and today's cost against the budget, what waits for
you (with the exact commands), the last iterations and a log pane that tails a worker's log. It updates
itself over Server-Sent Events: local files every 2 seconds, GitHub (one request) at most every
poll_interval seconds, and nothing while no page is open. Stop it with Ctrl-C.
${exitCodeHelp('dashboard')}
Examples:
  .loom/scripts/loom dashboard --open
  .loom/scripts/loom dashboard --port 8765`,
    )
    .action((raw) => run((env) => dashboard(env, parseOptions(Options, raw))));
}

/** The command that opens a URL in the default browser on this platform (argument arrays, no shell). */
function opener(url: string): [string, string[]] {
  if (process.platform === 'darwin') return ['open', [url]];
  if (process.platform === 'win32') return ['rundll32', ['url.dll,FileProtocolHandler', url]];
  return ['xdg-open', [url]];
}

export async function dashboard(env: CommandEnv, options: z.infer<typeof Options>): Promise<number> {
  const ctx = await context(env);
  const { collectStatus } = await import('./status.js');
  const refresher = new Refresher({
    host: env.env.GH_HOST || 'github.com',
    collect: async (mode) => {
      const { report, snapshot, config } = await collectStatus(
        env,
        mode === 'github' ? { fast: false, lists: { readyLimit: READY_SHOWN } } : { fast: true },
      );
      return { report, snapshot, config };
    },
  });
  const resolveLog = async (id: string): Promise<string | null> => {
    const state = await ctx.store.read().catch(() => null);
    if (state && Object.hasOwn(state.shepherds, id) && isBusy(state.shepherds[id]))
      return state.shepherds[id]!.output_file ?? null;
    const role = state?.support_roles[id as keyof typeof state.support_roles];
    if (role?.status === 'running' && role.output_file) return role.output_file;
    return (await logsFor(ctx.paths.logs, id)).at(-1)?.file ?? null;
  };
  let server: Awaited<ReturnType<typeof startDashboardServer>>;
  try {
    server = await startDashboardServer({ port: options.port, token: newToken(), refresher, resolveLog });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES')
      throw new LoomError('USAGE', `Cannot listen on 127.0.0.1:${options.port} (${code}).`, {
        hint: 'Choose another --port, or leave it out to take a free one.',
      });
    throw error;
  }
  // Listen for Ctrl-C before anyone can know the URL (the opener, a script reading stdout).
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  env.io.out(`Loom dashboard: ${server.url}`);
  env.io.out('Only this machine can open it, with the token in the URL. Ctrl-C stops it.');
  if (options.open) {
    const [command, args] = opener(server.url);
    execa(command, args, { detached: true, stdio: 'ignore', reject: false })
      .then((r) => {
        if (r.failed) env.io.err(`loom: could not open a browser (${command}); open the URL above yourself.`);
      })
      .catch(() => undefined);
  }
  await stopped;
  await server.close();
  return 0;
}
