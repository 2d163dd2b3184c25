/**
 * Backfill core (pure): turns one past PR, as the REST API returns it (pull, commits, reviews, timeline),
 * into webhook-shaped deliveries for `MetricsStore.recordDelivery` plus the commit attribution for
 * `MetricsStore.recordBackfill`. Delivery ids are deterministic (`backfill:<repo>#<n>:<event>:<key>`), so
 * running a backfill twice, or over PRs the app already recorded live under other ids, changes nothing twice.
 *
 * Approximations (documented in docs/metrics.md): pushes are reconstructed from commit committer dates
 * (commits committed after the PR was created, within 2 minutes of each other, form one push); force-pushes
 * come from `head_ref_force_pushed` timeline events; sensitive groups and gate evaluations are not backfilled.
 */
import type { AuthorshipVerdict } from '../authorship/types.js';
import type { DeliveryRecord } from './sink.js';

/** REST account subset. */
export interface RestAccount {
  login?: string | null;
  type?: string | null;
}

/** REST pull request subset (list or get). */
export interface RestPullRequest {
  number: number;
  title?: string | null;
  body?: string | null;
  user?: RestAccount | null;
  draft?: boolean | null;
  created_at: string;
  updated_at?: string | null;
  closed_at?: string | null;
  merged_at?: string | null;
  merge_commit_sha?: string | null;
  /** `open` | `closed`. */
  state?: string | null;
  head: { ref: string; sha: string };
  base: { ref: string };
  additions?: number;
  deletions?: number;
  changed_files?: number;
}

/** REST "list commits on a pull request" item subset. */
export interface RestCommit {
  sha: string;
  commit?: { committer?: { date?: string | null } | null; author?: { date?: string | null } | null } | null;
  author?: RestAccount | null;
  committer?: RestAccount | null;
}

/** REST review subset. */
export interface RestReview {
  id: number;
  user?: RestAccount | null;
  state: string;
  submitted_at?: string | null;
  commit_id?: string | null;
}

/** REST timeline event subset. */
export interface RestTimelineEvent {
  event?: string | null;
  created_at?: string | null;
  commit_id?: string | null;
  actor?: RestAccount | null;
  dismissed_review?: { review_id?: number | null; state?: string | null } | null;
  /** `review_requested` / `review_request_removed`: the user or the team. */
  requested_reviewer?: RestAccount | null;
  requested_team?: { slug?: string | null } | null;
}

/** Commit attribution handed to `MetricsStore.recordBackfill`. */
export interface BackfillCommit {
  sha: string;
  agent: boolean;
  authorLogin: string | null;
  firstSeenHeadSha: string;
  firstSeenAt: string;
}

/** Output of `buildBackfill`. */
export interface BackfillPlan {
  deliveries: DeliveryRecord[];
  commits: BackfillCommit[];
}

const PUSH_GAP_MS = 120_000;

function iso(s: string): string {
  return new Date(s).toISOString();
}

/**
 * Builds the synthetic deliveries (ordered by time) and commit attribution of one PR.
 * @param repository `owner/name`; `defaultBranch` goes into the synthetic payloads.
 * @param verdict the classifier's verdict (its `agentCommitShas` attribute commits).
 */
export function buildBackfill(input: {
  repository: string;
  defaultBranch: string;
  pull: RestPullRequest;
  commits: readonly RestCommit[];
  reviews: readonly RestReview[];
  timeline: readonly RestTimelineEvent[];
  verdict: AuthorshipVerdict;
}): BackfillPlan {
  const { repository, pull } = input;
  const key = `backfill:${repository}#${pull.number}`;
  const createdMs = Date.parse(pull.created_at);
  const agentShas = new Set(input.verdict.agentCommitShas.map((s) => s.toLowerCase()));
  const author = { login: pull.user?.login ?? 'ghost', type: pull.user?.type ?? 'User' };
  const deliveries: DeliveryRecord[] = [];

  const payload = (action: string, at: string, headSha: string, extra: Record<string, unknown> = {}): Record<string, unknown> => {
    const merged = action === 'closed' && extra.merged === true;
    return {
      action,
      number: pull.number,
      pull_request: {
        number: pull.number,
        title: pull.title ?? '',
        body: pull.body ?? null,
        user: author,
        draft: extra.draft ?? false,
        created_at: pull.created_at,
        updated_at: at,
        closed_at: action === 'closed' ? at : null,
        merged_at: merged ? at : null,
        merged,
        merge_commit_sha: merged ? (pull.merge_commit_sha ?? null) : null,
        head: { ref: pull.head.ref, sha: headSha },
        base: { ref: pull.base.ref },
        ...(pull.additions !== undefined ? { additions: pull.additions } : {}),
        ...(pull.deletions !== undefined ? { deletions: pull.deletions } : {}),
        ...(pull.changed_files !== undefined ? { changed_files: pull.changed_files } : {}),
      },
      repository: { full_name: repository, default_branch: input.defaultBranch },
      sender: extra.sender ?? author,
      ...(extra.before !== undefined ? { before: extra.before, after: extra.after } : {}),
    };
  };
  const push = (id: string, name: string, at: string, body: Record<string, unknown>): void => {
    deliveries.push({ id: `${key}:${id}`, name, payload: body, receivedAt: new Date(at) });
  };

  // Commits: the ones the PR was opened with, then pushes grouped by committer date.
  const commitTime = (c: RestCommit): number => Date.parse(c.commit?.committer?.date ?? c.commit?.author?.date ?? pull.created_at);
  const initial: RestCommit[] = [];
  const groups: RestCommit[][] = [];
  for (const c of input.commits) {
    const ms = commitTime(c);
    if (Number.isNaN(ms) || ms <= createdMs) {
      initial.push(c);
      continue;
    }
    const last = groups.at(-1);
    const lastCommit = last?.at(-1);
    if (last && lastCommit && ms - commitTime(lastCommit) <= PUSH_GAP_MS) last.push(c);
    else groups.push([c]);
  }
  const openHead = initial.at(-1)?.sha ?? input.commits[0]?.sha ?? pull.head.sha;
  const commits: BackfillCommit[] = [];
  const attribute = (list: RestCommit[], head: string, at: string): void => {
    for (const c of list) {
      commits.push({
        sha: c.sha,
        agent: agentShas.has(c.sha.toLowerCase()),
        authorLogin: c.author?.login ?? null,
        firstSeenHeadSha: head,
        firstSeenAt: at,
      });
    }
  };
  attribute(initial, openHead, iso(pull.created_at));

  // Lifecycle.
  const timeline = [...input.timeline]
    .filter((e) => e.created_at)
    .sort((a, b) => Date.parse(a.created_at ?? '') - Date.parse(b.created_at ?? ''));
  const firstDraftEvent = timeline.find((e) => e.event === 'ready_for_review' || e.event === 'convert_to_draft');
  const openedAsDraft = firstDraftEvent ? firstDraftEvent.event === 'ready_for_review' : pull.draft === true;
  push('opened', 'pull_request', pull.created_at, payload('opened', pull.created_at, openHead, { draft: openedAsDraft }));

  let head = openHead;
  groups.forEach((group) => {
    const last = group.at(-1);
    if (!last) return;
    const at = new Date(commitTime(last)).toISOString();
    const sender = last.committer?.login
      ? { login: last.committer.login, type: last.committer.type ?? 'User' }
      : last.author?.login
        ? { login: last.author.login, type: last.author.type ?? 'User' }
        : author;
    push(`synchronize:${last.sha}`, 'pull_request', at, payload('synchronize', at, last.sha, { before: head, after: last.sha, sender }));
    attribute(group, last.sha, at);
    head = last.sha;
  });

  let lastClosed: string | null = null;
  for (const e of timeline) {
    const at = e.created_at ?? '';
    if (e.event === 'closed') lastClosed = at;
    if (
      (e.event === 'review_requested' || e.event === 'review_request_removed') &&
      (e.requested_reviewer?.login || e.requested_team?.slug)
    ) {
      const reviewer = e.requested_team?.slug ? `team:${e.requested_team.slug}` : (e.requested_reviewer?.login ?? '');
      push(`${e.event}:${reviewer}:${at}`, 'pull_request', at, {
        ...payload(e.event, at, head),
        ...(e.requested_team?.slug
          ? { requested_team: { slug: e.requested_team.slug } }
          : { requested_reviewer: { login: e.requested_reviewer?.login } }),
        sender: e.actor ?? author,
      });
    } else if (e.event === 'ready_for_review') push(`ready_for_review:${at}`, 'pull_request', at, payload('ready_for_review', at, head));
    else if (e.event === 'convert_to_draft')
      push(`converted_to_draft:${at}`, 'pull_request', at, payload('converted_to_draft', at, head, { draft: true }));
    else if (e.event === 'reopened') push(`reopened:${at}`, 'pull_request', at, payload('reopened', at, head));
    else if (e.event === 'closed' && !(pull.merged_at && Math.abs(Date.parse(at) - Date.parse(pull.merged_at)) < 5_000)) {
      push(`closed:${at}`, 'pull_request', at, payload('closed', at, head));
    } else if (e.event === 'head_ref_force_pushed' && e.commit_id) {
      push(`force_push:${e.commit_id}`, 'push', at, {
        ref: `refs/heads/${pull.head.ref}`,
        before: '0'.repeat(40),
        after: e.commit_id,
        forced: true,
        repository: { full_name: repository, default_branch: input.defaultBranch },
        sender: e.actor ?? null,
        commits: [],
      });
    }
  }

  // An open PR whose timeline ends with a close (a reopen missing from it) is open: it says so itself.
  const lastReopened = timeline.filter((e) => e.event === 'reopened').at(-1)?.created_at ?? null;
  if (!pull.merged_at && pull.state === 'open' && lastClosed && (!lastReopened || Date.parse(lastReopened) < Date.parse(lastClosed))) {
    const at = new Date(Math.max(Date.parse(lastClosed) + 1000, Date.parse(pull.updated_at ?? lastClosed))).toISOString();
    push(`reopened:${at}`, 'pull_request', at, payload('reopened', at, head));
  }
  // A PR closed without merge is closed at its `closed_at`, also when the timeline lacks (or has not paged to) that
  // close: the outcome and the time from opening to close must not depend on the timeline.
  if (
    !pull.merged_at &&
    pull.state === 'closed' &&
    pull.closed_at &&
    (!lastClosed || Date.parse(lastClosed) !== Date.parse(pull.closed_at))
  ) {
    push(`closed:${pull.closed_at}`, 'pull_request', pull.closed_at, payload('closed', pull.closed_at, head));
  }

  // Reviews (PENDING ones are drafts of the reviewer, not reviews).
  const dismissals = new Map<number, { state: string; at: string }>();
  for (const e of timeline) {
    if (e.event === 'review_dismissed' && e.dismissed_review?.review_id && e.created_at) {
      dismissals.set(e.dismissed_review.review_id, { state: (e.dismissed_review.state ?? 'commented').toLowerCase(), at: e.created_at });
    }
  }
  for (const r of input.reviews) {
    if (!r.submitted_at || !r.user?.login || r.state === 'PENDING') continue;
    const dismissal = dismissals.get(r.id);
    const state = r.state === 'DISMISSED' ? (dismissal?.state ?? 'dismissed') : r.state.toLowerCase();
    const body = (action: string, at: string, st: string): Record<string, unknown> => ({
      ...payload('submitted', at, r.commit_id ?? head),
      action,
      review: {
        id: r.id,
        user: { login: r.user?.login, type: r.user?.type ?? 'User' },
        state: st,
        submitted_at: r.submitted_at,
        commit_id: r.commit_id ?? null,
      },
      sender: { login: r.user?.login, type: r.user?.type ?? 'User' },
    });
    push(
      `review:${r.id}`,
      'pull_request_review',
      r.submitted_at,
      body('submitted', r.submitted_at, state === 'dismissed' ? 'commented' : state),
    );
    if (r.state === 'DISMISSED') {
      const at = dismissal?.at ?? r.submitted_at;
      push(`review_dismissed:${r.id}`, 'pull_request_review', at, body('dismissed', at, 'dismissed'));
    }
  }

  if (pull.merged_at) {
    push('merged', 'pull_request', pull.merged_at, payload('closed', pull.merged_at, pull.head.sha, { merged: true }));
  }

  deliveries.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
  return { deliveries, commits };
}
