/**
 * The durable pipeline end to end: the real server (`start()` as `npm start` runs it) receiving signed
 * deliveries over HTTP, a simulated GitHub on 127.0.0.1 (GHE_HOST), and the job queue on SQLite and on
 * PostgreSQL. Asserts what an operator sees: acknowledgements, check runs per head SHA, stored delivery rows.
 */
import { createHmac } from 'node:crypto';
import { jest } from '@jest/globals';
import { appendFileSync } from 'node:fs';
import pg from 'pg';
import { ProbotOctokit } from 'probot';
import { redeliverFailedDeliveries } from '../../src/github/redelivery.js';
import { start } from '../../src/server.js';
import { examplePayload, PRIVATE_KEY } from '../github/harness.js';
import { freePort } from '../e2e/fake-github.js';
import { serverEnv } from '../e2e/server-env.js';
import { freshStore, silent, sleep, waitFor } from '../queue/helpers.js';
import { SAM_CONFIG, SimulatedGitHub } from './simulated-github.js';

// Waits below are generous for a loaded 2-core machine; each test still fails if its outcome never comes.
jest.setTimeout(150_000);

const SECRET = 'pipeline-secret';
const METRICS_TOKEN = 'pipeline-metrics-token';
const sha = (n: number, salt = 0) => (n * 1000 + salt).toString(16).padStart(40, 'a');

type Instance = Awaited<ReturnType<typeof start>> & { url: string };

describe.each(['sqlite', 'postgres'] as const)('the pipeline on %s', (kind) => {
  let sim: SimulatedGitHub;
  let ghe: string;
  let store: { url: string; drop: () => Promise<void> };
  const instances: Instance[] = [];
  /** Instances whose queue "crashed": their connections are closed after the simulated GitHub stops. */
  const crashed: Instance[] = [];

  async function startInstance(extra: NodeJS.ProcessEnv = {}): Promise<Instance> {
    const port = await freePort();
    const env = serverEnv(
      { port, ghe, secret: SECRET, databaseUrl: store.url },
      { LOG_LEVEL: process.env.PIPELINE_TEST_LOG ? 'info' : 'silent', EVALUATION_DEBOUNCE_MS: '300', METRICS_TOKEN, ...extra },
    );
    const instance = {
      ...(await start(env, {
        write: (line: string) => (
          process.env.PIPELINE_TEST_LOG ? void appendFileSync(process.env.PIPELINE_TEST_LOG, line) : undefined,
          true
        ),
      })),
      url: `http://127.0.0.1:${port}`,
    };
    instances.push(instance);
    return instance;
  }

  /** Posts a signed delivery; resolves with the status and the time to the answer in ms. */
  async function deliver(
    instance: Instance,
    name: string,
    payload: unknown,
    id = `d-${Math.random()}`,
  ): Promise<{ status: number; ms: number }> {
    const body = JSON.stringify(payload);
    const t0 = performance.now();
    const response = await fetch(`${instance.url}/api/github/webhooks`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-github-event': name,
        'x-github-delivery': id,
        'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
      },
    });
    await response.arrayBuffer();
    return { status: response.status, ms: performance.now() - t0 };
  }

  /** One series of the instance's `GET /metrics` (name with its labels, as Prometheus prints it); 0 when absent. */
  async function series(instance: Instance, name: string): Promise<number> {
    const text = await (await fetch(`${instance.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line ? Number(line.slice(name.length + 1)) : 0;
  }

  const idle = async (instance: Instance) => {
    const stats = await instance.queue!.stats();
    return stats.pending + stats.running === 0;
  };

  beforeEach(async () => {
    sim = new SimulatedGitHub();
    ghe = await sim.start();
    store = await freshStore(kind);
  });
  afterEach(async () => {
    // Every GraphQL query the app sent was valid against GitHub's published schema.
    expect(sim.memory.invalid).toEqual([]);
    for (const i of instances.splice(0)) await i.shutdown();
    await sim.stop();
    for (const i of crashed.splice(0)) {
      await i.queue?.close().catch(() => undefined);
      await i.metrics?.close().catch(() => undefined);
    }
    await store.drop();
  });

  it('a burst of 20 synchronize deliveries for one PR gives at most 3 evaluations and one correct check run per evaluated head', async () => {
    const app = await startInstance();
    const acks: number[] = [];
    for (let i = 0; i < 20; i++) {
      const payload = sim.openPullRequest(7, sha(7, i), i === 0 ? 'opened' : 'synchronize');
      const { status, ms } = await deliver(app, 'pull_request', payload);
      expect(status).toBe(200);
      acks.push(ms);
      await sleep(100);
    }
    await waitFor(async () => (await idle(app)) && sim.runsOn(sha(7, 19)).length === 1, 60_000, 'the final check run');
    // Each evaluation reads the PR's facts with one `PullRequestFacts` query (follow-ups have other operation names).
    const evaluations = sim.evaluationsOf(7);
    expect(evaluations).toBeGreaterThanOrEqual(1);
    expect(evaluations).toBeLessThanOrEqual(3);
    // Each delivery either queued a job (one evaluation each) or was absorbed by one already queued.
    expect(await series(app, 'ai_review_coalesced_events_total{event="pull_request"}')).toBe(20 - evaluations);
    expect(await series(app, 'ai_review_job_duration_seconds_count{task="evaluate-pull-request",outcome="done"}')).toBe(evaluations);
    const final = sim.runsOn(sha(7, 19));
    expect(final).toHaveLength(1);
    expect(final[0]).toMatchObject({ status: 'completed', conclusion: 'action_required', output: { title: 'Needs 1 approval from @sam' } });
    for (let i = 0; i < 20; i++) expect(sim.runsOn(sha(7, i)).length).toBeLessThanOrEqual(1);
    // Acknowledged without waiting for GitHub: every answer well under a second.
    expect(Math.max(...acks)).toBeLessThan(1000);
  });

  it("a change of the organization's config (acme/.github) re-evaluates the open PRs of each repository that inherits it, paged, and none of a repository with its own", async () => {
    sim.maxPerPage = 4;
    sim.organizationConfig = SAM_CONFIG;
    sim.config = 'mode: advisory\n'; // acme/widgets has its own config without `_extends`: the change does not apply
    sim.repositories.set('gadgets', { config: null, pullRequests: new Map() }); // no config: inherits
    sim.repositories.set('gizmos', { config: '_extends: .github\n', pullRequests: new Map() }); // extends the organization's
    sim.repositories.set('attic', { config: null, pullRequests: new Map(), archived: true });
    const gadgets = Array.from({ length: 12 }, (_, i) => 101 + i);
    for (const n of gadgets) sim.openPullRequest(n, sha(n), 'opened', 'gadgets');
    sim.openPullRequest(201, sha(201), 'opened', 'gizmos');
    sim.openPullRequest(1, sha(1));
    sim.openPullRequest(301, sha(301), 'opened', 'attic');
    // One job at a time, so that the order of evaluations shows (graphile-worker's local queue fetches 2 at a time).
    const app = await startInstance({ QUEUE_CONCURRENCY: '1' });

    const push = examplePayload('push');
    Object.assign(push.repository, { name: '.github', full_name: 'acme/.github' });
    const pushed = { id: sha(9999), added: [], removed: [], modified: ['.github/ai-review.yml'] };
    Object.assign(push, { ref: 'refs/heads/main', commits: [pushed], head_commit: pushed });
    const ack = await deliver(app, 'push', push);
    expect(ack.status).toBe(200);
    expect(ack.ms).toBeLessThan(1000);

    const inheriting = [...gadgets, 201];
    const done = (n: number) => sim.runsOn(sha(n)).some((r) => r.status === 'completed');
    // A PR opened during the refresh (whose evaluations are spaced 2 s apart by the throttling) does not wait behind it.
    await waitFor(() => inheriting.some(done), 60_000, 'the first refreshed check run');
    const opened = sim.openPullRequest(190, sha(190), 'opened', 'gadgets');
    Object.assign(opened.repository, { name: 'gadgets', full_name: 'acme/gadgets' });
    expect((await deliver(app, 'pull_request', opened)).status).toBe(200);
    await waitFor(() => done(190), 60_000, 'the check run of the PR opened during the refresh');
    expect(inheriting.filter((n) => !done(n)).length).toBeGreaterThanOrEqual(3);
    expect(sim.runsOn(sha(190))).toHaveLength(1);
    await waitFor(
      async () => inheriting.every((n) => sim.runsOn(sha(n)).some((r) => r.status === 'completed')) && (await idle(app)),
      120_000,
      'a check run on every inheriting PR',
    );
    for (const n of inheriting) {
      expect(sim.runsOn(sha(n))).toHaveLength(1);
      expect(sim.runsOn(sha(n))[0]).toMatchObject({ conclusion: 'action_required', output: { title: 'Needs 1 approval from @sam' } });
      expect(sim.evaluationsOf(n)).toBe(1);
    }
    // acme/widgets keeps its own config and acme/attic is archived: no evaluation, no check run.
    expect([sim.evaluationsOf(1), sim.evaluationsOf(301), sim.runsOn(sha(1)).length, sim.runsOn(sha(301)).length]).toEqual([0, 0, 0, 0]);
    expect(sim.count('GET', /^\/repos\/acme\/(widgets|attic)\/pulls$/)).toBe(0);
    // Paged as GitHub pages: 5 repositories at 4 a page, 12 open PRs at 4 a page (and an empty page never asked for).
    expect(sim.count('GET', /^\/installation\/repositories$/)).toBe(2);
    expect(sim.count('GET', /^\/repos\/acme\/gadgets\/pulls$/)).toBe(3);
  });

  it('a secondary rate limit (403 with retry-after) on the check-run write is retried and the check run ends correct', async () => {
    let limited = 0;
    sim.fault = (req) => {
      if (req.method === 'POST' && req.path === '/repos/acme/widgets/check-runs' && limited === 0) {
        limited++;
        return { status: 403, body: { message: 'You have exceeded a secondary rate limit.' }, headers: { 'retry-after': '1' } };
      }
      return undefined;
    };
    const app = await startInstance();
    const started = Date.now();
    expect((await deliver(app, 'pull_request', sim.openPullRequest(8, sha(8)))).status).toBe(200);
    await waitFor(() => sim.runsOn(sha(8)).some((r) => r.status === 'completed'), 60_000, 'the check run');
    expect(limited).toBe(1);
    expect(await series(app, 'ai_review_job_retries_total{cause="secondary_rate_limit"}')).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const runs = sim.runsOn(sha(8));
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ conclusion: 'action_required' });
    // The evaluation is recorded for metrics once the check run is written: the failed attempt records nothing, the
    // retry one evaluation (pending until the metrics pass, or stored by it).
    const db = app.metrics!.db;
    await waitFor(() => idle(app), 5000, 'an idle queue');
    const recorded = [
      ...(await db.selectFrom('pending_evaluations').select(['number', 'head_sha']).where('number', '=', 8).execute()),
      ...(await db.selectFrom('evaluations').select(['number', 'head_sha']).where('number', '=', 8).execute()),
    ];
    expect(recorded).toEqual([{ number: 8, head_sha: sha(8) }]);
  });

  it("an exhausted primary rate limit holds the installation's jobs until the reset, without a call to GitHub, and both check runs end correct", async () => {
    const reset = Math.ceil(Date.now() / 1000) + 3; // x-ratelimit-reset: epoch seconds
    const blockedUntil = reset * 1000 + 1000; // the reset plus a second for clock skew (src/github/retry.ts)
    const seen: Array<{ at: number; path: string }> = [];
    let limitedAt = 0;
    sim.fault = (req) => {
      seen.push({ at: Date.now(), path: req.path });
      if (limitedAt > 0 || req.graphql?.operation !== 'PullRequestFacts') return undefined;
      limitedAt = Date.now();
      return {
        status: 403,
        body: { message: 'API rate limit exceeded for installation ID 4242.' },
        headers: { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
      };
    };
    const app = await startInstance();
    expect((await deliver(app, 'pull_request', sim.openPullRequest(14, sha(14)))).status).toBe(200);
    await waitFor(() => limitedAt > 0, 10_000, 'the rate-limited facts query');
    // Another PR of the installation, during the block.
    expect((await deliver(app, 'pull_request', sim.openPullRequest(15, sha(15)))).status).toBe(200);
    await waitFor(
      () => [14, 15].every((n) => sim.runsOn(sha(n)).some((r) => r.status === 'completed')),
      30_000,
      'both check runs after the reset',
    );
    expect(seen.filter((r) => r.at > limitedAt && r.at < blockedUntil - 50).map((r) => r.path)).toEqual([]);
    for (const n of [14, 15]) {
      expect(sim.runsOn(sha(n))).toHaveLength(1);
      expect(sim.runsOn(sha(n))[0]).toMatchObject({ conclusion: 'action_required', output: { title: 'Needs 1 approval from @sam' } });
    }
    expect([sim.evaluationsOf(14), sim.evaluationsOf(15)]).toEqual([2, 1]);
    // PR 14's job was refused, PR 15's waited for the reset without trying.
    expect(await series(app, 'ai_review_job_retries_total{cause="primary_rate_limit"}')).toBe(2);
  });

  it('a GitHub request that never answers is given up after GITHUB_REQUEST_TIMEOUT_MS and tried again: the check run ends correct', async () => {
    // The first facts query of PR 13 is never answered (Node's fetch alone would wait 300 s for its headers).
    sim.hang = (req) => req.graphql?.operation === 'PullRequestFacts' && req.graphql.variables.number === 13 && sim.evaluationsOf(13) === 1;
    const app = await startInstance({ GITHUB_REQUEST_TIMEOUT_MS: '500' });
    expect((await deliver(app, 'pull_request', sim.openPullRequest(13, sha(13)))).status).toBe(200);
    await waitFor(() => sim.runsOn(sha(13)).some((r) => r.status === 'completed'), 20_000, 'the check run');
    expect(sim.evaluationsOf(13)).toBe(2);
    expect(sim.runsOn(sha(13))).toHaveLength(1);
    expect(sim.runsOn(sha(13))[0]).toMatchObject({ conclusion: 'action_required', output: { title: 'Needs 1 approval from @sam' } });
  });

  it('a job interrupted by a crash after the acknowledgement runs again after a restart, without a new delivery', async () => {
    let hung = 0;
    sim.hang = (req) => req.graphql?.operation === 'PullRequestFacts' && req.graphql.variables.number === 9 && hung++ === 0;
    const first = await startInstance({ QUEUE_STALE_WORKER_S: '1' });
    expect((await deliver(first, 'pull_request', sim.openPullRequest(9, sha(9)))).status).toBe(200);
    await waitFor(() => hung === 1, 30_000, 'the job to start');
    // "SIGKILL": the queue stops without unlocking anything and the HTTP server goes away.
    await (first.queue as unknown as { crashForTests(): Promise<void> }).crashForTests();
    await first.server.stop();
    instances.splice(instances.indexOf(first), 1);
    crashed.push(first);
    const second = await startInstance({ QUEUE_STALE_WORKER_S: '1' });
    await waitFor(() => sim.runsOn(sha(9)).some((r) => r.status === 'completed'), 60_000, 'the recovered check run');
    expect(sim.runsOn(sha(9))).toHaveLength(1);
    expect(sim.runsOn(sha(9))[0]).toMatchObject({ conclusion: 'action_required' });
    await waitFor(() => idle(second), 5000, 'an idle queue');
  });

  it('QUEUE_CONCURRENCY=0: a web instance acknowledges and queues without taking jobs; a worker instance on the same store writes the check run, and the metrics pass stores the delivery and the evaluation', async () => {
    const web = await startInstance({ QUEUE_CONCURRENCY: '0' });
    expect((await deliver(web, 'pull_request', sim.openPullRequest(11, sha(11)), 'web-delivery')).status).toBe(200);
    // The debounce is 300 ms: an instance taking jobs would have written the check run by now.
    await sleep(1500);
    expect(sim.runsOn(sha(11))).toEqual([]);
    expect(await web.queue!.stats()).toMatchObject({ pending: 1, running: 0 });
    const pending = () =>
      web
        .metrics!.db.selectFrom('deliveries')
        .select(['pull_number', 'applied'])
        .where('id', '=', 'web-delivery')
        .executeTakeFirstOrThrow();
    expect(await pending()).toEqual({ pull_number: 11, applied: 0 });
    const worker = await startInstance({ METRICS_RECOMPUTE_INTERVAL_S: '1' });
    await waitFor(() => sim.runsOn(sha(11)).some((r) => r.status === 'completed'), 60_000, 'the check run');
    expect(sim.runsOn(sha(11))).toHaveLength(1);
    expect(sim.runsOn(sha(11))[0]).toMatchObject({ conclusion: 'action_required' });
    await waitFor(() => idle(worker), 5000, 'an idle queue');
    // The job recorded its evaluation as a pending row; the pass (every second here) stores it with the delivery.
    const db = worker.metrics!.db;
    await waitFor(
      async () => (await pending()).applied === 1 && (await db.selectFrom('pending_evaluations').selectAll().execute()).length === 0,
      15_000,
      'the metrics pass',
    );
    expect(await db.selectFrom('evaluations').select(['number', 'head_sha', 'conclusion']).execute()).toEqual([
      { number: 11, head_sha: sha(11), conclusion: 'action_required' },
    ]);
    expect(await db.selectFrom('pull_requests').select(['number', 'figures_stale']).execute()).toEqual([{ number: 11, figures_stale: 0 }]);
  });

  it('failed deliveries listed by GitHub are redelivered once; successful ones never', async () => {
    const now = new Date();
    const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();
    sim.hookDeliveries = [
      { id: 1, guid: 'failed-guid', status_code: 500, delivered_at: ago(5) },
      { id: 2, guid: 'retried-guid', status_code: 502, delivered_at: ago(9) },
      { id: 3, guid: 'retried-guid', status_code: 200, delivered_at: ago(8), redelivery: true },
      { id: 4, guid: 'ok-guid', status_code: 202, delivered_at: ago(7) },
      { id: 5, guid: 'old-guid', status_code: 500, delivered_at: ago(4 * 24 * 60) },
    ];
    const app = await startInstance();
    const appOctokit = () =>
      Promise.resolve(
        new ProbotOctokit({
          auth: { appId: 123, privateKey: PRIVATE_KEY },
          baseUrl: `http://${ghe}/api/v3`,
          throttle: { enabled: false },
        }) as never,
      );
    const first = await redeliverFailedDeliveries({ appOctokit, state: app.queue!.state, log: silent });
    const second = await redeliverFailedDeliveries({ appOctokit, state: app.queue!.state, log: silent });
    expect(first).toMatchObject({ requested: 1, skipped: false });
    expect(second).toMatchObject({ requested: 0 });
    expect(sim.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/app/hook/deliveries')).map((r) => r.path)).toEqual([
      '/app/hook/deliveries/1/attempts',
    ]);
  });

  it('the server scans for failed deliveries 5 s after it starts, follows the listing’s cursor, and stops paging past the 3-day window', async () => {
    const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
    sim.maxPerPage = 2;
    sim.hookDeliveries = [
      { id: 9, guid: 'ok-guid', status_code: 200, delivered_at: ago(1) },
      { id: 8, guid: 'failed-guid', status_code: 500, delivered_at: ago(5) },
      { id: 7, guid: 'retried-guid', status_code: 200, delivered_at: ago(8), redelivery: true },
      { id: 6, guid: 'retried-guid', status_code: 502, delivered_at: ago(9) },
      { id: 5, guid: 'timed-out-guid', status_code: 0, delivered_at: ago(2 * 24 * 60) },
      { id: 4, guid: 'old-guid', status_code: 500, delivered_at: ago(4 * 24 * 60) },
      { id: 3, guid: 'older-guid', status_code: 500, delivered_at: ago(5 * 24 * 60) },
    ];
    const started = Date.now();
    const app = await startInstance({ REDELIVERY_INTERVAL_S: '600' });
    const attempts = () => sim.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/app/hook/deliveries')).map((r) => r.path);
    await waitFor(() => attempts().length === 2, 20_000, 'the redelivery requests');
    expect(Date.now() - started).toBeGreaterThanOrEqual(5000);
    expect(attempts().sort()).toEqual(['/app/hook/deliveries/5/attempts', '/app/hook/deliveries/8/attempts']);
    // Pages of 2: the third reaches past 3 days, so the fourth (id 3) is never asked for.
    expect(sim.requests.filter((r) => r.path === '/app/hook/deliveries').map((r) => r.query.get('cursor'))).toEqual([null, 'v1_2', 'v1_4']);
    // Counted once GitHub's answer is in, which may be just after the simulation saw the request.
    await waitFor(
      async () => (await series(app, 'ai_review_redeliveries_total{result="requested"}')) === 2,
      10_000,
      'two redeliveries counted',
    );
  });

  if (kind === 'postgres') {
    it('two replicas on one PostgreSQL: a delivery sent to both at once gives one check run and one stored delivery; 50 PRs split between them each get one', async () => {
      // One write per evaluation (no review requests): Probot spaces an installation's writes 1 s apart per process.
      sim.config =
        'mode: enforce\nrules:\n  - name: agent-review\n    require:\n      reviewers: ["sam"]\nreview:\n  request_reviewers: false\n';
      const a = await startInstance();
      const b = await startInstance();
      const payload = sim.openPullRequest(1, sha(1));
      const [ra, rb] = await Promise.all([
        deliver(a, 'pull_request', payload, 'same-delivery'),
        deliver(b, 'pull_request', payload, 'same-delivery'),
      ]);
      expect([ra.status, rb.status]).toEqual([200, 200]);
      const sends = [];
      for (let n = 100; n < 150; n++) sends.push(deliver(n % 2 === 0 ? a : b, 'pull_request', sim.openPullRequest(n, sha(n))));
      expect((await Promise.all(sends)).every((r) => r.status === 200)).toBe(true);
      await waitFor(
        async () => (await idle(a)) && [1, ...Array.from({ length: 50 }, (_, i) => 100 + i)].every((n) => sim.runsOn(sha(n)).length > 0),
        120_000,
        'all check runs',
      );
      await sleep(500);
      for (const n of [1, ...Array.from({ length: 50 }, (_, i) => 100 + i)]) {
        expect(sim.runsOn(sha(n))).toHaveLength(1);
        expect(sim.runsOn(sha(n))[0]!.conclusion).toBe('action_required');
      }
      const client = new pg.Client({ connectionString: store.url });
      await client.connect();
      const { rows } = await client.query<{ n: string }>("SELECT count(*) AS n FROM deliveries WHERE id = 'same-delivery'");
      await client.end();
      expect(Number(rows[0]!.n)).toBe(1);
    }, 150_000);
  }

  if (kind === 'sqlite') {
    it('GitHub answering 503 for 30 s: deliveries are acknowledged at once throughout, and the check run ends correct once it recovers', async () => {
      const outageEnds = Date.now() + 30_000;
      sim.fault = (req) =>
        Date.now() < outageEnds && !req.path.includes('access_tokens')
          ? { status: 503, body: { message: 'Service Unavailable' } }
          : undefined;
      const app = await startInstance();
      const acks: number[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await deliver(app, 'pull_request', sim.openPullRequest(11, sha(11, i), i === 0 ? 'opened' : 'synchronize'));
        expect(r.status).toBe(200);
        acks.push(r.ms);
        await sleep(5000);
      }
      expect(Math.max(...acks)).toBeLessThan(1000);
      await waitFor(() => sim.runsOn(sha(11, 4)).some((r) => r.status === 'completed'), 60_000, 'the check run after the outage');
      expect(sim.runsOn(sha(11, 4))).toHaveLength(1);
      expect(sim.runsOn(sha(11, 4))[0]).toMatchObject({ conclusion: 'action_required' });
    }, 120_000);
  }
});
