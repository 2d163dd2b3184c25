/**
 * Backfill through a GitHub Enterprise Server that validates every GraphQL query against GitHub's published schema
 * (test/github/graphql/fake-github.ts): stored rows, revert detection across PRs, resuming from the stored cursor after
 * an interruption, and the exact GraphQL queries, REST requests and points. Runs on SQLite and PostgreSQL.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { openStore } from '../../src/metrics/index.js';
import type { MetricsStore } from '../../src/metrics/store.js';
import { apiBaseUrl, backfillRepository, createOctokit } from '../../src/cli/backfill.js';
import { FakeGitHub, bot, user, type FakeCommit, type FakePullRequest, type FakeRepository } from '../github/graphql/fake-github.js';
import { BACKENDS, createTestDatabase, silentLogger, type TestDatabase } from './helpers.js';

const ORIGIN = 'http://ghe.test';
const API = `${ORIGIN}/api/v3`;
const DAY = 86_400_000;
const NOW = Date.now();
const ago = (days: number, minutes = 0): string => new Date(NOW - days * DAY + minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The Copilot coding agent as GraphQL returns it (REST login `Copilot`). */
const copilot = bot('copilot-swe-agent', 198982749);
const alice = user('alice', 11);
const bob = user('bob', 12);

function pull(number: number, over: Partial<FakePullRequest>): FakePullRequest {
  return {
    number,
    state: 'CLOSED',
    title: `PR ${number}`,
    author: alice,
    headRefName: `branch-${number}`,
    headRefOid: `${number}`.padEnd(40, 'a'),
    additions: 10,
    deletions: 1,
    changedFiles: 2,
    files: [],
    commits: [],
    ...over,
  };
}

const commit = (oid: string, date: string, who: typeof alice | null, email: string, name = who?.login ?? 'Copilot'): FakeCommit => ({
  oid,
  message: 'change',
  date,
  author: { name, email, user: who ? { login: who.login, databaseId: who.databaseId } : null },
});

/** A fake GitHub Enterprise Server holding `repositories`. */
function fakeGitHub(...repositories: FakeRepository[]): FakeGitHub {
  const github = new FakeGitHub({ origin: ORIGIN, enterprise: true });
  github.repositories.push(...repositories);
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  return github;
}

/** The operations of the GraphQL queries sent, in order, and the count of REST requests. */
const sent = (github: FakeGitHub) => ({
  graphql: github.graphqlRequests().map((r) => r.operation),
  rest: github.restRequests().length,
});

// #21: Copilot PR, opened as draft 20 days ago, ready 1 h later, changes requested, alice pushes a fix,
// bob approves, merged. #22: alice's GitHub revert of #21, 2 days later. #3: older than the window.
function apiRepository(): FakeRepository {
  const pr21 = pull(21, {
    author: copilot,
    title: 'Add retries',
    body: 'Copilot coding agent tips: https://gh.io/copilot-coding-agent-tips',
    headRefName: 'copilot/add-retries',
    headRefOid: 'f21'.padEnd(40, '0'),
    state: 'MERGED',
    createdAt: ago(20),
    mergedAt: ago(20, 300),
    closedAt: ago(20, 300),
    mergeCommit: 'm21'.padEnd(40, '0'),
    files: [{ path: '.github/workflows/ci.yml', changeType: 'MODIFIED' }],
    commits: [
      commit('c21a'.padEnd(40, '0'), ago(20, -5), null, '198982749+Copilot@users.noreply.github.com'),
      commit('c21b'.padEnd(40, '0'), ago(20, 150), alice, 'alice@example.com'),
      commit('f21'.padEnd(40, '0'), ago(20, 151), alice, 'alice@example.com'),
    ],
    reviews: [
      { id: 9001, author: bob, state: 'CHANGES_REQUESTED', submittedAt: ago(20, 120), commit: 'c21a'.padEnd(40, '0') },
      { id: 9002, author: bob, state: 'APPROVED', submittedAt: ago(20, 240), commit: 'f21'.padEnd(40, '0') },
    ],
    timeline: [
      { __typename: 'ReadyForReviewEvent', createdAt: ago(20, 60), actor: copilot },
      { __typename: 'ReviewRequestedEvent', createdAt: ago(20, 61), actor: alice, reviewer: bob },
      { __typename: 'ReviewRequestedEvent', createdAt: ago(20, 61), actor: alice, reviewer: { __typename: 'Team', slug: 'security' } },
      { __typename: 'MergedEvent', createdAt: ago(20, 300), actor: bob },
      { __typename: 'ClosedEvent', createdAt: ago(20, 300), actor: bob },
    ],
  });
  const pr22 = pull(22, {
    title: 'Revert "Add retries"',
    body: 'Reverts acme/api#21',
    headRefName: 'revert-21-copilot/add-retries',
    headRefOid: 'r22'.padEnd(40, '0'),
    state: 'MERGED',
    createdAt: ago(18),
    mergedAt: ago(18, 60),
    closedAt: ago(18, 60),
    mergeCommit: 'm22'.padEnd(40, '0'),
    files: [{ path: 'src/app.ts', changeType: 'MODIFIED' }],
    commits: [commit('r22'.padEnd(40, '0'), ago(18, -1), alice, 'alice@example.com')],
    reviews: [{ id: 9003, author: bob, state: 'APPROVED', submittedAt: ago(18, 30), commit: 'r22'.padEnd(40, '0') }],
    // More labels than one page holds: the PR's labels are paged on their own.
    labels: Array.from({ length: 101 }, (_, i) => `label-${i}`),
    timeline: [{ __typename: 'MergedEvent', createdAt: ago(18, 60), actor: alice }],
  });
  return { owner: 'acme', name: 'api', files: {}, pulls: [pr22, pull(3, { createdAt: ago(200) }), pr21] };
}

/** A new SQLite store for a describe block (opened before its tests, dropped after); the fake GitHub is reset after each test. */
function sqliteStore(): { store: MetricsStore } {
  const out = {} as { store: MetricsStore };
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    out.store = await openStore({ databaseUrl: database.url, logger: silentLogger });
  });
  afterEach(() => FakeGitHub.cleanup());
  afterAll(async () => {
    await out.store?.close();
    await database?.drop();
  });
  return out;
}

describe('apiBaseUrl', () => {
  it('prefers GITHUB_API_URL, then GHE_HOST, then api.github.com', () => {
    expect(apiBaseUrl({ GITHUB_API_URL: 'https://ghe.example.com/api/v3/' })).toBe('https://ghe.example.com/api/v3');
    expect(apiBaseUrl({ GHE_HOST: 'ghe.example.com', GHE_PROTOCOL: 'http' })).toBe('http://ghe.example.com/api/v3');
    expect(apiBaseUrl({})).toBe('https://api.github.com');
  });
});

describe.each(BACKENDS)('backfill on %s', (backend) => {
  let database: TestDatabase;
  let store: MetricsStore;
  const lines: string[] = [];
  const log = (l: string): void => {
    lines.push(l);
  };

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
    database = await createTestDatabase(backend);
    store = await openStore({ databaseUrl: database.url, logger: silentLogger });
  });
  afterEach(() => {
    FakeGitHub.cleanup();
  });
  afterAll(async () => {
    nock.enableNetConnect();
    await store?.close();
    await database?.drop();
  });

  it('resumes after an interruption and stores the PRs with their reviews, pushes and revert', async () => {
    const octokit = createOctokit('test-token', API, log);
    // First run: #21 is recorded; the second page of #22's labels is refused → the run stops with #21 in the cursor.
    const github = fakeGitHub(apiRepository());
    github.failWhen = (operation, variables) =>
      operation === 'BackfillPullRequestPages' && variables.number === 22
        ? { type: 'FORBIDDEN', message: 'Resource not accessible by integration' }
        : null;
    await expect(backfillRepository(octokit, store, 'acme/api', new Date(NOW - 90 * DAY), log)).rejects.toThrow(
      'GitHub GraphQL answered FORBIDDEN',
    );
    expect(github.invalid).toEqual([]);
    expect(sent(github)).toEqual({ graphql: ['BackfillPullRequestList', 'BackfillPullRequests', 'BackfillPullRequestPages'], rest: 0 });
    // Both PRs of the window in one query, oldest first, with the timeline types the metrics derive from.
    expect(github.graphqlRequests()[1]?.variables).toEqual({
      owner: 'acme',
      name: 'api',
      n0: 21,
      n1: 22,
      timelineTypes: [
        'READY_FOR_REVIEW_EVENT',
        'CONVERT_TO_DRAFT_EVENT',
        'REVIEW_REQUESTED_EVENT',
        'REVIEW_REQUEST_REMOVED_EVENT',
        'CLOSED_EVENT',
        'REOPENED_EVENT',
        'HEAD_REF_FORCE_PUSHED_EVENT',
        'REVIEW_DISMISSED_EVENT',
        'ASSIGNED_EVENT',
      ],
    });
    expect(await store.getBackfillCursor('acme/api')).toMatchObject({ cursor: '{"lastNumber":21}', completedAt: null });
    FakeGitHub.cleanup();

    // Second run resumes after #21: only #22 is read, and its labels' second page.
    const again = fakeGitHub(apiRepository());
    const result = await backfillRepository(octokit, store, 'acme/api', new Date(NOW - 90 * DAY), log);
    expect(again.invalid).toEqual([]);
    expect(result).toMatchObject({ listed: 2, processed: 1, skipped: 1, resumedAfter: 21 });
    expect(result.usage).toMatchObject({ graphqlQueries: 3, restRequests: 0, cost: 3 });
    expect(sent(again)).toEqual({ graphql: ['BackfillPullRequestList', 'BackfillPullRequests', 'BackfillPullRequestPages'], rest: 0 });
    expect(again.graphqlRequests()[1]?.variables).toMatchObject({ n0: 22 });
    expect(again.graphqlRequests()[2]?.variables).toEqual({ owner: 'acme', name: 'api', number: 22, labelsAfter: expect.any(String) });
    expect(lines).toContain('resuming after #21: 1 of 2 PRs left');
    expect(lines.some((l) => l.startsWith('[1/1] acme/api#22 merged human'))).toBe(true);
    expect((await store.getBackfillCursor('acme/api'))?.completedAt).not.toBeNull();

    const rows = await store.listPullRequests({ repository: 'acme/api' });
    expect(rows.map((r) => r.number)).toEqual([21, 22]);
    expect(rows[0]).toMatchObject({
      author_class: 'agent',
      agent: 'copilot',
      ready_at: ago(20, 60).replace('Z', '.000Z'),
      time_to_first_review_s: 3600,
      time_to_first_approval_s: 3 * 3600,
      time_to_merge_s: 4 * 3600,
      review_rounds: 1,
      human_rework: 1,
      human_rework_commits: 2,
      human_pushes_after_first_review: 1,
      merged_without_review: 0,
      changed_files: 2,
      sensitive_groups: '["ci"]',
      highest_sensitive_group: 'ci',
      task_type: 'other',
      figures_stale: 0,
    });
    // Review requests from the timeline: bob answered with his first review (59 min later), the team with the same.
    expect(
      await store.db
        .selectFrom('review_request_spans')
        .select(['reviewer', 'outcome', 'seconds_to_review'])
        .where('number', '=', 21)
        .orderBy('reviewer')
        .execute(),
    ).toEqual([
      { reviewer: '@acme/security', outcome: 'reviewed', seconds_to_review: 59 * 60 },
      { reviewer: 'bob', outcome: 'reviewed', seconds_to_review: 59 * 60 },
    ]);
    const pushes = await store.db
      .selectFrom('pushes')
      .select(['after_sha', 'before_sha', 'pushed_by', 'commits_added'])
      .where('number', '=', 21)
      .execute();
    expect(pushes).toEqual([
      { after_sha: 'f21'.padEnd(40, '0'), before_sha: 'c21a'.padEnd(40, '0'), pushed_by: 'human', commits_added: 2 },
    ]);
    expect(await store.listReverts()).toEqual([
      expect.objectContaining({ reverted_number: 21, reverting_number: 22, detected_via: 'pr_body', gap_s: 2 * 86_400 - 240 * 60 }),
    ]);
    // No gate evaluation is invented by a backfill.
    expect(await store.db.selectFrom('evaluations').select('head_sha').execute()).toEqual([]);
  });
});

describe('backfill reads the repository config', () => {
  const stores = sqliteStore();
  let store: MetricsStore;
  beforeAll(() => {
    store = stores.store;
  });

  it("classifies with the custom agents of the repository's .github/ai-review.yml", async () => {
    const pr5 = pull(5, {
      headRefName: 'acme-agent/fix-typo',
      headRefOid: 'a5'.padEnd(40, '0'),
      createdAt: ago(3),
      state: 'OPEN',
      commits: [commit('a5'.padEnd(40, '0'), ago(3), alice, 'alice@example.com')],
      files: [{ path: 'terraform/main.tf', changeType: 'ADDED' }],
    });
    const github = fakeGitHub({
      owner: 'acme',
      name: 'tools',
      files: {
        '.github/ai-review.yml':
          'agents:\n  custom:\n    - name: acme-agent\n      branch_prefixes: ["acme-agent/"]\npaths:\n  infra: ["terraform/**"]\n',
      },
      pulls: [pr5],
    });
    const result = await backfillRepository(
      createOctokit('test-token', API, () => {}),
      store,
      'acme/tools',
      new Date(Date.now() - 30 * DAY),
      () => {},
    );
    expect(result.processed).toBe(1);
    expect(github.invalid).toEqual([]);
    // The config comes with the list of PRs: one query for the list, one for the PR, nothing through REST.
    expect(sent(github)).toEqual({ graphql: ['BackfillPullRequestList', 'BackfillPullRequests'], rest: 0 });
    const row = await store.db
      .selectFrom('pull_requests')
      .select(['author_class', 'agent', 'confidence', 'sensitive_groups', 'state'])
      .where('repository', '=', 'acme/tools')
      .where('number', '=', 5)
      .executeTakeFirstOrThrow();
    // The repository's own path group `infra` marks the PR sensitive, as the app would.
    expect(row).toEqual({ author_class: 'agent', agent: 'acme-agent', confidence: 'low', sensitive_groups: '["infra"]', state: 'open' });
  });

  it('reads the previous path of a renamed file from REST, so a move out of a sensitive directory counts', async () => {
    const pr6 = pull(6, {
      createdAt: ago(2),
      state: 'OPEN',
      commits: [commit('a6'.padEnd(40, '0'), ago(2), alice, 'alice@example.com')],
      files: [{ path: 'docs/main.tf', changeType: 'RENAMED', previousPath: 'terraform/main.tf' }],
    });
    const github = fakeGitHub({
      owner: 'acme',
      name: 'infra',
      files: { '.github/ai-review.yml': 'paths:\n  infra: ["terraform/**"]\n' },
      pulls: [pr6],
    });
    await backfillRepository(
      createOctokit('test-token', API, () => {}),
      store,
      'acme/infra',
      new Date(Date.now() - 30 * DAY),
      () => {},
    );
    expect(github.invalid).toEqual([]);
    expect(sent(github)).toEqual({ graphql: ['BackfillPullRequestList', 'BackfillPullRequests'], rest: 1 });
    expect(github.restRequests()[0]?.path).toBe('/api/v3/repos/acme/infra/pulls/6/files?per_page=100&page=1');
    const row = await store.db
      .selectFrom('pull_requests')
      .select(['sensitive_groups'])
      .where('repository', '=', 'acme/infra')
      .executeTakeFirstOrThrow();
    expect(row.sensitive_groups).toBe('["infra"]');
  });
});

describe('backfill of PRs whose timeline lacks their close or reopen', () => {
  const stores = sqliteStore();
  let store: MetricsStore;
  beforeAll(() => {
    store = stores.store;
  });

  it('records outcomes and times from the pull requests themselves', async () => {
    const closed = pull(7, { createdAt: ago(5), closedAt: ago(4), state: 'CLOSED' });
    // #8's timeline ends with a close: the reopen is missing, yet the PR says it is open.
    const reopened = pull(8, {
      createdAt: ago(5),
      closedAt: null,
      state: 'OPEN',
      updatedAt: ago(1),
      timeline: [{ __typename: 'ClosedEvent', createdAt: ago(3), actor: alice }],
    });
    const github = fakeGitHub({ owner: 'acme', name: 'compat', files: {}, pulls: [reopened, closed] });
    const result = await backfillRepository(
      createOctokit('t', API, () => {}),
      store,
      'acme/compat',
      new Date(NOW - 30 * DAY),
      () => {},
    );
    expect(result.processed).toBe(2);
    expect(github.invalid).toEqual([]);
    const rows = await store.listPullRequests({ repository: 'acme/compat' });
    expect(rows.map((r) => [r.number, r.state, r.created_at, r.closed_at])).toEqual([
      [7, 'closed', new Date(ago(5)).toISOString(), new Date(ago(4)).toISOString()],
      [8, 'open', new Date(ago(5)).toISOString(), null],
    ]);
  });
});

describe('backfill of 250 PRs in 2 repositories', () => {
  const stores = sqliteStore();
  let store: MetricsStore;
  beforeAll(() => {
    store = stores.store;
  });

  it('costs 20 GraphQL queries, 20 points (0.08 per PR) and no REST request', async () => {
    // Each PR as a typical agent PR is: a few commits, a review, a few timeline events, a few files.
    const repository = (name: string, count: number): FakeRepository => ({
      owner: 'acme',
      name,
      files: {},
      pulls: Array.from({ length: count }, (_, i) =>
        pull(i + 1, {
          author: i % 2 === 0 ? copilot : alice,
          state: 'MERGED',
          createdAt: ago(60 - i / 10),
          mergedAt: ago(60 - i / 10, 120),
          files: [
            { path: 'src/a.ts', changeType: 'MODIFIED' },
            { path: 'src/b.ts', changeType: 'ADDED' },
          ],
          commits: [1, 2, 3].map((c) => commit(`${i}-${c}`.padEnd(40, '0'), ago(60 - i / 10, c), alice, 'alice@example.com')),
          reviews: [
            { id: 10_000 + i, author: bob, state: 'APPROVED', submittedAt: ago(60 - i / 10, 60), commit: `${i}-3`.padEnd(40, '0') },
          ],
          timeline: [
            { __typename: 'ReviewRequestedEvent', createdAt: ago(60 - i / 10, 10), actor: alice, reviewer: bob },
            { __typename: 'ClosedEvent', createdAt: ago(60 - i / 10, 120), actor: bob },
          ],
        }),
      ),
    });
    const github = fakeGitHub(repository('one', 150), repository('two', 100));
    const octokit = createOctokit('test-token', API, () => {});
    const since = new Date(NOW - 90 * DAY);
    const one = await backfillRepository(octokit, store, 'acme/one', since, () => {});
    const two = await backfillRepository(octokit, store, 'acme/two', since, () => {});
    expect(github.invalid).toEqual([]);
    expect([one.processed, two.processed]).toEqual([150, 100]);
    // acme/one: 2 pages of the list (100 + 50), 10 queries of 16 PRs; acme/two: 1 page, 7 queries.
    const operations = github.graphqlRequests().map((r) => r.operation);
    expect(operations.filter((o) => o === 'BackfillPullRequestList')).toHaveLength(3);
    expect(operations.filter((o) => o === 'BackfillPullRequests')).toHaveLength(17);
    expect(operations).toHaveLength(20);
    expect(github.restRequests()).toEqual([]);
    // By GitHub's formula every query is 1 point (16 PRs × 6 connections = 96 requests): 20 points, 0.08 per PR.
    expect(github.graphqlRequests().map((r) => r.cost)).toEqual(Array(20).fill(1));
    expect(one.usage.cost + two.usage.cost).toBe(20);
    expect((one.usage.cost + two.usage.cost) / 250).toBeLessThan(0.1);
    const rows = await store.listPullRequests();
    expect(rows).toHaveLength(250);
    expect(rows.filter((r) => r.author_class === 'agent')).toHaveLength(125);
    expect(rows.every((r) => r.state === 'merged')).toBe(true);
  });
});
