/**
 * Turns a webhook delivery into jobs: one pure function per event that validates the payload's shape and names
 * the work, keyed so that work for one pull request coalesces. No GitHub API call happens here: this runs
 * before the webhook is acknowledged.
 */
import { CONFIG_PATH } from '../config/load.js';
import { CHECK_NAME } from '../gate/summary.js';
import type { JobSpec } from '../queue/types.js';
import { OVERRIDE_COMMAND } from '../gate/overrides.js';
import { gatePayloads } from '../webhooks/payloads.js';
import { parsePayload } from './payloads.js';

/** Job names (graphile-worker task identifiers). */
export const TASKS = {
  /** Evaluate one pull request at its newest state and write its check run. */
  pullRequest: 'evaluate-pull-request',
  /** Find the open pull requests whose head is a SHA (check runs of forks list none) and queue them. */
  headSha: 'evaluate-head-sha',
  /** Queue every open pull request of a repository (its configuration changed). */
  repository: 'refresh-repository',
  /** Queue every repository of an installation that inherits the organization's configuration. */
  installation: 'refresh-installation',
  /** Post the `ai-review` check run on a merge group's head SHA. */
  mergeGroup: 'evaluate-merge-group',
  /** The metrics pass: store the evaluations jobs recorded as pending, compute the figures of PRs with pending work. */
  metricsRecompute: 'recompute-metrics',
} as const;

/**
 * The job spec of the metrics pass: one key and one queue, so at most one is pending (a timer's additions coalesce
 * into it) and one runs at a time across every process sharing the store.
 */
export function metricsRecomputeJob(): JobSpec {
  return { task: TASKS.metricsRecompute, payload: {}, key: 'metrics-recompute', queue: 'metrics-recompute' };
}

/** Payload of {@link TASKS.mergeGroup}. */
export interface MergeGroupJob {
  installationId: number;
  owner: string;
  repo: string;
  /** `merge_group.head_sha`: where the check run goes. */
  headSha: string;
  /** `merge_group.head_ref`: names the queued PR. */
  headRef: string;
  deliveryId?: string;
}

/** Payload of {@link TASKS.pullRequest}. `headSha` is the newest head SHA a delivery named (a hint for fail-closed reports). */
export interface PullRequestJob {
  installationId: number;
  owner: string;
  repo: string;
  pullNumber: number;
  headSha?: string;
  /** The newest delivery that asked for this evaluation (`X-GitHub-Delivery`), for logs. */
  deliveryId?: string;
  /** The event may lead to review requests (opened, reopened, ready for review, new commits); the app flags it in the store. */
  requestReviewers?: boolean;
  /** For `opened`/`synchronize`: the push it reports (recorded in the store by the app, for `review.stale_on_push`). */
  push?: { headSha: string; pusherLogin: string; automated: boolean };
}

/** Payload of {@link TASKS.headSha}. */
export interface HeadShaJob {
  installationId: number;
  owner: string;
  repo: string;
  headSha: string;
}

/** Payload of {@link TASKS.repository}. */
export interface RepositoryJob {
  installationId: number;
  owner: string;
  repo: string;
  /** Set by an installation-wide refresh: skip the repository when its own config does not inherit. */
  onlyIfInheriting?: boolean;
}

/** Payload of {@link TASKS.installation}. */
export interface InstallationJob {
  installationId: number;
  /** The organization (or user) whose `.github` repository changed. */
  owner: string;
}

/** `pull_request` actions that lead to work: evaluations, and metrics of closed PRs and review requests. */
export const PULL_REQUEST_ACTIONS = new Set([
  'opened',
  'reopened',
  'synchronize',
  'ready_for_review',
  'converted_to_draft',
  'edited',
  'labeled',
  'unlabeled',
  'closed',
  'review_requested',
  'review_request_removed',
]);
/** `pull_request` actions on which the app may ask for reviews (not on edits, labels, reviews or re-runs). */
export const REQUEST_REVIEW_ACTIONS = new Set(['opened', 'reopened', 'ready_for_review', 'synchronize']);
/** `pull_request_review` actions that lead to an evaluation. */
export const REVIEW_ACTIONS = new Set(['submitted', 'edited', 'dismissed']);

const lower = (s: string) => s.toLowerCase();

/** The coalescing key (and serial queue) of a pull request's work: one evaluation at a time per PR. */
export function pullRequestKey(job: Pick<PullRequestJob, 'installationId' | 'owner' | 'repo' | 'pullNumber'>): string {
  return `pr:${job.installationId}:${lower(job.owner)}/${lower(job.repo)}#${job.pullNumber}`;
}

/**
 * The priority (`JobSpec.priority`: lower runs first) of the evaluations a configuration change queues for every open
 * PR: after the evaluations that deliveries ask for, so that a PR opened or pushed during a large refresh does not
 * wait behind it (an installation's GitHub requests are spaced a second apart).
 */
export const REFRESH_PRIORITY = 1;

/** A job spec for one pull request's evaluation, run after `debounceMs`. */
export function pullRequestJob(job: PullRequestJob, debounceMs: number, now = Date.now()): JobSpec {
  const key = pullRequestKey(job);
  return { task: TASKS.pullRequest, payload: { ...job }, key, queue: key, runAt: new Date(now + debounceMs) };
}

/** A job spec refreshing a repository's open pull requests. */
export function repositoryJob(job: RepositoryJob, debounceMs: number, now = Date.now()): JobSpec {
  const key = `repo:${job.installationId}:${lower(job.owner)}/${lower(job.repo)}`;
  return { task: TASKS.repository, payload: { ...job }, key, queue: key, runAt: new Date(now + debounceMs) };
}

/** What a delivery asks for: jobs, or the reason it asks for nothing (for the log). */
export type DeliveryWork = { jobs: JobSpec[]; ignored?: undefined } | { jobs: []; ignored: string };

const nothing = (reason: string): DeliveryWork => ({ jobs: [], ignored: reason });

/**
 * Maps a delivery to its jobs. Input: the event name (`X-GitHub-Event`), the parsed payload, the debounce (ms).
 * Throws `PayloadError` (HTTP 400) when the payload lacks a field the work needs.
 */
export function workForDelivery(name: string, payload: unknown, debounceMs: number, now = Date.now(), deliveryId?: string): DeliveryWork {
  switch (name) {
    case 'pull_request':
    case 'pull_request_review': {
      const p = parsePayload(gatePayloads.pullRequest, payload, name);
      const actions = name === 'pull_request' ? PULL_REQUEST_ACTIONS : REVIEW_ACTIONS;
      if (!actions.has(p.action)) return nothing(`action ${p.action} needs no work`);
      const job: PullRequestJob = {
        installationId: p.installation.id,
        owner: p.repository.owner.login,
        repo: p.repository.name,
        pullNumber: p.pull_request.number,
        headSha: p.pull_request.head.sha,
        ...(deliveryId ? { deliveryId } : {}),
        ...(name === 'pull_request' && REQUEST_REVIEW_ACTIONS.has(p.action) ? { requestReviewers: true } : {}),
        ...(name === 'pull_request' && (p.action === 'opened' || p.action === 'synchronize') && p.sender
          ? {
              push: {
                headSha:
                  typeof (payload as { after?: unknown }).after === 'string'
                    ? (payload as { after: string }).after
                    : p.pull_request.head.sha,
                pusherLogin: p.sender.login,
                automated: p.sender.type === 'Bot',
              },
            }
          : {}),
      };
      return { jobs: [pullRequestJob(job, debounceMs, now)] };
    }
    case 'check_run': {
      const p = parsePayload(gatePayloads.checkRun, payload, 'check_run');
      if (p.action !== 'rerequested' || p.check_run.name !== CHECK_NAME) return nothing('not a re-run of the ai-review check');
      const base = { installationId: p.installation.id, owner: p.repository.owner.login, repo: p.repository.name };
      if (p.check_run.pull_requests.length === 0) {
        // Pull requests from forks are not listed on check runs: a job finds the open PRs whose head is this SHA.
        const key = `sha:${base.installationId}:${lower(base.owner)}/${lower(base.repo)}@${p.check_run.head_sha}`;
        return { jobs: [{ task: TASKS.headSha, payload: { ...base, headSha: p.check_run.head_sha }, key, queue: key }] };
      }
      // A re-run is a person asking now: no debounce.
      return {
        jobs: p.check_run.pull_requests.map((pr) =>
          pullRequestJob({ ...base, pullNumber: pr.number, headSha: p.check_run.head_sha }, 0, now),
        ),
      };
    }
    case 'push': {
      const p = parsePayload(gatePayloads.push, payload, 'push');
      if (!p.repository.default_branch || p.ref !== `refs/heads/${p.repository.default_branch}`)
        return nothing('push to another branch than the default');
      const commits = [...p.commits, ...(p.head_commit ? [p.head_commit] : [])];
      const touchesConfig = commits.some((c) => [...(c.added ?? []), ...(c.modified ?? []), ...(c.removed ?? [])].includes(CONFIG_PATH));
      if (!touchesConfig) return nothing('push does not change the configuration');
      const base = { installationId: p.installation.id, owner: p.repository.owner.login };
      if (p.repository.name === '.github') {
        // The organization's defaults changed: every repository that inherits them, and this one.
        const key = `installation:${base.installationId}:${lower(base.owner)}`;
        return {
          jobs: [
            { task: TASKS.installation, payload: { ...base }, key, queue: key, runAt: new Date(now + debounceMs) },
            repositoryJob({ ...base, repo: p.repository.name }, debounceMs, now),
          ],
        };
      }
      return { jobs: [repositoryJob({ ...base, repo: p.repository.name }, debounceMs, now)] };
    }
    case 'issue_comment': {
      const p = parsePayload(gatePayloads.issueComment, payload, 'issue_comment');
      if (!p.issue.pull_request) return nothing('comment on an issue, not a pull request');
      // Only `/ai-review` commands change the gate (an edited or deleted command too).
      const body = (payload as { comment?: { body?: unknown } }).comment?.body;
      if (p.action !== 'deleted' && !(typeof body === 'string' && body.trimStart().startsWith(OVERRIDE_COMMAND))) {
        return nothing('comment is not an /ai-review command');
      }
      const job: PullRequestJob = {
        installationId: p.installation.id,
        owner: p.repository.owner.login,
        repo: p.repository.name,
        pullNumber: p.issue.number,
        ...(deliveryId ? { deliveryId } : {}),
      };
      return { jobs: [pullRequestJob(job, 0, now)] };
    }
    case 'merge_group': {
      const p = parsePayload(gatePayloads.mergeGroup, payload, 'merge_group');
      if (p.action !== 'checks_requested') return nothing(`merge_group action ${p.action} needs no check run`);
      const job: MergeGroupJob = {
        installationId: p.installation.id,
        owner: p.repository.owner.login,
        repo: p.repository.name,
        headSha: p.merge_group.head_sha,
        headRef: p.merge_group.head_ref,
        ...(deliveryId ? { deliveryId } : {}),
      };
      const key = `merge-group:${job.installationId}:${lower(job.owner)}/${lower(job.repo)}@${job.headSha}`;
      return { jobs: [{ task: TASKS.mergeGroup, payload: { ...job }, key, queue: key }] };
    }
    default:
      return nothing(`event ${name} needs no work`);
  }
}
