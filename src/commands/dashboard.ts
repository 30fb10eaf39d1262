/**
 * `loom dashboard [--port N] [--open]` (DESIGN.md §6.1): a live web page of the daemon on 127.0.0.1, for
 * the person at this machine. The data is `loom status --json`'s (one GitHub request per refresh, never
 * more often than `poll_interval`, shared by every open page), the state file and the worker logs, read
 * locally; it works with the daemon running or stopped. Runs until Ctrl-C (SIGINT) or SIGTERM.
 */
import type { Command } from 'commander';
import { execa } from 'execa';
import * as z from 'zod';
import type { LoomContext, Output } from '../context.js';
import { isBusy } from '../core/daemon-state.js';
import { logsFor } from '../daemon/worker-log.js';
import { Refresher } from '../dashboard/refresher.js';
import { type DashboardServer, newToken, startDashboardServer } from '../dashboard/server.js';
import { LoomError } from '../errors.js';
import { exitCodeHelp } from './exit-codes.js';
import { context, parseOptions, type Run } from './shared.js';

export const DashboardOptions = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(0),
  open: z.boolean().default(false),
});
export type DashboardOptions = z.infer<typeof DashboardOptions>;

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
    .action((raw) =>
      run(async (env) => {
        const options = parseOptions(DashboardOptions, raw);
        const server = await dashboard(await context(env), options);
        // Listen for Ctrl-C before anyone can know the URL (the opener, a script reading stdout).
        const stopped = stopSignal();
        const code = renderDashboard(env.io, server, options);
        if (options.open) openInBrowser(env.io, server.url);
        await stopped;
        await server.close();
        return code;
      }),
    );
}

/** Resolves on the first SIGINT (Ctrl-C) or SIGTERM, and stops listening for both. */
function stopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** The command that opens a URL in the default browser on this platform (argument arrays, no shell). */
function opener(url: string): [string, string[]] {
  if (process.platform === 'darwin') return ['open', [url]];
  if (process.platform === 'win32') return ['rundll32', ['url.dll,FileProtocolHandler', url]];
  return ['xdg-open', [url]];
}

/**
 * Starts serving the dashboard on 127.0.0.1 (`options.port`; 0 takes a free one) with a fresh random token, and
 * resolves once it listens (its port, its URL with the token, `close()`); prints nothing. Its data: `collectStatus` (one GitHub request per refresh, at most
 * every poll_interval seconds), the state file and the worker logs under .loom/logs/. USAGE when the port is
 * taken or not allowed. The caller stops it with `close()`.
 */
export async function dashboard(ctx: LoomContext, options: DashboardOptions): Promise<DashboardServer> {
  const { collectStatus } = await import('./status.js');
  // Each refresh reads the status afresh (a new context: config and repository read again), on this call's gh.
  const env = { cwd: ctx.cwd, env: ctx.env, io: ctx.io, gh: ctx.gh, clock: ctx.clock, faults: ctx.faults };
  // Links go to the repository's own host (a GitHub Enterprise remote's, else GH_HOST), as gh's requests do.
  const repoHost = await ctx.repo().then(
    (repo) => repo.host,
    () => undefined,
  );
  const refresher = new Refresher({
    host: repoHost ?? 'github.com',
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
  try {
    return await startDashboardServer({ port: options.port, token: newToken(), refresher, resolveLog });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES')
      throw new LoomError('USAGE', `Cannot listen on 127.0.0.1:${options.port} (${code}).`, {
        hint: 'Choose another --port, or leave it out to take a free one.',
      });
    throw error;
  }
}

/** Prints the page's URL (it carries the token) and how to stop the server; exit 0. */
export function renderDashboard(io: Output, server: Pick<DashboardServer, 'url'>, _options: DashboardOptions): number {
  io.out(`Loom dashboard: ${server.url}`);
  io.out('Only this machine can open it, with the token in the URL. Ctrl-C stops it.');
  return 0;
}

/** Opens `url` in the default browser, detached; a failure to start one is one line on stderr, never an error. */
function openInBrowser(io: Output, url: string): void {
  const [command, args] = opener(url);
  execa(command, args, { detached: true, stdio: 'ignore', reject: false })
    .then((r) => {
      if (r.failed) io.err(`loom: could not open a browser (${command}); open the URL above yourself.`);
    })
    .catch(() => undefined);
}
