import { describe, expect, it } from '@jest/globals';
import {
  firstQualifyingApprovalAt,
  highestSensitiveGroup,
  humanRework,
  mergedWithoutQualifyingApproval,
  mergedWithoutReview,
  normalizeEvents,
  parseRevertedCommits,
  parseRevertPullRequest,
  pullRequestState,
  pushesAfterFirstReview,
  readyForReviewAt,
  reviewerRelation,
  reviewRounds,
  revertedWithin,
  summarizePullRequest,
  timeToFirstApproval,
  timeToFirstReview,
  timeToMerge,
  type PullRequestTimeline,
  type TimelineEvent,
} from '../../src/metrics/definitions.js';

const T0 = Date.parse('2026-03-02T09:00:00Z');
/** ISO time `minutes` after T0. */
const at = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();

let nextReviewId = 1;
const review = (
  minutes: number,
  reviewer: string,
  state: 'approved' | 'changes_requested' | 'commented',
  extra: Partial<Extract<TimelineEvent, { kind: 'review' }>> = {},
): TimelineEvent => ({
  kind: 'review',
  at: at(minutes),
  reviewId: nextReviewId++,
  reviewer,
  reviewerKind: 'human',
  state,
  dismissedAt: null,
  ...extra,
});
const push = (minutes: number, sha: string, extra: Partial<Extract<TimelineEvent, { kind: 'push' }>> = {}): TimelineEvent => ({
  kind: 'push',
  at: at(minutes),
  afterSha: sha,
  beforeSha: null,
  senderLogin: 'Copilot',
  senderType: 'Bot',
  agentCommits: null,
  humanCommits: null,
  rewroteHistory: false,
  ...extra,
});

function agentPr(events: TimelineEvent[], extra: Partial<PullRequestTimeline> = {}): PullRequestTimeline {
  return {
    repository: 'acme/api',
    number: 7,
    authorLogin: 'Copilot',
    authorClass: 'agent',
    agent: 'copilot',
    humanOfRecord: 'alice',
    requiredReviewers: [],
    events,
    ...extra,
  };
}

describe('ready for review', () => {
  it('is the open time for a PR opened ready', () => {
    expect(readyForReviewAt(agentPr([{ kind: 'opened', at: at(0), draft: false }]))).toBe(at(0));
  });
  it('is the first ready_for_review for a draft, ignoring later draft round-trips', () => {
    const t = agentPr([
      { kind: 'opened', at: at(0), draft: true },
      { kind: 'ready_for_review', at: at(30) },
      { kind: 'converted_to_draft', at: at(40) },
      { kind: 'ready_for_review', at: at(90) },
    ]);
    expect(readyForReviewAt(t)).toBe(at(30));
  });
  it('is null while still a draft and for PRs opened before recording started', () => {
    expect(readyForReviewAt(agentPr([{ kind: 'opened', at: at(0), draft: true }]))).toBeNull();
    expect(readyForReviewAt(agentPr([push(5, 'a1')]))).toBeNull();
    expect(timeToFirstReview(agentPr([push(5, 'a1'), review(10, 'bob', 'approved')]))).toEqual({ status: 'not_ready' });
  });
});

describe('time to first review', () => {
  it('measures ready → first review by a human other than the author, in seconds', () => {
    const t = agentPr([
      { kind: 'opened', at: at(0), draft: true },
      { kind: 'ready_for_review', at: at(20) },
      review(50, 'copilot-pull-request-reviewer[bot]', 'commented', { reviewerKind: 'bot' }),
      review(60, 'Copilot', 'commented', { reviewerKind: 'author' }),
      review(80, 'bob', 'commented'),
      review(95, 'carol', 'approved'),
    ]);
    expect(timeToFirstReview(t)).toEqual({ status: 'done', seconds: 60 * 60 });
    expect(timeToFirstApproval(t)).toEqual({ status: 'done', seconds: 75 * 60 });
  });

  it('excludes the author even when the review is marked human (agent under a human identity)', () => {
    const t = agentPr([{ kind: 'opened', at: at(0), draft: false }, review(10, 'dave', 'commented'), review(30, 'erin', 'commented')], {
      authorLogin: 'dave',
      agent: 'codex',
      humanOfRecord: 'dave',
    });
    expect(timeToFirstReview(t)).toEqual({ status: 'done', seconds: 30 * 60 });
  });

  it('excludes reviews submitted before ready for review (draft feedback)', () => {
    const t = agentPr([
      { kind: 'opened', at: at(0), draft: true },
      review(10, 'bob', 'changes_requested'),
      { kind: 'ready_for_review', at: at(60) },
      review(180, 'bob', 'approved'),
    ]);
    expect(timeToFirstReview(t)).toEqual({ status: 'done', seconds: 120 * 60 });
    // The draft review still opens a review round and marks "after first review".
    expect(summarizePullRequest(t).firstHumanReviewAt).toBe(at(180));
  });

  it('reports a PR merged without review as merged_without, never as zero', () => {
    const t = agentPr([
      { kind: 'opened', at: at(0), draft: false },
      review(5, 'Copilot', 'commented', { reviewerKind: 'author' }),
      { kind: 'closed', at: at(30), merged: true },
    ]);
    expect(timeToFirstReview(t)).toEqual({ status: 'merged_without' });
    expect(timeToFirstApproval(t)).toEqual({ status: 'merged_without' });
    expect(mergedWithoutReview(t)).toBe(true);
    expect(summarizePullRequest(t).timeToFirstReviewSeconds).toBeNull();
    expect(timeToMerge(t)).toEqual({ status: 'done', seconds: 30 * 60 });
  });

  it('a review after the merge does not count as the first review', () => {
    const t = agentPr([
      { kind: 'opened', at: at(0), draft: false },
      { kind: 'closed', at: at(30), merged: true },
      review(45, 'bob', 'approved'),
    ]);
    expect(timeToFirstReview(t)).toEqual({ status: 'merged_without' });
    expect(mergedWithoutReview(t)).toBe(true);
  });

  it('is waiting while open and closed_without when closed unreviewed', () => {
    expect(timeToFirstReview(agentPr([{ kind: 'opened', at: at(0), draft: false }]))).toEqual({ status: 'waiting' });
    expect(
      timeToFirstReview(
        agentPr([
          { kind: 'opened', at: at(0), draft: false },
          { kind: 'closed', at: at(9), merged: false },
        ]),
      ),
    ).toEqual({ status: 'closed_without' });
  });

  it('counts a dismissed review as a review', () => {
    const t = agentPr([{ kind: 'opened', at: at(0), draft: false }, review(15, 'bob', 'approved', { dismissedAt: at(20) })]);
    expect(timeToFirstReview(t)).toEqual({ status: 'done', seconds: 15 * 60 });
  });
});

describe('reopened PRs', () => {
  it('keep the first ready time; closing clears on reopen; time to merge spans the whole life', () => {
    const t = agentPr([
      { kind: 'opened', at: at(0), draft: false },
      { kind: 'closed', at: at(60), merged: false },
      { kind: 'reopened', at: at(120) },
      review(150, 'bob', 'approved'),
      { kind: 'closed', at: at(200), merged: true },
    ]);
    expect(pullRequestState(t)).toBe('merged');
    expect(timeToFirstReview(t)).toEqual({ status: 'done', seconds: 150 * 60 });
    expect(timeToMerge(t)).toEqual({ status: 'done', seconds: 200 * 60 });
    const closedOnly = agentPr(t.events.slice(0, 2));
    expect(pullRequestState(closedOnly)).toBe('closed');
    expect(pullRequestState(agentPr(t.events.slice(0, 3)))).toBe('open');
  });
});

describe('review rounds', () => {
  it('counts changes-requested → push cycles, one per push, ignoring bots and unanswered requests', () => {
    const t = agentPr([
      { kind: 'opened', at: at(0), draft: false },
      review(10, 'bob', 'changes_requested'),
      review(11, 'carol', 'changes_requested'),
      push(20, 'a2'),
      push(21, 'a3'),
      review(30, 'lint[bot]', 'changes_requested', { reviewerKind: 'bot' }),
      push(40, 'a4'),
      review(50, 'bob', 'changes_requested'),
      push(60, 'a5', { rewroteHistory: true }),
      review(70, 'bob', 'changes_requested'),
    ]);
    expect(reviewRounds(t)).toBe(2);
  });
});

describe('pushes after first review and human rework', () => {
  it('splits pushes after the first human review by pusher, from commit attribution or the sender', () => {
    const t = agentPr([
      { kind: 'opened', at: at(0), draft: false },
      push(5, 'a1'), // before the first review
      review(10, 'bob', 'changes_requested'),
      push(20, 'a2', { agentCommits: 2, humanCommits: 0 }),
      push(30, 'a3', { senderLogin: 'alice', senderType: 'User', agentCommits: 0, humanCommits: 1 }),
      push(40, 'a4', { senderLogin: 'alice', senderType: 'User' }), // human of record, unattributed
      push(50, 'a5', { senderLogin: 'mallory', senderType: 'User' }), // unknown
      push(60, 'a6', { agentCommits: 1, humanCommits: 2 }), // mixed
    ]);
    expect(pushesAfterFirstReview(t)).toEqual({ agent: 2, human: 3, unknown: 1 });
    expect(humanRework(t)).toEqual({ needed: true, pushes: 3, commits: 1 + 1 + 2 });
  });

  it('is zero before any review and null rework for human PRs', () => {
    const t = agentPr([{ kind: 'opened', at: at(0), draft: false }, push(5, 'a1', { agentCommits: 1, humanCommits: 0 })]);
    expect(pushesAfterFirstReview(t)).toEqual({ agent: 0, human: 0, unknown: 0 });
    expect(humanRework(t)).toEqual({ needed: false, pushes: 0, commits: 0 });
    expect(humanRework({ ...t, authorClass: 'human', agent: null })).toBeNull();
  });

  it('counts a force-push like any push', () => {
    const t = agentPr([
      { kind: 'opened', at: at(0), draft: false },
      review(10, 'bob', 'changes_requested'),
      push(20, 'b1', { rewroteHistory: true, agentCommits: 3, humanCommits: 0 }),
    ]);
    expect(pushesAfterFirstReview(t).agent).toBe(1);
    expect(reviewRounds(t)).toBe(1);
  });
});

describe('qualifying approvals, overrides and merged without qualifying approval', () => {
  const evaluation = (minutes: number, extra: Partial<Extract<TimelineEvent, { kind: 'evaluation' }>>): TimelineEvent => ({
    kind: 'evaluation',
    at: at(minutes),
    conclusion: 'action_required',
    gateSatisfied: false,
    failingRules: ['security-review'],
    qualifyingApprovals: [],
    ...extra,
  });

  it('uses the gate-counted approvals when a rule applied', () => {
    const t = agentPr([
      { kind: 'opened', at: at(0), draft: false },
      evaluation(1, {}),
      review(10, 'alice', 'approved'), // human of record: not counted by the gate
      review(20, 'bob', 'approved'),
      evaluation(21, {
        conclusion: 'success',
        gateSatisfied: true,
        failingRules: [],
        qualifyingApprovals: [{ login: 'bob', submittedAt: at(20) }],
      }),
      { kind: 'closed', at: at(30), merged: true },
    ]);
    expect(firstQualifyingApprovalAt(t)).toBe(at(20));
    expect(mergedWithoutQualifyingApproval(t)).toBe(false);
    expect(summarizePullRequest(t).gateSatisfiedAt).toBe(at(21));
    expect(reviewerRelation(t, 'bob')).toBe('required_reviewer');
    expect(reviewerRelation(t, 'alice')).toBe('human_of_record');
    expect(reviewerRelation(t, 'zed')).toBe('other');
  });

  it('counts a merge with only the requester approving (gate unsatisfied, overridden) as without qualifying approval', () => {
    const t = agentPr([
      { kind: 'opened', at: at(0), draft: false },
      evaluation(1, {}),
      review(10, 'alice', 'approved'),
      { kind: 'override', at: at(12), login: 'platform-lead' },
      evaluation(13, { conclusion: 'success', gateSatisfied: true, failingRules: [] }),
      { kind: 'closed', at: at(30), merged: true },
    ]);
    const s = summarizePullRequest(t);
    expect(s.overridden).toBe(true);
    expect(s.mergedWithoutQualifyingApproval).toBe(true);
    expect(s.mergedWithoutReview).toBe(false);
  });

  it('falls back to an independent, non-dismissed approval when no rule applied', () => {
    const t: PullRequestTimeline = {
      ...agentPr([]),
      authorLogin: 'dave',
      authorClass: 'human',
      agent: null,
      humanOfRecord: null,
      events: [
        { kind: 'opened', at: at(0), draft: false },
        evaluation(1, { conclusion: 'success', gateSatisfied: true, failingRules: [] }),
        review(5, 'erin', 'approved', { dismissedAt: at(6) }),
        review(8, 'frank', 'approved'),
        { kind: 'closed', at: at(9), merged: true },
      ],
    };
    expect(firstQualifyingApprovalAt(t)).toBe(at(8));
    expect(mergedWithoutQualifyingApproval(t)).toBe(false);
  });
});

describe('duplicates and ordering', () => {
  it('de-duplicates redelivered events and sorts unordered input', () => {
    const r = review(10, 'bob', 'changes_requested');
    const p = push(20, 'a2');
    const events: TimelineEvent[] = [
      p,
      r,
      { kind: 'opened', at: at(0), draft: false },
      r,
      p,
      { ...p },
      { kind: 'opened', at: at(0), draft: false },
    ];
    expect(normalizeEvents(events).map((e) => e.kind)).toEqual(['opened', 'review', 'push']);
    expect(reviewRounds(agentPr(events))).toBe(1);
    expect(timeToFirstReview(agentPr(events))).toEqual({ status: 'done', seconds: 600 });
  });
  it('keeps the dismissal when the same review arrives twice', () => {
    const r = review(10, 'bob', 'approved') as Extract<TimelineEvent, { kind: 'review' }>;
    const out = normalizeEvents([r, { ...r, dismissedAt: at(12) }]);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ dismissedAt: at(12) });
  });
});

describe('reverts', () => {
  it('parses GitHub revert PRs of the same repository only', () => {
    expect(parseRevertPullRequest('acme/api', 'Revert "Add retries"', 'Reverts acme/api#12', 'revert-12-copilot/retries')).toEqual({
      revertedNumber: 12,
      revertedTitle: 'Add retries',
      source: 'pr_body',
    });
    expect(parseRevertPullRequest('acme/api', 'Revert "Add retries"', 'Reverts other/repo#12', 'fix')).toEqual({
      revertedNumber: null,
      revertedTitle: 'Add retries',
      source: 'pr_title',
    });
    expect(parseRevertPullRequest('acme/api', 'Fix retries', 'No reference', 'fix')).toBeNull();
    expect(parseRevertPullRequest('acme/api', 'Revert "x"', null, 'revert-44-x')).toEqual({
      revertedNumber: 44,
      revertedTitle: 'x',
      source: 'pr_branch',
    });
  });
  it('parses revert commit messages', () => {
    expect(parseRevertedCommits('Revert "x"\n\nThis reverts commit 0123456789abcdef0123456789ABCDEF01234567.')).toEqual([
      '0123456789abcdef0123456789abcdef01234567',
    ]);
    expect(parseRevertedCommits('nothing here')).toEqual([]);
  });
  it('applies the 7/30-day windows and leaves open windows out', () => {
    const merged = '2026-03-01T00:00:00.000Z';
    const now = new Date('2026-04-15T00:00:00Z');
    expect(revertedWithin(merged, '2026-03-05T00:00:00Z', 7, now)).toBe('reverted');
    expect(revertedWithin(merged, '2026-03-20T00:00:00Z', 7, now)).toBe('not_reverted');
    expect(revertedWithin(merged, '2026-03-20T00:00:00Z', 30, now)).toBe('reverted');
    expect(revertedWithin(merged, null, 30, new Date('2026-03-10T00:00:00Z'))).toBe('window_open');
    expect(revertedWithin(merged, '2026-03-02T00:00:00Z', 30, new Date('2026-03-10T00:00:00Z'))).toBe('reverted');
  });
});

describe('highest sensitive group', () => {
  it('ranks built-in groups over custom ones and dependencies last', () => {
    expect(highestSensitiveGroup([])).toBe('none');
    expect(highestSensitiveGroup(['dependencies', 'ci', 'secrets'])).toBe('secrets');
    expect(highestSensitiveGroup(['dependencies', 'infra', 'auth'])).toBe('auth');
    expect(highestSensitiveGroup(['dependencies'])).toBe('dependencies');
  });
});
