/**
 * End to end: the real server (`start()` from src/server.ts, as `npm start` runs it) on a free port, talking to a
 * GitHub-compatible API on 127.0.0.1 through GHE_HOST, receiving signed deliveries over HTTP. Logs at `debug`, and
 * every line written during the suite must be strict JSON (no duplicate keys) within the line bound.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { environmentProblem, start, StartupError } from '../../src/server.js';
import { PRIVATE_KEY, pullRequestPayload } from '../github/harness.js';
import { FakeGitHub, freePort } from './fake-github.js';
import { serverEnv } from './server-env.js';
import type { InMemoryGitHub } from '../github/graphql/fake-github.js';
import { GATE_CALLS, R, SHA, routeGateFlow } from './gate-routes.js';
import { filler, rawPost, sign, trickle } from './http-client.js';
import { LogCapture, parseStrict } from './log-lines.js';
import { waitFor } from './wait.js';

const SECRET = 'e2e-webhook-secret';
const PR_BODY_MARKER = 'PR-BODY-MARKER-4c1d';
const MB = 1024 * 1024;

describe('the HTTP server', () => {
  /** Serves the GraphQL part of the gate's calls (every query validated against GitHub's schema). */
  let memory: InMemoryGitHub;
  const github = new FakeGitHub();
  let baseUrl = '';
  let webhookUrl = '';
  let stopAll: () => Promise<void> = async () => {};
  const dataDir = mkdtempSync(join(tmpdir(), 'ai-review-e2e-'));
  const log = new LogCapture();

  beforeAll(async () => {
    // Installation 666 is unknown: its token request is answered 404 and the delivery's handling fails.
    memory = routeGateFlow(github);
    const ghe = await github.start();
    const port = await freePort();
    // The job queue of issue 7: evaluate at once (serverEnv leaves out the redelivery scan).
    const env = serverEnv(
      { port, ghe, secret: SECRET, databaseUrl: `sqlite:${join(dataDir, 'e2e.sqlite')}` },
      { METRICS_TOKEN: 'metrics-e2e-token', LOG_LEVEL: 'debug', EVALUATION_DEBOUNCE_MS: '0' },
    );
    const { server, metrics } = await start(env, { write: log.write });
    baseUrl = `http://127.0.0.1:${port}`;
    webhookUrl = `${baseUrl}/api/github/webhooks`;
    stopAll = async () => {
      await server.stop();
      expect(metrics).not.toBeNull();
    };
  });

  afterAll(async () => {
    await stopAll();
    await github.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function post(body: string, headers: Record<string, string>) {
    return fetch(webhookUrl, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  }

  /** POSTs a `pull_request` delivery `id` signed with `secret` (unsigned when null). */
  async function deliver(id: string, body: string, secret: string | null) {
    const signature: Record<string, string> = secret === null ? {} : { 'x-hub-signature-256': sign(body, secret) };
    return post(body, { 'x-github-event': 'pull_request', 'x-github-delivery': id, ...signature });
  }

  it('refuses a delivery with a wrong or missing signature before any API call, with one log line each', async () => {
    const body = JSON.stringify(pullRequestPayload('opened', { sha: SHA }));
    const mark = log.lines.length;
    const response = await deliver('bad-sig-1', body, 'wrong');
    expect(response.status).toBe(400);
    const missing = await deliver('bad-sig-2', body, null);
    expect(missing.status).toBe(400);
    expect(github.requests).toEqual([]);
    const lines = log.since(mark);
    expect(lines).toEqual([
      expect.objectContaining({
        msg: 'webhook delivery refused',
        delivery_id: 'bad-sig-1',
        event: 'pull_request',
        reason: 'signature does not match (check WEBHOOK_SECRET)',
        body_bytes: Buffer.byteLength(body),
        status: 400,
      }),
      expect.objectContaining({ delivery_id: 'bad-sig-2', reason: 'missing header x-hub-signature-256', status: 400 }),
    ]);
  });

  it('a 10 MB delivery with a bad signature adds one line of under 1 KB to the log', async () => {
    const payload = pullRequestPayload('opened', { sha: SHA, body: 'x'.repeat(10 * MB) });
    const body = JSON.stringify(payload);
    const before = log.bytes();
    const mark = log.lines.length;
    const response = await deliver('big-bad-sig', body, 'attacker');
    expect(response.status).toBe(400);
    const added = log.bytes() - before;
    expect(added).toBeLessThan(1024);
    expect(log.since(mark)).toEqual([
      expect.objectContaining({
        delivery_id: 'big-bad-sig',
        reason: expect.stringContaining('signature') as unknown,
        body_bytes: Buffer.byteLength(body),
      }),
    ]);
    expect(log.lines.slice(mark).join('')).not.toContain(sign(body, 'attacker').slice(7));
  });

  const oversized = (id: string, extra: Record<string, string>) => ({
    'content-type': 'application/json',
    'x-github-event': 'pull_request',
    'x-github-delivery': id,
    'x-hub-signature-256': 'sha256=00',
    ...extra,
  });

  it('answers 413 to a body declared over 25 MB without reading it', async () => {
    const mark = log.lines.length;
    // Declares 26 MB, sends 1 MB: a server that waited for the body would never answer.
    const answer = await rawPost(webhookUrl, oversized('too-big-declared', { 'content-length': String(26 * MB) }), filler(1));
    expect(answer.status).toBe(413);
    expect(log.since(mark)).toEqual([
      expect.objectContaining({
        delivery_id: 'too-big-declared',
        status: 413,
        body_bytes: 26 * MB,
        reason: expect.stringContaining('larger than') as unknown,
      }),
    ]);
  });

  it('with Expect: 100-continue, answers 413 before the sender sends the body', async () => {
    const headers = oversized('too-big-expect', { 'content-length': String(26 * MB), expect: '100-continue' });
    const answer = await rawPost(webhookUrl, headers, filler(26));
    expect(answer).toMatchObject({ status: 413, written: 0 });
  });

  it('answers 413 to a streamed body past 25 MB, keeping none of the rest, and keeps serving', async () => {
    const mark = log.lines.length;
    const answer = await rawPost(webhookUrl, oversized('too-big-streamed', { 'transfer-encoding': 'chunked' }), filler(64));
    expect(answer.status).toBe(413);
    expect(log.since(mark)).toEqual([expect.objectContaining({ delivery_id: 'too-big-streamed', status: 413, body_bytes: 64 * MB })]);
    expect((await fetch(`${baseUrl}/ping`)).status).toBe(200);
  });

  it('answers 413 within about a second to a sender that keeps trickling past 25 MB', async () => {
    const started = Date.now();
    const answer = await rawPost(webhookUrl, oversized('too-big-trickle', { 'transfer-encoding': 'chunked' }), trickle(26, 100, 10_000));
    expect(answer.status).toBe(413);
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('rejects a body that is not JSON and keeps serving', async () => {
    const body = '{not json';
    const mark = log.lines.length;
    const response = await deliver('not-json', body, SECRET);
    expect(response.status).toBe(400);
    expect((await fetch(`${baseUrl}/ping`)).status).toBe(200);
    expect(github.requests).toEqual([]);
    expect(log.since(mark)[0]).toMatchObject({ delivery_id: 'not-json', reason: 'body is not JSON' });
    expect(log.lines.slice(mark).join('')).not.toContain('not json');
  });

  it('refuses other content types and methods', async () => {
    const form = await fetch(webhookUrl, {
      method: 'POST',
      body: 'payload=%7B%7D',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    expect((await fetch(webhookUrl)).status).toBe(405);
    expect((await fetch(`${baseUrl}/nothing-here`)).status).toBe(404);
  });

  it('evaluates a signed pull_request delivery and posts the check run', async () => {
    const body = JSON.stringify(pullRequestPayload('opened', { sha: SHA, commits: 1, changedFiles: 1, body: PR_BODY_MARKER }));
    const response = await deliver('e2e-delivery-1', body, SECRET);
    expect(response.status).toBe(200);
    await waitFor(() => github.routesCalled().includes(`POST ${R}/pulls/7/requested_reviewers`));
    expect(github.routesCalled()).toEqual(GATE_CALLS);
    expect(memory.invalid).toEqual([]);
    expect(memory.graphqlRequests().map((q) => [q.operation, q.variables, q.cost])).toEqual([
      [
        'PullRequestFacts',
        { owner: 'acme', name: 'widgets', number: 7, timelineTypes: ['LABELED_EVENT', 'UNLABELED_EVENT', 'REVIEW_REQUESTED_EVENT'] },
        1,
      ],
    ]);
    const checkRun = github.requests.find((r) => r.method === 'POST' && r.path === `${R}/check-runs`)!.body as {
      output: { summary: string };
    };
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

  it('a delivery whose job cannot read the PR is acknowledged, and logged without its payload', async () => {
    const payload = pullRequestPayload('opened', { sha: SHA, body: `${PR_BODY_MARKER} ${'y'.repeat(200_000)}` });
    (payload as { installation: { id: number } }).installation.id = 666;
    const body = JSON.stringify(payload);
    const mark = log.lines.length;
    const response = await deliver('failing-delivery', body, SECRET);
    // The delivery is acknowledged (the job queue of issue 7); its job fails on the unknown installation.
    expect(response.status).toBe(200);
    // The token request for installation 666 fails and the facts query is answered 404: the job says so and stops.
    await waitFor(() =>
      log.since(mark).some((l) => l.msg === 'pull request not found (deleted, or the app lost access): nothing to evaluate'),
    );
    const lines = log.since(mark);
    expect(lines.find((l) => l.msg === 'webhook delivery')).toMatchObject({ delivery_id: 'failing-delivery', status: 200 });
    expect(lines.find((l) => l.msg?.startsWith('pull request not found'))).toMatchObject({
      delivery_id: 'failing-delivery',
      pull_number: 7,
    });
    const text = log.lines.slice(mark).join('');
    expect(text).not.toContain(PR_BODY_MARKER);
    expect(text).not.toContain('yyyyyyyyyy');
  });

  it('a signed delivery the app refuses is answered 400 at once, and logged without its payload', async () => {
    const body = JSON.stringify({ action: 'opened', pull_request: { number: 7, body: PR_BODY_MARKER }, installation: { id: 4242 } });
    const mark = log.lines.length;
    const calls = github.requests.length;
    const response = await deliver('malformed-delivery', body, SECRET);
    expect(response.status).toBe(400);
    expect(github.requests.length).toBe(calls);
    expect(log.since(mark)).toContainEqual(
      expect.objectContaining({ msg: 'webhook delivery', delivery_id: 'malformed-delivery', status: 400, reason: 'handler failed' }),
    );
    expect(log.lines.slice(mark).join('')).not.toContain(PR_BODY_MARKER);
  });

  it('serves Prometheus metrics behind the bearer token', async () => {
    expect((await fetch(`${baseUrl}/metrics`)).status).toBe(401);
    expect((await fetch(`${baseUrl}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const response = await fetch(`${baseUrl}/metrics`, { headers: { authorization: 'Bearer metrics-e2e-token' } });
    expect(response.status).toBe(200);
    const text = await response.text();
    // e2e-delivery-1 and failing-delivery were both acknowledged and queued.
    expect(text).toMatch(/ai_review_webhook_deliveries_total\{[^}]*event="pull_request"[^}]*outcome="processed"[^}]*\} 2/);
    // The evaluation's API budget: one GraphQL read costing 1 point; REST: the lookup of the run and two writes (the
    // check run and the reviewer request; the token exchange is the app's, not the installation's budget).
    expect(text).toMatch(/ai_review_github_requests_total\{api="graphql",kind="read",status="200"\} 1\n/);
    expect(text).toMatch(/ai_review_github_requests_total\{api="rest",kind="read",status="200"\} 1\n/);
    expect(text).toMatch(/ai_review_github_requests_total\{api="rest",kind="write",status="201"\} 2\n/);
    expect(text).toMatch(/ai_review_graphql_points_total 1\n/);
    expect(text).toMatch(/ai_review_github_rate_limit_remaining\{installation="4242",api="graphql"\} 4999\n/);
    expect(text).toMatch(/ai_review_gate_evaluations_total\{[^}]*conclusion="action_required"[^}]*\} 1/);
  });

  it('logs strict JSON lines naming the delivery, repository and PR, and never a payload, header, token, secret or key', () => {
    const lines = log.all();
    expect(lines.find((l) => l.msg === 'gate evaluated')).toMatchObject({
      name: 'ai-review',
      delivery_id: 'e2e-delivery-1',
      repository: 'acme/widgets',
      pull_number: 7,
      conclusion: 'action_required',
    });
    expect(lines.find((l) => l.msg === 'webhook delivery' && l.delivery_id === 'e2e-delivery-1')).toMatchObject({
      event: 'pull_request',
      action: 'opened',
      repository: 'acme/widgets',
      pull_number: 7,
      status: 200,
    });
    const all = log.lines.join('');
    for (const secret of ['metrics-e2e-token', 'ghs_e2e_token_value', SECRET, 'BEGIN RSA PRIVATE KEY', PR_BODY_MARKER, 'sha256=']) {
      expect(all).not.toContain(secret);
    }
    expect(all).not.toMatch(/"headers"\s*:\s*\{/);
    // Probot's GitHub request lines keep their message, without the request body's fields (the check-run summary).
    expect(lines.find((l) => l.msg === `GitHub request: POST http://${github.host}/api/v3${R}/check-runs - 201`)).toEqual(
      expect.not.objectContaining({ output: expect.anything() as unknown }),
    );
    expect(all).not.toContain('Sensitive paths touched');
    expect(lines.every((l) => l.name === 'ai-review')).toBe(true);
  });
});

describe('every log line is strict JSON', () => {
  it('the parser used above rejects duplicate keys', () => {
    expect(() => parseStrict('{"name":"ai-review","name":"probot"}\n')).toThrow(/Duplicate key/);
    expect(parseStrict('{"name":"ai-review"}\n')).toEqual({ name: 'ai-review' });
  });
});

describe('start-up', () => {
  it('refuses to start in production without APP_ID, with one line saying what to set', async () => {
    const log = new LogCapture();
    await expect(start({ NODE_ENV: 'production', PORT: '0' }, { write: log.write })).rejects.toThrow(StartupError);
    expect(log.all()).toEqual([expect.objectContaining({ level: 60, msg: expect.stringContaining('APP_ID is not set') as unknown })]);
  });

  it('refuses to start without a private key', async () => {
    await expect(
      start({ APP_ID: '1', WEBHOOK_SECRET: 's', NODE_ENV: 'production', PORT: '0', DATABASE_URL: 'sqlite::memory:' }, { write: () => {} }),
    ).rejects.toThrow('PRIVATE_KEY or PRIVATE_KEY_PATH is not set');
  });

  it('keeps idle connections open for HTTP_KEEP_ALIVE_TIMEOUT_S (default 75 s, past a load balancer’s 60 s), and refuses a value that is not a number of seconds', async () => {
    const port = await freePort();
    const env = { APP_ID: '1', WEBHOOK_SECRET: 's', PRIVATE_KEY, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: 'sqlite::memory:' };
    /**
     * The `Keep-Alive` header of a `GET /ping` answer, asked for on a raw socket: nock (imported with the harness)
     * intercepts node:http's client, which then does not always ask to keep the connection alive.
     */
    const keepAlive = () =>
      new Promise<string | undefined>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.write('GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
        });
        let head = '';
        socket.setEncoding('latin1');
        socket.on('data', (chunk: string) => {
          head += chunk;
          if (!head.includes('\r\n\r\n')) return;
          socket.destroy();
          resolve(/^keep-alive: *(.*)$/im.exec(head.slice(0, head.indexOf('\r\n\r\n')))?.[1]?.trim());
        });
        socket.on('error', reject);
      });
    for (const [value, header] of [
      [undefined, 'timeout=75'],
      ['620', 'timeout=620'],
    ] as const) {
      const running = await start({ ...env, ...(value ? { HTTP_KEEP_ALIVE_TIMEOUT_S: value } : {}) }, { write: () => {} });
      try {
        expect(await keepAlive()).toBe(header);
      } finally {
        await running.server.stop();
      }
    }
    for (const value of ['1m', '0'])
      await expect(start({ ...env, HTTP_KEEP_ALIVE_TIMEOUT_S: value }, { write: () => {} })).rejects.toThrow(
        `HTTP_KEEP_ALIVE_TIMEOUT_S must be a number of seconds of at least 1, not "${value}"`,
      );
  });

  it('says which port is taken', async () => {
    const port = await freePort();
    const env = { APP_ID: '1', WEBHOOK_SECRET: 's', PRIVATE_KEY, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: 'sqlite::memory:' };
    const first = await start({ ...env }, { write: () => {} });
    try {
      await expect(start({ ...env }, { write: () => {} })).rejects.toThrow(`port ${port} on 127.0.0.1 is already in use`);
    } finally {
      await first.server.stop();
    }
  });
});

describe('environmentProblem', () => {
  it.each([
    [{ APP_ID: '1', NODE_ENV: 'production' }, true],
    [{ APP_ID: '1' }, true],
    [{ APP_ID: '1', NODE_ENV: 'development' }, false],
    [{ APP_ID: '1', NODE_ENV: 'test' }, false],
    [{ APP_ID: '1', WEBHOOK_SECRET: 's' }, false],
    [{ NODE_ENV: 'production' }, true],
    [{}, false],
  ])('%j → refuses: %s', (env, refuses) => {
    expect(environmentProblem(env as NodeJS.ProcessEnv) !== null).toBe(refuses);
  });
});
