/**
 * `ai-review backfill [owner/name ...] [--org NAME] [--installation [ID]] [--since 90d|DATE] [--concurrency 4]
 * [--timeout 30s] [--retries 2]`: fills the metrics store from past PRs, so a team has a baseline before turning a
 * gate on. The PRs are read through GitHub's GraphQL API with the app's fact loader (src/github/graphql/backfill.ts):
 * one query lists 100 PRs, one reads 16 PRs with their commits, reviews, files and timeline (1 point each, about
 * 0.07 point per PR); REST is used only for the installation's repositories and renamed files' previous paths.
 *
 * Credentials: `GITHUB_TOKEN`, or the app's `APP_ID` with `PRIVATE_KEY` / `PRIVATE_KEY_PATH` (installation
 * tokens; `--installation` needs them). Never logged. `GITHUB_API_URL` or `GHE_HOST` (+ `GHE_PROTOCOL`) for
 * GitHub Enterprise Server; `DATABASE_URL` for the store (default `./data/ai-review.sqlite`).
 *
 * Repositories are processed `--concurrency` at a time; within one, PRs oldest first, each recorded through the
 * same code path as live webhooks (synthetic deliveries with deterministic ids) with the same classifier and the
 * repository's own config (custom agents, path groups). After each PR its number is stored as the repository's
 * cursor: an interrupted run resumes after it; a completed run starts over next time (writes are idempotent).
 * A progress bar goes to stderr when it is a terminal, plain lines otherwise. Every request has a timeout, so
 * the run never hangs; a server that does not answer ends it with one clear error. Errors are thrown as
 * `CliError` / `UsageError` (src/cli/errors.ts).
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import cliProgress from 'cli-progress';
import pino from 'pino';
import { classifyPullRequest } from '../authorship/classify.js';
import { authorshipInput } from '../github/facts.js';
import { CONFIG_PATH, parseConfigText, resolveConfig, type EffectiveConfig } from '../config/load.js';
import { classifyChangedFiles } from '../paths/match.js';
import { openStore, StoreUnavailableError } from '../metrics/index.js';
import type { MetricsStore } from '../metrics/store.js';
import { buildBackfill } from '../metrics/backfill.js';
import { addUsage, emptyUsage, type ApiUsage, type FactsOctokit } from '../github/graphql/client.js';
import {
  completePullRequest,
  DETAIL_BATCH_SIZE,
  listPullRequestsSince,
  loadPullRequests,
  type RepositoryListing,
} from '../github/graphql/backfill.js';
import { parseDuration, parseSince } from '../metrics/report.js';
import { CliError, UsageError } from './errors.js';
import { durationArg, repoArg } from './report.js';
import {
  apiBaseUrl,
  appCredentialsFromEnv,
  describeApiError,
  isUnreachable,
  resolveTargets,
  type Credentials,
  type Target,
} from './backfill-github.js';
import { preparedStatementsFromEnv } from '../postgres-pool.js';

export { apiBaseUrl, createOctokit, type BackfillOctokit } from './backfill-github.js';

/**
 * The configuration the app would use for the repository from the text of its `.github/ai-review.yml` on the default
 * branch (custom agents, `min_confidence`, path groups). No file, a file GitHub truncated, or an invalid one
 * (reported through `log`): the built-in defaults. The org-wide `.github` repository is not consulted here.
 */
function repositoryConfig(repository: string, file: RepositoryListing['config'], log: (line: string) => void): EffectiveConfig {
  if (file.text === null) return resolveConfig(null);
  if (file.truncated) {
    log(`${CONFIG_PATH} of ${repository} is too large for GitHub to return; using the built-in defaults`);
    return resolveConfig(null);
  }
  const parsed = parseConfigText(file.text, CONFIG_PATH);
  if (!parsed.ok) {
    log(
      `${CONFIG_PATH} of ${repository} is invalid (${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}); using the built-in defaults`,
    );
    return resolveConfig(null);
  }
  return resolveConfig(parsed.config);
}

/** Cursor stored per repository: the last PR number fully processed (PRs are processed in ascending order). */
interface Cursor {
  lastNumber: number;
}

/** Summary of a backfill of one repository. */
export interface BackfillResult {
  listed: number;
  processed: number;
  skipped: number;
  resumedAfter: number | null;
  /** GraphQL queries, REST requests and GraphQL points the repository cost. */
  usage: ApiUsage;
}

/** What a repository's backfill reports as it goes (the progress display; plain lines in tests). */
export interface RepositoryProgress {
  /** The PRs of the window are listed: `todo` of them are left to do. */
  listed(repository: string, listed: number, todo: number): void;
  /** One PR was recorded. */
  pullRequestDone(repository: string, line: string): void;
}

/**
 * Backfills one repository through the GraphQL fact loader (src/github/graphql/backfill.ts): lists the PRs created
 * since `since`, then reads them {@link DETAIL_BATCH_SIZE} per query, oldest first, and records each. Throws on API
 * errors other than rate limits (after the client's retries) and on store errors; the cursor keeps everything done
 * so far. `log` gets plain progress lines unless `progress` is given.
 */
export async function backfillRepository(
  octokit: FactsOctokit,
  store: MetricsStore,
  repository: string,
  since: Date,
  log: (line: string) => void,
  progress?: RepositoryProgress,
): Promise<BackfillResult> {
  const [owner, repo] = repository.split('/') as [string, string];
  const ref = { owner, repo };
  const usage = emptyUsage();

  const stored = await store.getBackfillCursor(repository);
  let resumeAfter: number | null = null;
  if (stored && !stored.completedAt) {
    try {
      resumeAfter = (JSON.parse(stored.cursor) as Cursor).lastNumber;
    } catch {
      resumeAfter = null;
    }
  }

  // PRs created since `since`, listed newest first, processed oldest first so a revert PR finds the PR it reverts
  // already stored.
  const listing = await listPullRequestsSince(octokit, ref, since, usage, (listed) => {
    if (!progress) log(`listed ${listed} PRs of ${repository} created since ${since.toISOString().slice(0, 10)}`);
  });
  const config = repositoryConfig(repository, listing.config, log);
  const pulls = listing.pullRequests;
  const todo = resumeAfter === null ? pulls : pulls.filter((p) => p.number > resumeAfter);
  if (progress) progress.listed(repository, pulls.length, todo.length);
  else if (resumeAfter !== null) log(`resuming after #${resumeAfter}: ${todo.length} of ${pulls.length} PRs left`);

  // Renamed files' previous paths matter only when some path group could match them.
  const renames = config.compiledPathGroups.names.length > 0;
  let processed = 0;
  for (let start = 0; start < todo.length; start += DETAIL_BATCH_SIZE) {
    const batch = await loadPullRequests(
      octokit,
      ref,
      todo.slice(start, start + DETAIL_BATCH_SIZE).map((p) => p.number),
      usage,
    );
    for (const partial of batch) {
      const { pull, commits, reviews, timeline, files } = await completePullRequest(octokit, ref, partial, usage, renames);
      const verdict = classifyPullRequest({ ...authorshipInput(pull, commits), timeline }, config.authorship);
      const plan = buildBackfill({
        repository,
        defaultBranch: listing.defaultBranch,
        pull: { ...pull, head: { ref: pull.head.ref ?? '', sha: pull.head.sha }, base: { ref: pull.base?.ref ?? '' } },
        commits: commits.map((c) => ({ ...c, sha: c.sha ?? '' })),
        reviews,
        timeline,
        verdict,
      });
      for (const d of plan.deliveries) await store.ingestDelivery(d);
      const touched = classifyChangedFiles(files, config.compiledPathGroups);
      await store.recordBackfill({
        repository,
        number: pull.number,
        authorship: verdict,
        sensitiveGroups: touched.map((t) => t.group),
        changedFiles: pull.changed_files ?? null,
        additions: pull.additions ?? null,
        deletions: pull.deletions ?? null,
        commits: plan.commits,
      });
      await store.setBackfillCursor(repository, since.toISOString(), JSON.stringify({ lastNumber: pull.number } satisfies Cursor), false);
      processed += 1;
      const state = pull.merged_at ? 'merged' : pull.state;
      const line = `[${processed}/${todo.length}] ${repository}#${pull.number} ${state} ${verdict.class}${verdict.agent ? `:${verdict.agent}` : ''}`;
      if (progress) progress.pullRequestDone(repository, line);
      else log(line);
    }
  }
  await store.setBackfillCursor(
    repository,
    since.toISOString(),
    JSON.stringify({ lastNumber: pulls.at(-1)?.number ?? 0 } satisfies Cursor),
    true,
  );
  return { listed: pulls.length, processed, skipped: pulls.length - todo.length, resumedAfter: resumeAfter, usage };
}

/** Progress of a whole run, over several repositories. */
export interface RunProgress extends RepositoryProgress {
  start(repositories: number): void;
  repositoryDone(repository: string, result: BackfillResult): void;
  repositoryFailed(repository: string, message: string): void;
  /** A warning line (rate limits, invalid configs) that must not garble the bar. */
  message(line: string): void;
  stop(): void;
}

/** Plain lines on a writer: one per listed repository, PR and finished repository. For logs and non-terminals. */
export function plainProgress(write: (line: string) => void): RunProgress {
  return {
    start: (n) => write(`backfilling ${n} ${n === 1 ? 'repository' : 'repositories'}`),
    listed: (repository, listed, todo) =>
      write(`${repository}: ${listed} PRs in the window${todo < listed ? `, ${todo} left after the stored cursor` : ''}`),
    pullRequestDone: (_repository, line) => write(line),
    repositoryDone: (repository, r) =>
      write(`${repository}: done, ${r.processed} PRs recorded${r.skipped ? `, ${r.skipped} done before` : ''}`),
    repositoryFailed: (repository, message) => write(`${repository}: failed: ${message}`),
    message: write,
    stop: () => undefined,
  };
}

/** A progress bar (cli-progress) on a terminal: repositories and PRs done, rate and ETA. */
export function barProgress(stream: NodeJS.WriteStream): RunProgress {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: '{bar} {percentage}% | repos {reposDone}/{reposTotal} | PRs {value}/{total} | {rate} PR/s | ETA {eta_formatted}',
      etaBuffer: 50,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let total = 0;
  let done = 0;
  let reposDone = 0;
  let reposTotal = 0;
  const payload = () => ({ reposDone, reposTotal, rate: (done / Math.max(1, (Date.now() - started) / 1000)).toFixed(2) });
  return {
    start(n) {
      reposTotal = n;
      bar.start(0, 0, payload());
    },
    listed(_repository, _listed, todo) {
      total += todo;
      bar.setTotal(total);
      bar.update(done, payload());
    },
    pullRequestDone() {
      done += 1;
      bar.update(done, payload());
    },
    repositoryDone() {
      reposDone += 1;
      bar.update(done, payload());
    },
    repositoryFailed(repository, message) {
      reposDone += 1;
      bar.update(done, payload());
      stream.write(`\n${repository}: failed: ${message}\n`);
    },
    message(line) {
      stream.write(`\n${line}\n`);
    },
    stop() {
      bar.stop();
    },
  };
}

/** Outcome of a run over several repositories. */
export interface RunResult {
  repositories: number;
  processed: number;
  /** Repositories skipped because their backfill completed recently. */
  skipped: number;
  failed: Array<{ repository: string; message: string }>;
  /** GraphQL queries, REST requests and GraphQL points of the repositories that completed. */
  usage: ApiUsage;
}

/**
 * Backfills several repositories, `concurrency` at a time. A repository whose backfill fails is reported and the
 * others go on (its cursor keeps what was done); when GitHub cannot be reached or does not answer, no further
 * repository is started and the run ends with that error. Throws `CliError` in that case.
 */
export async function runBackfill(input: {
  targets: readonly Target[];
  store: MetricsStore;
  since: Date;
  concurrency: number;
  progress: RunProgress;
  baseUrl: string;
  /**
   * Skip repositories whose backfill completed less than this many milliseconds ago over a window starting at
   * or before `since` (default 24 h; 0 redoes every repository): re-running after an interruption resumes the
   * unfinished repositories without redoing the finished ones.
   */
  skipCompletedWithinMs?: number;
  now?: Date;
}): Promise<RunResult> {
  const { targets, store, since, progress } = input;
  const now = input.now ?? new Date();
  const skipWithin = input.skipCompletedWithinMs ?? 86_400_000;
  const queue: Target[] = [];
  const result: RunResult = { repositories: targets.length, processed: 0, skipped: 0, failed: [], usage: emptyUsage() };
  for (const t of targets) {
    const cursor = skipWithin > 0 ? await store.getBackfillCursor(t.repository) : null;
    const recent = cursor?.completedAt && now.getTime() - Date.parse(cursor.completedAt) < skipWithin;
    if (recent && Date.parse(cursor.since) <= since.getTime()) {
      result.skipped += 1;
      progress.message(`${t.repository}: completed at ${cursor.completedAt}; skipped (--refresh redoes it)`);
    } else queue.push(t);
  }
  let fatal: string | null = null;
  progress.start(queue.length);
  const worker = async (): Promise<void> => {
    for (let target = queue.shift(); target && fatal === null; target = queue.shift()) {
      try {
        const r = await backfillRepository(target.octokit, store, target.repository, since, (line) => progress.message(line), progress);
        result.processed += r.processed;
        result.usage = addUsage(result.usage, r.usage);
        progress.repositoryDone(target.repository, r);
      } catch (error) {
        const message = error instanceof StoreUnavailableError ? error.message : describeApiError(error, input.baseUrl);
        result.failed.push({ repository: target.repository, message });
        progress.repositoryFailed(target.repository, message);
        if (isUnreachable(error) || !(error as { status?: number }).status) fatal ??= message;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(input.concurrency, queue.length)) }, worker));
  } finally {
    progress.stop();
  }
  if (fatal !== null) throw new CliError(fatal);
  return result;
}

/** Commander argument parser for positive integers. */
function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || (name !== 'retries' && n === 0))
      throw new UsageError(`--${name} must be a ${name === 'retries' ? 'non-negative' : 'positive'} integer, got "${value}"`);
    return n;
  };
}

/** Options of the `backfill` subcommand after parsing. */
interface BackfillOptions {
  since: string;
  org?: string;
  installation?: true | string;
  concurrency: number;
  timeout: number;
  retries: number;
  refresh?: boolean;
}

/** Registers the `backfill` subcommand. */
export function register(program: Command): void {
  program
    .command('backfill')
    .description('Fill the metrics store from past PRs of repositories, an organization or the app’s installations')
    .argument('[repositories...]', 'repositories (owner/name)')
    .option('--since <duration|date>', 'PRs created within this duration (90d) or since this date (2026-01-31)', '90d')
    .option('--org <name>', 'every repository of this organization')
    .option('--installation [id]', 'every repository of this installation (all installations without an id); needs APP_ID and PRIVATE_KEY')
    .addOption(new Option('--concurrency <n>', 'repositories processed at once').argParser(positiveInt('concurrency')).default(4))
    .addOption(
      new Option('--timeout <duration>', 'per-request timeout (e.g. 30s)').argParser(durationArg).default(parseDuration('30s'), '30s'),
    )
    .addOption(
      new Option('--retries <n>', 'retries of a request that failed with 5xx or timed out').argParser(positiveInt('retries')).default(2),
    )
    .option('--refresh', 'also redo repositories whose backfill completed in the last 24 hours')
    .action(async (repositories: string[], opts: BackfillOptions) => {
      for (const r of repositories) {
        try {
          repoArg(r);
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
      }
      let installations: number[] | 'all' | undefined;
      if (opts.installation === true) installations = 'all';
      else if (opts.installation !== undefined) {
        if (!/^\d+$/.test(opts.installation)) throw new UsageError(`--installation expects a numeric id, got "${opts.installation}"`);
        installations = [Number(opts.installation)];
      }
      if (repositories.length === 0 && !opts.org && !installations)
        throw new UsageError('name repositories (owner/name), --org NAME or --installation [ID]');
      let since: Date;
      try {
        since = parseSince(opts.since, new Date());
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      const token = process.env.GITHUB_TOKEN;
      const app = appCredentialsFromEnv(process.env);
      let credentials: Credentials;
      if (installations !== undefined || (!token && app)) {
        if (!app) throw new UsageError('--installation needs the app’s credentials: set APP_ID and PRIVATE_KEY or PRIVATE_KEY_PATH');
        credentials = { kind: 'app', app };
      } else if (token) credentials = { kind: 'token', token };
      else
        throw new UsageError(
          'set GITHUB_TOKEN (a token that can read the pull requests), or APP_ID and PRIVATE_KEY for the app’s installations',
        );

      const progress = process.stderr.isTTY ? barProgress(process.stderr) : plainProgress((line) => process.stderr.write(`${line}\n`));
      const baseUrl = apiBaseUrl(process.env);
      const clientOptions = { timeoutMs: opts.timeout, retries: opts.retries };
      let targets: Target[];
      try {
        targets = await resolveTargets(
          { repositories, ...(opts.org ? { org: opts.org } : {}), ...(installations ? { installations } : {}) },
          credentials,
          baseUrl,
          (l) => progress.message(l),
          clientOptions,
        );
      } catch (error) {
        if (error instanceof CliError) throw error;
        throw new CliError(describeApiError(error, baseUrl), { cause: error });
      }
      if (targets.length === 0) throw new CliError('no repository to backfill');

      const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination(2));
      let store: MetricsStore;
      try {
        store = await openStore({
          databaseUrl: process.env.DATABASE_URL,
          logger,
          preparedStatements: preparedStatementsFromEnv(process.env),
        });
      } catch (err) {
        throw new CliError(`cannot open the metrics store: ${(err as Error).message}`, { cause: err });
      }
      try {
        const result = await runBackfill({
          targets,
          store,
          since,
          concurrency: opts.concurrency,
          progress,
          baseUrl,
          skipCompletedWithinMs: opts.refresh ? 0 : 86_400_000,
        });
        process.stderr.write(
          `done: ${result.processed} PRs recorded from ${result.repositories - result.failed.length - result.skipped} repositories` +
            `${result.skipped ? `, ${result.skipped} skipped (completed recently)` : ''}, ${result.failed.length} failed; ` +
            `GitHub: ${result.usage.graphqlQueries} GraphQL queries (${result.usage.cost} points), ${result.usage.restRequests} REST requests\n`,
        );
        if (result.failed.length > 0) {
          throw new CliError(
            `${result.failed.length} of ${result.repositories} repositories failed (first: ${result.failed[0]?.repository}: ${result.failed[0]?.message}); run again to resume them`,
          );
        }
      } finally {
        await store.close();
      }
    });
}
