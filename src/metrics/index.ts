/**
 * Metrics entry point for the app: `createMetrics(options)` opens the store (SQLite file by default,
 * PostgreSQL with a `postgres://` URL), runs the migrations, and returns a `MetricsSink` plus the `/metrics`
 * HTTP handler for Probot's `Server.addHandler`.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Database from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase } from 'kysely';
import type { Logger } from 'pino';
import type { DeliveryOutcome, DeliveryRecord, EvaluationRecord, MetricsSink } from './sink.js';
import { migrateToLatest, type MetricsDatabase } from './schema.js';
import { MetricsStore, type StoreDialect } from './store.js';
import { createPrometheusMetrics, type PrometheusMetrics } from './prometheus.js';

export type { MetricsSink } from './sink.js';
export { MetricsStore } from './store.js';

/** Options of `createMetrics` / `openStore`. */
export interface MetricsOptions {
  /** `postgres://…` / `postgresql://…` for PostgreSQL; unset or empty: SQLite file `<dataDir>/ai-review.sqlite`; `sqlite:<path>` or `:memory:` for another SQLite file. */
  databaseUrl?: string;
  /** Directory of the default SQLite file (default `./data`, created when missing). */
  dataDir?: string;
  /** Bearer token protecting `GET /metrics`; unset or empty: the endpoint is off. */
  metricsToken?: string;
  logger: Logger;
}

/** What the app gets: the sink, the HTTP handler, and the store/db for the CLI and tests. */
export interface Metrics extends MetricsSink {
  /**
   * Serves `GET /metrics` (Prometheus text format) behind `Authorization: Bearer <METRICS_TOKEN>`.
   * Returns true when it handled the request (200, 401 or 405), false for other paths or when no token is
   * configured (Probot then answers 404).
   */
  httpHandler: (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;
  store: MetricsStore;
  db: Kysely<MetricsDatabase>;
  prometheus: PrometheusMetrics;
}

/**
 * Opens the store for `databaseUrl` and runs pending migrations. Throws when the database cannot be reached
 * or a migration fails.
 */
export async function openStore(options: Omit<MetricsOptions, 'metricsToken'>): Promise<MetricsStore> {
  const url = options.databaseUrl?.trim() ?? '';
  let db: Kysely<MetricsDatabase>;
  let dialect: StoreDialect;
  if (/^postgres(ql)?:\/\//i.test(url)) {
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    // An idle client error (server restart) must not crash the process.
    pool.on('error', (err) => options.logger.warn({ err: err.message }, 'metrics: PostgreSQL pool error'));
    db = new Kysely<MetricsDatabase>({ dialect: new PostgresDialect({ pool }) });
    dialect = 'postgres';
  } else {
    let file: string;
    if (url === ':memory:') file = ':memory:';
    else if (url.startsWith('sqlite:')) file = url.slice('sqlite:'.length).replace(/^\/\//, '');
    else if (url === '') {
      const dir = path.resolve(options.dataDir ?? './data');
      mkdirSync(dir, { recursive: true });
      file = path.join(dir, 'ai-review.sqlite');
    } else throw new Error('DATABASE_URL must start with postgres:// or sqlite: (or be unset for ./data/ai-review.sqlite)');
    const sqlite = new Database(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('cache_size = -32000'); // 32 MB page cache
    db = new Kysely<MetricsDatabase>({ dialect: new SqliteDialect({ database: cachingStatements(sqlite) }) });
    dialect = 'sqlite';
  }
  try {
    await migrateToLatest(db, dialect);
  } catch (err) {
    await db.destroy().catch(() => undefined);
    throw err;
  }
  return new MetricsStore(db, dialect, options.logger);
}

/**
 * Wraps a better-sqlite3 database so that Kysely's driver reuses prepared statements (it prepares every query
 * anew otherwise, which was the largest cost of recording a delivery). Bounded: the cache is cleared past 1,000
 * distinct statements (multi-row inserts produce one per row count).
 */
function cachingStatements(sqlite: Database.Database): SqliteDatabase {
  const cache = new Map<string, Database.Statement>();
  return {
    prepare(sqlText: string) {
      let statement = cache.get(sqlText);
      if (!statement) {
        if (cache.size >= 1000) cache.clear();
        statement = sqlite.prepare(sqlText);
        cache.set(sqlText, statement);
      }
      return statement;
    },
    close() {
      sqlite.close();
    },
  };
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!m?.[1]) return false;
  // Compare fixed-length digests so neither content nor length leaks through timing.
  const a = createHash('sha256').update(m[1].trim()).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

/**
 * Creates the metrics sink of the app. Store errors inside `recordDelivery`/`recordEvaluation` are logged and
 * swallowed (`recordDelivery` then resolves `recorded`), so metrics never break webhook handling; only the
 * start-up (opening the store, migrations) throws.
 */
export async function createMetrics(options: MetricsOptions): Promise<Metrics> {
  const store = await openStore(options);
  const logger = options.logger;
  const prometheus = createPrometheusMetrics(() => store.waitingForFirstReview(new Date()));
  const token = options.metricsToken?.trim() ?? '';

  const httpHandler = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const pathname = (req.url ?? '').split('?')[0];
    if (pathname !== '/metrics' || token === '') return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return true;
    }
    if (!tokenMatches(req.headers.authorization, token)) {
      res.writeHead(401, { 'WWW-Authenticate': 'Bearer realm="metrics"', 'Content-Type': 'text/plain' }).end('unauthorized\n');
      return true;
    }
    try {
      const body = await prometheus.registry.metrics();
      res.writeHead(200, { 'Content-Type': prometheus.registry.contentType });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'metrics: scrape failed');
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end('metrics unavailable\n');
    }
    return true;
  };

  return {
    store,
    db: store.db,
    prometheus,
    httpHandler,
    async recordDelivery(delivery: DeliveryRecord) {
      try {
        const result = await store.recordDelivery(delivery);
        for (const t of result.transitions) prometheus.observeTransition(t);
        return result.status;
      } catch (err) {
        logger.error({ deliveryId: delivery.id, err: (err as Error).message }, 'metrics: recording the delivery failed');
        return 'recorded';
      }
    },
    async recordEvaluation(evaluation: EvaluationRecord) {
      try {
        const result = await store.recordEvaluation(evaluation);
        if (result.status === 'recorded') prometheus.observeEvaluation(evaluation);
        for (const t of result.transitions) prometheus.observeTransition(t);
      } catch (err) {
        logger.error(
          {
            deliveryId: evaluation.deliveryId,
            repository: evaluation.repository,
            pullNumber: evaluation.pullNumber,
            err: (err as Error).message,
          },
          'metrics: recording the evaluation failed',
        );
      }
    },
    observeDelivery(event: string, outcome: DeliveryOutcome) {
      prometheus.observeDelivery(event, outcome);
    },
    observeGitHubRequest(status: number) {
      prometheus.observeGitHubRequest(status);
    },
    async close() {
      await store.close();
    },
  };
}
