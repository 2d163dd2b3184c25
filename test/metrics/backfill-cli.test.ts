/**
 * `ai-review backfill` as a user runs it: several repositories of an app installation (app credentials, a
 * mocked GitHub Enterprise API through nock), interrupted by an API error and resumed; a server that never
 * answers (the run ends with one clear error within its timeout); usage errors.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import nock from 'nock';
import { register } from '../../src/cli/backfill.js';
import { CliError, UsageError } from '../../src/cli/errors.js';
import { openStore } from '../../src/metrics/index.js';
import { silentLogger } from './helpers.js';

const API = 'http://ghe.test/api/v3';
const NOW = Date.now();
const ago = (days: number, minutes = 0): string =>
  new Date(NOW - days * 86_400_000 + minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const copilot = { login: 'Copilot', id: 198982749, type: 'Bot' };
const alice = { login: 'alice', id: 11, type: 'User' };

let dir: string;
const saved = { ...process.env };
const stderr: string[] = [];
const originalWrite = process.stderr.write.bind(process.stderr);

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ai-review-backfill-'));
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  process.stderr.write = (chunk: string) => {
    stderr.push(String(chunk));
    return true;
  };
});
afterEach(() => {
  nock.cleanAll();
  process.env = { ...saved };
  stderr.length = 0;
});
afterAll(() => {
  process.stderr.write = originalWrite;
  nock.enableNetConnect();
  rmSync(dir, { recursive: true, force: true });
});

async function backfill(args: string[]): Promise<void> {
  const program = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
  register(program);
  await program.parseAsync(['node', 'ai-review', 'backfill', ...args]);
}

/** A PR opened `days` ago by Copilot or alice; merged an hour later when `merged`, else closed a day later. */
function pr(repo: string, number: number, days: number, byAgent: boolean, merged: boolean) {
  const pull = {
    number,
    state: 'closed',
    title: byAgent ? `feat: change ${number}` : `fix: change ${number}`,
    body: null,
    user: byAgent ? copilot : alice,
    draft: false,
    labels: [],
    assignees: [],
    head: { ref: byAgent ? `copilot/change-${number}` : `change-${number}`, sha: `${number}`.padEnd(40, 'a') },
    base: { ref: 'main' },
    created_at: ago(days),
    merged_at: merged ? ago(days, 60) : null,
    closed_at: merged ? ago(days, 60) : ago(days - 1),
    merge_commit_sha: merged ? `${number}`.padEnd(40, 'm') : null,
    additions: 3,
    deletions: 1,
    changed_files: 1,
  };
  const author = byAgent ? copilot : alice;
  return {
    repo,
    pull,
    commits: [
      {
        sha: pull.head.sha,
        commit: {
          message: 'change',
          author: { name: author.login, email: 'x@example.com', date: ago(days, -5) },
          committer: { name: author.login, email: 'x@example.com', date: ago(days, -5) },
        },
        author,
        committer: author,
      },
    ],
  };
}

function mockRepository(scope: nock.Scope, repo: string, prs: Array<ReturnType<typeof pr>>, failTimelineOf?: number): void {
  scope.get(`/repos/${repo}`).reply(200, { full_name: repo, default_branch: 'main' });
  scope.get(`/repos/${repo}/contents/.github%2Fai-review.yml`).reply(404, { message: 'Not Found' });
  scope
    .get(`/repos/${repo}/pulls`)
    .query(true)
    .reply(
      200,
      [...prs].reverse().map((p) => p.pull),
    );
  for (const p of prs) {
    const n = p.pull.number;
    scope.get(`/repos/${repo}/pulls/${n}`).reply(200, p.pull);
    scope.get(`/repos/${repo}/pulls/${n}/commits`).query(true).reply(200, p.commits);
    scope.get(`/repos/${repo}/pulls/${n}/reviews`).query(true).reply(200, []);
    scope
      .get(`/repos/${repo}/pulls/${n}/files`)
      .query(true)
      .reply(200, [{ filename: 'README.md', status: 'modified' }]);
    if (n === failTimelineOf) {
      scope.get(`/repos/${repo}/issues/${n}/timeline`).query(true).reply(403, { message: 'Resource not accessible by integration' });
      return; // the run stops in this repository here
    }
    scope.get(`/repos/${repo}/issues/${n}/timeline`).query(true).reply(200, []);
  }
}

describe('ai-review backfill --installation', () => {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const database = () => `sqlite:${path.join(dir, 'installation.sqlite')}`;
  const repos = {
    'acme/a': [pr('acme/a', 1, 10, true, true), pr('acme/a', 2, 9, false, true)],
    'acme/b': [pr('acme/b', 1, 8, true, false), pr('acme/b', 2, 7, true, true)],
    'acme/c': [pr('acme/c', 5, 6, false, false)],
  };
  const env = () => {
    process.env.APP_ID = '1234';
    process.env.PRIVATE_KEY = privateKey.replace(/\n/g, '\\n'); // as a one-line environment variable
    process.env.GITHUB_API_URL = API;
    process.env.DATABASE_URL = database();
    delete process.env.GITHUB_TOKEN;
  };
  const installation = (scope: nock.Scope): void => {
    scope.post('/app/installations/42/access_tokens').reply(201, {
      token: 'ghs_installation',
      expires_at: new Date(NOW + 3_600_000).toISOString(),
      permissions: {},
      repository_selection: 'all',
    });
    scope
      .get('/installation/repositories')
      .query(true)
      .reply(200, { total_count: 3, repositories: Object.keys(repos).map((full_name) => ({ full_name })) });
  };

  it('backfills every repository of the installation, a few at a time, and resumes only what an interruption left', async () => {
    env();
    const first = nock(API);
    installation(first);
    mockRepository(first, 'acme/a', repos['acme/a']);
    mockRepository(first, 'acme/b', repos['acme/b'], 2);
    mockRepository(first, 'acme/c', repos['acme/c']);
    await expect(backfill(['--installation', '42', '--since', '30d', '--concurrency', '2'])).rejects.toThrow(
      new CliError(
        '1 of 3 repositories failed (first: acme/b: GitHub answered HTTP 403: Resource not accessible by integration); run again to resume them',
      ),
    );
    expect(first.pendingMocks()).toEqual([]);
    expect(stderr.join('')).toContain('acme/b: failed: GitHub answered HTTP 403');

    // The second run skips the completed repositories and resumes acme/b after #1: only #2 is fetched again.
    stderr.length = 0;
    const second = nock(API);
    installation(second);
    second.get('/repos/acme/b').reply(200, { full_name: 'acme/b', default_branch: 'main' });
    second.get('/repos/acme/b/contents/.github%2Fai-review.yml').reply(404, { message: 'Not Found' });
    second
      .get('/repos/acme/b/pulls')
      .query(true)
      .reply(
        200,
        [...repos['acme/b']].reverse().map((p) => p.pull),
      );
    const pr2 = repos['acme/b'][1];
    second.get('/repos/acme/b/pulls/2').reply(200, pr2?.pull);
    second.get('/repos/acme/b/pulls/2/commits').query(true).reply(200, pr2?.commits);
    second.get('/repos/acme/b/pulls/2/reviews').query(true).reply(200, []);
    second.get('/repos/acme/b/pulls/2/files').query(true).reply(200, []);
    second.get('/repos/acme/b/issues/2/timeline').query(true).reply(200, []);
    await backfill(['--installation', '42', '--since', '30d']);
    expect(second.pendingMocks()).toEqual([]);
    const out = stderr.join('');
    expect(out).toContain('acme/a: completed at');
    expect(out).toContain('acme/b: 2 PRs in the window, 1 left after the stored cursor');
    expect(out).toContain('done: 1 PRs recorded from 1 repositories, 2 skipped (completed recently), 0 failed');

    const store = await openStore({ databaseUrl: database(), logger: silentLogger });
    try {
      const rows = await store.listPullRequests();
      expect(rows.map((r) => [r.repository, r.number, r.author_class, r.agent, r.state, r.task_type])).toEqual([
        ['acme/a', 1, 'agent', 'copilot', 'merged', 'feat'],
        ['acme/a', 2, 'human', null, 'merged', 'fix'],
        ['acme/b', 1, 'agent', 'copilot', 'closed', 'feat'],
        ['acme/b', 2, 'agent', 'copilot', 'merged', 'feat'],
        ['acme/c', 5, 'human', null, 'closed', 'fix'],
      ]);
      // The outcome figures the report uses: from created_at to merge, and to the close without merge.
      const b1 = rows.find((r) => r.repository === 'acme/b' && r.number === 1);
      expect(b1 && (Date.parse(b1.closed_at ?? '') - Date.parse(b1.created_at ?? '')) / 1000).toBe(86_400);
    } finally {
      await store.close();
    }
  });

  it('refuses --installation without the app’s credentials', async () => {
    process.env.GITHUB_TOKEN = 'x';
    delete process.env.APP_ID;
    await expect(backfill(['--installation'])).rejects.toThrow(UsageError);
  });
});

describe('ai-review backfill against a server that never answers', () => {
  const sockets = new Set<Socket>();
  const server = http.createServer(() => {
    /* never answers */
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  beforeAll(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)));
  afterAll(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('ends with one clear error within its timeout', async () => {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v3`;
    process.env.GITHUB_TOKEN = 'test-token';
    process.env.GITHUB_API_URL = base;
    process.env.DATABASE_URL = `sqlite:${path.join(dir, 'silent.sqlite')}`;
    delete process.env.APP_ID;
    const started = Date.now();
    const error = await backfill(['acme/api', 'acme/web', '--timeout', '1s', '--retries', '1']).catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(CliError);
    expect((error as Error).message).toMatch(
      new RegExp(`^cannot reach the GitHub API at ${base}: no answer from ${base}/repos/acme/(api|web) within 1s$`),
    );
    // Two attempts of 1 s each with the retry plugin's pause between them (1 s, or 4 s for a request that waited
    // behind another one's retry: @octokit/plugin-retry squares a retry count it keeps per client), for both
    // repositories in parallel: at most 1 + 4 + 1 s, plus start-up.
    expect(elapsed).toBeGreaterThanOrEqual(2000);
    expect(elapsed).toBeLessThan(9000);
  });

  it('names bad arguments as usage errors', async () => {
    process.env.GITHUB_TOKEN = 'x';
    await expect(backfill([])).rejects.toThrow(new UsageError('name repositories (owner/name), --org NAME or --installation [ID]'));
    await expect(backfill(['not-a-repo'])).rejects.toThrow(UsageError);
    await expect(backfill(['acme/api', '--since', 'soon'])).rejects.toThrow(/invalid --since "soon"/);
    delete process.env.GITHUB_TOKEN;
    delete process.env.APP_ID;
    await expect(backfill(['acme/api'])).rejects.toThrow(/set GITHUB_TOKEN/);
  });
});
