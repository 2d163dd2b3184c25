/**
 * The store suite, run unchanged against SQLite and a real PostgreSQL server (fresh schema per run).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { openStore } from '../../src/metrics/index.js';
import type { MetricsStore } from '../../src/metrics/store.js';
import {
  BACKENDS,
  createTestDatabase,
  deliveryId,
  evaluation,
  pullRequestDelivery,
  pushDelivery,
  REPO,
  reviewDelivery,
  silentLogger,
  t,
  type PrShape,
  type TestDatabase,
} from './helpers.js';

const human = {
  class: 'human' as const,
  agent: null,
  confidence: null,
  humanOfRecord: null,
  agentCommitShare: 0,
  agentCommitShas: [],
  reasons: [],
};

describe.each(BACKENDS)('store on %s', (backend) => {
  let database: TestDatabase;
  let store: MetricsStore;

  beforeAll(async () => {
    database = await createTestDatabase(backend);
    store = await openStore({ databaseUrl: database.url, logger: silentLogger });
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  const pr = (number: number) =>
    store.db.selectFrom('pull_requests').selectAll().where('repository', '=', REPO).where('number', '=', number).executeTakeFirstOrThrow();
  const pushesOf = (number: number) =>
    store.db
      .selectFrom('pushes')
      .select(['after_sha', 'pushed_by', 'commits_added', 'agent_commits', 'human_commits', 'rewrote_history', 'after_first_review'])
      .where('number', '=', number)
      .orderBy('pushed_at')
      .execute();

  it('runs the migrations once: opening the same database again is a no-op', async () => {
    if (backend === 'sqlite') return expect(store.dialect).toBe('sqlite');
    const again = await openStore({ databaseUrl: database.url, logger: silentLogger });
    const names = await again.db
      .selectFrom('ai_review_migrations' as never)
      .select('name' as never)
      .orderBy('name' as never)
      .execute();
    expect(names).toEqual([
      { name: '0001_initial' },
      { name: '0002_sha_indexes' },
      { name: '0003_review_load_and_pilot' },
      { name: '0004_pending_deliveries' },
      { name: '0005_pending_evaluations' },
    ]);
    await again.close();
  });

  it('is idempotent on the delivery id and records nothing twice', async () => {
    const shape: PrShape = { number: 1, author: 'dave', createdAt: t(0), headSha: '1'.repeat(40) };
    const d = pullRequestDelivery('opened', shape);
    expect((await store.recordDelivery(d)).status).toBe('recorded');
    expect((await store.recordDelivery(d)).status).toBe('duplicate');
    // Same event under another delivery id (GitHub redelivery gets the same id, but a replayed one may not).
    expect((await store.recordDelivery({ ...d, id: deliveryId() })).status).toBe('recorded');
    const events = await store.db.selectFrom('pr_events').select(['type', 'at']).where('number', '=', 1).execute();
    expect(events).toEqual([{ type: 'opened', at: t(0) }]);
    const e = evaluation({ pullNumber: 1, headSha: shape.headSha, evaluatedAt: new Date(t(1)), authorship: human });
    expect((await store.recordEvaluation(e)).status).toBe('recorded');
    expect((await store.recordEvaluation(e)).status).toBe('duplicate');
    expect(await store.db.selectFrom('evaluations').select('head_sha').where('number', '=', 1).execute()).toHaveLength(1);
  });

  it('queues an evaluation without the PR text its authorship reasons matched, and stores it at the next recomputation', async () => {
    const shape: PrShape = { number: 21, author: 'Copilot', authorType: 'Bot', createdAt: t(0), headSha: '2'.repeat(40) };
    await store.storeDeliveries([pullRequestDelivery('opened', shape)]);
    const e = evaluation({ pullNumber: 21, headSha: shape.headSha, evaluatedAt: new Date(t(1)) });
    const marker = 'MATCHED-PR-TEXT <script>';
    const withReasons = {
      ...e,
      authorship: { ...e.authorship, reasons: [{ signal: 'body_marker', value: marker, confidence: 'high' as const }] },
    };
    expect(await store.queueEvaluation(withReasons)).toBe('recorded');
    expect(await store.queueEvaluation(withReasons)).toBe('duplicate');
    const pending = await store.db.selectFrom('pending_evaluations').select(['number', 'record']).where('number', '=', 21).execute();
    expect(pending).toHaveLength(1);
    expect(pending[0]!.record).not.toContain('MATCHED-PR-TEXT');
    await store.recomputePullRequest(REPO, 21);
    expect(await store.db.selectFrom('pending_evaluations').selectAll().where('number', '=', 21).execute()).toEqual([]);
    expect(await store.db.selectFrom('evaluations').select(['head_sha', 'conclusion']).where('number', '=', 21).execute()).toEqual([
      { head_sha: shape.headSha, conclusion: e.conclusion },
    ]);
    const row = await store.db
      .selectFrom('pull_requests')
      .select(['author_class', 'agent', 'confidence', 'human_of_record', 'figures_stale'])
      .where('number', '=', 21)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      author_class: e.authorship.class,
      agent: e.authorship.agent,
      confidence: e.authorship.confidence,
      human_of_record: e.authorship.humanOfRecord,
      figures_stale: 0,
    });
  });

  it('passes over a pull request it cannot store: the others are stored, it stays pending and is logged', async () => {
    const own = await createTestDatabase(backend);
    const lines: string[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => void lines.push(line) });
    const passing = await openStore({ databaseUrl: own.url, logger });
    try {
      for (const number of [41, 42, 43]) {
        const shape: PrShape = { number, author: 'Copilot', authorType: 'Bot', createdAt: t(number), headSha: `${number}`.repeat(20) };
        await passing.storeDeliveries([pullRequestDelivery('opened', shape)]);
        if (number !== 42)
          await passing.queueEvaluation(evaluation({ pullNumber: number, headSha: shape.headSha, evaluatedAt: new Date(t(number + 1)) }));
      }
      // A pending row no recomputation can read (as a bug or a damaged row would leave it).
      await passing.db
        .insertInto('pending_evaluations')
        .values({ delivery_id: 'broken', repository: REPO, number: 42, head_sha: '42'.repeat(20), recorded_at: t(43), record: '{' })
        .execute();
      const result = await passing.recomputeStale();
      expect(result.recomputed).toBe(2);
      const stored = await passing.db.selectFrom('evaluations').select('number').orderBy('number').execute();
      expect(stored).toEqual([{ number: 41 }, { number: 43 }]);
      // PR 42's claim was rolled back: its evaluation and its delivery wait for the next pass.
      expect(await passing.db.selectFrom('pending_evaluations').select('number').execute()).toEqual([{ number: 42 }]);
      expect(await passing.db.selectFrom('deliveries').select('pull_number').where('applied', '=', 0).execute()).toEqual([
        { pull_number: 42 },
      ]);
      const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(logged).toEqual([
        expect.objectContaining({
          repository: REPO,
          pull_number: 42,
          msg: 'metrics pass: storing this pull request failed; left for the next pass',
        }),
      ]);
    } finally {
      await passing.close();
      await own.drop();
    }
  });

  it('records a delivery with an invalid payload without deriving anything', async () => {
    const res = await store.recordDelivery({
      id: deliveryId(),
      name: 'pull_request',
      payload: { action: 'opened', pull_request: { number: 'x' } },
      receivedAt: new Date(t(0)),
    });
    expect(res.status).toBe('recorded');
    expect(res.ignored).toMatch(/invalid pull_request payload/);
    const again = await store.recordDelivery({ id: deliveryId(), name: 'check_run', payload: null, receivedAt: new Date(t(0)) });
    expect(again.status).toBe('recorded');
  });

  it('takes ready-for-review from the draft lifecycle and ignores a review on the draft for the latency', async () => {
    const shape: PrShape = { number: 2, author: 'Copilot', authorType: 'Bot', draft: true, createdAt: t(0), headSha: '2'.repeat(40) };
    await store.recordDelivery(pullRequestDelivery('opened', shape));
    await store.recordDelivery(
      reviewDelivery('submitted', { ...shape, updatedAt: t(5) }, { id: 201, reviewer: 'bob', state: 'commented', submittedAt: t(5) }),
    );
    expect(await pr(2)).toMatchObject({ ready_at: null, draft: 1, first_human_review_at: null });
    expect(await store.waitingForFirstReview(new Date(t(10)))).not.toContainEqual(
      expect.objectContaining({ labels: expect.objectContaining({ author_class: 'unknown' }) }),
    );
    await store.recordDelivery(pullRequestDelivery('ready_for_review', { ...shape, draft: false, updatedAt: t(20) }));
    await store.recordDelivery(pullRequestDelivery('converted_to_draft', { ...shape, draft: true, updatedAt: t(25) }));
    await store.recordDelivery(pullRequestDelivery('ready_for_review', { ...shape, draft: false, updatedAt: t(30) }));
    expect(await pr(2)).toMatchObject({ ready_at: t(20), draft: 0, first_human_review_at: null });
    // PR #1 (human, opened ready, never reviewed) is waiting too.
    expect((await store.waitingForFirstReview(new Date(t(80)))).filter((g) => g.labels.author_class === 'unknown')).toEqual([
      { labels: { repository: REPO, author_class: 'unknown', agent: 'none', sensitive_group: 'none' }, count: 1, oldestWaitSeconds: 3600 },
    ]);
    const res = await store.recordDelivery(
      reviewDelivery(
        'submitted',
        { ...shape, draft: false, updatedAt: t(50) },
        { id: 202, reviewer: 'bob', state: 'approved', submittedAt: t(50) },
      ),
    );
    expect(res.transitions).toEqual([
      {
        kind: 'time_to_first_review',
        seconds: 1800,
        labels: { repository: REPO, author_class: 'unknown', agent: 'none', sensitive_group: 'none' },
      },
      {
        kind: 'time_to_first_approval',
        seconds: 1800,
        labels: { repository: REPO, author_class: 'unknown', agent: 'none', sensitive_group: 'none' },
      },
    ]);
    expect(await pr(2)).toMatchObject({ first_human_review_at: t(50), time_to_first_review_s: 1800 });
    expect((await store.waitingForFirstReview(new Date(t(80)))).filter((g) => g.labels.author_class === 'unknown')).toEqual([]);
  });

  it('keeps the submitted state when a review is dismissed', async () => {
    const shape: PrShape = { number: 3, author: 'dave', createdAt: t(0), headSha: '3'.repeat(40) };
    await store.recordDelivery(pullRequestDelivery('opened', shape));
    await store.recordDelivery(reviewDelivery('submitted', shape, { id: 301, reviewer: 'erin', state: 'approved', submittedAt: t(10) }));
    await store.recordDelivery(
      reviewDelivery('dismissed', { ...shape, updatedAt: t(20) }, { id: 301, reviewer: 'erin', state: 'dismissed', submittedAt: t(10) }),
    );
    const rows = await store.db.selectFrom('reviews').select(['state', 'dismissed_at']).where('number', '=', 3).execute();
    expect(rows).toEqual([{ state: 'approved', dismissed_at: t(20) }]);
    await store.recordDelivery(
      pullRequestDelivery('closed', { ...shape, merged: true, mergedAt: t(30), mergeCommitSha: 'f3'.padEnd(40, '0') }),
    );
    // No rule applied (never evaluated): the dismissed approval does not qualify.
    expect(await pr(3)).toMatchObject({ merged_without_review: 0, merged_without_qualifying_approval: 1, first_approval_at: t(10) });
  });

  it("tells pushes that rewrote history: from the push event's forced flag, or a before SHA gone from the PR commits", async () => {
    const shape: PrShape = {
      number: 4,
      author: 'Copilot',
      authorType: 'Bot',
      createdAt: t(0),
      headRef: 'copilot/x',
      headSha: '40'.padEnd(40, 'a'),
    };
    const c = (sha: string, agent = true) => ({ sha, agent, authorLogin: agent ? 'Copilot' : 'alice', committedAt: null });
    await store.recordDelivery(pullRequestDelivery('opened', shape));
    await store.recordEvaluation(
      evaluation({ pullNumber: 4, headSha: shape.headSha, evaluatedAt: new Date(t(1)), commits: [c(shape.headSha)] }),
    );
    // 1. forced push event first, then the synchronize.
    const forcedSha = '41'.padEnd(40, 'a');
    await store.recordDelivery(pushDelivery({ branch: 'copilot/x', before: shape.headSha, after: forcedSha, forced: true, at: t(10) }));
    await store.recordDelivery(
      pullRequestDelivery(
        'synchronize',
        { ...shape, headSha: forcedSha, updatedAt: t(10) },
        { before: shape.headSha, after: forcedSha, sender: 'Copilot', senderType: 'Bot' },
      ),
    );
    // 2. synchronize, then the evaluation whose commit list no longer has the before SHA (amended commit).
    const amended = '42'.padEnd(40, 'a');
    await store.recordDelivery(
      pullRequestDelivery(
        'synchronize',
        { ...shape, headSha: amended, updatedAt: t(20) },
        { before: forcedSha, after: amended, sender: 'Copilot', senderType: 'Bot' },
      ),
    );
    await store.recordEvaluation(evaluation({ pullNumber: 4, headSha: amended, evaluatedAt: new Date(t(21)), commits: [c(amended)] }));
    // 3. a fast-forward push stays a plain push; its push event arrives after the synchronize.
    const ff = '43'.padEnd(40, 'a');
    await store.recordDelivery(
      pullRequestDelivery(
        'synchronize',
        { ...shape, headSha: ff, updatedAt: t(30) },
        { before: amended, after: ff, sender: 'Copilot', senderType: 'Bot' },
      ),
    );
    await store.recordDelivery(pushDelivery({ branch: 'copilot/x', before: amended, after: ff, forced: false, at: t(30) }));
    await store.recordEvaluation(evaluation({ pullNumber: 4, headSha: ff, evaluatedAt: new Date(t(31)), commits: [c(amended), c(ff)] }));
    expect(await pushesOf(4)).toEqual([
      {
        after_sha: forcedSha,
        pushed_by: 'agent',
        commits_added: null,
        agent_commits: null,
        human_commits: null,
        rewrote_history: 1,
        after_first_review: 0,
      },
      {
        after_sha: amended,
        pushed_by: 'agent',
        commits_added: 1,
        agent_commits: 1,
        human_commits: 0,
        rewrote_history: 1,
        after_first_review: 0,
      },
      {
        after_sha: ff,
        pushed_by: 'agent',
        commits_added: 1,
        agent_commits: 1,
        human_commits: 0,
        rewrote_history: 0,
        after_first_review: 0,
      },
    ]);
  });

  it('records human rework on an agent PR from the commits the next evaluation attributes', async () => {
    const shape: PrShape = { number: 5, author: 'Copilot', authorType: 'Bot', createdAt: t(0), headSha: '50'.padEnd(40, 'b') };
    await store.recordDelivery(pullRequestDelivery('opened', shape));
    await store.recordEvaluation(
      evaluation({
        pullNumber: 5,
        headSha: shape.headSha,
        evaluatedAt: new Date(t(1)),
        commits: [{ sha: shape.headSha, agent: true, authorLogin: 'Copilot', committedAt: null }],
      }),
    );
    await store.recordDelivery(
      reviewDelivery(
        'submitted',
        { ...shape, updatedAt: t(10) },
        { id: 501, reviewer: 'bob', state: 'changes_requested', submittedAt: t(10) },
      ),
    );
    const fix = '51'.padEnd(40, 'b');
    // The evaluation arrives before the synchronize delivery (another replica was faster).
    await store.recordEvaluation(
      evaluation({
        pullNumber: 5,
        headSha: fix,
        evaluatedAt: new Date(t(21)),
        commits: [
          { sha: shape.headSha, agent: true, authorLogin: 'Copilot', committedAt: null },
          { sha: fix, agent: false, authorLogin: 'alice', committedAt: null },
        ],
      }),
    );
    await store.recordDelivery(
      pullRequestDelivery(
        'synchronize',
        { ...shape, headSha: fix, updatedAt: t(20) },
        { before: shape.headSha, after: fix, sender: 'alice', senderType: 'User' },
      ),
    );
    expect(await pushesOf(5)).toEqual([
      {
        after_sha: fix,
        pushed_by: 'human',
        commits_added: 1,
        agent_commits: 0,
        human_commits: 1,
        rewrote_history: 0,
        after_first_review: 1,
      },
    ]);
    expect(await pr(5)).toMatchObject({
      human_rework: 1,
      human_rework_commits: 1,
      human_pushes_after_first_review: 1,
      agent_pushes_after_first_review: 0,
      review_rounds: 1,
    });
  });

  it('records a valid override once and a revert found through "This reverts commit" on the default branch', async () => {
    const shape: PrShape = { number: 6, author: 'Copilot', authorType: 'Bot', createdAt: t(0), headSha: '60'.padEnd(40, 'c') };
    await store.recordDelivery(pullRequestDelivery('opened', shape));
    const override = { login: 'lead', at: t(5) };
    const first = await store.recordEvaluation(
      evaluation({
        pullNumber: 6,
        headSha: shape.headSha,
        evaluatedAt: new Date(t(5)),
        conclusion: 'success',
        gateSatisfied: true,
        failingRules: ['security-review'],
        override,
      }),
    );
    const second = await store.recordEvaluation(
      evaluation({
        pullNumber: 6,
        headSha: shape.headSha,
        evaluatedAt: new Date(t(6)),
        conclusion: 'success',
        gateSatisfied: true,
        failingRules: ['security-review'],
        override,
      }),
    );
    expect(first.transitions.filter((x) => x.kind === 'override')).toHaveLength(1);
    expect(second.transitions.filter((x) => x.kind === 'override')).toHaveLength(0);
    const squash = '6f'.padEnd(40, 'c');
    const merged = await store.recordDelivery(
      pullRequestDelivery('closed', { ...shape, merged: true, mergedAt: t(10), mergeCommitSha: squash }),
    );
    expect(merged.transitions.map((x) => x.kind)).toEqual([
      'time_to_merge',
      'review_rounds',
      'merged_without_review',
      'merged_without_qualifying_approval',
    ]);
    expect(await pr(6)).toMatchObject({
      overridden: 1,
      merged_without_review: 1,
      merged_without_qualifying_approval: 1,
      time_to_first_review_s: null,
      gate_satisfied_at: t(5),
    });
    const revert = await store.recordDelivery(
      pushDelivery({
        branch: 'main',
        before: squash,
        after: '6e'.padEnd(40, 'c'),
        at: t(60 * 24 * 10),
        commits: [
          { id: '6e'.padEnd(40, 'c'), message: `Revert "x"\n\nThis reverts commit ${squash.slice(0, 12)}.`, timestamp: t(60 * 24 * 10) },
        ],
      }),
    );
    expect(revert.transitions.map((x) => x.kind)).toEqual(['revert']);
    // A revert pushed to another branch is not a revert of merged work.
    await store.recordDelivery(
      pushDelivery({
        branch: 'feature',
        before: squash,
        after: '6d'.padEnd(40, 'c'),
        at: t(60 * 24 * 11),
        commits: [{ id: '6d'.padEnd(40, 'c'), message: `This reverts commit ${squash}.`, timestamp: t(0) }],
      }),
    );
    const rows = await store.listReverts();
    expect(rows.filter((r) => r.reverted_number === 6)).toEqual([
      {
        repository: REPO,
        reverted_number: 6,
        reverting_number: null,
        reverting_sha: '6e'.padEnd(40, 'c'),
        detected_via: 'commit_message',
        reverted_merged_at: t(10),
        reverted_at: t(60 * 24 * 10),
        gap_s: 10 * 86_400 - 600,
      },
    ]);
  });

  it('stores and resumes a backfill cursor', async () => {
    expect(await store.getBackfillCursor('acme/web')).toBeNull();
    await store.setBackfillCursor('acme/web', t(0), '{"page":3}', false);
    await store.setBackfillCursor('acme/web', t(0), '{"page":4}', false);
    expect(await store.getBackfillCursor('acme/web')).toEqual({ since: t(0), cursor: '{"page":4}', completedAt: null });
  });
});

describe('two replicas on one PostgreSQL store', () => {
  let database: TestDatabase;
  let a: MetricsStore;
  let b: MetricsStore;
  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    a = await openStore({ databaseUrl: database.url, logger: silentLogger });
    b = await openStore({ databaseUrl: database.url, logger: silentLogger });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.drop();
  });

  it('store a delivery received by both at once exactly once', async () => {
    for (let i = 0; i < 10; i += 1) {
      const shape: PrShape = { number: 100 + i, author: 'dave', createdAt: t(i), headSha: String(i).padEnd(40, 'd') };
      const d = pullRequestDelivery('opened', shape);
      const results = await Promise.all([a.recordDelivery(d), b.recordDelivery(d)]);
      expect(results.map((r) => r.status).sort()).toEqual(['duplicate', 'recorded']);
      // Transitions (Prometheus observations) come from the one replica that recorded.
      expect(results.find((r) => r.status === 'duplicate')?.transitions).toEqual([]);
    }
    const deliveries = await a.db.selectFrom('deliveries').select('id').execute();
    const events = await a.db.selectFrom('pr_events').select(['number']).execute();
    expect(deliveries).toHaveLength(10);
    expect(events).toHaveLength(10);
  });

  it('do not lose updates when both record events of the same PR concurrently', async () => {
    const shape: PrShape = { number: 200, author: 'dave', createdAt: t(0), headSha: 'e'.repeat(40) };
    await a.recordDelivery(pullRequestDelivery('opened', shape));
    const r1 = reviewDelivery('submitted', shape, { id: 2001, reviewer: 'erin', state: 'changes_requested', submittedAt: t(10) });
    const p1 = pullRequestDelivery(
      'synchronize',
      { ...shape, headSha: 'f'.repeat(40), updatedAt: t(20) },
      { before: shape.headSha, after: 'f'.repeat(40) },
    );
    const merged = pullRequestDelivery('closed', { ...shape, merged: true, mergedAt: t(30), headSha: 'f'.repeat(40) });
    await Promise.all([a.recordDelivery(r1), b.recordDelivery(p1), a.recordDelivery(merged)]);
    const row = await a.db.selectFrom('pull_requests').selectAll().where('number', '=', 200).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ review_rounds: 1, time_to_first_review_s: 600, time_to_merge_s: 1800, state: 'merged' });
  });
});

describe('stores in two schemas of one PostgreSQL database', () => {
  it("each get their own tables (the Migrator does not take the other schema's migration table for its own)", async () => {
    const first = await createTestDatabase('postgres');
    const second = await createTestDatabase('postgres');
    try {
      const a = await openStore({ databaseUrl: first.url, logger: silentLogger });
      await a.recordDelivery(pullRequestDelivery('opened', { number: 1, author: 'dave', createdAt: t(0), headSha: '1'.repeat(40) }));
      await a.close();
      const b = await openStore({ databaseUrl: second.url, logger: silentLogger });
      expect(await b.listPullRequests()).toEqual([]);
      await b.close();
    } finally {
      await first.drop();
      await second.drop();
    }
  });
});
