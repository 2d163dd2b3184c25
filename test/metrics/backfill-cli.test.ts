/**
 * `ai-review backfill` as a user runs it: several repositories of an app installation (app credentials: REST through
 * nock for the installation, the pull requests from a GitHub Enterprise Server that validates every GraphQL query
 * against GitHub's published schema), interrupted by an API error and resumed; a server that never
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
import { FakeGitHub, bot, user, type FakePullRequest, type FakeRepository } from '../github/graphql/fake-github.js';
import { silentLogger } from './helpers.js';

const ORIGIN = 'http://ghe.test';
const API = `${ORIGIN}/api/v3`;
const NOW = Date.now();
const ago = (days: number, minutes = 0): string =>
  new Date(NOW - days * 86_400_000 + minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const copilot = bot('copilot-swe-agent', 198982749);
const alice = user('alice', 11);

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
  FakeGitHub.cleanup();
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
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
function pr(number: number, days: number, byAgent: boolean, merged: boolean): FakePullRequest {
  const author = byAgent ? copilot : alice;
  const head = `${number}`.padEnd(40, 'a');
  return {
    number,
    state: merged ? 'MERGED' : 'CLOSED',
    title: byAgent ? `feat: change ${number}` : `fix: change ${number}`,
    author,
    headRefName: byAgent ? `copilot/change-${number}` : `change-${number}`,
    headRefOid: head,
    createdAt: ago(days),
    mergedAt: merged ? ago(days, 60) : null,
    closedAt: merged ? ago(days, 60) : ago(days - 1),
    mergeCommit: merged ? `${number}`.padEnd(40, 'm') : null,
    additions: 3,
    deletions: 1,
    files: [{ path: 'README.md', changeType: 'MODIFIED' }],
    commits: [
      {
        oid: head,
        message: 'change',
        date: ago(days, -5),
        author: { name: author.login, email: 'x@example.com', user: byAgent ? null : { login: alice.login, databaseId: alice.databaseId } },
      },
    ],
  };
}

/** A repository of the fake GitHub; `name` is `owner/name`. */
function repository(name: string, pulls: FakePullRequest[]): FakeRepository {
  const [owner, repo] = name.split('/') as [string, string];
  return { owner, name: repo, files: {}, pulls };
}

describe('ai-review backfill --installation', () => {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const database = () => `sqlite:${path.join(dir, 'installation.sqlite')}`;
  const repos = {
    'acme/a': [pr(1, 10, true, true), pr(2, 9, false, true)],
    // #2 has more labels than one page: its labels are read by a query of their own, which the first run fails.
    'acme/b': [pr(1, 8, true, false), { ...pr(2, 7, true, true), labels: Array.from({ length: 101 }, (_, i) => `l${i}`) }],
    'acme/c': [pr(5, 6, false, false)],
  };
  const github = (): FakeGitHub => {
    const fake = new FakeGitHub({ origin: ORIGIN, enterprise: true });
    fake.repositories.push(...Object.entries(repos).map(([name, pulls]) => repository(name, pulls)));
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
    return fake;
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
    const fake = github();
    fake.failWhen = (operation, variables) =>
      operation === 'BackfillPullRequestPages' && variables.name === 'b' && variables.number === 2
        ? { type: 'FORBIDDEN', message: 'Resource not accessible by integration' }
        : null;
    await expect(backfill(['--installation', '42', '--since', '30d', '--concurrency', '2'])).rejects.toThrow(
      new CliError(
        '1 of 3 repositories failed (first: acme/b: GitHub answered HTTP 403: GitHub GraphQL answered FORBIDDEN at (query)); run again to resume them',
      ),
    );
    expect(first.pendingMocks()).toEqual([]);
    expect(fake.invalid).toEqual([]);
    // Per repository a list and one query for its PRs; acme/b's labels page once more (and fails).
    expect(
      fake
        .graphqlRequests()
        .map((r) => `${String(r.variables.name)} ${r.operation}`)
        .sort(),
    ).toEqual([
      'a BackfillPullRequestList',
      'a BackfillPullRequests',
      'b BackfillPullRequestList',
      'b BackfillPullRequestPages',
      'b BackfillPullRequests',
      'c BackfillPullRequestList',
      'c BackfillPullRequests',
    ]);
    expect(fake.restRequests()).toEqual([]);
    expect(stderr.join('')).toContain('acme/b: failed: GitHub answered HTTP 403');

    // The second run skips the completed repositories and resumes acme/b after #1: only #2 is read again.
    FakeGitHub.cleanup();
    stderr.length = 0;
    const second = nock(API);
    installation(second);
    const again = github();
    await backfill(['--installation', '42', '--since', '30d']);
    expect(second.pendingMocks()).toEqual([]);
    expect(again.invalid).toEqual([]);
    expect(again.graphqlRequests().map((r) => r.operation)).toEqual([
      'BackfillPullRequestList',
      'BackfillPullRequests',
      'BackfillPullRequestPages',
    ]);
    expect(again.graphqlRequests()[1]?.variables).toMatchObject({ name: 'b', n0: 2 });
    const out = stderr.join('');
    expect(out).toContain('acme/a: completed at');
    expect(out).toContain('acme/b: 2 PRs in the window, 1 left after the stored cursor');
    expect(out).toContain(
      'done: 1 PRs recorded from 1 repositories, 2 skipped (completed recently), 0 failed; GitHub: 3 GraphQL queries (3 points), 0 REST requests',
    );

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
      new RegExp(`^cannot reach the GitHub API at ${base}: no answer from ${base.replace(/\/v3$/, '')}/graphql within 1s$`),
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
