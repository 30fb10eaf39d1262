/**
 * Posting text a role wrote, from a file: `loom comment`, `loom pr-open` and
 * `loom issue-open`. They replace `gh issue comment --body "…"`,
 * `gh pr create --title "…"` and `gh issue create --title "…"` in the prompts,
 * so titles and bodies never sit in a shell command line (docs/SECURITY.md).
 */
import type { Command } from 'commander';
import * as z from 'zod';
import type { LoomContext, Output } from '../context.js';
import { branchForIssue } from '../core/pr-link.js';
import { ExitCode, LoomError } from '../errors.js';
import { addComment, readItem } from '../github/items.js';
import { exitCodeHelp } from './exit-codes.js';
import { issueNumber, parseOptions, printJson, type Run } from './shared.js';
import { readTextFile, splitTitle } from './text-file.js';
import { mainContext } from './work-context.js';

const REPO_QUERY = `query LoomRepoInfo($owner: String!, $name: String!) {
  repository(owner: $owner, name: $name) { id defaultBranchRef { name } labels(first: 100, query: "loom:") { nodes { id name } } }
}`;
export const CommentOptions = z.object({ number: issueNumber, bodyFile: z.string().min(1) });
export const PrOpenOptions = z.object({
  issue: issueNumber,
  file: z.string().min(1),
  json: z.boolean().default(false),
});
export const IssueOpenOptions = z.object({
  file: z.string().min(1),
  label: z.enum(['loom:architect', 'loom:hermit']),
  epic: z.boolean().default(false),
  json: z.boolean().default(false),
});
/** What `pr-open` and `issue-open` created (their --json). */
export const CreatedJsonSchema = z.object({ number: z.number().int().positive(), url: z.string() });
export type CreatedJson = z.infer<typeof CreatedJsonSchema>;

type RepoInfo = {
  repository: {
    id: string;
    defaultBranchRef: { name: string } | null;
    labels: { nodes: { id: string; name: string }[] };
  } | null;
};

export function register(program: Command, run: Run): void {
  program
    .command('comment <number>')
    .description('Post a comment on an issue or pull request from a file the role wrote')
    .requiredOption('--body-file <path>', 'the comment text (write it with the Write tool under .loom/tmp/)')
    .addHelpText(
      'after',
      `\nExit codes: ${exitCodeHelp('comment')}.\nExample: .loom/scripts/loom comment 130 --body-file .loom/tmp/review-130.md`,
    )
    .action((number, raw) =>
      run(async (env) => {
        const options = parseOptions(CommentOptions, { ...raw, number });
        const body = await readTextFile(env.cwd, options.bodyFile, 'comment');
        await comment(await mainContext(env), { number: options.number, body });
        env.io.out(`commented on #${options.number}`);
      }),
    );

  program
    .command('pr-open <issue>')
    .description("Open the pull request of an issue's branch (feature/issue-N) from a file: first line the title")
    .requiredOption('--file <path>', '"# <title>" on the first line, the body below (with "Closes #N")')
    .option('--json', 'print {number, url}')
    .addHelpText(
      'after',
      `\nExit codes: ${exitCodeHelp('pr-open')}.\nExample: .loom/scripts/loom pr-open 123 --file .loom/tmp/pr-123.md`,
    )
    .action((issue, raw) =>
      run(async (env) => {
        const options = parseOptions(PrOpenOptions, { ...raw, issue });
        const text = splitTitle(await readTextFile(env.cwd, options.file, 'pull request'));
        const created = await openPullRequest(await mainContext(env), { issue: options.issue, ...text });
        return renderCreated(env.io, created, options);
      }, Boolean(raw.json)),
    );

  program
    .command('issue-open')
    .description(
      'File a new issue from a file (first line the title) with one loom: label (architect, hermit proposals)',
    )
    .requiredOption('--file <path>', '"# <title>" on the first line, the body below')
    .requiredOption('--label <label>', 'loom:architect or loom:hermit')
    .option('--epic', 'also label it loom:epic')
    .option('--json', 'print {number, url}')
    .addHelpText(
      'after',
      `\nExit codes: ${exitCodeHelp('issue-open')}.\nExample: .loom/scripts/loom issue-open --label loom:architect --file .loom/tmp/proposal.md`,
    )
    .action((raw) =>
      run(async (env) => {
        const options = parseOptions(IssueOpenOptions, raw);
        const text = splitTitle(await readTextFile(env.cwd, options.file, 'issue'));
        const labels = [options.label, ...(options.epic ? ['loom:epic'] : [])];
        const created = await openIssue(await mainContext(env), { ...text, labels });
        return renderCreated(env.io, created, options);
      }, Boolean(raw.json)),
    );
}

/** Posts `body` as a comment on issue or pull request `number` (a read for its id, then the comment). */
export async function comment(ctx: LoomContext, input: { number: number; body: string }): Promise<void> {
  const item = await readItem(ctx.gh, await ctx.repo(), input.number);
  await addComment(ctx.gh, item.id, input.body);
}

/** Opens the PR of the issue's branch (feature/issue-N) against the default branch. GH_NOT_FOUND without one. */
export async function openPullRequest(
  ctx: LoomContext,
  input: { issue: number; title: string; body: string },
): Promise<CreatedJson> {
  const repo = await ctx.repo();
  const info = await ctx.gh.graphql<RepoInfo>(REPO_QUERY, { owner: repo.owner, name: repo.name });
  if (!info.repository?.defaultBranchRef)
    throw new LoomError('GH_NOT_FOUND', `${repo.owner}/${repo.name} has no default branch.`, {
      hint: 'Push one.',
    });
  const created = await ctx.gh.graphql<{ createPullRequest: { pullRequest: CreatedJson } }>(
    `mutation LoomOpenPr($input: CreatePullRequestInput!) { createPullRequest(input: $input) { pullRequest { number url } } }`,
    {
      input: {
        repositoryId: info.repository.id,
        baseRefName: info.repository.defaultBranchRef.name,
        headRefName: branchForIssue(input.issue),
        title: input.title,
        body: input.body,
      },
    },
  );
  return created.createPullRequest.pullRequest;
}

/** Files an issue with the given loom: labels; GH_NOT_FOUND (and nothing filed) when one of them does not exist. */
export async function openIssue(
  ctx: LoomContext,
  input: { title: string; body: string; labels: string[] },
): Promise<CreatedJson> {
  const repo = await ctx.repo();
  const info = await ctx.gh.graphql<RepoInfo>(REPO_QUERY, { owner: repo.owner, name: repo.name });
  const labelIds = input.labels.map((name) => {
    const id = info.repository?.labels.nodes.find((l) => l.name === name)?.id;
    if (!id)
      throw new LoomError('GH_NOT_FOUND', `The label ${name} does not exist in ${repo.owner}/${repo.name}.`, {
        hint: "Run `.loom/scripts/loom labels sync` to create Loom's labels.",
      });
    return id;
  });
  const created = await ctx.gh.graphql<{ createIssue: { issue: CreatedJson } }>(
    `mutation LoomOpenIssue($input: CreateIssueInput!) { createIssue(input: $input) { issue { number url } } }`,
    { input: { repositoryId: info.repository!.id, title: input.title, body: input.body, labelIds } },
  );
  return created.createIssue.issue;
}

/** Prints the new number (or --json {number, url}); exit 0. */
export function renderCreated(io: Output, created: CreatedJson, options: { json: boolean }): number {
  if (options.json) printJson(io, created);
  else io.out(String(created.number));
  return ExitCode.ok;
}
