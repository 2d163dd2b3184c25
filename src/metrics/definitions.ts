/**
 * Metric definitions: pure functions over one pull request's event sequence (no I/O, no clock).
 *
 * Every definition here is documented in `docs/metrics.md` (start event, end event, unit, exclusions).
 * Times are ISO 8601 strings (UTC); every duration returned is in SECONDS.
 *
 * Definitions tolerate untidy input: events may arrive unsorted and duplicated (a redelivered webhook,
 * a backfill that overlaps live recording); `normalizeEvents` sorts and de-duplicates them first.
 */
import type { AuthorClass } from '../authorship/types.js';
import type { GateConclusion } from './sink.js';

/** Review states as GitHub reports them in webhooks, lower-cased. */
export type ReviewState = 'approved' | 'changes_requested' | 'commented' | 'dismissed';

/**
 * Who submitted a review, as far as metrics are concerned:
 * - `human`: a person other than the PR's author;
 * - `bot`: an account of type `Bot` or a `[bot]` login (review bots, agents' apps, automation);
 * - `author`: the PR's author (their own review comments), including an agent's app reviewing its own PR.
 */
export type ReviewerKind = 'human' | 'bot' | 'author';

/** The reviewer's relation to the PR (GitHub terms). */
export type ReviewerRelation = 'required_reviewer' | 'human_of_record' | 'other';

/** Who pushed commits onto a PR. `mixed`: agent and human commits in one push; `unknown`: not attributable. */
export type PusherClass = 'agent' | 'human' | 'mixed' | 'unknown';

/**
 * Author class as stored: the classifier's verdict, or `unknown` before the first gate evaluation. Kept open to
 * classes the classifier may add (e.g. `assisted`: a person's PR with agent-co-authored commits), which the
 * definitions treat like neither `agent` nor `human` unless stated.
 */
export type StoredAuthorClass = AuthorClass | 'unknown' | (string & {});

/** A rule's outcome in one gate evaluation (issue 9's pilot mode records every applicable rule). */
export interface EvaluatedRule {
  name: string;
  /** The rule's effective mode at that evaluation. */
  mode: 'advisory' | 'enforce';
  holds: boolean;
}

/** Who a review was requested from: a user (login) or a team (`@org/slug`). */
export type RequestedReviewerType = 'user' | 'team';

/** One event in a PR's history. `at` is an ISO 8601 timestamp. */
export type TimelineEvent =
  | { kind: 'opened'; at: string; draft: boolean }
  | { kind: 'reopened'; at: string }
  | { kind: 'ready_for_review'; at: string }
  | { kind: 'converted_to_draft'; at: string }
  | { kind: 'closed'; at: string; merged: boolean }
  /** `pull_request.review_requested` (time: the payload's `updated_at`). `reviewer`: login or `@org/slug`. */
  | { kind: 'review_requested'; at: string; reviewer: string; reviewerType: RequestedReviewerType }
  /** `pull_request.review_request_removed`. */
  | { kind: 'review_request_removed'; at: string; reviewer: string; reviewerType: RequestedReviewerType }
  | {
      kind: 'review';
      at: string;
      /** GitHub's review id: the de-duplication key. */
      reviewId: number;
      reviewer: string;
      reviewerKind: ReviewerKind;
      /** State as submitted (a later dismissal is in `dismissedAt`, the state is kept). */
      state: Exclude<ReviewState, 'dismissed'>;
      dismissedAt: string | null;
    }
  | {
      kind: 'push';
      at: string;
      /** Head SHA after the push: the de-duplication key. */
      afterSha: string;
      beforeSha: string | null;
      senderLogin: string | null;
      senderType: string | null;
      /** Commits the push added, attributed by the gate's classifier; null until a gate evaluation saw them. */
      agentCommits: number | null;
      humanCommits: number | null;
      rewroteHistory: boolean;
    }
  | {
      kind: 'evaluation';
      at: string;
      conclusion: GateConclusion;
      gateSatisfied: boolean;
      failingRules: string[];
      qualifyingApprovals: Array<{ login: string; submittedAt: string }>;
      /** Every applicable rule with its mode and whether it held; null when the evaluation did not record them. */
      rules?: EvaluatedRule[] | null;
      /** True when a valid override was in place at this evaluation. */
      overridden?: boolean;
    }
  | { kind: 'override'; at: string; login: string };

/** A PR's identity, authorship and events: the input of every definition. */
export interface PullRequestTimeline {
  /** `owner/name`. */
  repository: string;
  number: number;
  /** Login of the PR's author (`user.login`), when known. */
  authorLogin: string | null;
  authorClass: StoredAuthorClass;
  /** Agent name for agent PRs (bot name for automation), else null. */
  agent: string | null;
  /** The human who asked the agent for the work, when known. */
  humanOfRecord: string | null;
  /** Users (logins) and teams (`@org/slug`) a gate rule requires. */
  requiredReviewers: string[];
  events: TimelineEvent[];
}

/** Outcome of a latency definition. `seconds` is set only for `status: 'done'`. */
export type LatencyResult =
  | { status: 'done'; seconds: number }
  /** Never ready for review (still a draft), or opened before recording started. */
  | { status: 'not_ready' }
  /** Ready, open, and the end event has not happened yet. */
  | { status: 'waiting' }
  /** Merged before the end event happened: counted as such, never as zero latency. */
  | { status: 'merged_without' }
  /** Closed unmerged before the end event happened. */
  | { status: 'closed_without' };

const KIND_ORDER: Record<TimelineEvent['kind'], number> = {
  opened: 0,
  reopened: 1,
  ready_for_review: 2,
  converted_to_draft: 3,
  review_requested: 4,
  push: 5,
  review: 6,
  review_request_removed: 7,
  evaluation: 8,
  override: 9,
  closed: 10,
};

function ms(iso: string): number {
  return Date.parse(iso);
}

function seconds(fromIso: string, toIso: string): number {
  return Math.max(0, (ms(toIso) - ms(fromIso)) / 1000);
}

function sameLogin(a: string | null | undefined, b: string | null | undefined): boolean {
  return a != null && b != null && a.toLowerCase() === b.toLowerCase();
}

function eventKey(e: TimelineEvent): string {
  switch (e.kind) {
    case 'review':
      return `review:${e.reviewId}`;
    case 'push':
      return `push:${e.afterSha}`;
    case 'evaluation':
      return `evaluation:${e.at}:${e.conclusion}:${e.gateSatisfied}`;
    case 'override':
      return `override:${e.login.toLowerCase()}:${e.at}`;
    case 'closed':
      return `closed:${e.at}:${e.merged}`;
    case 'review_requested':
    case 'review_request_removed':
      return `${e.kind}:${e.reviewer.toLowerCase()}:${e.at}`;
    default:
      return `${e.kind}:${e.at}`;
  }
}

/**
 * Sorts events by time (ties: lifecycle, review requests, pushes, reviews, request removals, evaluations, closing)
 * and drops duplicates
 * (same review id, same pushed head SHA, same lifecycle event at the same time). For a review seen twice the
 * copy carrying a dismissal wins.
 */
export function normalizeEvents(events: readonly TimelineEvent[]): TimelineEvent[] {
  if (NORMALIZED.has(events)) return events as TimelineEvent[];
  const byKey = new Map<string, TimelineEvent>();
  for (const e of events) {
    const key = eventKey(e);
    const prev = byKey.get(key);
    if (!prev) byKey.set(key, e);
    else if (e.kind === 'review' && prev.kind === 'review' && !prev.dismissedAt && e.dismissedAt) byKey.set(key, e);
    else if (e.kind === 'push' && prev.kind === 'push') {
      byKey.set(key, {
        ...prev,
        rewroteHistory: prev.rewroteHistory || e.rewroteHistory,
        agentCommits: prev.agentCommits ?? e.agentCommits,
        humanCommits: prev.humanCommits ?? e.humanCommits,
      });
    }
  }
  const sorted = [...byKey.values()].sort((a, b) => ms(a.at) - ms(b.at) || KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
  NORMALIZED.add(sorted);
  return sorted;
}

/** Arrays returned by `normalizeEvents` (treated as immutable): normalizing them again is a no-op. */
const NORMALIZED = new WeakSet<readonly TimelineEvent[]>();

/**
 * Ready for review: the time the PR was opened as a non-draft, else the first `ready_for_review`.
 * Null when the PR is still a draft or was opened before recording started (no `opened` event and no
 * `ready_for_review`): such PRs are excluded from the latencies.
 */
export function readyForReviewAt(t: PullRequestTimeline): string | null {
  const events = normalizeEvents(t.events);
  const opened = events.find((e) => e.kind === 'opened');
  if (opened && opened.kind === 'opened' && !opened.draft) return opened.at;
  const ready = events.find((e) => e.kind === 'ready_for_review');
  return ready ? ready.at : null;
}

/** Final merge time (null when not merged). A merged PR cannot be reopened, so it is the only merge. */
export function mergedAt(t: PullRequestTimeline): string | null {
  const merged = normalizeEvents(t.events).find((e) => e.kind === 'closed' && e.merged);
  return merged ? merged.at : null;
}

/** Time the PR was last closed without merge, when it is closed now (a later `reopened` clears it). */
export function closedAt(t: PullRequestTimeline): string | null {
  let closed: string | null = null;
  for (const e of normalizeEvents(t.events)) {
    if (e.kind === 'closed') closed = e.at;
    else if (e.kind === 'reopened') closed = null;
  }
  return closed;
}

/** Current state derived from the events. */
export function pullRequestState(t: PullRequestTimeline): 'open' | 'closed' | 'merged' {
  if (mergedAt(t)) return 'merged';
  return closedAt(t) ? 'closed' : 'open';
}

/**
 * True when a review counts as a human review: submitted by a person (not a bot or agent account) who is
 * not the PR's author. The author's own review comments, review bots and agents are excluded.
 */
export function isIndependentHumanReview(t: PullRequestTimeline, e: Extract<TimelineEvent, { kind: 'review' }>): boolean {
  if (e.reviewerKind !== 'human') return false;
  if (sameLogin(e.reviewer, t.authorLogin)) return false;
  if (/\[bot\]$/i.test(e.reviewer)) return false;
  return true;
}

function humanReviews(t: PullRequestTimeline): Array<Extract<TimelineEvent, { kind: 'review' }>> {
  return normalizeEvents(t.events).filter(
    (e): e is Extract<TimelineEvent, { kind: 'review' }> => e.kind === 'review' && isIndependentHumanReview(t, e),
  );
}

/** First independent human review at any time (drafts included): the split point for "after first review". */
export function firstHumanReviewAtAnyTime(t: PullRequestTimeline): string | null {
  return humanReviews(t)[0]?.at ?? null;
}

function latencyTo(t: PullRequestTimeline, endAt: (readyAt: string) => string | null): LatencyResult {
  const readyAt = readyForReviewAt(t);
  if (!readyAt) return { status: 'not_ready' };
  const end = endAt(readyAt);
  const merged = mergedAt(t);
  if (end && (!merged || ms(end) <= ms(merged))) return { status: 'done', seconds: seconds(readyAt, end) };
  if (merged) return { status: 'merged_without' };
  if (closedAt(t)) return { status: 'closed_without' };
  return { status: 'waiting' };
}

/**
 * Time to first review, in seconds: from ready for review to the first review (any state) by a human other
 * than the author. Bots, agents and the author's own review comments are excluded; reviews submitted while
 * the PR was a draft (before it was ready) are excluded too. A PR merged with no such review gets
 * `merged_without`, never 0.
 */
export function timeToFirstReview(t: PullRequestTimeline): LatencyResult {
  return latencyTo(t, (readyAt) => firstHumanReviewEnd(t, readyAt));
}

function firstHumanReviewEnd(t: PullRequestTimeline, readyAt: string): string | null {
  return humanReviews(t).find((e) => ms(e.at) >= ms(readyAt))?.at ?? null;
}

function firstApprovalEnd(t: PullRequestTimeline, readyAt: string): string | null {
  return humanReviews(t).find((e) => e.state === 'approved' && ms(e.at) >= ms(readyAt))?.at ?? null;
}

/** The first independent human review at or after ready for review (the end event of time to first review). */
export function firstHumanReviewAt(t: PullRequestTimeline): string | null {
  const readyAt = readyForReviewAt(t);
  return readyAt && timeToFirstReview(t).status === 'done' ? firstHumanReviewEnd(t, readyAt) : null;
}

/**
 * Time to first approval, in seconds: from ready for review to the first APPROVED review by a human other
 * than the author (an approval later dismissed still marks the moment). Same exclusions as time to first review.
 */
export function timeToFirstApproval(t: PullRequestTimeline): LatencyResult {
  return latencyTo(t, (readyAt) => firstApprovalEnd(t, readyAt));
}

/** First approval time (end event of time to first approval), or null. */
export function firstApprovalAt(t: PullRequestTimeline): string | null {
  const readyAt = readyForReviewAt(t);
  return readyAt && timeToFirstApproval(t).status === 'done' ? firstApprovalEnd(t, readyAt) : null;
}

/**
 * Time to merge, in seconds: from ready for review to merge. Not-merged PRs get `waiting` or `closed_without`;
 * PRs never ready (or opened before recording started) get `not_ready`.
 */
export function timeToMerge(t: PullRequestTimeline): LatencyResult {
  return latencyTo(t, () => mergedAt(t));
}

/** True when at least one gate evaluation found an applicable rule (it failed, or approvals counted for it). */
export function gateApplied(t: PullRequestTimeline): boolean {
  return normalizeEvents(t.events).some((e) => e.kind === 'evaluation' && (e.failingRules.length > 0 || e.qualifyingApprovals.length > 0));
}

/**
 * First qualifying approval time. When a gate rule applied to the PR: the earliest approval the gate counted
 * (`EvaluationRecord.qualifyingApprovals`). Otherwise (no rule applied, or never evaluated): the earliest
 * APPROVED review, not dismissed, by an independent human who is not the human of record.
 */
export function firstQualifyingApprovalAt(t: PullRequestTimeline): string | null {
  const events = normalizeEvents(t.events);
  if (gateApplied(t)) {
    let first: string | null = null;
    for (const e of events) {
      if (e.kind !== 'evaluation') continue;
      for (const a of e.qualifyingApprovals) if (!first || ms(a.submittedAt) < ms(first)) first = a.submittedAt;
    }
    return first ? new Date(ms(first)).toISOString() : null;
  }
  const approval = humanReviews(t).find((e) => e.state === 'approved' && !e.dismissedAt && !sameLogin(e.reviewer, t.humanOfRecord));
  return approval?.at ?? null;
}

/** Time of the first gate evaluation that found the gate satisfied (all rules hold or valid override), or null. */
export function gateSatisfiedAt(t: PullRequestTimeline): string | null {
  const e = normalizeEvents(t.events).find((x) => x.kind === 'evaluation' && x.gateSatisfied);
  return e?.at ?? null;
}

/** Time of the first gate evaluation recorded for the PR, or null when the gate never evaluated it. */
export function firstEvaluatedAt(t: PullRequestTimeline): string | null {
  return normalizeEvents(t.events).find((x) => x.kind === 'evaluation')?.at ?? null;
}

/**
 * Review rounds: the number of "changes requested → new push" cycles. A round starts with a CHANGES_REQUESTED
 * review by an independent human and ends with the next push (force-pushes included). Several change requests
 * before one push are one round; a change request never followed by a push is not a round.
 */
export function reviewRounds(t: PullRequestTimeline): number {
  let rounds = 0;
  let pending = false;
  for (const e of normalizeEvents(t.events)) {
    if (e.kind === 'review' && e.state === 'changes_requested' && isIndependentHumanReview(t, e)) pending = true;
    else if (e.kind === 'push' && pending) {
      rounds += 1;
      pending = false;
    }
  }
  return rounds;
}

/**
 * Who made a push: from the commits it added as the gate's classifier attributed them when known
 * (`agent`, `human`, `mixed`), otherwise from the sender: a `Bot` sender on an agent PR is the agent, any
 * sender on a human PR is human, the human of record is human; anything else is `unknown`.
 */
export function pusherClass(t: PullRequestTimeline, e: Extract<TimelineEvent, { kind: 'push' }>): PusherClass {
  if (e.agentCommits !== null && e.humanCommits !== null && e.agentCommits + e.humanCommits > 0) {
    if (e.agentCommits > 0 && e.humanCommits > 0) return 'mixed';
    return e.agentCommits > 0 ? 'agent' : 'human';
  }
  const botSender = e.senderType === 'Bot' || /\[bot\]$/i.test(e.senderLogin ?? '');
  if (t.authorClass === 'agent' && botSender) return 'agent';
  if (t.authorClass === 'human' && !botSender) return 'human';
  if (t.authorClass === 'agent' && sameLogin(e.senderLogin, t.humanOfRecord) && !sameLogin(e.senderLogin, t.authorLogin)) {
    return 'human';
  }
  return 'unknown';
}

/** Pushes after the first independent human review (any time, drafts included), split by pusher. `mixed` counts in both. */
export interface PushesAfterFirstReview {
  agent: number;
  human: number;
  unknown: number;
}

/** Counts pushes made after the first independent human review; zeros when the PR was never reviewed. */
export function pushesAfterFirstReview(t: PullRequestTimeline): PushesAfterFirstReview {
  const first = firstHumanReviewAtAnyTime(t);
  const out = { agent: 0, human: 0, unknown: 0 };
  if (!first) return out;
  for (const e of normalizeEvents(t.events)) {
    if (e.kind !== 'push' || ms(e.at) <= ms(first)) continue;
    const who = pusherClass(t, e);
    if (who === 'agent' || who === 'mixed') out.agent += 1;
    if (who === 'human' || who === 'mixed') out.human += 1;
    if (who === 'unknown') out.unknown += 1;
  }
  return out;
}

/** Human rework on an agent PR: pushes that added human-authored commits, and how many such commits. */
export interface HumanRework {
  needed: boolean;
  pushes: number;
  /** Human-authored commits added; pushes attributed from the sender only count as one commit each. */
  commits: number;
}

/**
 * Human rework on agent PRs: pushes onto an agent PR (after it was opened) that added human-authored commits.
 * Returns null for PRs that are not agent PRs. The commits the PR was opened with are not rework.
 */
export function humanRework(t: PullRequestTimeline): HumanRework | null {
  if (t.authorClass !== 'agent') return null;
  let pushes = 0;
  let commits = 0;
  for (const e of normalizeEvents(t.events)) {
    if (e.kind !== 'push') continue;
    const who = pusherClass(t, e);
    if (who !== 'human' && who !== 'mixed') continue;
    pushes += 1;
    commits += e.humanCommits ?? 1;
  }
  return { needed: pushes > 0, pushes, commits };
}

/** True when a valid override was recorded for the PR. */
export function overridden(t: PullRequestTimeline): boolean {
  return normalizeEvents(t.events).some((e) => e.kind === 'override');
}

/** True when the PR was merged with no independent human review at all (before the merge). */
export function mergedWithoutReview(t: PullRequestTimeline): boolean {
  const merged = mergedAt(t);
  if (!merged) return false;
  return !humanReviews(t).some((e) => ms(e.at) <= ms(merged));
}

/** True when the PR was merged with no qualifying approval before the merge (overridden PRs included). */
export function mergedWithoutQualifyingApproval(t: PullRequestTimeline): boolean {
  const merged = mergedAt(t);
  if (!merged) return false;
  const q = firstQualifyingApprovalAt(t);
  return !q || ms(q) > ms(merged);
}

/** The reviewer's relation to the PR: required reviewer (named by a rule, or counted by the gate), human of record, or other. */
export function reviewerRelation(t: PullRequestTimeline, reviewer: string): ReviewerRelation {
  if (t.requiredReviewers.some((r) => sameLogin(r, reviewer))) return 'required_reviewer';
  const counted = normalizeEvents(t.events).some(
    (e) => e.kind === 'evaluation' && e.qualifyingApprovals.some((a) => sameLogin(a.login, reviewer)),
  );
  if (counted) return 'required_reviewer';
  if (sameLogin(reviewer, t.humanOfRecord)) return 'human_of_record';
  return 'other';
}

/** Everything the store keeps per PR, derived from its timeline. Times are ISO strings; counts are integers. */
export interface PullRequestSummary {
  state: 'open' | 'closed' | 'merged';
  readyAt: string | null;
  firstHumanReviewAt: string | null;
  firstApprovalAt: string | null;
  firstQualifyingApprovalAt: string | null;
  gateSatisfiedAt: string | null;
  /** Time of the first gate evaluation recorded for the PR (null: the gate never evaluated it). */
  firstEvaluatedAt: string | null;
  mergedAt: string | null;
  closedAt: string | null;
  /** Seconds, or null when the latency is not `done`. */
  timeToFirstReviewSeconds: number | null;
  timeToFirstApprovalSeconds: number | null;
  timeToMergeSeconds: number | null;
  reviewRounds: number;
  agentPushesAfterFirstReview: number;
  humanPushesAfterFirstReview: number;
  /** Null for non-agent PRs. */
  humanRework: boolean | null;
  humanReworkCommits: number;
  overridden: boolean;
  mergedWithoutReview: boolean;
  mergedWithoutQualifyingApproval: boolean;
}

/** Computes every per-PR definition at once. */
export function summarizePullRequest(t: PullRequestTimeline): PullRequestSummary {
  const norm: PullRequestTimeline = { ...t, events: normalizeEvents(t.events) };
  const ttfr = timeToFirstReview(norm);
  const ttfa = timeToFirstApproval(norm);
  const ttm = timeToMerge(norm);
  const pushes = pushesAfterFirstReview(norm);
  const rework = humanRework(norm);
  return {
    state: pullRequestState(norm),
    readyAt: readyForReviewAt(norm),
    firstHumanReviewAt: firstHumanReviewAt(norm),
    firstApprovalAt: firstApprovalAt(norm),
    firstQualifyingApprovalAt: firstQualifyingApprovalAt(norm),
    gateSatisfiedAt: gateSatisfiedAt(norm),
    firstEvaluatedAt: firstEvaluatedAt(norm),
    mergedAt: mergedAt(norm),
    closedAt: closedAt(norm),
    timeToFirstReviewSeconds: ttfr.status === 'done' ? ttfr.seconds : null,
    timeToFirstApprovalSeconds: ttfa.status === 'done' ? ttfa.seconds : null,
    timeToMergeSeconds: ttm.status === 'done' ? ttm.seconds : null,
    reviewRounds: reviewRounds(norm),
    agentPushesAfterFirstReview: pushes.agent,
    humanPushesAfterFirstReview: pushes.human,
    humanRework: rework ? rework.needed : null,
    humanReworkCommits: rework ? rework.commits : 0,
    overridden: overridden(norm),
    mergedWithoutReview: mergedWithoutReview(norm),
    mergedWithoutQualifyingApproval: mergedWithoutQualifyingApproval(norm),
  };
}

/** Revert window outcome for one merged PR. */
export type RevertWindowResult = 'reverted' | 'not_reverted' | 'window_open';

/**
 * Whether a merged PR was reverted within `days` days of its merge.
 * `window_open` when the window has not elapsed at `now` and no revert happened yet: such PRs are left out
 * of the revert rate's denominator, so recent merges do not dilute it.
 */
export function revertedWithin(merged: string, revertedAt: string | null, days: number, now: Date): RevertWindowResult {
  const windowMs = days * 86_400_000;
  if (revertedAt && ms(revertedAt) - ms(merged) <= windowMs) return 'reverted';
  if (now.getTime() - ms(merged) < windowMs) return 'window_open';
  return 'not_reverted';
}

/** Built-in sensitive groups from most to least sensitive; custom groups rank between `ci` and `dependencies`. */
export const SENSITIVITY_ORDER: readonly string[] = ['secrets', 'agent-config', 'ci'];
const LEAST_SENSITIVE = ['dependencies'];

/**
 * The most sensitive group of a list (the `sensitive_group` Prometheus label): built-in order
 * `secrets` > `agent-config` > `ci` > custom groups (alphabetical) > `dependencies`; `none` for an empty list.
 */
export function highestSensitiveGroup(groups: readonly string[]): string {
  if (groups.length === 0) return 'none';
  for (const g of SENSITIVITY_ORDER) if (groups.includes(g)) return g;
  const custom = groups.filter((g) => !LEAST_SENSITIVE.includes(g)).sort();
  if (custom[0] !== undefined) return custom[0];
  return groups[0] ?? 'none';
}

/** Matches the reverting side of a GitHub revert. */
export interface RevertReference {
  /** PR number from `Reverts owner/repo#N` in the body or a `revert-N-...` head branch. */
  revertedNumber: number | null;
  /** The quoted title from `Revert "..."`. */
  revertedTitle: string | null;
  /** Where `revertedNumber` came from (`pr_body` or `pr_branch`), or `pr_title` when only the title matched. */
  source: 'pr_body' | 'pr_branch' | 'pr_title';
}

/**
 * Parses a PR as a revert of another PR of the same repository: body `Reverts owner/repo#N` (only when
 * owner/repo is this repository), GitHub's `revert-N-branch` head branch, or title `Revert "..."`.
 * Returns null when the PR is not a revert.
 */
export function parseRevertPullRequest(
  repository: string,
  title: string | null,
  body: string | null,
  headRef: string | null,
): RevertReference | null {
  let revertedNumber: number | null = null;
  let source: RevertReference['source'] = 'pr_title';
  for (const m of (body ?? '').matchAll(/Reverts\s+([\w.-]+\/[\w.-]+)#(\d+)/gi)) {
    if (m[1] && m[2] && m[1].toLowerCase() === repository.toLowerCase()) {
      revertedNumber = Number(m[2]);
      source = 'pr_body';
      break;
    }
  }
  const titleMatch = /^Revert\s+"(.+)"\s*$/s.exec((title ?? '').trim());
  const revertedTitle = titleMatch?.[1] ?? null;
  if (revertedNumber === null && revertedTitle !== null) {
    const branch = /^revert-(\d+)-/.exec(headRef ?? '');
    if (branch?.[1]) {
      revertedNumber = Number(branch[1]);
      source = 'pr_branch';
    }
  }
  if (revertedNumber === null && revertedTitle === null) return null;
  return { revertedNumber, revertedTitle, source };
}

/** SHAs named by `This reverts commit <sha>` lines of a commit message (7 to 40 hex digits, lower-cased). */
export function parseRevertedCommits(message: string): string[] {
  return [...message.matchAll(/This reverts commit ([0-9a-f]{7,40})\b/gi)].map((m) => (m[1] ?? '').toLowerCase());
}

/** How a review request ended: answered by a review, removed, ended by the PR's closing, or still open. */
export type ReviewRequestOutcome = 'reviewed' | 'removed' | 'closed' | 'open';

/** One review request from `review_requested` to its end. */
export interface ReviewRequestSpan {
  /** Login, or `@org/slug` for a team, as requested. */
  reviewer: string;
  reviewerType: RequestedReviewerType;
  requestedAt: string;
  outcome: ReviewRequestOutcome;
  /** Time of the answering review, the removal or the closing; null while open. */
  endedAt: string | null;
  /** Seconds from the request to the review that answered it; null unless `reviewed`. */
  secondsToReview: number | null;
}

/**
 * Review requests of a PR as spans. A span starts at `review_requested` and ends at the first of:
 * - a review (any state) by the requested user submitted at or after the request (`reviewed`); for a team
 *   (`@org/slug`), the first review by an independent human (not a bot, not the PR's author) at or after the
 *   request, since team membership is not recorded (an approximation, documented);
 * - `review_request_removed` for that reviewer (`removed`): GitHub sends it when someone removes the request,
 *   not when the reviewer answers it;
 * - the PR being closed or merged (`closed`).
 * Otherwise it is `open`. A second request for a reviewer whose request is open continues the same span; a
 * request after an answered one ("re-request review") starts a new span. Logins compare case-insensitively.
 */
export function reviewRequestSpans(t: PullRequestTimeline): ReviewRequestSpan[] {
  const spans: ReviewRequestSpan[] = [];
  const open = new Map<string, ReviewRequestSpan>();
  const end = (span: ReviewRequestSpan, outcome: ReviewRequestOutcome, at: string): void => {
    span.outcome = outcome;
    span.endedAt = at;
    if (outcome === 'reviewed') span.secondsToReview = seconds(span.requestedAt, at);
    open.delete(span.reviewer.toLowerCase());
  };
  for (const e of normalizeEvents(t.events)) {
    if (e.kind === 'review_requested') {
      if (open.has(e.reviewer.toLowerCase())) continue;
      const span: ReviewRequestSpan = {
        reviewer: e.reviewer,
        reviewerType: e.reviewerType,
        requestedAt: e.at,
        outcome: 'open',
        endedAt: null,
        secondsToReview: null,
      };
      spans.push(span);
      open.set(e.reviewer.toLowerCase(), span);
    } else if (e.kind === 'review_request_removed') {
      const span = open.get(e.reviewer.toLowerCase());
      if (span) end(span, 'removed', e.at);
    } else if (e.kind === 'review') {
      const own = open.get(e.reviewer.toLowerCase());
      if (own && own.reviewerType === 'user') end(own, 'reviewed', e.at);
      if (isIndependentHumanReview(t, e)) {
        for (const span of [...open.values()]) if (span.reviewerType === 'team') end(span, 'reviewed', e.at);
      }
    } else if (e.kind === 'closed') {
      for (const span of [...open.values()]) end(span, 'closed', e.at);
    }
  }
  return spans;
}

/** What one gate rule did on one PR, per effective mode (a rule switched from advisory to enforce has two). */
export interface RuleOutcome {
  rule: string;
  mode: 'advisory' | 'enforce';
  /** First evaluation in which the rule applied (in this mode). */
  firstAppliedAt: string;
  /** True when some evaluation found the rule not holding with no valid override in place: enforcement blocks then. */
  blocked: boolean;
  /** First evaluation in which the rule held, or null. */
  firstHeldAt: string | null;
  /** The PR merged and the last evaluation at or before the merge found the rule (in this mode) not holding. */
  mergedWhileNotHolding: boolean;
  /** Seconds from ready for review to `firstHeldAt` (0 when it held before ready); null when either is unknown. */
  readyToHoldSeconds: number | null;
}

/**
 * Per-rule outcomes from the evaluations that recorded their rules (`EvaluatedRule`); evaluations without
 * rules (recorded before issue 9's pilot mode, or by an older app) are left out.
 */
export function ruleOutcomes(t: PullRequestTimeline): RuleOutcome[] {
  const events = normalizeEvents(t.events);
  const merged = mergedAt(t);
  const ready = readyForReviewAt(t);
  const byKey = new Map<string, RuleOutcome>();
  let lastBeforeMerge: EvaluatedRule[] | null = null;
  for (const e of events) {
    if (e.kind !== 'evaluation' || !e.rules) continue;
    if (merged && ms(e.at) <= ms(merged)) lastBeforeMerge = e.rules;
    for (const r of e.rules) {
      const key = `${r.name}\u0000${r.mode}`;
      let o = byKey.get(key);
      if (!o) {
        o = {
          rule: r.name,
          mode: r.mode,
          firstAppliedAt: e.at,
          blocked: false,
          firstHeldAt: null,
          mergedWhileNotHolding: false,
          readyToHoldSeconds: null,
        };
        byKey.set(key, o);
      }
      if (!r.holds && !e.overridden) o.blocked = true;
      if (r.holds && o.firstHeldAt === null) {
        o.firstHeldAt = e.at;
        o.readyToHoldSeconds = ready ? seconds(ready, e.at) : null;
      }
    }
  }
  for (const r of lastBeforeMerge ?? []) {
    const o = byKey.get(`${r.name}\u0000${r.mode}`);
    if (o && !r.holds) o.mergedWhileNotHolding = true;
  }
  return [...byKey.values()];
}

/** Conventional-commit types recognised as task types (https://www.conventionalcommits.org, Angular convention). */
export const TASK_TYPES: readonly string[] = ['feat', 'fix', 'docs', 'test', 'refactor', 'perf', 'build', 'ci', 'chore', 'style', 'revert'];

/**
 * The task type of a PR from its title: the conventional-commit type (`feat(api)!: …` → `feat`), case-insensitive,
 * after leading bracketed tags such as `[WIP] ` (which some agents prepend while they work); GitHub's
 * `Revert "…"` titles are `revert`; anything else (or no title) is `other`.
 */
export function taskType(title: string | null | undefined): string {
  const text = (title ?? '').trim().replace(/^(\[[^\]]{0,40}\]\s*)+/, '');
  if (/^revert\s+"/i.test(text)) return 'revert';
  const m = /^([a-z]+)(\([^)]{0,100}\))?!?\s*:/i.exec(text);
  const type = m?.[1]?.toLowerCase();
  return type !== undefined && TASK_TYPES.includes(type) ? type : 'other';
}
