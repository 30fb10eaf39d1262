/**
 * One refresh loop shared by every open page. While at least one page listens it reads the local parts
 * (state file, task output times: `loom status --fast`, no GitHub request) every `localEveryMs`, and asks
 * GitHub (the one snapshot request of `loom status`) only when the last GitHub refresh is `poll_interval`
 * seconds old or more — however many pages are open. With no page open it reads nothing.
 */
import { systemClock } from '../clock.js';
import type { Config } from '../core/config.js';
import {
  buildDashboard,
  type DashboardModel,
  type IterationSummary,
  type PhaseTrack,
  pushSummary,
  type SnapshotFacts,
  summarize,
  trackPhases,
  withLocalParts,
} from '../core/dashboard-view.js';
import type { Snapshot } from '../core/snapshot.js';
import type { StatusReport } from '../core/status-report.js';

export interface Collected {
  report: StatusReport;
  snapshot: Snapshot | null;
  config: Config;
}

/** Reads the status: `github` asks GitHub once (with the lists the page shows), `local` reads only local files. */
export type Collect = (mode: 'github' | 'local') => Promise<Collected>;

export interface RefresherOptions {
  collect: Collect;
  /** The forge's web host for links: the repository's (src/github/repo.ts), else github.com. */
  host: string;
  localEveryMs?: number;
  /** Iteration summaries kept. */
  keepSummaries?: number;
  now?: () => Date;
}

export function factsOf(snapshot: Snapshot): SnapshotFacts {
  const titles: Record<number, string> = {};
  for (const item of [
    ...snapshot.buildingIssues,
    ...snapshot.readyIssues,
    ...snapshot.pullRequests,
    ...snapshot.approvedPulls,
    ...snapshot.proposals,
    ...snapshot.blockedIssues,
  ])
    titles[item.number] = item.title;
  return { titles, ready: snapshot.readyIssues.map((i) => ({ number: i.number, title: i.title })) };
}

export class Refresher {
  model: DashboardModel | null = null;
  /** GitHub refreshes started (each is one request). */
  githubRefreshes = 0;
  private lastGithubMs = Number.NEGATIVE_INFINITY;
  private lastGithubAt: string | null = null;
  private githubReport: StatusReport | null = null;
  private facts: SnapshotFacts | null = null;
  private phases: Record<string, PhaseTrack> = {};
  private summaries: IterationSummary[] = [];
  private previous: StatusReport | null = null;
  private pollSeconds = 30;
  private readonly listeners = new Set<(model: DashboardModel) => void>();
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => Date;

  constructor(private readonly options: RefresherOptions) {
    this.now = options.now ?? systemClock.now;
  }

  /** Listens to every new model (the current one at once, if any); returns the unsubscribe function. */
  subscribe(listener: (model: DashboardModel) => void): () => void {
    this.listeners.add(listener);
    if (this.model) listener(this.model);
    if (this.listeners.size === 1) this.schedule(0);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) clearTimeout(this.timer);
    };
  }

  /** Refreshes now unless one is running (then waits for that one); GitHub only when due. */
  refresh(): Promise<void> {
    this.running ??= this.doRefresh().finally(() => (this.running = null));
    return this.running;
  }

  /** The current model, refreshing first when there is none yet. */
  async current(): Promise<DashboardModel | null> {
    if (!this.model) await this.refresh().catch(() => undefined);
    return this.model;
  }

  stop(): void {
    this.listeners.clear();
    clearTimeout(this.timer);
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(async () => {
      await this.refresh().catch(() => undefined);
      if (this.listeners.size) this.schedule(this.options.localEveryMs ?? 2000);
    }, delayMs);
  }

  private async doRefresh(): Promise<void> {
    const started = this.now();
    const github = started.getTime() - this.lastGithubMs >= this.pollSeconds * 1000;
    if (github) {
      // Counted before the answer: a failed request still waits a whole interval before the next one.
      this.lastGithubMs = started.getTime();
      this.lastGithubAt = started.toISOString();
      this.githubRefreshes += 1;
    }
    const { report: read, snapshot, config } = await this.options.collect(github ? 'github' : 'local');
    this.pollSeconds = config.poll_interval;
    if (github) {
      this.githubReport = read;
      if (snapshot) this.facts = factsOf(snapshot);
    }
    const report = github || !this.githubReport ? read : withLocalParts(this.githubReport, read);
    const now = this.now();
    this.phases = trackPhases(this.phases, report.shepherds, now);
    this.summaries = pushSummary(
      this.summaries,
      summarize(this.previous, report, config),
      this.options.keepSummaries ?? 20,
    );
    this.previous = report;
    this.model = buildDashboard({
      report,
      host: this.options.host,
      facts: this.facts,
      phases: this.phases,
      summaries: this.summaries,
      refresh: {
        github_requests: this.githubRefreshes,
        last_github_at: this.lastGithubAt,
        poll_interval_seconds: this.pollSeconds,
      },
      now,
    });
    for (const listener of this.listeners) listener(this.model);
  }
}
