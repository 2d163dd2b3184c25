/**
 * `ai-review backfill owner/name [--since 90d]`: fills the metrics store from a repository's past PRs through the
 * REST API, so a team has a baseline before turning a gate on.
 *
 * Environment: `GITHUB_TOKEN` (required; never logged), `GITHUB_API_URL` (e.g. `https://ghe.example.com/api/v3`)
 * or `GHE_HOST` (+ `GHE_PROTOCOL`, default https) for GitHub Enterprise Server, `DATABASE_URL` (default the
 * SQLite file `./data/ai-review.sqlite`). Progress goes to stderr. PRs are processed oldest first and the last
 * finished PR number is stored as a cursor, so an interrupted run resumes where it stopped; a completed run
 * starts over next time (every write is idempotent).
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { Octokit } from '@octokit/rest';
import { throttling } from '@octokit/plugin-throttling';
import { retry } from '@octokit/plugin-retry';
import pino from 'pino';
import { classifyPullRequest } from '../authorship/classify.js';
import type { AuthorshipInput, AuthorshipOptions } from '../authorship/types.js';
import { CONFIG_PATH, parseConfigText, resolveConfig } from '../config/load.js';
import { openStore } from '../metrics/index.js';
import type { MetricsStore } from '../metrics/store.js';
import { buildBackfill, type RestCommit, type RestPullRequest, type RestReview, type RestTimelineEvent } from '../metrics/backfill.js';
import { durationArg, repoArg } from './report.js';

/** Octokit with throttling and retries, as the backfill uses it. */
export type BackfillOctokit = InstanceType<ReturnType<typeof Octokit.plugin>>;

/** REST base URL from the environment: `GITHUB_API_URL`, else `GHE_HOST`/`GHE_PROTOCOL`, else api.github.com. */
export function apiBaseUrl(env: NodeJS.ProcessEnv): string {
  if (env.GITHUB_API_URL) return env.GITHUB_API_URL.replace(/\/+$/, '');
  if (env.GHE_HOST) return `${env.GHE_PROTOCOL ?? 'https'}://${env.GHE_HOST}/api/v3`;
  return 'https://api.github.com';
}

/** Creates the Octokit client (throttling: waits on primary/secondary rate limits up to 3 times; retry on 5xx). */
export function createOctokit(token: string, baseUrl: string, log: (line: string) => void): BackfillOctokit {
  const ThrottledOctokit = Octokit.plugin(throttling, retry);
  return new ThrottledOctokit({
    auth: token,
    baseUrl,
    userAgent: 'ai-review-backfill',
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    throttle: {
      onRateLimit: (retryAfter: number, options: { method: string; url: string }, _o: unknown, retryCount: number) => {
        log(`rate limited on ${options.method} ${options.url}; retrying in ${retryAfter}s`);
        return retryCount < 3;
      },
      onSecondaryRateLimit: (retryAfter: number, options: { method: string; url: string }, _o: unknown, retryCount: number) => {
        log(`secondary rate limit on ${options.method} ${options.url}; retrying in ${retryAfter}s`);
        return retryCount < 3;
      },
    },
  });
}

/**
 * The authorship options the app would use for the repository: the `agents` section of its
 * `.github/ai-review.yml` on the default branch (custom agents, `min_confidence`). No file, or an invalid one
 * (reported through `log`): the built-in defaults. The org-wide `.github` repository is not consulted here.
 */
async function repositoryAuthorshipOptions(
  octokit: BackfillOctokit,
  owner: string,
  repo: string,
  log: (line: string) => void,
): Promise<AuthorshipOptions> {
  let text: string;
  try {
    const response = await octokit.request('GET /repos/{owner}/{repo}/contents/{path}', {
      owner,
      repo,
      path: CONFIG_PATH,
      mediaType: { format: 'raw' },
    });
    if (typeof response.data !== 'string') return resolveConfig(null).authorship;
    text = response.data;
  } catch (error) {
    if ((error as { status?: number }).status === 404) return resolveConfig(null).authorship;
    throw error;
  }
  const parsed = parseConfigText(text, CONFIG_PATH);
  if (!parsed.ok) {
    log(
      `${CONFIG_PATH} of ${owner}/${repo} is invalid (${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}); classifying with the built-in defaults`,
    );
    return resolveConfig(null).authorship;
  }
  return resolveConfig(parsed.config).authorship;
}

/** Cursor stored per repository: the last PR number fully processed (PRs are processed in ascending order). */
interface Cursor {
  lastNumber: number;
}

/** Summary of a backfill run. */
export interface BackfillResult {
  listed: number;
  processed: number;
  skipped: number;
  resumedAfter: number | null;
}

/**
 * Backfills one repository. Throws on API errors other than rate limits (after the plugin's retries) and on
 * store errors; the cursor keeps everything done so far.
 */
export async function backfillRepository(
  octokit: BackfillOctokit,
  store: MetricsStore,
  repository: string,
  since: Date,
  log: (line: string) => void,
): Promise<BackfillResult> {
  const [owner, repo] = repository.split('/') as [string, string];
  const { data: repoData } = await octokit.rest.repos.get({ owner, repo });
  const defaultBranch = repoData.default_branch;

  const authorship = await repositoryAuthorshipOptions(octokit, owner, repo, log);

  const stored = await store.getBackfillCursor(repository);
  let resumeAfter: number | null = null;
  if (stored && !stored.completedAt) {
    try {
      resumeAfter = (JSON.parse(stored.cursor) as Cursor).lastNumber;
    } catch {
      resumeAfter = null;
    }
  }

  // PRs created since `since`, listed newest first (the API's order), processed oldest first so a revert PR
  // finds the PR it reverts already stored.
  const pulls: RestPullRequest[] = [];
  for await (const page of octokit.paginate.iterator(octokit.rest.pulls.list, {
    owner,
    repo,
    state: 'all',
    sort: 'created',
    direction: 'desc',
    per_page: 100,
  })) {
    let older = false;
    for (const p of page.data as unknown as RestPullRequest[]) {
      if (Date.parse(p.created_at) < since.getTime()) {
        older = true;
        break;
      }
      pulls.push(p);
    }
    log(`listed ${pulls.length} PRs of ${repository} created since ${since.toISOString().slice(0, 10)}`);
    if (older) break;
  }
  pulls.sort((a, b) => a.number - b.number);
  const todo = resumeAfter === null ? pulls : pulls.filter((p) => p.number > resumeAfter);
  if (resumeAfter !== null) log(`resuming after #${resumeAfter}: ${todo.length} of ${pulls.length} PRs left`);

  let processed = 0;
  for (const listed of todo) {
    const pull_number = listed.number;
    const [{ data: pull }, commits, reviews, timeline] = await Promise.all([
      octokit.rest.pulls.get({ owner, repo, pull_number }),
      octokit.paginate(octokit.rest.pulls.listCommits, { owner, repo, pull_number, per_page: 100 }),
      octokit.paginate(octokit.rest.pulls.listReviews, { owner, repo, pull_number, per_page: 100 }),
      octokit.paginate(octokit.rest.issues.listEventsForTimeline, { owner, repo, issue_number: pull_number, per_page: 100 }),
    ]);
    const verdict = classifyPullRequest(
      {
        pull_request: pull,
        commits: commits,
        timeline: timeline,
      },
      authorship,
    );
    const plan = buildBackfill({
      repository,
      defaultBranch,
      pull: pull,
      commits: commits,
      reviews: reviews,
      timeline: timeline,
      verdict,
    });
    for (const d of plan.deliveries) await store.recordDelivery(d);
    await store.recordBackfill({
      repository,
      number: pull_number,
      authorship: verdict,
      changedFiles: pull.changed_files ?? null,
      additions: pull.additions ?? null,
      deletions: pull.deletions ?? null,
      commits: plan.commits,
    });
    await store.setBackfillCursor(repository, since.toISOString(), JSON.stringify({ lastNumber: pull_number } satisfies Cursor), false);
    processed += 1;
    const state = pull.merged_at ? 'merged' : pull.state;
    log(`[${processed}/${todo.length}] ${repository}#${pull_number} ${state} ${verdict.class}${verdict.agent ? `:${verdict.agent}` : ''}`);
  }
  await store.setBackfillCursor(
    repository,
    since.toISOString(),
    JSON.stringify({ lastNumber: pulls.at(-1)?.number ?? 0 } satisfies Cursor),
    true,
  );
  return { listed: pulls.length, processed, skipped: pulls.length - todo.length, resumedAfter: resumeAfter };
}

/** Registers the `backfill` subcommand. */
export function register(program: Command): void {
  program
    .command('backfill')
    .description("Fill the metrics store from a repository's past PRs (GITHUB_TOKEN; GITHUB_API_URL or GHE_HOST for GHES)")
    .argument('<owner/name>', 'repository', repoArg)
    .addOption(
      new Option('--since <duration>', 'PRs created within this duration, e.g. 90d')
        .argParser(durationArg)
        .default(durationArg('90d'), '90d'),
    )
    .action(async (repository: string, opts: { since: number }) => {
      const token = process.env.GITHUB_TOKEN;
      if (!token) {
        process.stderr.write("ai-review backfill: set GITHUB_TOKEN (a token that can read the repository's pull requests)\n");
        process.exitCode = 2;
        return;
      }
      const log = (line: string): void => {
        process.stderr.write(`${line}\n`);
      };
      const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination(2));
      const store = await openStore({ databaseUrl: process.env.DATABASE_URL, logger });
      try {
        const octokit = createOctokit(token, apiBaseUrl(process.env), log);
        const result = await backfillRepository(octokit, store, repository, new Date(Date.now() - opts.since), log);
        log(`done: ${result.processed} PRs recorded${result.skipped ? `, ${result.skipped} already done before` : ''}`);
      } finally {
        await store.close();
      }
    });
}
