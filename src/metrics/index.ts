/**
 * Metrics entry point for the app: `createMetrics(options)` opens the store (SQLite file by default,
 * PostgreSQL with a `postgres://` URL), runs the migrations, and returns a `MetricsSink` plus the `/metrics`
 * HTTP handler for Probot's `Server.addHandler`.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DeliveryOutcome, DeliveryRecord, EvaluationRecord, GitHubRequestObservation, MetricsSink } from './sink.js';
import type { MetricsDatabase } from './schema.js';
import type { MetricsStore, Transition } from './store.js';
import { groupCommit } from '../group-commit.js';
import { openStore } from './store/open.js';
import { pendingDeliveryRow } from './store/ingest.js';
import { databaseId } from '../postgres-pool.js';
import { createPrometheusMetrics, type PrometheusMetrics } from './prometheus.js';

export type { MetricsSink } from './sink.js';
export { MetricsStore } from './store.js';
export { openStore, StoreNotFoundError, StoreUnavailableError, type OpenStoreOptions } from './store/open.js';

/** Most deliveries written in one insert by the webhook path. */
const DELIVERY_BATCH = 100;

/** Options of `createMetrics`. */
export interface MetricsOptions {
  /** `postgres://…` / `postgresql://…` for PostgreSQL; unset or empty: SQLite file `<dataDir>/ai-review.sqlite`; `sqlite:<path>` or `:memory:` for another SQLite file. */
  databaseUrl?: string | undefined;
  /** Directory of the default SQLite file (default `./data`, created when missing). */
  dataDir?: string;
  /** Bearer token protecting `GET /metrics`; unset or empty: the endpoint is off. */
  metricsToken?: string | undefined;
  logger: Logger;
  /** PostgreSQL: named prepared statements (default true; `DATABASE_PREPARED_STATEMENTS`, src/postgres-pool.ts). */
  preparedStatements?: boolean;
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

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!m?.[1]) return false;
  // Compare fixed-length digests so neither content nor length leaks through timing.
  const a = createHash('sha256').update(m[1].trim()).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

/**
 * Creates the metrics sink of the app. Store errors inside `recordDelivery`/`queueEvaluation` are logged and
 * swallowed (`recordDelivery` then resolves `recorded`), so metrics never break webhook handling; only the
 * start-up (opening the store, migrations) throws.
 */
export async function createMetrics(options: MetricsOptions): Promise<Metrics> {
  const store = await openStore(options);
  const logger = options.logger;
  const prometheus = createPrometheusMetrics(
    () => store.waitingForFirstReview(new Date()),
    () => store.openTeamReviewRequests(new Date()),
  );
  const observe = (transitions: readonly Transition[]): void => {
    for (const t of transitions) prometheus.observeTransition(t);
  };
  const token = options.metricsToken?.trim() ?? '';
  // Group commit of the webhook path: the deliveries that arrive while one insert runs go together in the next.
  const recordDeliveries = groupCommit((batch: readonly DeliveryRecord[]) => store.storeDeliveries(batch), DELIVERY_BATCH);

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
    ...(store.dialect === 'postgres'
      ? {
          databaseId: databaseId(options.databaseUrl?.trim() ?? ''),
          deliveryRow: (delivery: DeliveryRecord) => ({ table: 'deliveries', key: 'id', values: pendingDeliveryRow(delivery) }),
        }
      : {}),
    async recordDelivery(delivery: DeliveryRecord) {
      try {
        return await recordDeliveries(delivery);
      } catch (err) {
        logger.error({ deliveryId: delivery.id, err: (err as Error).message }, 'metrics: recording the delivery failed');
        return 'recorded';
      }
    },
    async recomputePullRequest(repository: string, pullNumber: number) {
      try {
        observe(await store.recomputePullRequest(repository, pullNumber));
      } catch (err) {
        logger.error({ repository, pullNumber, err: (err as Error).message }, 'metrics: recomputing the pull request failed');
      }
    },
    async queueEvaluation(evaluation: EvaluationRecord) {
      try {
        if ((await store.queueEvaluation(evaluation)) === 'recorded') prometheus.observeEvaluation(evaluation);
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
    async recomputeStale(limit?: number, between?: () => Promise<unknown>) {
      try {
        const result = await store.recomputeStale(limit, between);
        observe(result.transitions);
        return result.recomputed;
      } catch (err) {
        logger.error({ err: (err as Error).message }, 'metrics: recomputing stale pull requests failed');
        return 0;
      }
    },
    observeDelivery(event: string, outcome: DeliveryOutcome) {
      prometheus.observeDelivery(event, outcome);
    },
    observeGitHubRequest(request: GitHubRequestObservation) {
      prometheus.observeGitHubRequest(request);
    },
    observeGraphqlCost(points: number) {
      prometheus.observeGraphqlCost(points);
    },
    async close() {
      await store.close();
    },
  };
}
