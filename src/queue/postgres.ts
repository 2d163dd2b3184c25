/**
 * The job queue on PostgreSQL: graphile-worker (https://worker.graphile.org) holds the jobs, so any number of
 * replicas share them. Our semantics map onto its own features: `key` → `jobKey` (`debounce` =
 * `preserve_run_at`, `replace` = `replace`; graphile-worker adds a new job when the keyed one is already
 * running), `queue` → `queueName` (jobs of one named queue run serially across all workers).
 *
 * What graphile-worker leaves to us: a worker killed with SIGKILL keeps its jobs locked for 4 hours. Each
 * process therefore writes a heartbeat row for its worker pool (graphile-worker 0.17+ locks jobs by the pool's id);
 * any process that sees a heartbeat older than `staleWorkerAfterMs` (default 30 s) unlocks that pool's jobs with
 * `forceUnlockWorkers`, so they run again.
 */
import {
  Logger as GraphileLogger,
  makeWorkerUtils,
  run,
  type Job,
  type JobHelpers,
  type Runner,
  type TaskList,
  type WorkerUtils,
} from 'graphile-worker';
import { EventEmitter } from 'node:events';
import pg from 'pg';
import { groupCommit } from '../group-commit.js';
import { createPool, databaseId } from '../postgres-pool.js';
import type { Logger } from 'pino';
import {
  MAX_ATTEMPTS,
  RetryLater,
  type AddResult,
  type JobHandler,
  type JobPayload,
  type JobQueue,
  type JobSpec,
  type KeyedRow,
  type PipelineState,
  type QueueStats,
} from './types.js';

const STATE_SCHEMA = `
CREATE TABLE IF NOT EXISTS ai_review_work_failures (
  key TEXT PRIMARY KEY,
  first_failure_at TIMESTAMPTZ NOT NULL,
  failures INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS ai_review_review_requests (
  key TEXT PRIMARY KEY,
  flagged_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS ai_review_check_runs (
  key TEXT PRIMARY KEY,
  check_run_id BIGINT NOT NULL,
  output_hash TEXT NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS ai_review_pushes (
  key TEXT NOT NULL,
  head_sha TEXT NOT NULL,
  pusher_login TEXT NOT NULL,
  automated BOOLEAN NOT NULL,
  at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (key, head_sha)
);
CREATE TABLE IF NOT EXISTS ai_review_installation_limits (
  installation_id BIGINT PRIMARY KEY,
  blocked_until TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS ai_review_redeliveries (
  guid TEXT PRIMARY KEY,
  requested_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS ai_review_queue_workers (
  worker_id TEXT PRIMARY KEY,
  heartbeat_at TIMESTAMPTZ NOT NULL
);
`;

/**
 * `PipelineState.readJobState` in one statement: $1 key, $2 installation id, $3 now, $4 check-run key or null.
 * Pushes: the 250 latest, oldest first (ties by head SHA), `at` as ms since the epoch.
 */
const READ_JOB_STATE = `
SELECT
  (SELECT blocked_until FROM ai_review_installation_limits WHERE installation_id = $2 AND blocked_until > $3) AS blocked_until,
  (SELECT failures FROM ai_review_work_failures WHERE key = $1) AS failures,
  EXISTS (SELECT 1 FROM ai_review_review_requests WHERE key = $1) AS review_requested,
  (SELECT json_agg(json_build_object('head_sha', p.head_sha, 'pusher_login', p.pusher_login, 'automated', p.automated,
            'at_ms', floor(extract(epoch FROM p.at) * 1000)) ORDER BY p.at, p.head_sha)
     FROM (SELECT * FROM ai_review_pushes WHERE key = $1 ORDER BY at DESC, head_sha DESC LIMIT 250) p) AS pushes,
  (SELECT json_build_object('id', check_run_id, 'output_hash', output_hash) FROM ai_review_check_runs WHERE key = $4) AS check_run`;

/** Options of the PostgreSQL queue. */
export interface PostgresQueueOptions {
  connectionString: string;
  logger: Logger;
  /**
   * graphile-worker's schema. Default: `graphile_worker` when the connection's current schema is `public`,
   * otherwise `<current schema>_graphile_worker`, so deployments separated by `search_path` keep separate queues.
   */
  schema?: string;
  /**
   * How often an instance taking jobs deletes the named queues that hold no job ({@link PostgresJobQueue.collectIdleQueues}),
   * in ms. Default 60 000 (a minute: the job query's cost grows with the queues left since the last collection); 0 turns it off.
   */
  idleQueueCollectionIntervalMs?: number;
  /** Poll interval for jobs scheduled later, in ms (new jobs arrive by LISTEN/NOTIFY at once). Default 1000. */
  pollIntervalMs?: number;
  /** Heartbeat period of this process's workers, in ms (default 10 000). */
  heartbeatIntervalMs?: number;
  /** A worker whose heartbeat is older than this is dead and its jobs are unlocked, in ms (default 30 000). */
  staleWorkerAfterMs?: number;
  /**
   * Named prepared statements, this app's and graphile-worker's (default true; false sets graphile-worker's
   * `noPreparedStatements`): `DATABASE_PREPARED_STATEMENTS`, src/postgres-pool.ts.
   */
  preparedStatements?: boolean;
  /**
   * Receives graphile-worker's events (its `WorkerEvents`: pool, worker, job and local-queue events) besides this
   * queue's own listeners; for observation, e.g. tests counting the local queue's fetches. Default: a private emitter.
   */
  events?: EventEmitter;
}

function graphileLogger(log: Logger): GraphileLogger {
  return new GraphileLogger(() => (level, message) => {
    // graphile-worker's messages name jobs and workers, never payloads.
    const text = message.slice(0, 500);
    // LogLevel is a const enum of strings ('error', 'warning', 'info', 'debug').
    const name: string = level;
    if (name === 'error') log.error({ component: 'graphile-worker' }, text);
    else if (name === 'warning') log.warn({ component: 'graphile-worker' }, text);
    else log.debug({ component: 'graphile-worker' }, text);
  });
}

/**
 * graphile-worker's local queue for a pool of `concurrency` workers polling every `pollIntervalMs`: input the two,
 * output the `preset.worker.localQueue` options (https://worker.graphile.org/docs/performance, batching).
 * Without it every `add_jobs` notification wakes up to as many idle workers as jobs were added, and each runs the
 * job query at once, although our jobs are debounced and not due yet. With it one query per pool fetches up to
 * `concurrency + 1` due jobs (at most one per named queue, so a PR's jobs still run one at a time:
 * graphile/worker#621, fixed in 0.18.0), and after a fetch that found nothing the pool waits about 100 ms
 * (`refetchDelay`, random 50–150 ms) before it fetches again, however many notifications arrive meanwhile: its
 * `maxAbortThreshold` is infinite. graphile-worker's default (5 × the batch size) cuts the delay short once a random
 * count of 0–25 notified jobs arrived, which during a flood of deliveries is within one or two `add_jobs` batches.
 * Measured (4,000 debounced adds over 400 PRs in about 0.5 s, four idle workers, PostgreSQL 15 on this project's
 * 2-core VM): 83–110 transactions during the adds with graphile-worker 0.16, 5 with this local queue. In the
 * benchmark's maximum-throughput run (2,000 deliveries in about 1.5 s), the job query ran 61 times with the default
 * abort threshold and 14 times without it (`test/queue/queue.test.ts` counts the fetches of a smaller flood).
 */
function localQueueOptions(concurrency: number, pollIntervalMs: number) {
  return {
    size: concurrency + 1,
    refetchDelay: { durationMs: Math.min(100, pollIntervalMs), maxAbortThreshold: Infinity },
  };
}

/** One write of the webhook path's group commit: a job, or a row stored with a delivery's jobs. */
type Write = { spec: JobSpec } | { row: KeyedRow };
type WriteResult = AddResult | 'inserted' | 'duplicate';

/** A SQL identifier, quoted. */
const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** See module docs. */
export class PostgresJobQueue implements JobQueue {
  readonly kind = 'postgres' as const;
  readonly state: PipelineState;
  readonly databaseId: string;
  private readonly pool: pg.Pool;
  private readonly log: Logger;
  private schema: string;
  private readonly options: PostgresQueueOptions;
  private utils: WorkerUtils | null = null;
  private runner: Runner | null = null;
  /** The stop of a runner abandoned by {@link crashForTests}; settles when its last job ended. */
  private crashedRunner: Promise<void> | null = null;
  private closing: Promise<void> | null = null;
  /** Ids of this process's graphile-worker pools (one per `run`): jobs are locked by them, heartbeats name them. */
  private readonly poolIds = new Set<string>();
  private timers: NodeJS.Timeout[] = [];

  private constructor(options: PostgresQueueOptions) {
    this.options = options;
    this.log = options.logger;
    this.schema = options.schema ?? 'graphile_worker';
    this.databaseId = databaseId(options.connectionString);
    this.pool = createPool({
      connectionString: options.connectionString,
      max: 10,
      preparedStatements: options.preparedStatements !== false,
      onError: (err) => this.log.warn({ err: { message: err.message } }, 'queue: PostgreSQL connection error'),
    });
    this.state = this.createState();
  }

  /** Connects, runs graphile-worker's migrations and creates the state tables. Throws when PostgreSQL does not answer. */
  static async open(options: PostgresQueueOptions): Promise<PostgresJobQueue> {
    const queue = new PostgresJobQueue(options);
    try {
      if (!options.schema) {
        const { rows } = await queue.pool.query<{ schema: string | null }>('SELECT current_schema() AS schema');
        const current = rows[0]?.schema ?? 'public';
        queue.schema = current === 'public' ? 'graphile_worker' : `${current}_graphile_worker`;
      }
      queue.utils = await makeWorkerUtils({
        pgPool: queue.pool,
        schema: queue.schema,
        logger: graphileLogger(queue.log),
        noPreparedStatements: options.preparedStatements === false,
      });
      await queue.utils.migrate();
      const client = await queue.pool.connect();
      try {
        // CREATE TABLE IF NOT EXISTS races between replicas starting together: serialise it.
        await client.query('BEGIN');
        await client.query("SELECT pg_advisory_xact_lock(hashtext('ai-review:queue-schema'))");
        await client.query(STATE_SCHEMA);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    } catch (error) {
      await queue.close().catch(() => undefined);
      throw error;
    }
    return queue;
  }

  /**
   * Queues a job. Concurrent calls share one `add_jobs` statement (graphile-worker's batch form of `add_job`, same
   * key semantics), so the webhook path costs one round trip per group of deliveries, not one per job.
   */
  async add(spec: JobSpec): Promise<AddResult> {
    return (await this.writes({ spec })) as AddResult;
  }

  /**
   * Queues one delivery's jobs and inserts its row in the same statement (with the other writes of the batch). The
   * row and the jobs go in one batch unless the batch is full, and each is idempotent on its own.
   */
  async addWithRow(specs: readonly JobSpec[], row: KeyedRow): Promise<{ jobs: AddResult[]; row: 'inserted' | 'duplicate' }> {
    const [stored, ...jobs] = await Promise.all([this.writes({ row }), ...specs.map((spec) => this.writes({ spec }))]);
    return { jobs: jobs as AddResult[], row: stored as 'inserted' | 'duplicate' };
  }

  /** Group commit of `add` and `addWithRow`: the writes that arrive while one batch is written go together in the next. */
  private readonly writes = groupCommit((batch: readonly Write[]) => this.writeBatch(batch));

  /**
   * Writes a batch: the jobs with `add_jobs`, one call per key mode (`debounce` keeps the waiting job's run time,
   * `preserve_run_at`; `replace` moves it), and the rows in the first statement. Specs of one batch with the same
   * key are merged first, as successive `add_job` calls would be (the last payload wins; `debounce` keeps the first
   * run time): all but the first count as coalesced. Rows with the same table and key: all but the first are
   * duplicates. Resolves per write, in order; rejects every write when PostgreSQL fails.
   */
  private async writeBatch(batch: readonly Write[]): Promise<WriteResult[]> {
    const results: WriteResult[] = batch.map((w) => ('spec' in w ? { coalesced: false } : 'duplicate'));
    const rows = { debounce: [] as Array<Record<string, unknown>>, replace: [] as Array<Record<string, unknown>> };
    const byKey = new Map<string, { row: Record<string, unknown>; first: number }>();
    // Rows by table and key column: the values to insert, and the first write of each key.
    const tables = new Map<string, { table: string; key: string; values: Array<Record<string, unknown>>; first: Map<string, number> }>();
    const specs: JobSpec[] = [];
    batch.forEach((write, index) => {
      if ('row' in write) {
        const { table, key, values } = write.row;
        const group = tables.get(`${table}\u0000${key}`) ?? { table, key, values: [], first: new Map<string, number>() };
        tables.set(`${table}\u0000${key}`, group);
        const id = String(values[key]);
        if (!group.first.has(id)) {
          group.first.set(id, index);
          group.values.push(values);
        }
        return;
      }
      const spec = write.spec;
      specs.push(spec);
      const mode = spec.keyMode === 'replace' ? 'replace' : 'debounce';
      const row: Record<string, unknown> = {
        identifier: spec.task,
        payload: spec.payload,
        queue_name: spec.queue ?? null,
        run_at: (spec.runAt ?? new Date()).toISOString(),
        max_attempts: MAX_ATTEMPTS,
        job_key: spec.key ?? null,
        priority: spec.priority ?? 0,
      };
      const earlier = spec.key ? byKey.get(`${mode}:${spec.key}`) : undefined;
      if (earlier) {
        results[index] = { coalesced: true };
        Object.assign(earlier.row, { ...row, ...(mode === 'debounce' ? { run_at: earlier.row.run_at } : {}) });
        return;
      }
      if (spec.key) byKey.set(`${mode}:${spec.key}`, { row, first: index });
      rows[mode].push(row);
    });
    const schema = ident(this.schema);
    // Pipeline state written with the jobs (`spec.state`), in the same statement.
    const flags = specs
      .filter((x) => x.key && x.state?.reviewRequestAt)
      .map((x) => ({ key: x.key, at: x.state!.reviewRequestAt!.toISOString() }));
    const pushes = specs
      .filter((x) => x.key && x.state?.push)
      .map((x) => ({ key: x.key, ...x.state!.push!, at: x.state!.push!.at.toISOString() }));
    const groups = [...tables.values()];
    const modes = (['debounce', 'replace'] as const).filter((mode) => rows[mode].length > 0);
    // The first statement also writes the state and the rows; a batch of rows alone is one statement without jobs.
    for (const [n, mode] of (modes.length > 0 ? modes : [null]).entries()) {
      const first = n === 0;
      const params: unknown[] = [];
      const param = (value: unknown) => `$${params.push(value)}`;
      const ctes: string[] = [];
      const selects: string[] = [];
      if (mode) {
        const specsParam = param(JSON.stringify(rows[mode]));
        const preserveParam = param(mode === 'debounce');
        selects.push(
          `SELECT key, revision, NULL::integer AS row_group FROM ${schema}.add_jobs(
             ARRAY(SELECT json_populate_recordset(NULL::${schema}.job_spec, ${specsParam}::json)), ${preserveParam}::boolean)`,
        );
      }
      if (first && flags.length > 0)
        ctes.push(`flags AS (
           INSERT INTO ai_review_review_requests (key, flagged_at)
           SELECT DISTINCT ON (key) key, at FROM json_to_recordset(${param(JSON.stringify(flags))}::json) AS f(key text, at timestamptz) ORDER BY key, at DESC
           ON CONFLICT (key) DO UPDATE SET flagged_at = GREATEST(ai_review_review_requests.flagged_at, excluded.flagged_at)
         )`);
      if (first && pushes.length > 0)
        ctes.push(`pushes AS (
           INSERT INTO ai_review_pushes (key, head_sha, pusher_login, automated, at)
           SELECT key, "headSha", "pusherLogin", automated, at
           FROM json_to_recordset(${param(JSON.stringify(pushes))}::json) AS p(key text, "headSha" text, "pusherLogin" text, automated boolean, at timestamptz)
           ON CONFLICT DO NOTHING
         )`);
      if (first)
        groups.forEach((group, g) => {
          ctes.push(`rows_${g} AS (
             INSERT INTO ${ident(group.table)} SELECT * FROM json_populate_recordset(NULL::${ident(group.table)}, ${param(JSON.stringify(group.values))}::json)
             ON CONFLICT (${ident(group.key)}) DO NOTHING RETURNING ${ident(group.key)}::text AS key
           )`);
          selects.push(`SELECT key, NULL::integer AS revision, ${g} AS row_group FROM rows_${g}`);
        });
      if (selects.length === 0) break;
      const { rows: written } = await this.pool.query<{ key: string | null; revision: number | null; row_group: number | null }>(
        `${ctes.length > 0 ? `WITH ${ctes.join(', ')} ` : ''}${selects.join(' UNION ALL ')}`,
        params,
      );
      for (const { key, revision, row_group } of written) {
        if (key === null) continue;
        if (row_group !== null) {
          const index = groups[row_group]?.first.get(key);
          if (index !== undefined) results[index] = 'inserted';
        } else if (mode) {
          const entry = byKey.get(`${mode}:${key}`);
          if (entry && (revision ?? 0) > 0) results[entry.first] = { coalesced: true };
        }
      }
    }
    return results;
  }

  async start(handlers: Record<string, JobHandler>, options: { concurrency?: number } = {}): Promise<void> {
    if (this.runner) throw new Error('queue already started');
    const taskList: TaskList = {};
    for (const [task, handler] of Object.entries(handlers)) {
      taskList[task] = async (payload: unknown, helpers: JobHelpers) => {
        const job: Job = helpers.job;
        const queue = await helpers.getQueueName(job.job_queue_id);
        try {
          await handler(payload as JobPayload, {
            id: job.id,
            task,
            key: job.key,
            queue,
            attempt: job.attempts,
            createdAt: new Date(job.created_at).getTime(),
          });
        } catch (error) {
          if (!(error instanceof RetryLater)) throw error;
          // Our job is locked, so this adds a new job with the key (or updates the pending follow-up).
          await helpers.addJob(task, payload, {
            ...(job.key ? { jobKey: job.key, jobKeyMode: 'replace' as const } : {}),
            ...(queue ? { queueName: queue } : {}),
            runAt: error.runAt,
            priority: job.priority,
            maxAttempts: MAX_ATTEMPTS,
          });
        }
      };
    }
    const events = this.options.events ?? new EventEmitter();
    // graphile-worker 0.17+ locks jobs by the worker pool's id (one per `run`), not by each worker's.
    events.on('pool:create', ({ workerPool }: { workerPool: { id: string } }) => {
      this.poolIds.add(workerPool.id);
      void this.heartbeat();
    });
    await this.sweepStaleWorkers();
    const concurrency = Math.max(1, options.concurrency ?? 4);
    const pollInterval = this.options.pollIntervalMs ?? 1000;
    this.runner = await run({
      pgPool: this.pool,
      schema: this.schema,
      taskList,
      concurrency,
      noHandleSignals: true,
      noPreparedStatements: this.options.preparedStatements === false,
      pollInterval,
      logger: graphileLogger(this.log),
      events: events,
      preset: { worker: { localQueue: localQueueOptions(concurrency, pollInterval) } },
    });
    this.watchRunner(this.runner);
    await this.heartbeat();
    const every = (ms: number, fn: () => Promise<void>) => {
      const timer = setInterval(
        () => void fn().catch((error: Error) => this.log.warn({ err: { message: error.message } }, 'queue: maintenance failed')),
        ms,
      );
      timer.unref();
      this.timers.push(timer);
    };
    every(this.options.heartbeatIntervalMs ?? 10_000, () => this.heartbeat());
    every(Math.max(1000, Math.floor((this.options.staleWorkerAfterMs ?? 30_000) / 2)), () => this.sweepStaleWorkers());
    const collectEvery = this.options.idleQueueCollectionIntervalMs ?? 60_000;
    if (collectEvery > 0)
      every(collectEvery, async () => {
        const deleted = await this.collectIdleQueues();
        if (deleted > 0) this.log.debug({ queues: deleted }, 'queue: deleted named queues without jobs');
      });
  }

  private async heartbeat(): Promise<void> {
    const ids = [...this.poolIds];
    if (ids.length === 0) return;
    await this.pool.query(
      `INSERT INTO ai_review_queue_workers (worker_id, heartbeat_at) SELECT unnest($1::text[]), now()
       ON CONFLICT (worker_id) DO UPDATE SET heartbeat_at = now()`,
      [ids],
    );
  }

  /**
   * Deletes graphile-worker's named queues that hold no job and are not locked; resolves how many were deleted.
   * Each PR gets its own named queue (its serialization), and graphile-worker keeps a queue's row after its last job
   * (it deletes them only when asked: `cleanup` with `GC_JOB_QUEUES`), while its job query locks every available
   * queue row each time a due job is fetched: measured with one due job, 1,602 queue rows made that query take
   * 5.8–7.7 ms and 51,602 rows 77–110 ms (EXPLAIN ANALYZE, PostgreSQL 15, this project's development VM).
   * The delete is graphile-worker's own `GC_JOB_QUEUES` statement, run while holding the queue table in EXCLUSIVE mode:
   * `add_jobs` creates a job's queue row and inserts the job in two statements, and a delete between the two would
   * leave the job without its queue (run beside the PR's other job). The lock waits for `add_jobs` calls in flight and
   * holds new ones back for the few milliseconds of the delete; it gives up after 2 s (resolves 0, next time then).
   * Throws on other store errors.
   */
  async collectIdleQueues(): Promise<number> {
    const schema = ident(this.schema);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query("SET LOCAL lock_timeout = '2s'");
      await client.query(`LOCK TABLE ${schema}._private_job_queues IN EXCLUSIVE MODE`);
      const { rowCount } = await client.query(
        `DELETE FROM ${schema}._private_job_queues job_queues
         WHERE locked_at IS NULL AND id NOT IN (SELECT job_queue_id FROM ${schema}._private_jobs jobs WHERE job_queue_id IS NOT NULL)`,
      );
      await client.query('COMMIT');
      return rowCount ?? 0;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      // 55P03: lock_not_available (lock_timeout).
      if ((error as { code?: string }).code === '55P03') return 0;
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Logs an error when graphile-worker stops this process's workers without {@link stop} having asked: it does so
   * when a newer version runs a migration it marks as breaking (it then also sets the process exit code to 57), or
   * after a fatal error. This process then takes no more jobs, though it still answers and queues deliveries;
   * other instances run the jobs, and a restart brings the workers back (or fails at start when the database's
   * queue schema is newer than this version's).
   */
  private watchRunner(runner: Runner): void {
    const ended = (error?: Error) => {
      if (this.runner !== runner) return; // stopped by stop() or crashForTests()
      this.runner = null;
      // No more heartbeats for the pool: should a job have stayed locked, another instance unlocks it once stale.
      this.poolIds.clear();
      this.log.error(
        { err: error ? { message: error.message.slice(0, 500) } : undefined },
        'queue: graphile-worker stopped this process from taking jobs (see its message before); restart the process',
      );
    };
    runner.promise.then(
      () => ended(),
      (error: Error) => ended(error),
    );
  }

  /** Unlocks the jobs of worker pools whose heartbeat went stale (their process died). */
  private async sweepStaleWorkers(): Promise<void> {
    const staleMs = this.options.staleWorkerAfterMs ?? 30_000;
    const { rows } = await this.pool.query<{ worker_id: string }>(
      `DELETE FROM ai_review_queue_workers WHERE heartbeat_at < now() - ($1::text || ' milliseconds')::interval AND NOT (worker_id = ANY($2::text[]))
       RETURNING worker_id`,
      [String(staleMs), [...this.poolIds]],
    );
    if (rows.length === 0) return;
    await this.utils!.forceUnlockWorkers(rows.map((r) => r.worker_id));
    this.log.warn({ workers: rows.length }, 'queue: unlocked the jobs of workers that stopped sending heartbeats');
  }

  async stop(graceMs = 8000): Promise<void> {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    const runner = this.runner;
    if (!runner) return;
    this.runner = null;
    const timedOut = await Promise.race([
      runner.stop().then(() => false),
      new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref()),
    ]);
    const ids = [...this.poolIds];
    this.poolIds.clear();
    if (ids.length > 0) {
      // Whatever still runs goes back to the queue for another instance.
      if (timedOut) this.log.warn('queue: jobs still running at shutdown are returned to the queue');
      await this.utils!.forceUnlockWorkers(ids).catch(() => undefined);
      await this.pool.query('DELETE FROM ai_review_queue_workers WHERE worker_id = ANY($1::text[])', [ids]).catch(() => undefined);
    }
  }

  /**
   * Simulates a crash (tests): stops heartbeats and taking jobs without unlocking anything, as SIGKILL would. The
   * queue is unusable afterwards. Unlike a killed process, a job that was running still runs to its end and
   * graphile-worker then records its outcome, so {@link close} ends the pool only after that.
   */
  async crashForTests(): Promise<void> {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    const runner = this.runner;
    this.runner = null;
    this.poolIds.clear();
    if (runner) this.crashedRunner = runner.stop().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
  }

  async stats(): Promise<QueueStats> {
    const { rows } = await this.pool.query<{ pending: string; running: string; oldest: number | null }>(
      `SELECT count(*) FILTER (WHERE locked_at IS NULL) AS pending,
              count(*) FILTER (WHERE locked_at IS NOT NULL) AS running,
              extract(epoch FROM now() - min(run_at) FILTER (WHERE locked_at IS NULL AND run_at <= now()))::float8 AS oldest
       FROM ${pg.escapeIdentifier(this.schema)}.jobs WHERE attempts < max_attempts`,
    );
    const row = rows[0]!;
    return {
      pending: Number(row.pending),
      running: Number(row.running),
      oldestDueAgeSeconds: row.oldest === null ? null : Math.max(0, row.oldest),
    };
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  /** Stops taking jobs (as {@link stop}) and ends the pool; later calls wait for the first. */
  close(): Promise<void> {
    return (this.closing ??= this.closeOnce());
  }

  private async closeOnce(): Promise<void> {
    await this.stop();
    await this.utils?.release();
    this.utils = null;
    if (this.crashedRunner) {
      // After crashForTests: the abandoned workers' last writes need the pool (a job hung on GitHub ends later).
      void this.crashedRunner.then(() => this.pool.end());
      return;
    }
    await this.pool.end();
  }

  private createState(): PipelineState {
    const pool = this.pool;
    return {
      recordFailure: async (key, now) => {
        const { rows } = await pool.query<{ first_failure_at: Date; failures: number }>(
          `INSERT INTO ai_review_work_failures (key, first_failure_at, failures) VALUES ($1, $2, 1)
           ON CONFLICT (key) DO UPDATE SET failures = ai_review_work_failures.failures + 1 RETURNING first_failure_at, failures`,
          [key, now],
        );
        return { firstFailureAt: new Date(rows[0]!.first_failure_at), failures: rows[0]!.failures };
      },
      clearFailures: async (key) => {
        await pool.query('DELETE FROM ai_review_work_failures WHERE key = $1', [key]);
      },
      flagReviewRequest: async (key, now) => {
        await pool.query(
          'INSERT INTO ai_review_review_requests (key, flagged_at) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET flagged_at = GREATEST(ai_review_review_requests.flagged_at, excluded.flagged_at)',
          [key, now],
        );
      },
      clearReviewRequest: async (key, before) => {
        await pool.query('DELETE FROM ai_review_review_requests WHERE key = $1 AND flagged_at <= $2', [key, before]);
      },
      checkRunFor: async (key) => {
        const { rows } = await pool.query<{ check_run_id: string; output_hash: string }>(
          'SELECT check_run_id, output_hash FROM ai_review_check_runs WHERE key = $1',
          [key],
        );
        return rows[0] ? { id: Number(rows[0].check_run_id), outputHash: rows[0].output_hash } : null;
      },
      saveCheckRun: async (key, id, outputHash, now) => {
        await pool.query(
          `INSERT INTO ai_review_check_runs (key, check_run_id, output_hash, updated_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (key) DO UPDATE SET check_run_id = excluded.check_run_id, output_hash = excluded.output_hash, updated_at = excluded.updated_at`,
          [key, id, outputHash, now],
        );
      },
      recordPush: async (key, push) => {
        await pool.query(
          'INSERT INTO ai_review_pushes (key, head_sha, pusher_login, automated, at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
          [key, push.headSha, push.pusherLogin, push.automated, push.at],
        );
      },
      blockInstallation: async (installationId, until) => {
        await pool.query(
          `INSERT INTO ai_review_installation_limits (installation_id, blocked_until) VALUES ($1, $2)
           ON CONFLICT (installation_id) DO UPDATE SET blocked_until = GREATEST(ai_review_installation_limits.blocked_until, excluded.blocked_until)`,
          [installationId, until],
        );
      },
      readJobState: async ({ key, installationId, checkRunKey, now }) => {
        const { rows } = await pool.query<{
          blocked_until: Date | null;
          failures: number | null;
          review_requested: boolean;
          pushes: Array<{ head_sha: string; pusher_login: string; automated: boolean; at_ms: number }> | null;
          check_run: { id: number; output_hash: string } | null;
        }>(READ_JOB_STATE, [key, installationId, now, checkRunKey ?? null]);
        const row = rows[0]!;
        return {
          installationBlockedUntil: row.blocked_until ? new Date(row.blocked_until) : null,
          failures: row.failures ?? 0,
          reviewRequestFlagged: row.review_requested,
          pushes: (row.pushes ?? []).map((p) => ({
            headSha: p.head_sha,
            pusherLogin: p.pusher_login,
            automated: p.automated,
            at: new Date(p.at_ms).toISOString(),
          })),
          checkRun: row.check_run ? { id: Number(row.check_run.id), outputHash: row.check_run.output_hash } : null,
        };
      },
      claimRedelivery: async (guid, now) => {
        const { rowCount } = await pool.query(
          'INSERT INTO ai_review_redeliveries (guid, requested_at) VALUES ($1, $2) ON CONFLICT DO NOTHING',
          [guid, now],
        );
        return rowCount === 1;
      },
      withExclusiveLock: async <T>(name: string, fn: () => Promise<T>): Promise<T | null> => {
        const client = await pool.connect();
        try {
          const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
            `ai-review:${name}`,
          ]);
          if (!rows[0]?.locked) return null;
          try {
            return await fn();
          } finally {
            await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`ai-review:${name}`]);
          }
        } finally {
          client.release();
        }
      },
    };
  }
}
