/**
 * Posting text a role wrote, from a file: `loom comment`, `loom pr-open` and
 * `loom issue-open`. They replace `gh issue comment --body "…"`,
 * `gh pr create --title "…"` and `gh issue create --title "…"` in the prompts,
 * so titles and bodies never sit in a shell command line (docs/SECURITY.md).
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { branchForIssue } from '../core/pr-link.js';
import { ExitCode, LoomError } from '../errors.js';
import { addComment, readItem } from '../github/items.js';
import { exitCodeHelp } from './exit-codes.js';
import { issueNumber, parseOptions, printJson } from './shared.js';
import { readTextFile, splitTitle } from './text-file.js';
import { mainContext, type Run } from './work-context.js';

const REPO_QUERY = `query LoomRepoInfo($owner: String!, $name: String!) {
  repository(owner: $owner, name: $name) { id defaultBranchRef { name } labels(first: 100, query: "loom:") { nodes { id name } } }
}`;
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
        const options = parseOptions(z.object({ number: issueNumber, bodyFile: z.string().min(1) }), {
          ...raw,
          number,
        });
        const body = await readTextFile(env.cwd, options.bodyFile, 'comment');
        const ctx = await mainContext(env);
        const item = await readItem(ctx.gh, await ctx.repo(), options.number);
        await addComment(ctx.gh, item.id, body);
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
        const options = parseOptions(
          z.object({ issue: issueNumber, file: z.string().min(1), json: z.boolean().default(false) }),
          { ...raw, issue },
        );
        const { title, body } = splitTitle(await readTextFile(env.cwd, options.file, 'pull request'));
        const ctx = await mainContext(env);
        const repo = await ctx.repo();
        const info = await ctx.gh.graphql<RepoInfo>(REPO_QUERY, { owner: repo.owner, name: repo.name });
        if (!info.repository?.defaultBranchRef)
          throw new LoomError('GH_NOT_FOUND', `${repo.owner}/${repo.name} has no default branch.`, {
            hint: 'Push one.',
          });
        const created = await ctx.gh.graphql<{ createPullRequest: { pullRequest: { number: number; url: string } } }>(
          `mutation LoomOpenPr($input: CreatePullRequestInput!) { createPullRequest(input: $input) { pullRequest { number url } } }`,
          {
            input: {
              repositoryId: info.repository.id,
              baseRefName: info.repository.defaultBranchRef.name,
              headRefName: branchForIssue(options.issue),
              title,
              body,
            },
          },
        );
        const pr = created.createPullRequest.pullRequest;
        if (options.json) printJson(env.io, pr);
        else env.io.out(String(pr.number));
        return ExitCode.ok;
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
        const options = parseOptions(
          z.object({
            file: z.string().min(1),
            label: z.enum(['loom:architect', 'loom:hermit']),
            epic: z.boolean().default(false),
            json: z.boolean().default(false),
          }),
          raw,
        );
        const { title, body } = splitTitle(await readTextFile(env.cwd, options.file, 'issue'));
        const ctx = await mainContext(env);
        const repo = await ctx.repo();
        const info = await ctx.gh.graphql<RepoInfo>(REPO_QUERY, { owner: repo.owner, name: repo.name });
        const wanted = [options.label, ...(options.epic ? ['loom:epic'] : [])];
        const labelIds = wanted.map((name) => {
          const id = info.repository?.labels.nodes.find((l) => l.name === name)?.id;
          if (!id)
            throw new LoomError('GH_NOT_FOUND', `The label ${name} does not exist in ${repo.owner}/${repo.name}.`, {
              hint: "Run `.loom/scripts/loom labels sync` to create Loom's labels.",
            });
          return id;
        });
        const created = await ctx.gh.graphql<{ createIssue: { issue: { number: number; url: string } } }>(
          `mutation LoomOpenIssue($input: CreateIssueInput!) { createIssue(input: $input) { issue { number url } } }`,
          { input: { repositoryId: info.repository!.id, title, body, labelIds } },
        );
        const created_ = created.createIssue.issue;
        if (options.json) printJson(env.io, created_);
        else env.io.out(String(created_.number));
        return ExitCode.ok;
      }, Boolean(raw.json)),
    );
}
