/**
 * The webhook side on PostgreSQL with the metrics store and the job queue in one database: a delivery's metrics
 * row is written in the same statement as its jobs (`JobQueue.addWithRow`), not by a second insert.
 */
import pg from 'pg';
import { pino } from 'pino';
import { Probot, ProbotOctokit } from 'probot';
import { createApp } from '../../src/github/app.js';
import { createMetrics, type Metrics } from '../../src/metrics/index.js';
import { openJobQueue } from '../../src/queue/index.js';
import type { JobQueue } from '../../src/queue/types.js';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../metrics/helpers.js';
import { PRIVATE_KEY, pullRequestPayload } from './harness.js';

const silent = pino({ level: 'silent' });
let database: TestDatabase;
let queue: JobQueue;
let metrics: Metrics;
let probot: Probot;
let statements: string[];
const originalQuery = Reflect.get(pg.Client.prototype, 'query') as (this: pg.Client, ...args: unknown[]) => unknown;

beforeEach(async () => {
  // Every statement the stores' clients send, named (prepared) or not (spied before the pools create any client).
  statements = [];
  Reflect.set(pg.Client.prototype, 'query', function (this: pg.Client, ...args: unknown[]): unknown {
    const [first] = args as [unknown];
    const text = typeof first === 'string' ? first : (first as { text?: unknown } | null)?.text;
    if (typeof text === 'string') statements.push(text);
    return originalQuery.apply(this, args);
  });
  database = await createTestDatabase('postgres');
  metrics = await createMetrics({ databaseUrl: database.url, logger: silent });
  queue = await openJobQueue({ databaseUrl: database.url, logger: silent });
  probot = new Probot({
    appId: 123,
    privateKey: PRIVATE_KEY,
    log: silent,
    Octokit: ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } }),
  });
  await probot.load(createApp({ queue, metrics, appSlug: 'ai-review', debounceMs: 0 }));
  statements = [];
});

afterEach(async () => {
  Reflect.set(pg.Client.prototype, 'query', originalQuery);
  await queue.close();
  await metrics.close();
  const schema = new URL(database.url).searchParams.get('options')!.replace('-c search_path=', '');
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}_graphile_worker" CASCADE`);
  await admin.end();
  await database.drop();
});

it('stores the delivery row and the evaluation job in one statement; a duplicate delivery stores no second row', async () => {
  const payload = pullRequestPayload('opened', { number: 7, sha: 'a'.repeat(40) });
  await probot.receive({ id: 'delivery-1', name: 'pull_request', payload } as never);
  expect(statements.filter((s) => /INSERT INTO "deliveries"/.test(s) && /add_jobs/.test(s))).toHaveLength(1);
  expect(statements.filter((s) => /deliveries/.test(s) && !/add_jobs/.test(s))).toEqual([]);
  const rows = await metrics.db.selectFrom('deliveries').select(['id', 'event', 'action', 'pull_number', 'applied']).execute();
  expect(rows).toEqual([{ id: 'delivery-1', event: 'pull_request', action: 'opened', pull_number: 7, applied: 0 }]);
  expect((await queue.stats()).pending).toBe(1);

  await probot.receive({ id: 'delivery-1', name: 'pull_request', payload } as never);
  expect(await metrics.db.selectFrom('deliveries').select('id').execute()).toHaveLength(1);
  // The job is queued again (coalesced with the pending one): the work of a redelivery is never lost.
  expect((await queue.stats()).pending).toBe(1);
});

it('a delivery that needs no work stores its row alone', async () => {
  await probot.receive({ id: 'delivery-2', name: 'star', payload: { action: 'created', repository: { full_name: 'acme/api' } } } as never);
  expect(await metrics.db.selectFrom('deliveries').select(['id', 'event', 'applied']).execute()).toEqual([
    { id: 'delivery-2', event: 'star', applied: 1 },
  ]);
  expect((await queue.stats()).pending).toBe(0);
});

it('when the row cannot be stored, the delivery fails (GitHub redelivers it) and no job is queued', async () => {
  await metrics.db.schema.alterTable('deliveries').renameTo('deliveries_gone').execute();
  const payload = pullRequestPayload('opened', { number: 8, sha: 'b'.repeat(40) });
  await expect(probot.receive({ id: 'delivery-3', name: 'pull_request', payload } as never)).rejects.toThrow(/deliveries/);
  expect((await queue.stats()).pending).toBe(0);
});
