/**
 * The pipeline's jobs: each loads the newest state from GitHub, calls the core and writes the result. Transient
 * GitHub failures (rate limits, 5xx, network) reschedule the job, honouring `retry-after` and
 * `x-ratelimit-reset`; after the retry window the pull request gets a `failure` check run that says why and how
 * to re-run it. An installation whose primary rate limit is exhausted waits for its reset without calling GitHub.
 */
import { setImmediate } from 'node:timers/promises';
import type { Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import { CONFIG_PATH } from '../config/load.js';
import { renderCannotEvaluateCheckRun } from '../gate/summary.js';
import type { MetricsSink } from '../metrics/sink.js';
import { RetryLater, type JobHandler, type JobInfo, type JobQueue, type JobState } from '../queue/types.js';
import { checkRunKey, withStoredCheckRun, writeCheckRun, writeCheckRunInProgress } from './check-run.js';
import {
  REFRESH_PRIORITY,
  TASKS,
  pullRequestJob,
  pullRequestKey,
  repositoryJob,
  type HeadShaJob,
  type InstallationJob,
  type MergeGroupJob,
  type PullRequestJob,
  type RepositoryJob,
} from './deliveries.js';
import { evaluatePullRequest, loadAndEvaluate } from './evaluate-pull-request.js';
import { parseMergeGroupRef, renderMergeGroupCheckRun } from '../gate/merge-queue.js';
import type { Octokit, RepoRef } from './facts.js';
import type { ApiUsage } from './graphql/index.js';
import { transientFailure, type TransientCause } from './retry.js';

/** What the jobs need from their surroundings. */
export interface JobDependencies {
  /** An installation-authenticated Octokit (Probot's `app.auth(installationId)`). */
  auth: (installationId: number) => Promise<Octokit>;
  queue: JobQueue;
  log: Logger;
  metrics: MetricsSink | null;
  /** This app's id, to find its own check runs. */
  appId?: number;
  /** Debounce of follow-up evaluations queued by fan-out jobs, in ms. */
  debounceMs: number;
  /** After this many seconds of transient failures a PR gets a `failure` check run (`EVALUATION_RETRY_WINDOW_S`). */
  retryWindowSeconds: number;
  /** Observability hooks (Prometheus). */
  observe?: {
    retry(cause: TransientCause): void;
    job(task: string, outcome: 'done' | 'retry' | 'error', seconds: number): void;
    /** GitHub API usage of one evaluation (requests by API, GraphQL cost, quota left). */
    usage?: (usage: ApiUsage) => void;
  };
  now?: () => Date;
  /** Waits while deliveries flood this process (src/github/webhook-load.ts); the metrics pass calls it between PRs. */
  lull?: () => Promise<unknown>;
}

/** Most PRs one metrics pass stores and recomputes; the rest wait for the next pass. */
export const METRICS_PASS_LIMIT = 500;
/** Most rounds of {@link METRICS_PASS_LIMIT} PRs one metrics pass job runs. */
export const METRICS_PASS_ROUNDS = 10;

const isNotFound = (error: unknown) => (error as { status?: number }).status === 404;

/** Builds the handlers, by task name, for `JobQueue.start` (or a test's drain). */
export function createJobHandlers(deps: JobDependencies): Record<string, JobHandler> {
  const now = deps.now ?? (() => new Date());
  const state = deps.queue.state;

  /**
   * Reads the job's pipeline state (one read: see `PipelineState.readJobState`), then runs `work` with it; on a
   * transient failure records it and throws RetryLater, or calls `giveUp` once the failures under `key` have
   * lasted longer than the retry window.
   */
  async function withRetries(
    key: string,
    log: Logger,
    installationId: number,
    work: (jobState: JobState) => Promise<void>,
    hooks: {
      firstFailure?: () => Promise<void>;
      giveUp?: (description: string, minutes: number) => Promise<void>;
      /** The check run to read with the job's state (`checkRunKey` of check-run.ts). */
      checkRunKey?: string;
    } = {},
  ): Promise<void> {
    const jobState = await state.readJobState({
      key,
      installationId,
      ...(hooks.checkRunKey ? { checkRunKey: hooks.checkRunKey } : {}),
      now: now(),
    });
    if (jobState.installationBlockedUntil) {
      deps.observe?.retry('primary_rate_limit');
      throw new RetryLater(jobState.installationBlockedUntil, 'installation rate limit exhausted');
    }
    try {
      await work(jobState);
      // Jobs under one key run one at a time: the failures read before the work are all there are.
      if (jobState.failures > 0) await state.clearFailures(key);
    } catch (error) {
      if (error instanceof RetryLater) throw error;
      const at = now();
      const classified = transientFailure(error, at, 1);
      if (!classified) throw error;
      const { firstFailureAt, failures } = await state.recordFailure(key, at);
      const failure = transientFailure(error, at, failures) ?? classified;
      deps.observe?.retry(failure.cause);
      if (failure.installationBlockedUntil) await state.blockInstallation(installationId, failure.installationBlockedUntil);
      const elapsedS = (at.getTime() - firstFailureAt.getTime()) / 1000;
      log.warn(
        { cause: failure.cause, failures, retry_at: failure.retryAt.toISOString(), failing_for_s: Math.round(elapsedS) },
        'GitHub failed transiently; job rescheduled',
      );
      if (elapsedS >= deps.retryWindowSeconds && hooks.giveUp) {
        try {
          await hooks.giveUp(failure.description, Math.round(elapsedS / 60));
          await state.clearFailures(key);
          return;
        } catch (reportError) {
          if (!transientFailure(reportError, at, failures)) throw reportError;
        }
      } else if (failures === 1 && hooks.firstFailure && !failure.installationBlockedUntil) {
        // Not when the installation's rate limit is exhausted: GitHub would refuse the write too, and the
        // installation's jobs make no call until the reset.
        await hooks.firstFailure().catch(() => undefined);
      }
      throw new RetryLater(failure.retryAt, failure.cause);
    }
  }

  const evaluate: JobHandler = async (payload, info) => {
    const job = payload as unknown as PullRequestJob;
    const ref: RepoRef = { owner: job.owner, repo: job.repo };
    const log = deps.log.child({
      job_id: info.id,
      ...(job.deliveryId ? { delivery_id: job.deliveryId } : {}),
      repository: `${job.owner}/${job.repo}`,
      pull_number: job.pullNumber,
    });
    const key = info.key ?? pullRequestKey(job);
    const octokit = await deps.auth(job.installationId);
    let headSha = job.headSha;
    // The delivery's head SHA: its stored check run is read with the job's state (usually still the PR's head).
    const deliveredCheckRunKey = job.headSha ? checkRunKey(ref, job.headSha) : null;
    const started = now();
    await withRetries(
      key,
      log,
      job.installationId,
      async (jobState) => {
        const mayRequestReviewers = jobState.reviewRequestFlagged;
        const outcome = await evaluatePullRequest(
          {
            octokit,
            log,
            ref,
            deliveryId: `job:${info.id}:${info.attempt}`,
            ...(deps.appId ? { appId: deps.appId } : {}),
            metrics: deps.metrics,
            mayRequestReviewers,
            checkRuns: withStoredCheckRun(state, deliveredCheckRunKey, jobState.checkRun),
            pushes: jobState.pushes,
            onUsage: (usage) => deps.observe?.usage?.(usage),
          },
          job.pullNumber,
        ).catch((error: unknown) => {
          // HTTP 404 on the facts query: the installation or repository is gone for this app (GraphQL's own
          // NOT_FOUND is the loader's `not-found`). Nothing can be read or written: the job ends here.
          if (isNotFound(error)) return { kind: 'not-found' as const };
          throw error;
        });
        if ('kind' in outcome) {
          if (outcome.kind === 'not-found') {
            log.info('pull request not found (deleted, or the app lost access): nothing to evaluate');
            return;
          }
          headSha = outcome.pr.head.sha;
          await deps.metrics?.recomputePullRequest(`${job.owner}/${job.repo}`, job.pullNumber);
          log.debug('pull request is closed: metrics refreshed, no evaluation');
          return;
        }
        if (mayRequestReviewers) await state.clearReviewRequest(key, started);
      },
      {
        firstFailure: async () => {
          if (headSha) await writeCheckRunInProgress(octokit, ref, headSha, { appId: deps.appId, store: state });
        },
        ...(deliveredCheckRunKey ? { checkRunKey: deliveredCheckRunKey } : {}),
        giveUp: async (description, minutes) => {
          if (!headSha) return;
          const content = renderCannotEvaluateCheckRun(
            `${description}. ai-review retried for ${minutes} minute${minutes === 1 ? '' : 's'} and gave up, so it cannot tell whether this pull request's review rules hold.`,
          );
          const written = await writeCheckRun(octokit, ref, headSha, content, { appId: deps.appId, store: state });
          log.error(
            { check_run: written.action, failing_for_min: minutes },
            'gave up evaluating after the retry window: failure check run written',
          );
        },
      },
    );
  };

  const headShaHandler: JobHandler = async (payload, info) => {
    const job = payload as unknown as HeadShaJob;
    const ref: RepoRef = { owner: job.owner, repo: job.repo };
    const log = deps.log.child({ job_id: info.id, repository: `${job.owner}/${job.repo}`, head_sha: job.headSha });
    const octokit = await deps.auth(job.installationId);
    await withRetries(info.key ?? `sha:${job.headSha}`, log, job.installationId, async () => {
      const open = await octokit.paginate(octokit.rest.pulls.list, { ...ref, state: 'open', per_page: 100 });
      const matching = open.filter((pr) => pr.head.sha === job.headSha);
      for (const pr of matching)
        await deps.queue.add(
          pullRequestJob({ installationId: job.installationId, ...ref, pullNumber: pr.number, headSha: pr.head.sha }, 0),
        );
      log.info({ pull_requests: matching.length }, 'queued the open pull requests of a re-run check');
    });
  };

  const repositoryHandler: JobHandler = async (payload, info) => {
    const job = payload as unknown as RepositoryJob;
    const ref: RepoRef = { owner: job.owner, repo: job.repo };
    const log = deps.log.child({ job_id: info.id, repository: `${job.owner}/${job.repo}` });
    const octokit = await deps.auth(job.installationId);
    await withRetries(info.key ?? `repo:${job.owner}/${job.repo}`, log, job.installationId, async () => {
      if (job.onlyIfInheriting && !(await inheritsOrganizationConfig(octokit, ref))) {
        log.info('repository has its own configuration without _extends: the organization change does not apply');
        return;
      }
      const open = await octokit.paginate(octokit.rest.pulls.list, { ...ref, state: 'open', per_page: 100 });
      let coalesced = 0;
      for (const pr of open) {
        const added = await deps.queue.add({
          ...pullRequestJob({ installationId: job.installationId, ...ref, pullNumber: pr.number, headSha: pr.head.sha }, deps.debounceMs),
          priority: REFRESH_PRIORITY,
        });
        if (added.coalesced) coalesced++;
      }
      log.info({ open_pull_requests: open.length, coalesced }, 'configuration changed: queued the open pull requests');
    });
  };

  const installationHandler: JobHandler = async (payload, info) => {
    const job = payload as unknown as InstallationJob;
    const log = deps.log.child({ job_id: info.id, installation_id: job.installationId, owner: job.owner });
    const octokit = await deps.auth(job.installationId);
    await withRetries(info.key ?? `installation:${job.installationId}`, log, job.installationId, async () => {
      const repositories = await octokit.paginate(octokit.rest.apps.listReposAccessibleToInstallation, { per_page: 100 });
      const candidates = repositories.filter(
        (r) => r.owner.login.toLowerCase() === job.owner.toLowerCase() && !r.archived && r.name !== '.github',
      );
      for (const r of candidates) {
        await deps.queue.add(
          repositoryJob(
            { installationId: job.installationId, owner: r.owner.login, repo: r.name, onlyIfInheriting: true },
            deps.debounceMs,
          ),
        );
      }
      log.info({ repositories: candidates.length }, 'organization configuration changed: queued its repositories');
    });
  };

  /**
   * Merge queue: the PR named by the group's head ref is evaluated at its current head (a queued PR's branch cannot
   * change) and the check run goes on the merge group's head SHA. Fails closed when the PR cannot be identified,
   * is not open, or cannot be evaluated.
   */
  const mergeGroupHandler: JobHandler = async (payload, info) => {
    const job = payload as unknown as MergeGroupJob;
    const ref: RepoRef = { owner: job.owner, repo: job.repo };
    const log = deps.log.child({
      job_id: info.id,
      ...(job.deliveryId ? { delivery_id: job.deliveryId } : {}),
      repository: `${job.owner}/${job.repo}`,
      merge_group_sha: job.headSha,
    });
    const octokit = await deps.auth(job.installationId);
    const parsed = parseMergeGroupRef(job.headRef);
    await withRetries(
      info.key ?? `merge-group:${job.headSha}`,
      log,
      job.installationId,
      async () => {
        let content;
        if (!parsed) {
          content = renderMergeGroupCheckRun({
            pullNumber: null,
            headSha: null,
            result: null,
            reason: 'Its head ref does not name exactly one pull request.',
          });
        } else {
          const loaded = await loadAndEvaluate({ octokit, ref, log }, parsed.pullNumber);
          deps.observe?.usage?.(loaded.usage);
          if (loaded.kind !== 'open') {
            content = renderMergeGroupCheckRun({
              pullNumber: parsed.pullNumber,
              headSha: null,
              result: null,
              reason: 'The pull request is not open or cannot be read.',
            });
          } else {
            content = renderMergeGroupCheckRun({
              pullNumber: loaded.pr.number,
              headSha: loaded.pr.head.sha,
              result: loaded.evaluated?.result ?? null,
              reason: loaded.content.output.title,
            });
          }
        }
        const written = await writeCheckRun(octokit, ref, job.headSha, content, {
          ...(deps.appId ? { appId: deps.appId } : {}),
          store: state,
        });
        log.info(
          { pull_number: parsed?.pullNumber ?? null, conclusion: content.conclusion, check_run: written.action },
          'merge group evaluated',
        );
      },
      {
        giveUp: async (description, minutes) => {
          const content = renderMergeGroupCheckRun({
            pullNumber: parsed?.pullNumber ?? null,
            headSha: null,
            result: null,
            reason: `${description}; ai-review retried for ${minutes} minutes and gave up.`,
          });
          await writeCheckRun(octokit, ref, job.headSha, content, { ...(deps.appId ? { appId: deps.appId } : {}) });
        },
      },
    );
  };

  return {
    [TASKS.mergeGroup]: timed(TASKS.mergeGroup, mergeGroupHandler),
    [TASKS.pullRequest]: timed(TASKS.pullRequest, evaluate),
    [TASKS.headSha]: timed(TASKS.headSha, headShaHandler),
    [TASKS.repository]: timed(TASKS.repository, repositoryHandler),
    [TASKS.installation]: timed(TASKS.installation, installationHandler),
    [TASKS.metricsRecompute]: timed(TASKS.metricsRecompute, metricsRecomputeHandler),
  };

  /**
   * The metrics pass (`recomputeStale`, {@link METRICS_PASS_LIMIT} PRs at a time, again while a round reached that
   * limit, at most {@link METRICS_PASS_ROUNDS} rounds per job: a backlog is taken in one job, not one per interval),
   * yielding to a flood of deliveries between PRs. Store errors are logged by the sink; the job ends either way (the
   * next pass takes what is left).
   */
  async function metricsRecomputeHandler(): Promise<void> {
    const between = async () => {
      await setImmediate();
      await deps.lull?.();
    };
    let total = 0;
    for (let round = 0; round < METRICS_PASS_ROUNDS; round++) {
      const recomputed = (await deps.metrics?.recomputeStale(METRICS_PASS_LIMIT, between)) ?? 0;
      total += recomputed;
      if (recomputed < METRICS_PASS_LIMIT) break;
    }
    if (total) deps.log.debug({ recomputed: total }, 'metrics pass: pull requests recomputed');
  }

  function timed(task: string, handler: JobHandler): JobHandler {
    return async (payload, info: JobInfo) => {
      const started = performance.now();
      let outcome: 'done' | 'retry' | 'error' = 'done';
      try {
        await handler(payload, info);
      } catch (error) {
        outcome = error instanceof RetryLater ? 'retry' : 'error';
        if (outcome === 'error') {
          const deliveryId = typeof payload.deliveryId === 'string' ? payload.deliveryId : undefined;
          deps.log.error(
            {
              job_id: info.id,
              task,
              ...(deliveryId ? { delivery_id: deliveryId } : {}),
              err: { message: (error as Error).message, status: (error as { status?: number }).status },
            },
            'job failed',
          );
        }
        throw error;
      } finally {
        deps.observe?.job(task, outcome, (performance.now() - started) / 1000);
      }
    };
  }
}

/**
 * Whether a repository inherits the organization's configuration: it has no `.github/ai-review.yml` of its own,
 * or its file has `_extends`. Unreadable YAML counts as its own (the repository's PRs report the error anyway).
 */
async function inheritsOrganizationConfig(octokit: Octokit, ref: RepoRef): Promise<boolean> {
  try {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/contents/{path}', {
      ...ref,
      path: CONFIG_PATH,
      mediaType: { format: 'raw' },
    });
    const parsed: unknown = typeof data === 'string' ? parseYaml(data) : null;
    return typeof parsed === 'object' && parsed !== null && '_extends' in parsed;
  } catch (error) {
    if (isNotFound(error)) return true;
    if ((error as { name?: string }).name === 'YAMLParseError') return false;
    throw error;
  }
}
