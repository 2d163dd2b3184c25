/**
 * Backfill through a mocked GitHub Enterprise REST API (nock): stored rows, revert detection across PRs, and
 * resuming from the stored cursor after an interruption. Runs on SQLite and PostgreSQL.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { openStore } from '../../src/metrics/index.js';
import type { MetricsStore } from '../../src/metrics/store.js';
import { apiBaseUrl, backfillRepository, createOctokit } from '../../src/cli/backfill.js';
import { BACKENDS, createTestDatabase, silentLogger, type TestDatabase } from './helpers.js';

const API = 'http://ghe.test/api/v3';
const DAY = 86_400_000;
const NOW = Date.now();
const ago = (days: number, minutes = 0): string => new Date(NOW - days * DAY + minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

const copilot = { login: 'Copilot', id: 198982749, type: 'Bot' };
const alice = { login: 'alice', id: 11, type: 'User' };
const bob = { login: 'bob', id: 12, type: 'User' };

function pull(number: number, over: Record<string, unknown>): Record<string, unknown> {
  return {
    number,
    state: 'closed',
    title: `PR ${number}`,
    body: null,
    user: alice,
    draft: false,
    labels: [],
    assignees: [],
    head: { ref: `branch-${number}`, sha: `${number}`.padEnd(40, 'a') },
    base: { ref: 'main' },
    merged_at: null,
    closed_at: null,
    merge_commit_sha: null,
    additions: 10,
    deletions: 1,
    changed_files: 2,
    ...over,
  };
}

const commit = (sha: string, date: string, author: typeof alice | typeof copilot, email: string) => ({
  sha,
  commit: { message: 'change', author: { name: author.login, email, date }, committer: { name: author.login, email, date } },
  author,
  committer: author,
});

// #21: Copilot PR, opened as draft 20 days ago, ready 1 h later, changes requested, alice pushes a fix,
// bob approves, merged. #22: alice's GitHub revert of #21, 2 days later. #3: older than the window.
const pr21 = pull(21, {
  user: copilot,
  title: 'Add retries',
  body: 'Copilot coding agent tips: https://gh.io/copilot-coding-agent-tips',
  head: { ref: 'copilot/add-retries', sha: 'f21'.padEnd(40, '0') },
  created_at: ago(20),
  merged_at: ago(20, 300),
  closed_at: ago(20, 300),
  merge_commit_sha: 'm21'.padEnd(40, '0'),
});
const pr22 = pull(22, {
  title: 'Revert "Add retries"',
  body: 'Reverts acme/api#21',
  head: { ref: 'revert-21-copilot/add-retries', sha: 'r22'.padEnd(40, '0') },
  created_at: ago(18),
  merged_at: ago(18, 60),
  closed_at: ago(18, 60),
  merge_commit_sha: 'm22'.padEnd(40, '0'),
});
const pr3 = pull(3, { created_at: ago(200) });

function mockRepository(scope: nock.Scope, numbers: number[]): void {
  scope.get('/repos/acme/api').reply(200, { full_name: 'acme/api', default_branch: 'main' });
  // The repository's own config decides the authorship options; here there is none (built-in defaults).
  scope.get('/repos/acme/api/contents/.github%2Fai-review.yml').reply(404, { message: 'Not Found' });
  scope.get('/repos/acme/api/pulls').query(true).reply(200, [pr22, pr21, pr3]);
  const details: Record<number, { pull: unknown; commits: unknown[]; reviews: unknown[]; timeline: unknown[] }> = {
    21: {
      pull: pr21,
      commits: [
        commit('c21a'.padEnd(40, '0'), ago(20, -5), copilot, '198982749+Copilot@users.noreply.github.com'),
        commit('c21b'.padEnd(40, '0'), ago(20, 150), alice, 'alice@example.com'),
        commit('f21'.padEnd(40, '0'), ago(20, 151), alice, 'alice@example.com'),
      ],
      reviews: [
        { id: 9001, user: bob, state: 'CHANGES_REQUESTED', submitted_at: ago(20, 120), commit_id: 'c21a'.padEnd(40, '0') },
        { id: 9002, user: bob, state: 'APPROVED', submitted_at: ago(20, 240), commit_id: 'f21'.padEnd(40, '0') },
      ],
      timeline: [
        { event: 'ready_for_review', created_at: ago(20, 60), actor: copilot },
        { event: 'review_requested', created_at: ago(20, 61), actor: alice, requested_reviewer: bob },
        { event: 'review_requested', created_at: ago(20, 61), actor: alice, requested_team: { slug: 'security', name: 'Security' } },
        { event: 'merged', created_at: ago(20, 300), actor: bob },
        { event: 'closed', created_at: ago(20, 300), actor: bob },
      ],
    },
    22: {
      pull: pr22,
      commits: [commit('r22'.padEnd(40, '0'), ago(18, -1), alice, 'alice@example.com')],
      reviews: [{ id: 9003, user: bob, state: 'APPROVED', submitted_at: ago(18, 30), commit_id: 'r22'.padEnd(40, '0') }],
      timeline: [{ event: 'merged', created_at: ago(18, 60), actor: alice }],
    },
  };
  for (const n of numbers) {
    const d = details[n];
    if (!d) continue;
    scope
      .get(`/repos/acme/api/pulls/${n}/files`)
      .query(true)
      .reply(
        200,
        n === 21 ? [{ filename: '.github/workflows/ci.yml', status: 'modified' }] : [{ filename: 'src/app.ts', status: 'modified' }],
      );
    scope.get(`/repos/acme/api/pulls/${n}`).reply(200, d.pull as nock.Body);
    scope
      .get(`/repos/acme/api/pulls/${n}/commits`)
      .query(true)
      .reply(200, d.commits as nock.Body);
    scope
      .get(`/repos/acme/api/pulls/${n}/reviews`)
      .query(true)
      .reply(200, d.reviews as nock.Body);
    scope
      .get(`/repos/acme/api/issues/${n}/timeline`)
      .query(true)
      .reply(200, d.timeline as nock.Body);
  }
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
    nock.cleanAll();
  });
  afterAll(async () => {
    nock.enableNetConnect();
    await store?.close();
    await database?.drop();
  });

  it('resumes after an interruption and stores the PRs with their reviews, pushes and revert', async () => {
    const octokit = createOctokit('test-token', API, log);
    // First run: #21 succeeds, #22's timeline fails (after the retries) → the run stops with #21 in the cursor.
    const first = nock(API);
    mockRepository(first, [21]);
    first.get('/repos/acme/api/pulls/22').reply(200, pr22 as nock.Body);
    first.get('/repos/acme/api/pulls/22/commits').query(true).reply(200, []);
    first.get('/repos/acme/api/pulls/22/reviews').query(true).reply(200, []);
    first.get('/repos/acme/api/pulls/22/files').query(true).reply(200, []);
    first.get('/repos/acme/api/issues/22/timeline').query(true).reply(403, { message: 'Resource not accessible by integration' });
    await expect(backfillRepository(octokit, store, 'acme/api', new Date(NOW - 90 * DAY), log)).rejects.toThrow();
    expect(await store.getBackfillCursor('acme/api')).toMatchObject({ cursor: '{"lastNumber":21}', completedAt: null });

    nock.cleanAll();
    // Second run resumes after #21.
    const second = nock(API);
    mockRepository(second, [22]);
    const result = await backfillRepository(octokit, store, 'acme/api', new Date(NOW - 90 * DAY), log);
    expect(result).toEqual({ listed: 2, processed: 1, skipped: 1, resumedAfter: 21 });
    expect(second.isDone()).toBe(true);
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
  let database: TestDatabase;
  let store: MetricsStore;

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
    database = await createTestDatabase('sqlite');
    store = await openStore({ databaseUrl: database.url, logger: silentLogger });
  });
  afterAll(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    await store?.close();
    await database?.drop();
  });

  it("classifies with the custom agents of the repository's .github/ai-review.yml", async () => {
    const pr5 = pull(5, { head: { ref: 'acme-agent/fix-typo', sha: 'a5'.padEnd(40, '0') }, created_at: ago(3), state: 'open' });
    const scope = nock(API);
    scope.get('/repos/acme/tools').reply(200, { full_name: 'acme/tools', default_branch: 'main' });
    scope
      .get('/repos/acme/tools/contents/.github%2Fai-review.yml')
      .reply(
        200,
        'agents:\n  custom:\n    - name: acme-agent\n      branch_prefixes: ["acme-agent/"]\npaths:\n  infra: ["terraform/**"]\n',
        {
          'content-type': 'application/vnd.github.raw; charset=utf-8',
        },
      );
    scope.get('/repos/acme/tools/pulls').query(true).reply(200, [pr5]);
    scope.get('/repos/acme/tools/pulls/5').reply(200, pr5 as nock.Body);
    scope
      .get('/repos/acme/tools/pulls/5/commits')
      .query(true)
      .reply(200, [commit('a5'.padEnd(40, '0'), ago(3), alice, 'alice@example.com')]);
    scope.get('/repos/acme/tools/pulls/5/reviews').query(true).reply(200, []);
    scope.get('/repos/acme/tools/issues/5/timeline').query(true).reply(200, []);
    scope
      .get('/repos/acme/tools/pulls/5/files')
      .query(true)
      .reply(200, [{ filename: 'terraform/main.tf', status: 'added' }]);
    const result = await backfillRepository(
      createOctokit('test-token', API, () => {}),
      store,
      'acme/tools',
      new Date(Date.now() - 30 * DAY),
      () => {},
    );
    expect(result.processed).toBe(1);
    expect(scope.isDone()).toBe(true);
    const row = await store.db
      .selectFrom('pull_requests')
      .select(['author_class', 'agent', 'confidence', 'sensitive_groups', 'state'])
      .where('repository', '=', 'acme/tools')
      .where('number', '=', 5)
      .executeTakeFirstOrThrow();
    // The repository's own path group `infra` marks the PR sensitive, as the app would.
    expect(row).toEqual({ author_class: 'agent', agent: 'acme-agent', confidence: 'low', sensitive_groups: '["infra"]', state: 'open' });
  });
});

describe('backfill from a GitHub-compatible server without the timeline and files endpoints', () => {
  let database: TestDatabase;
  let store: MetricsStore;

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
    database = await createTestDatabase('sqlite');
    store = await openStore({ databaseUrl: database.url, logger: silentLogger });
  });
  afterAll(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    await store?.close();
    await database?.drop();
  });

  it('records outcomes and times from the pull requests themselves', async () => {
    const closed = pull(7, { created_at: ago(5), closed_at: ago(4), state: 'closed' });
    const reopened = pull(8, { created_at: ago(5), closed_at: null, state: 'open', updated_at: ago(1) });
    const scope = nock(API);
    scope.get('/repos/acme/compat').reply(200, { full_name: 'acme/compat', default_branch: 'main' });
    scope.get('/repos/acme/compat/contents/.github%2Fai-review.yml').reply(403, { message: 'Resource not accessible by integration' });
    scope.get('/repos/acme/compat/pulls').query(true).reply(200, [reopened, closed]);
    for (const p of [closed, reopened]) {
      const n = p.number as number;
      scope.get(`/repos/acme/compat/pulls/${n}`).reply(200, p as nock.Body);
      scope.get(`/repos/acme/compat/pulls/${n}/commits`).query(true).reply(200, []);
      scope.get(`/repos/acme/compat/pulls/${n}/reviews`).query(true).reply(200, []);
      scope.get(`/repos/acme/compat/pulls/${n}/files`).query(true).reply(404, { message: 'Not Found' });
    }
    scope.get('/repos/acme/compat/issues/7/timeline').query(true).reply(404, { message: 'Not Found' });
    // #8's timeline ends with a close: the reopen is missing, yet the PR says it is open.
    scope
      .get('/repos/acme/compat/issues/8/timeline')
      .query(true)
      .reply(200, [{ event: 'closed', created_at: ago(3), actor: alice }]);
    const lines: string[] = [];
    const result = await backfillRepository(
      createOctokit('t', API, () => {}),
      store,
      'acme/compat',
      new Date(NOW - 30 * DAY),
      (l) => {
        lines.push(l);
      },
    );
    expect(result.processed).toBe(2);
    expect(scope.isDone()).toBe(true);
    expect(lines).toContain('acme/compat: the timeline answered HTTP 404; recording PRs without it');
    expect(lines.filter((l) => l.includes('list of changed files'))).toHaveLength(1);
    const rows = await store.listPullRequests({ repository: 'acme/compat' });
    expect(rows.map((r) => [r.number, r.state, r.created_at, r.closed_at])).toEqual([
      [7, 'closed', new Date(ago(5)).toISOString(), new Date(ago(4)).toISOString()],
      [8, 'open', new Date(ago(5)).toISOString(), null],
    ]);
  });
});
