/**
 * Review load and the pilot's verdict: the definitions on event sequences (review requests answered, removed
 * before an answer, to teams, re-requested, on drafts; rules in advisory and enforce mode, overrides), then the
 * same figures through the store on SQLite and PostgreSQL, the report's sections and the team gauge.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  reviewRequestSpans,
  ruleOutcomes,
  summarizePullRequest,
  taskType,
  type PullRequestTimeline,
  type TimelineEvent,
} from '../../src/metrics/definitions.js';
import { buildReport, isoWeek, parseSince } from '../../src/metrics/report.js';
import type { EvaluationRecord } from '../../src/metrics/sink.js';
import { createMetrics, type Metrics } from '../../src/metrics/index.js';
import { formatReport, loadReport } from '../../src/cli/report.js';
import {
  BACKENDS,
  createTestDatabase,
  evaluation,
  pullRequestDelivery,
  REPO,
  reviewDelivery,
  silentLogger,
  t,
  type PrShape,
  type TestDatabase,
} from './helpers.js';

const at = (minutes: number): string => t(minutes);
let reviewId = 1;
const review = (minutes: number, reviewer: string, kind: 'human' | 'bot' | 'author' = 'human'): TimelineEvent => ({
  kind: 'review',
  at: at(minutes),
  reviewId: reviewId++,
  reviewer,
  reviewerKind: kind,
  state: 'commented',
  dismissedAt: null,
});
const requested = (minutes: number, reviewer: string): TimelineEvent => ({
  kind: 'review_requested',
  at: at(minutes),
  reviewer,
  reviewerType: reviewer.startsWith('@') ? 'team' : 'user',
});
const removed = (minutes: number, reviewer: string): TimelineEvent => ({
  kind: 'review_request_removed',
  at: at(minutes),
  reviewer,
  reviewerType: reviewer.startsWith('@') ? 'team' : 'user',
});
const timeline = (events: TimelineEvent[]): PullRequestTimeline => ({
  repository: REPO,
  number: 1,
  authorLogin: 'Copilot',
  authorClass: 'agent',
  agent: 'copilot',
  humanOfRecord: 'alice',
  requiredReviewers: [],
  events,
});

describe('reviewRequestSpans', () => {
  it('ends a request at the requested user’s first review, at its removal, or at the close; a re-request starts a new span', () => {
    const spans = reviewRequestSpans(
      timeline([
        { kind: 'opened', at: at(0), draft: true },
        requested(1, 'dave'), // on the draft: counts as a request
        review(5, 'bob'), // a review before bob was requested answers nothing
        requested(10, 'Bob'),
        requested(12, 'bob'), // requested again while pending: same span
        requested(10, 'carol'),
        removed(20, 'carol'), // removed before she answered
        review(25, 'carol'),
        review(40, 'bob'),
        requested(50, 'bob'), // "re-request review"
        { kind: 'closed', at: at(70), merged: false },
      ]),
    );
    expect(spans).toEqual([
      { reviewer: 'dave', reviewerType: 'user', requestedAt: at(1), outcome: 'closed', endedAt: at(70), secondsToReview: null },
      { reviewer: 'Bob', reviewerType: 'user', requestedAt: at(10), outcome: 'reviewed', endedAt: at(40), secondsToReview: 1800 },
      { reviewer: 'carol', reviewerType: 'user', requestedAt: at(10), outcome: 'removed', endedAt: at(20), secondsToReview: null },
      { reviewer: 'bob', reviewerType: 'user', requestedAt: at(50), outcome: 'closed', endedAt: at(70), secondsToReview: null },
    ]);
  });

  it('answers a team request with the first independent human review (not the author, not a bot) and leaves others open', () => {
    const spans = reviewRequestSpans(
      timeline([
        { kind: 'opened', at: at(0), draft: false },
        requested(5, '@acme/security'),
        requested(5, 'erin'),
        review(6, 'Copilot', 'author'),
        review(7, 'coderabbitai[bot]', 'bot'),
        review(30, 'frank'),
      ]),
    );
    expect(spans).toEqual([
      { reviewer: '@acme/security', reviewerType: 'team', requestedAt: at(5), outcome: 'reviewed', endedAt: at(30), secondsToReview: 1500 },
      { reviewer: 'erin', reviewerType: 'user', requestedAt: at(5), outcome: 'open', endedAt: null, secondsToReview: null },
    ]);
  });
});

describe('ruleOutcomes', () => {
  const ev = (minutes: number, rules: Array<[string, 'advisory' | 'enforce', boolean]> | null, overridden = false): TimelineEvent => ({
    kind: 'evaluation',
    at: at(minutes),
    conclusion: 'neutral',
    gateSatisfied: rules?.every((r) => r[2]) ?? true,
    failingRules: (rules ?? []).filter((r) => !r[2]).map((r) => r[0]),
    qualifyingApprovals: [],
    rules: rules?.map(([name, mode, holds]) => ({ name, mode, holds })) ?? null,
    overridden,
  });

  it('records per rule and mode: applied, blocked without override, first held, merged while not holding', () => {
    const outcomes = ruleOutcomes(
      timeline([
        { kind: 'opened', at: at(0), draft: true },
        ev(1, [['security-review', 'advisory', false]]), // before ready: blocks, counts
        { kind: 'ready_for_review', at: at(10) },
        ev(11, null), // an evaluation that recorded no rules is left out
        ev(40, [
          ['security-review', 'advisory', true],
          ['two-approvals', 'enforce', false],
        ]),
        ev(50, [['two-approvals', 'enforce', false]], true), // overridden: would not block
        { kind: 'closed', at: at(60), merged: true },
        ev(61, [['two-approvals', 'enforce', true]]), // after the merge: not the state at merge
      ]),
    );
    expect(outcomes).toEqual([
      {
        rule: 'security-review',
        mode: 'advisory',
        firstAppliedAt: at(1),
        blocked: true,
        firstHeldAt: at(40),
        mergedWhileNotHolding: false,
        readyToHoldSeconds: 1800,
      },
      {
        rule: 'two-approvals',
        mode: 'enforce',
        firstAppliedAt: at(40),
        blocked: true,
        firstHeldAt: at(61),
        mergedWhileNotHolding: true,
        readyToHoldSeconds: 51 * 60,
      },
    ]);
  });

  it('keeps advisory and enforce apart when a rule changes mode, and counts only the rule at the last evaluation before merge', () => {
    const outcomes = ruleOutcomes(
      timeline([
        { kind: 'opened', at: at(0), draft: false },
        ev(1, [['r', 'advisory', false]]),
        ev(2, [['r', 'enforce', false]], true),
        { kind: 'closed', at: at(3), merged: true },
      ]),
    );
    expect(outcomes.map((o) => [o.mode, o.blocked, o.mergedWhileNotHolding])).toEqual([
      ['advisory', true, false],
      ['enforce', false, true],
    ]);
    expect(summarizePullRequest(timeline([{ kind: 'opened', at: at(0), draft: false }, ev(2, null)])).firstEvaluatedAt).toBe(at(2));
  });
});

describe('task type, ISO week and --since', () => {
  it('takes the conventional-commit type of the title', () => {
    expect(taskType('feat(api)!: add retries')).toBe('feat');
    expect(taskType('Fix: typo')).toBe('fix');
    expect(taskType('[WIP] docs: explain the gate')).toBe('docs');
    expect(taskType('Revert "feat: add retries"')).toBe('revert');
    expect(taskType('Add retries')).toBe('other');
    expect(taskType('feature: x')).toBe('other');
    expect(taskType(null)).toBe('other');
  });

  it('names ISO weeks across year ends', () => {
    expect(isoWeek('2026-01-01T12:00:00Z')).toBe('2026-W01');
    expect(isoWeek('2021-01-03T23:59:00Z')).toBe('2020-W53');
    expect(isoWeek('2024-12-30T00:00:00Z')).toBe('2025-W01');
    expect(isoWeek('2026-03-02T10:00:00Z')).toBe('2026-W10');
  });

  it('accepts a duration or a date', () => {
    const now = new Date('2026-06-30T00:00:00Z');
    expect(parseSince('30d', now).toISOString()).toBe('2026-05-31T00:00:00.000Z');
    expect(parseSince('2026-01-31', now).toISOString()).toBe('2026-01-31T00:00:00.000Z');
    expect(() => parseSince('2027-01-01', now)).toThrow('in the future');
    expect(() => parseSince('yesterday', now)).toThrow('invalid --since "yesterday"');
  });
});

describe.each(BACKENDS)('review load, rules and overrides through the store on %s', (backend) => {
  let database: TestDatabase;
  let metrics: Metrics;
  /** What the app does with an evaluation: its job queues it, the metrics pass stores it and recomputes the PR. */
  async function evaluate(e: EvaluationRecord): Promise<void> {
    await metrics.queueEvaluation(e);
    await metrics.recomputeStale();
  }
  const NOW = new Date(t(24 * 60));

  beforeAll(async () => {
    database = await createTestDatabase(backend);
    metrics = await createMetrics({ databaseUrl: database.url, metricsToken: 'x', logger: silentLogger });
  });
  afterAll(async () => {
    await metrics?.close();
    await database?.drop();
  });

  const agentPr: PrShape = {
    number: 11,
    author: 'Copilot',
    authorType: 'Bot',
    title: 'feat: retries',
    createdAt: t(0),
    headSha: 'a'.repeat(40),
  };
  const humanPr: PrShape = { number: 12, author: 'dave', title: 'fix(api): timeout', createdAt: t(5), headSha: 'b'.repeat(40) };

  it('stores review requests and derives spans, the reviewers section and the team gauge', async () => {
    const job = async (d: Parameters<Metrics['recordDelivery']>[0], number: number): Promise<void> => {
      await metrics.recordDelivery(d);
      await metrics.recomputePullRequest(REPO, number);
    };
    await job(pullRequestDelivery('opened', agentPr), 11);
    await evaluate(evaluation({ pullNumber: 11, headSha: agentPr.headSha, evaluatedAt: new Date(t(1)) }));
    await job(pullRequestDelivery('review_requested', { ...agentPr, updatedAt: t(2) }, { requested: 'bob' }), 11);
    await job(pullRequestDelivery('review_requested', { ...agentPr, updatedAt: t(2) }, { requested: 'team:security' }), 11);
    await job(pullRequestDelivery('review_requested', { ...agentPr, updatedAt: t(3) }, { requested: 'carol' }), 11);
    await job(pullRequestDelivery('review_request_removed', { ...agentPr, updatedAt: t(4) }, { requested: 'carol' }), 11);
    await job(
      reviewDelivery('submitted', { ...agentPr, updatedAt: t(62) }, { id: 1101, reviewer: 'bob', state: 'approved', submittedAt: t(62) }),
      11,
    );
    await job(pullRequestDelivery('opened', humanPr), 12);
    await job(pullRequestDelivery('review_requested', { ...humanPr, updatedAt: t(10) }, { requested: 'team:security' }), 12);
    await job(pullRequestDelivery('review_requested', { ...humanPr, updatedAt: t(10) }, { requested: 'bob' }), 12);

    const spans = await metrics.db
      .selectFrom('review_request_spans')
      .select(['number', 'reviewer', 'reviewer_type', 'outcome', 'seconds_to_review'])
      .orderBy('number')
      .orderBy('reviewer')
      .execute();
    expect(spans).toEqual([
      { number: 11, reviewer: '@acme/security', reviewer_type: 'team', outcome: 'reviewed', seconds_to_review: 3600 },
      { number: 11, reviewer: 'bob', reviewer_type: 'user', outcome: 'reviewed', seconds_to_review: 3600 },
      { number: 11, reviewer: 'carol', reviewer_type: 'user', outcome: 'removed', seconds_to_review: null },
      { number: 12, reviewer: '@acme/security', reviewer_type: 'team', outcome: 'open', seconds_to_review: null },
      { number: 12, reviewer: 'bob', reviewer_type: 'user', outcome: 'open', seconds_to_review: null },
    ]);
    expect(await metrics.store.openTeamReviewRequests(NOW)).toEqual([
      { team: '@acme/security', authorClass: 'unknown', count: 1, oldestWaitSeconds: (24 * 60 - 10) * 60 },
    ]);
    const body = await metrics.prometheus.registry.metrics();
    expect(body).toContain('ai_review_open_review_requests{team="@acme/security",author_class="unknown"} 1');
    expect(body).not.toMatch(/bob|carol/);

    const report = await loadReport(metrics.store, { now: NOW, since: new Date(t(-60)), repository: REPO, by: ['agent'] });
    expect(report.reviewers).toEqual([
      {
        reviewer: '@acme/security',
        type: 'team',
        requests: { agent: 1, unknown: 1 },
        reviewsGiven: { agent: 1 },
        requestToFirstReview: { n: 1, median: 3600, p90: 3600 },
        openNow: 1,
        oldestOpenWaitSeconds: (24 * 60 - 10) * 60,
      },
      {
        reviewer: 'bob',
        type: 'user',
        requests: { agent: 1, unknown: 1 },
        reviewsGiven: { agent: 1 },
        requestToFirstReview: { n: 1, median: 3600, p90: 3600 },
        openNow: 1,
        oldestOpenWaitSeconds: (24 * 60 - 10) * 60,
      },
      {
        reviewer: 'carol',
        type: 'user',
        requests: { agent: 1 },
        reviewsGiven: {},
        requestToFirstReview: { n: 0, median: null, p90: null },
        openNow: 0,
        oldestOpenWaitSeconds: null,
      },
    ]);
  });

  it('stores the rules, enforcement’s conclusion and the override of pilot evaluations, and reports them', async () => {
    const pr: PrShape = {
      number: 13,
      author: 'Copilot',
      authorType: 'Bot',
      title: 'docs: gate',
      createdAt: t(100),
      headSha: 'c'.repeat(40),
    };
    await metrics.recordDelivery(pullRequestDelivery('opened', pr));
    await evaluate(
      evaluation({
        pullNumber: 13,
        headSha: pr.headSha,
        evaluatedAt: new Date(t(101)),
        conclusion: 'neutral',
        enforceConclusion: 'action_required',
        rules: [{ name: 'security-review', mode: 'advisory', holds: false }],
      }),
    );
    const override = { login: 'lead', at: t(120), headSha: pr.headSha, reason: 'hotfix <b>now</b> | urgent', source: 'comment' as const };
    await evaluate(
      evaluation({
        pullNumber: 13,
        headSha: pr.headSha,
        evaluatedAt: new Date(t(121)),
        conclusion: 'success',
        gateSatisfied: true,
        enforceConclusion: 'success',
        rules: [{ name: 'security-review', mode: 'advisory', holds: false }],
        override,
      }),
    );
    await metrics.recordDelivery(pullRequestDelivery('closed', { ...pr, merged: true, mergedAt: t(130), updatedAt: t(130) }));
    await metrics.recomputePullRequest(REPO, 13);

    expect(
      await metrics.db
        .selectFrom('evaluations')
        .select(['enforce_conclusion', 'rules', 'overridden'])
        .where('number', '=', 13)
        .orderBy('evaluated_at')
        .execute(),
    ).toEqual([
      { enforce_conclusion: 'action_required', rules: '[{"name":"security-review","mode":"advisory","holds":false}]', overridden: 0 },
      { enforce_conclusion: 'success', rules: '[{"name":"security-review","mode":"advisory","holds":false}]', overridden: 1 },
    ]);
    const report = await loadReport(metrics.store, { now: NOW, since: new Date(t(-60)), repository: REPO, by: ['agent', 'task-type'] });
    expect(report.rules).toEqual([
      {
        rule: 'security-review',
        mode: 'advisory',
        prsApplied: 1,
        prsBlocked: 1,
        mergedWhileNotHolding: 1,
        readyToHold: { n: 0, median: null, p90: null },
      },
    ]);
    expect(report.overrides).toEqual([
      {
        repository: REPO,
        number: 13,
        login: 'lead',
        at: t(120),
        headSha: pr.headSha,
        reason: 'hotfix <b>now</b> | urgent',
        source: 'comment',
      },
    ]);
    // The override rate counts only PRs the gate evaluated: #12 never was, so the copilot docs group has 1/1.
    expect(report.groups.map((g) => [g.group, g.prsOpened, g.overrideRate])).toEqual([
      ['agent:copilot / docs', 1, 1],
      ['agent:copilot / feat', 1, 0],
      ['unknown / fix', 1, null],
    ]);
    const md = formatReport(report, 'markdown');
    expect(md).toContain(
      '| acme/api#13 | lead | 2026-03-02T12:00:00.000Z | cccccccccccc | comment | hotfix \\<b\\>now\\</b\\> \\| urgent |',
    );
  });
});

describe('buildReport breakdowns', () => {
  const row = (number: number, over: Record<string, unknown>) => ({
    repository: 'acme/api',
    number,
    author_class: 'agent',
    agent: 'codex',
    state: 'open',
    created_at: '2026-03-02T10:00:00.000Z',
    merged_at: null,
    closed_at: null,
    task_type: 'feat',
    first_evaluated_at: null,
    time_to_first_review_s: null,
    time_to_merge_s: null,
    review_rounds: 0,
    human_rework: 0,
    overridden: 0,
    merged_without_review: 0,
    merged_without_qualifying_approval: 0,
    ...over,
  });

  it('splits by author (assisted apart from agent), task type, repository and ISO week, with outcomes and cycle times from opening', () => {
    const prs = [
      row(1, { state: 'merged', merged_at: '2026-03-02T16:00:00.000Z' }),
      row(2, { state: 'closed', closed_at: '2026-03-04T10:00:00.000Z', created_at: '2026-03-03T10:00:00.000Z' }),
      row(3, { created_at: '2026-03-09T10:00:00.000Z' }),
      row(4, { author_class: 'assisted', agent: 'codex', state: 'merged', merged_at: '2026-03-02T12:00:00.000Z' }),
      row(5, {
        author_class: 'human',
        agent: null,
        repository: 'acme/web',
        task_type: 'docs',
        state: 'merged',
        merged_at: '2026-03-02T11:00:00.000Z',
      }),
    ];
    const byAgent = buildReport(prs, [], { now: new Date('2026-04-01T00:00:00Z'), since: null, repository: null });
    expect(byAgent.groups.map((g) => g.group)).toEqual(['human', 'agent:codex', 'assisted:codex']);
    expect(byAgent.groups[1]).toMatchObject({
      prsOpened: 3,
      merged: 1,
      closedWithoutMerge: 1,
      stillOpen: 1,
      openToMerge: { n: 1, median: 6 * 3600 },
      openToClose: { n: 1, median: 86_400 },
      humanReworkShare: 0,
    });
    expect(byAgent.groups[2]).toMatchObject({ authorClass: 'assisted', agent: 'codex', humanReworkShare: null });
    const byWeek = buildReport(prs, [], {
      now: new Date('2026-04-01T00:00:00Z'),
      since: null,
      repository: null,
      by: ['week', 'repository'],
    });
    expect(byWeek.groups.map((g) => [g.group, g.prsOpened])).toEqual([
      ['2026-W10 / acme/api', 3],
      ['2026-W10 / acme/web', 1],
      ['2026-W11 / acme/api', 1],
    ]);
    expect(byWeek.groups[0]?.dimensions).toEqual({ week: '2026-W10', repository: 'acme/api' });
    expect(formatReport(byWeek, 'csv').split('\n').slice(0, 2)).toEqual([
      expect.stringMatching(/^group,week,repository,author_class,agent,prs_opened,/),
      '2026-W10 / acme/api,2026-W10,acme/api,,,3,2,0.6666666666666666,1,0,2,14400,20160,1,86400,86400,0,,,0,,,0,0,0,,,0,',
    ]);
  });
});
