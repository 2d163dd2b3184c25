/**
 * Derives PR lifecycle facts from raw webhook deliveries (pure; payloads are untrusted and validated with the shared
 * `metricsPayloads` shapes of `src/webhooks/payloads.ts`).
 *
 * Only metadata is kept: logins, SHAs, times, numbers, flags. PR titles are reduced to a SHA-256 hash (used to
 * match `Revert "..."` PRs), bodies and commit messages are only scanned for revert references and never kept.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { metricsPayloads, REPOSITORY_FULL_NAME, type MetricsPullRequest } from '../webhooks/payloads.js';
import type { DeliveryRecord } from './sink.js';
import { parseRevertedCommits, parseRevertPullRequest, taskType, type RequestedReviewerType, type RevertReference } from './definitions.js';

/** Facts about the PR itself, present in every `pull_request` and `pull_request_review` payload. */
export interface PullRequestFacts {
  repository: string;
  number: number;
  authorLogin: string | null;
  authorType: string | null;
  /** SHA-256 of the title (the title itself is not stored). */
  titleSha256: string;
  /** Conventional-commit type of the title (`taskType`): only this is kept of the title besides its hash. */
  taskType: string;
  draft: boolean;
  createdAt: string;
  headRef: string;
  headSha: string;
  baseRef: string;
  mergeCommitSha: string | null;
  additions: number | null;
  deletions: number | null;
  changedFiles: number | null;
}

/** A lifecycle event of a PR (`opened` carries the draft flag, `closed` the merge flag). */
export interface LifecycleFact {
  type: 'opened' | 'reopened' | 'ready_for_review' | 'converted_to_draft' | 'closed';
  at: string;
  draft: boolean;
  merged: boolean;
}

/** A submitted or dismissed review. */
export interface ReviewFact {
  reviewId: number;
  reviewer: string;
  reviewerType: string | null;
  state: 'approved' | 'changes_requested' | 'commented';
  submittedAt: string;
  commitId: string | null;
  /** Set for `dismissed` deliveries. */
  dismissedAt: string | null;
}

/** A push onto the PR's head branch, from `pull_request.synchronize`. */
export interface PullRequestPushFact {
  beforeSha: string | null;
  afterSha: string;
  pushedAt: string;
  senderLogin: string | null;
  senderType: string | null;
}

/** A review requested from (or a request removed for) a user or a team, from `pull_request.review_requested` / `review_request_removed`. */
export interface ReviewRequestFact {
  action: 'requested' | 'removed';
  /** Login, or `@org/slug` for a team (the org is the repository's owner). */
  reviewer: string;
  reviewerType: RequestedReviewerType;
  at: string;
}

/** A `push` event: forced flag for head branches, revert messages for the default branch. */
export interface BranchPushFact {
  repository: string;
  /** Branch name without `refs/heads/`. */
  branch: string;
  beforeSha: string;
  afterSha: string;
  forced: boolean;
  pushedAt: string;
  toDefaultBranch: boolean;
  /** `This reverts commit <sha>` references found in the pushed commits (default branch only). */
  revertedCommits: Array<{ revertingSha: string; revertedSha: string; at: string }>;
}

/** Everything derived from one delivery. `pullRequest` is absent for `push` and ignored events. */
export interface DerivedFacts {
  event: string;
  action: string | null;
  repository: string | null;
  pullRequest?: PullRequestFacts;
  lifecycle?: LifecycleFact;
  review?: ReviewFact;
  push?: PullRequestPushFact;
  reviewRequest?: ReviewRequestFact;
  branchPush?: BranchPushFact;
  /** Set when a merged PR is a revert of another PR. */
  revertOf?: RevertReference;
  /** Why nothing was derived (unsupported event or a payload missing required fields). */
  ignored?: string;
}

function actionOf(payload: unknown): string | null {
  if (payload && typeof payload === 'object' && 'action' in payload) {
    const a = payload.action;
    return typeof a === 'string' ? a.slice(0, 64) : null;
  }
  return null;
}

function repoOf(payload: unknown): string | null {
  const repo = payload && typeof payload === 'object' ? (payload as { repository?: unknown }).repository : undefined;
  const name = repo && typeof repo === 'object' ? (repo as { full_name?: unknown }).full_name : undefined;
  return typeof name === 'string' && REPOSITORY_FULL_NAME.test(name) ? name : null;
}

/** SHA-256 hex digest of a PR title (how titles are compared without storing them). */
export function titleHash(title: string): string {
  return createHash('sha256').update(title.trim()).digest('hex');
}

function prFacts(repository: string, pr: MetricsPullRequest): PullRequestFacts {
  return {
    repository,
    number: pr.number,
    authorLogin: pr.user?.login ?? null,
    authorType: pr.user?.type ?? null,
    titleSha256: titleHash(pr.title ?? ''),
    taskType: taskType(pr.title),
    draft: pr.draft ?? false,
    createdAt: pr.created_at,
    headRef: pr.head.ref,
    headSha: pr.head.sha,
    baseRef: pr.base.ref,
    mergeCommitSha: pr.merge_commit_sha ?? null,
    additions: pr.additions ?? null,
    deletions: pr.deletions ?? null,
    changedFiles: pr.changed_files ?? null,
  };
}

const LIFECYCLE_ACTIONS = new Set(['opened', 'reopened', 'ready_for_review', 'converted_to_draft', 'closed']);

/**
 * Derives the facts of one delivery. Never throws: an unsupported event or an invalid payload yields
 * `ignored` with the reason (the zod issue path, no payload values).
 */
export function deriveFacts(delivery: DeliveryRecord): DerivedFacts {
  const base = {
    event: delivery.name.slice(0, 64),
    action: actionOf(delivery.payload),
    repository: repoOf(delivery.payload),
  };
  const receivedAt = delivery.receivedAt.toISOString();

  if (delivery.name === 'pull_request') {
    const parsed = metricsPayloads.pullRequest.safeParse(delivery.payload);
    if (!parsed.success) return { ...base, ignored: `invalid pull_request payload at ${issuePath(parsed.error)}` };
    const p = parsed.data;
    const repository = p.repository.full_name;
    const pr = p.pull_request;
    const out: DerivedFacts = { ...base, repository, pullRequest: prFacts(repository, pr) };
    if (LIFECYCLE_ACTIONS.has(p.action)) {
      const type = p.action as LifecycleFact['type'];
      const merged = type === 'closed' && (pr.merged === true || pr.merged_at != null);
      const at =
        type === 'opened'
          ? pr.created_at
          : type === 'closed'
            ? ((merged ? pr.merged_at : pr.closed_at) ?? pr.updated_at ?? receivedAt)
            : (pr.updated_at ?? receivedAt);
      out.lifecycle = { type, at, draft: pr.draft ?? false, merged };
      if (merged) {
        const ref = parseRevertPullRequest(repository, pr.title ?? null, pr.body ?? null, pr.head.ref);
        if (ref) out.revertOf = ref;
      }
    } else if (p.action === 'review_requested' || p.action === 'review_request_removed') {
      const owner = repository.split('/')[0] ?? '';
      const reviewer = p.requested_team ? `@${owner}/${p.requested_team.slug}` : p.requested_reviewer?.login;
      if (!reviewer) return { ...out, ignored: `${p.action} without requested_reviewer or requested_team` };
      out.reviewRequest = {
        action: p.action === 'review_requested' ? 'requested' : 'removed',
        reviewer,
        reviewerType: p.requested_team ? 'team' : 'user',
        at: pr.updated_at ?? receivedAt,
      };
    } else if (p.action === 'synchronize') {
      if (!p.after) return { ...base, ignored: 'synchronize without after' };
      out.push = {
        beforeSha: p.before ?? null,
        afterSha: p.after,
        pushedAt: pr.updated_at ?? receivedAt,
        senderLogin: p.sender?.login ?? null,
        senderType: p.sender?.type ?? null,
      };
    }
    return out;
  }

  if (delivery.name === 'pull_request_review') {
    const parsed = metricsPayloads.review.safeParse(delivery.payload);
    if (!parsed.success) return { ...base, ignored: `invalid pull_request_review payload at ${issuePath(parsed.error)}` };
    const p = parsed.data;
    const repository = p.repository.full_name;
    const out: DerivedFacts = { ...base, repository, pullRequest: prFacts(repository, p.pull_request) };
    const r = p.review;
    const state = r.state === 'dismissed' ? null : r.state;
    const reviewer = r.user?.login;
    if (!reviewer || !r.submitted_at) return { ...out, ignored: 'review without user or submitted_at' };
    if (state !== 'approved' && state !== 'changes_requested' && state !== 'commented' && p.action !== 'dismissed') {
      return { ...out, ignored: `review state ${r.state.slice(0, 32)}` };
    }
    out.review = {
      reviewId: r.id,
      reviewer,
      reviewerType: r.user?.type ?? null,
      // A dismissed delivery carries state "dismissed": the original state is unknown here. The store keeps the
      // state it saw at submission; a review first seen dismissed is kept as `commented` (a review, not an approval).
      state: state === 'approved' || state === 'changes_requested' || state === 'commented' ? state : 'commented',
      submittedAt: r.submitted_at,
      commitId: r.commit_id ?? null,
      dismissedAt: p.action === 'dismissed' ? (p.pull_request.updated_at ?? receivedAt) : null,
    };
    return out;
  }

  if (delivery.name === 'push') {
    const parsed = metricsPayloads.push.safeParse(delivery.payload);
    if (!parsed.success) return { ...base, ignored: `invalid push payload at ${issuePath(parsed.error)}` };
    const p = parsed.data;
    if (!p.ref.startsWith('refs/heads/')) return { ...base, ignored: 'not a branch push' };
    if (p.deleted) return { ...base, ignored: 'branch deleted' };
    const branch = p.ref.slice('refs/heads/'.length);
    const toDefaultBranch = p.repository.default_branch !== undefined && branch === p.repository.default_branch;
    const pushedAt = receivedAt;
    const revertedCommits: BranchPushFact['revertedCommits'] = [];
    if (toDefaultBranch) {
      for (const c of p.commits ?? []) {
        for (const sha of parseRevertedCommits(c.message ?? '')) {
          revertedCommits.push({ revertingSha: c.id, revertedSha: sha, at: c.timestamp ?? pushedAt });
        }
      }
    }
    return {
      ...base,
      repository: p.repository.full_name,
      branchPush: {
        repository: p.repository.full_name,
        branch,
        beforeSha: p.before,
        afterSha: p.after,
        forced: p.forced ?? false,
        pushedAt,
        toDefaultBranch,
        revertedCommits,
      },
    };
  }

  return { ...base, ignored: `event ${base.event} carries no PR lifecycle facts` };
}

function issuePath(error: z.ZodError): string {
  const first = error.issues[0];
  return first ? first.path.join('.') || '(root)' : '(unknown)';
}
