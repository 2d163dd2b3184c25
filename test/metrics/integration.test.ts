/**
 * Replays realistic delivery sequences (real payload shapes from @octokit/webhooks-examples) through the
 * app-facing API (`createMetrics` → recordDelivery, queueEvaluation and the metrics pass), then asserts the stored rows, the
 * `/metrics` output and the report — on SQLite and on PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMetrics, type Metrics } from '../../src/metrics/index.js';
import type { DeliveryRecord, EvaluationRecord } from '../../src/metrics/sink.js';
import { buildReport } from '../../src/metrics/report.js';
import { formatReport } from '../../src/cli/report.js';
import {
  BACKENDS,
  createTestDatabase,
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

const TOKEN = 'scrape-token-123';

describe.each(BACKENDS)('integration on %s', (backend) => {
  let database: TestDatabase;
  let metrics: Metrics;
  /** What the app does with an evaluation: its job queues it, the metrics pass stores it and recomputes the PR. */
  async function evaluate(e: EvaluationRecord): Promise<void> {
    await metrics.queueEvaluation(e);
    await metrics.recomputeStale();
  }
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    database = await createTestDatabase(backend);
    metrics = await createMetrics({ databaseUrl: database.url, metricsToken: TOKEN, logger: silentLogger });
    server = http.createServer((req, res) => {
      void Promise.resolve(metrics.httpHandler(req, res)).then((handled) => {
        if (!handled) res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  /**
   * What the job of a delivery that leads to no gate evaluation does (issue 7's pipeline): the delivery was
   * recorded raw before the acknowledgement; the job recomputes the PR's figures once.
   */
  async function deliver(d: DeliveryRecord): Promise<'recorded' | 'duplicate'> {
    const status = await metrics.recordDelivery(d);
    const p = d.payload as { repository: { full_name: string }; pull_request?: { number: number } };
    if (p.pull_request) await metrics.recomputePullRequest(p.repository.full_name, p.pull_request.number);
    else await metrics.recomputeStale();
    return status;
  }

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await metrics?.close();
    await database?.drop();
  });

  // PR #7 by the Copilot coding agent, on behalf of alice.
  const agentPr: PrShape = {
    number: 7,
    author: 'Copilot',
    authorType: 'Bot',
    title: 'Retry webhook deliveries',
    createdAt: t(0),
    headRef: 'copilot/retry-deliveries',
    headSha: 'a'.repeat(40),
  };
  const sha2 = 'b'.repeat(40);
  const merge7 = 'c'.repeat(40);

  it('records opened → review requested → changes requested → agent push → approval → merged', async () => {
    const opened = pullRequestDelivery('opened', agentPr);
    expect(await metrics.recordDelivery(opened)).toBe('recorded');
    await evaluate(
      evaluation({
        pullNumber: 7,
        headSha: agentPr.headSha,
        evaluatedAt: new Date(t(1)),
        commits: [{ sha: agentPr.headSha, agent: true, authorLogin: 'Copilot', committedAt: t(0) }],
      }),
    );
    expect(await deliver(pullRequestDelivery('review_requested', { ...agentPr, updatedAt: t(2) }))).toBe('recorded');
    const changes = reviewDelivery(
      'submitted',
      { ...agentPr, updatedAt: t(60) },
      { id: 701, reviewer: 'bob', state: 'changes_requested', submittedAt: t(60) },
    );
    expect(await deliver(changes)).toBe('recorded');
    // A redelivery of the same webhook changes nothing.
    expect(await metrics.recordDelivery({ ...changes, receivedAt: new Date(t(61)) })).toBe('duplicate');
    // A review bot and the agent itself comment: excluded from the latencies.
    await deliver(
      reviewDelivery(
        'submitted',
        { ...agentPr, updatedAt: t(30) },
        { id: 700, reviewer: 'copilot-pull-request-reviewer[bot]', reviewerType: 'Bot', state: 'commented', submittedAt: t(30) },
      ),
    );
    const pushed = { ...agentPr, headSha: sha2, updatedAt: t(90) };
    await metrics.recordDelivery(
      pullRequestDelivery('synchronize', pushed, { sender: 'Copilot', senderType: 'Bot', before: agentPr.headSha, after: sha2 }),
    );
    await evaluate(
      evaluation({
        pullNumber: 7,
        headSha: sha2,
        evaluatedAt: new Date(t(91)),
        commits: [
          { sha: agentPr.headSha, agent: true, authorLogin: 'Copilot', committedAt: t(0) },
          { sha: sha2, agent: true, authorLogin: 'Copilot', committedAt: t(89) },
        ],
      }),
    );
    await deliver(
      reviewDelivery('submitted', { ...pushed, updatedAt: t(120) }, { id: 702, reviewer: 'bob', state: 'approved', submittedAt: t(120) }),
    );
    await evaluate(
      evaluation({
        pullNumber: 7,
        headSha: sha2,
        evaluatedAt: new Date(t(121)),
        conclusion: 'success',
        failingRules: [],
        gateSatisfied: true,
        qualifyingApprovals: [{ login: 'bob', submittedAt: t(120) }],
        commits: [
          { sha: agentPr.headSha, agent: true, authorLogin: 'Copilot', committedAt: t(0) },
          { sha: sha2, agent: true, authorLogin: 'Copilot', committedAt: t(89) },
        ],
      }),
    );
    const mergedShape = { ...pushed, merged: true, mergedAt: t(150), updatedAt: t(150), mergeCommitSha: merge7 };
    // Recording the delivery stores it pending, with its derived facts: the PR row is untouched (not merged yet)
    // until its job applies the facts and recomputes.
    const closed = pullRequestDelivery('closed', mergedShape, { sender: 'alice' });
    await metrics.recordDelivery(closed);
    const raw = await metrics.db
      .selectFrom('pull_requests')
      .select(['state', 'merged_at'])
      .where('number', '=', 7)
      .executeTakeFirstOrThrow();
    expect(raw).toEqual({ state: 'open', merged_at: null });
    const pending = await metrics.db
      .selectFrom('deliveries')
      .select(['pull_number', 'applied', 'facts'])
      .where('id', '=', closed.id)
      .executeTakeFirstOrThrow();
    expect(pending).toMatchObject({ pull_number: 7, applied: 0 });
    expect(JSON.parse(pending.facts!)).toMatchObject({
      event: 'pull_request',
      action: 'closed',
      lifecycle: { type: 'closed', merged: true },
    });
    await metrics.recomputePullRequest(REPO, 7);
    expect(
      await metrics.db.selectFrom('deliveries').select(['applied', 'facts']).where('id', '=', closed.id).executeTakeFirstOrThrow(),
    ).toEqual({ applied: 1, facts: null });

    const pr = await metrics.db
      .selectFrom('pull_requests')
      .selectAll()
      .where('repository', '=', REPO)
      .where('number', '=', 7)
      .executeTakeFirstOrThrow();
    expect(pr).toMatchObject({
      author_login: 'Copilot',
      author_class: 'agent',
      agent: 'copilot',
      confidence: 'high',
      human_of_record: 'alice',
      sensitive_groups: '["ci"]',
      highest_sensitive_group: 'ci',
      changed_files: 1, // the latest payload's size (the closed PR) wins over the evaluation's
      state: 'merged',
      created_at: t(0),
      ready_at: t(0),
      first_human_review_at: t(60),
      first_approval_at: t(120),
      first_qualifying_approval_at: t(120),
      gate_satisfied_at: t(121),
      merged_at: t(150),
      closed_at: t(150),
      time_to_first_review_s: 3600,
      time_to_first_approval_s: 7200,
      time_to_merge_s: 9000,
      review_rounds: 1,
      agent_pushes_after_first_review: 1,
      human_pushes_after_first_review: 0,
      human_rework: 0,
      overridden: 0,
      merged_without_review: 0,
      merged_without_qualifying_approval: 0,
      merge_commit_sha: merge7,
      figures_stale: 0,
    });
    const reviews = await metrics.db
      .selectFrom('reviews')
      .select(['review_id', 'reviewer', 'reviewer_kind', 'state', 'relation'])
      .where('number', '=', 7)
      .orderBy('review_id')
      .execute();
    expect(reviews).toEqual([
      { review_id: '700', reviewer: 'copilot-pull-request-reviewer[bot]', reviewer_kind: 'bot', state: 'commented', relation: 'other' },
      { review_id: '701', reviewer: 'bob', reviewer_kind: 'human', state: 'changes_requested', relation: 'required_reviewer' },
      { review_id: '702', reviewer: 'bob', reviewer_kind: 'human', state: 'approved', relation: 'required_reviewer' },
    ]);
    const pushes = await metrics.db.selectFrom('pushes').selectAll().where('number', '=', 7).execute();
    expect(pushes).toEqual([
      {
        repository: REPO,
        number: 7,
        after_sha: sha2,
        before_sha: agentPr.headSha,
        pushed_at: t(90),
        sender_login: 'Copilot',
        sender_type: 'Bot',
        pushed_by: 'agent',
        commits_added: 1,
        agent_commits: 1,
        human_commits: 0,
        rewrote_history: 0,
        after_first_review: 1,
      },
    ]);
    const evaluations = await metrics.db
      .selectFrom('evaluations')
      .select(['conclusion', 'failing_rules', 'duration_ms'])
      .where('number', '=', 7)
      .orderBy('evaluated_at')
      .execute();
    expect(evaluations).toEqual([
      { conclusion: 'action_required', failing_rules: '["security-review"]', duration_ms: 42 },
      { conclusion: 'action_required', failing_rules: '["security-review"]', duration_ms: 42 },
      { conclusion: 'success', failing_rules: '[]', duration_ms: 42 },
    ]);
    const deliveries = await metrics.db.selectFrom('deliveries').select('id').execute();
    expect(deliveries).toHaveLength(7);
  });

  it('records a revert of the merged agent PR (GitHub revert PR), once even when the revert commit is pushed too', async () => {
    const revertPr: PrShape = {
      number: 8,
      author: 'carol',
      title: 'Revert "Retry webhook deliveries"',
      body: 'Reverts acme/api#7\n\nBroke staging.',
      createdAt: t(2 * 24 * 60),
      headRef: 'revert-7-copilot/retry-deliveries',
      headSha: 'd'.repeat(40),
    };
    await metrics.recordDelivery(pullRequestDelivery('opened', revertPr));
    await evaluate(
      evaluation({
        pullNumber: 8,
        headSha: revertPr.headSha,
        evaluatedAt: new Date(t(2 * 24 * 60 + 1)),
        authorship: {
          class: 'human',
          agent: null,
          confidence: null,
          humanOfRecord: null,
          agentCommitShare: 0,
          agentCommitShas: [],
          reasons: [],
        },
        sensitiveGroups: [],
        conclusion: 'success',
        failingRules: [],
        gateSatisfied: true,
        requiredReviewers: [],
      }),
    );
    await deliver(
      reviewDelivery(
        'submitted',
        { ...revertPr, updatedAt: t(2 * 24 * 60 + 30) },
        { id: 801, reviewer: 'bob', state: 'approved', submittedAt: t(2 * 24 * 60 + 30) },
      ),
    );
    const revertMerge = 'e'.repeat(40);
    const mergedAt = t(3 * 24 * 60 + 150);
    await deliver(pullRequestDelivery('closed', { ...revertPr, merged: true, mergedAt, updatedAt: mergedAt, mergeCommitSha: revertMerge }));
    await deliver(
      pushDelivery({
        branch: 'main',
        before: merge7,
        after: revertMerge,
        at: mergedAt,
        commits: [{ id: revertMerge, message: `Revert "Retry webhook deliveries"\n\nThis reverts commit ${merge7}.`, timestamp: mergedAt }],
      }),
    );
    const reverts = await metrics.store.listReverts();
    expect(reverts).toEqual([
      {
        repository: REPO,
        reverted_number: 7,
        reverting_number: 8,
        reverting_sha: revertMerge,
        detected_via: 'pr_body',
        reverted_merged_at: t(150),
        reverted_at: mergedAt,
        gap_s: 3 * 86_400,
      },
    ]);
  });

  it('serves the figures on /metrics behind the bearer token, without PR numbers or user names', async () => {
    metrics.observeDelivery('pull_request', 'processed');
    metrics.observeDelivery('pull_request', 'duplicate');
    metrics.observeGitHubRequest({ api: 'rest', kind: 'write', status: 201, installationId: 4242, remaining: 4987 });
    metrics.observeGitHubRequest({ api: 'graphql', kind: 'read', status: 200, installationId: 4242, remaining: 4990 });
    metrics.observeGraphqlCost(1);
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${base}/other`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(405);
    const head = await fetch(`${base}/metrics?x=1`, { method: 'HEAD', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const body = await res.text();
    const agent = 'repository="acme/api",author_class="agent",agent="copilot",sensitive_group="ci"';
    const human = 'repository="acme/api",author_class="human",agent="none",sensitive_group="none"';
    expect(body).toContain(`ai_review_time_to_first_review_seconds_sum{${agent}} 3600`);
    expect(body).toContain(`ai_review_time_to_first_review_seconds_count{${agent}} 1`);
    expect(body).toContain(`ai_review_time_to_first_review_seconds_bucket{le="3600",${agent}} 1`);
    expect(body).toContain(`ai_review_time_to_first_review_seconds_bucket{le="1800",${agent}} 0`);
    expect(body).toContain(`ai_review_time_to_first_approval_seconds_sum{${agent}} 7200`);
    expect(body).toContain(`ai_review_time_to_merge_seconds_sum{${agent}} 9000`);
    expect(body).toContain(`ai_review_time_to_first_review_seconds_sum{${human}} 1800`);
    expect(body).toContain(`ai_review_review_rounds_sum{${agent}} 1`);
    expect(body).toContain(`ai_review_reverts_total{${agent}} 1`);
    expect(body).toContain(
      `ai_review_gate_evaluations_total{repository="acme/api",author_class="agent",agent="copilot",sensitive_group="ci",conclusion="action_required"} 2`,
    );
    expect(body).toContain(
      `ai_review_gate_evaluations_total{repository="acme/api",author_class="agent",agent="copilot",sensitive_group="ci",conclusion="success"} 1`,
    );
    expect(body).toContain('ai_review_webhook_deliveries_total{event="pull_request",outcome="duplicate"} 1');
    expect(body).toContain('ai_review_github_requests_total{api="rest",kind="write",status="201"} 1');
    expect(body).toContain('ai_review_github_requests_total{api="graphql",kind="read",status="200"} 1');
    expect(body).toContain('ai_review_github_rate_limit_remaining{installation="4242",api="graphql"} 4990');
    expect(body).toContain('ai_review_graphql_points_total 1');
    expect(body).toContain('# TYPE ai_review_pull_requests_waiting_for_first_review gauge');
    expect(body).not.toMatch(/alice|bob|carol|Copilot"|number=|pull=/);
  });

  it('reports the figures per group', async () => {
    const prs = await metrics.store.listPullRequests({ repository: REPO });
    const reverts = await metrics.store.listReverts({ repository: REPO });
    const report = buildReport(prs, reverts, { now: new Date(t(60 * 24 * 60)), since: null, repository: REPO });
    expect(report.groups).toMatchObject([
      {
        group: 'human',
        authorClass: 'human',
        agent: null,
        prsOpened: 1,
        merged: 1,
        mergedShare: 1,
        closedWithoutMerge: 0,
        stillOpen: 0,
        openToMerge: { n: 1, median: 86_400 + 150 * 60, p90: 86_400 + 150 * 60 },
        openToClose: { n: 0, median: null, p90: null },
        timeToFirstReview: { n: 1, median: 1800, p90: 1800 },
        timeToMerge: { n: 1, median: 86_400 + 150 * 60, p90: 86_400 + 150 * 60 },
        mergedWithoutReview: 0,
        mergedWithoutQualifyingApproval: 0,
        medianReviewRounds: 0,
        humanReworkShare: null,
        overrideRate: 0,
        revertRate7d: 0,
        revertRate30d: 0,
      },
      {
        group: 'agent:copilot',
        authorClass: 'agent',
        agent: 'copilot',
        prsOpened: 1,
        merged: 1,
        mergedShare: 1,
        closedWithoutMerge: 0,
        stillOpen: 0,
        openToMerge: { n: 1, median: 9000, p90: 9000 },
        timeToFirstReview: { n: 1, median: 3600, p90: 3600 },
        timeToMerge: { n: 1, median: 9000, p90: 9000 },
        mergedWithoutReview: 0,
        mergedWithoutQualifyingApproval: 0,
        medianReviewRounds: 1,
        humanReworkShare: 0,
        overrideRate: 0,
        revertRate7d: 1,
        revertRate30d: 1,
      },
    ]);
    const table = formatReport(report, 'table');
    expect(table).toMatch(
      /agent:copilot\s+1\s+100\.0%\s+0\s+0\s+2h 30m\s+–\s+1h 00m\s+1h 00m\s+2h 30m\s+2h 30m\s+0\s+1\s+0\.0%\s+0\.0%\s+100\.0%\s+100\.0%/,
    );
    const csv = formatReport(report, 'csv').trim().split('\n');
    expect(csv[2]).toBe('agent:copilot,agent,copilot,1,1,1,0,0,1,9000,9000,0,,,1,3600,3600,1,9000,9000,0,0,1,0,0,1,1');
  });
});
