/**
 * End to end: the real server (`start()` from src/server.ts, as `npm start` runs it) on a free port, talking to a
 * GitHub-compatible API on 127.0.0.1 through GHE_HOST, receiving signed deliveries over HTTP.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { environmentProblem, start } from '../../src/server.js';
import { COPILOT, PRIVATE_KEY, commit, fakePullRequest, files, pullRequestPayload } from '../github/harness.js';
import { InMemoryGitHub } from '../github/graphql/fake-github.js';
import { FakeGitHub, freePort } from './fake-github.js';

const SECRET = 'e2e-webhook-secret';
const SHA = 'c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2';
const R = '/repos/acme/widgets';

async function waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function sign(body: string, secret = SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

describe('the HTTP server', () => {
  const github = new FakeGitHub();
  /** acme/widgets as GraphQL serves it: the config on the default branch, and PR #7 by the Copilot coding agent. */
  const memory = new InMemoryGitHub();
  let baseUrl = '';
  let stopAll: () => Promise<void> = async () => {};
  const dataDir = mkdtempSync(join(tmpdir(), 'ai-review-e2e-'));
  const logLines: string[] = [];

  beforeAll(async () => {
    github
      .on('POST', '/app/installations/4242/access_tokens', {
        status: 201,
        body: { token: 'ghs_e2e_token_value', expires_at: '2099-01-01T00:00:00Z' },
      })
      .graphql(memory)
      .on('GET', `${R}/commits/${SHA}/check-runs`, { body: { total_count: 0, check_runs: [] } })
      .on('POST', `${R}/check-runs`, { status: 201, body: { id: 901 } })
      .on('POST', `${R}/pulls/7/requested_reviewers`, { status: 201, body: {} });
    memory.organizations.acme = {};
    memory.repositories.push({
      owner: 'acme',
      name: 'widgets',
      files: {
        '.github/ai-review.yml':
          'mode: enforce\nrules:\n  - name: ci-review\n    if:\n      paths: [ci]\n    require:\n      reviewers: ["sam"]\n',
      },
      pulls: [
        fakePullRequest(pullRequestPayload('opened', { sha: SHA, commits: 1, changedFiles: 1 }).pull_request, {
          files: files('.github/workflows/release.yml'),
          commits: [commit(SHA, COPILOT, 'Pin actions', '198982749+Copilot@users.noreply.github.com')],
        }),
      ],
    });
    const ghe = await github.start();
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      APP_ID: '123',
      PRIVATE_KEY,
      WEBHOOK_SECRET: SECRET,
      PORT: String(port),
      HOST: '127.0.0.1',
      GHE_HOST: ghe,
      GHE_PROTOCOL: 'http',
      DATABASE_URL: `sqlite:${join(dataDir, 'e2e.sqlite')}`,
      METRICS_TOKEN: 'metrics-e2e-token',
      APP_SLUG: 'ai-review',
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
      EVALUATION_DEBOUNCE_MS: '0',
      REDELIVERY_INTERVAL_S: '0',
    };
    const { shutdown } = await start(env, { write: (line: string) => void logLines.push(line) });
    baseUrl = `http://127.0.0.1:${port}`;
    stopAll = shutdown;
  });

  afterAll(async () => {
    await stopAll();
    await github.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function post(body: string, headers: Record<string, string>) {
    return fetch(`${baseUrl}/api/github/webhooks`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  }

  it('refuses a delivery with a wrong signature before any API call', async () => {
    const body = JSON.stringify(pullRequestPayload('opened', { sha: SHA }));
    const response = await post(body, {
      'x-github-event': 'pull_request',
      'x-github-delivery': 'bad-sig-1',
      'x-hub-signature-256': sign(body, 'wrong'),
    });
    expect(response.status).toBe(400);
    const missing = await post(body, { 'x-github-event': 'pull_request', 'x-github-delivery': 'bad-sig-2' });
    expect(missing.status).toBe(400);
    expect(github.requests).toEqual([]);
  });

  it('rejects a body that is not JSON and keeps serving', async () => {
    const body = '{not json';
    const response = await post(body, {
      'x-github-event': 'pull_request',
      'x-github-delivery': 'not-json',
      'x-hub-signature-256': sign(body),
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect((await fetch(`${baseUrl}/ping`)).status).toBe(200);
    expect(github.requests).toEqual([]);
  });

  it('evaluates a signed pull_request delivery and posts the check run', async () => {
    const body = JSON.stringify(pullRequestPayload('opened', { sha: SHA, commits: 1, changedFiles: 1 }));
    const response = await post(body, {
      'x-github-event': 'pull_request',
      'x-github-delivery': 'e2e-delivery-1',
      'x-hub-signature-256': sign(body),
    });
    expect(response.status).toBe(200);
    // The delivery is acknowledged at once; the job writes the check run shortly after.
    await waitFor(() => github.routesCalled().includes(`POST ${R}/pulls/7/requested_reviewers`));
    // One GraphQL query (GitHub Enterprise Server's /api/graphql) for every fact; REST only to find and write the run.
    expect(github.routesCalled()).toEqual([
      'POST /app/installations/4242/access_tokens',
      'POST /api/graphql',
      `GET ${R}/commits/${SHA}/check-runs`,
      `POST ${R}/check-runs`,
      `POST ${R}/pulls/7/requested_reviewers`,
    ]);
    expect(memory.invalid).toEqual([]);
    expect(memory.graphqlRequests().map((q) => [q.operation, q.variables, q.cost])).toEqual([
      [
        'PullRequestFacts',
        { owner: 'acme', name: 'widgets', number: 7, timelineTypes: ['LABELED_EVENT', 'UNLABELED_EVENT', 'REVIEW_REQUESTED_EVENT'] },
        1,
      ],
    ]);
    const checkRun = github.requests.find((r) => r.method === 'POST' && r.path === `${R}/check-runs`)!.body as Record<string, any>;
    expect(checkRun).toMatchObject({
      name: 'ai-review',
      head_sha: SHA,
      status: 'completed',
      conclusion: 'action_required',
      output: { title: 'Needs 1 approval from @sam' },
    });
    expect(checkRun.output.summary).toContain('| ci | 1 | \\.github/workflows/release\\.yml |');
    expect(github.requests.find((r) => r.path.endsWith('/requested_reviewers'))!.body).toEqual({ reviewers: ['sam'], team_reviewers: [] });
  });

  it('serves Prometheus metrics behind the bearer token', async () => {
    expect((await fetch(`${baseUrl}/metrics`)).status).toBe(401);
    expect((await fetch(`${baseUrl}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const response = await fetch(`${baseUrl}/metrics`, { headers: { authorization: 'Bearer metrics-e2e-token' } });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/ai_review_webhook_deliveries_total\{[^}]*event="pull_request"[^}]*outcome="processed"[^}]*\} 1/);
    expect(text).toMatch(/ai_review_gate_evaluations_total\{[^}]*conclusion="action_required"[^}]*\} 1/);
    // The evaluation's API budget: one GraphQL read costing 1 point; REST: the lookup of the run and two writes (the
    // check run and the reviewer request; the token exchange is the app's, not the installation's budget).
    expect(text).toMatch(/ai_review_github_requests_total\{api="graphql",kind="read",status="200"\} 1\n/);
    expect(text).toMatch(/ai_review_github_requests_total\{api="rest",kind="read",status="200"\} 1\n/);
    expect(text).toMatch(/ai_review_github_requests_total\{api="rest",kind="write",status="201"\} 2\n/);
    expect(text).toMatch(/ai_review_graphql_points_total 1\n/);
    expect(text).toMatch(/ai_review_github_rate_limit_remaining\{installation="4242",api="graphql"\} 4999\n/);
  });

  it('logs JSON lines naming the delivery, repository and PR, and never the token, secret, key or metrics token', () => {
    const lines = logLines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.msg === 'gate evaluated')).toMatchObject({
      delivery_id: 'e2e-delivery-1',
      repository: 'acme/widgets',
      pull_number: 7,
      conclusion: 'action_required',
    });
    const all = logLines.join('');
    expect(all).toContain('"x-hub-signature-256":"[redacted]"');
    expect(all).not.toContain('metrics-e2e-token');
    expect(all).not.toContain('ghs_e2e_token_value');
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain('BEGIN RSA PRIVATE KEY');
  });
});

describe('environmentProblem', () => {
  it.each([
    [{ APP_ID: '1', NODE_ENV: 'production' }, true],
    [{ APP_ID: '1' }, true],
    [{ APP_ID: '1', NODE_ENV: 'development' }, false],
    [{ APP_ID: '1', NODE_ENV: 'test' }, false],
    [{ APP_ID: '1', WEBHOOK_SECRET: 's' }, false],
    [{}, false],
  ])('%j → refuses: %s', (env, refuses) => {
    expect(environmentProblem(env as NodeJS.ProcessEnv) !== null).toBe(refuses);
  });
});
