/**
 * `npm start`: runs ai-review the standard Probot way. Environment (see README "Configuration"):
 * APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET, PORT (3000), HOST, GHE_HOST/GHE_PROTOCOL,
 * LOG_LEVEL, DATABASE_URL, METRICS_TOKEN, APP_SLUG, REDIS_URL. Without APP_ID, Probot's setup flow registers the app from
 * app.yml. Outside development and tests it refuses to start without WEBHOOK_SECRET.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sql } from 'kysely';
import { pino, type DestinationStream, type Logger } from 'pino';
import { ProbotOctokit, run, type Server } from 'probot';
import { createApp, DEFAULT_DEBOUNCE_MS, DEFAULT_RETRY_WINDOW_S } from './github/app.js';
import type { Octokit } from './github/facts.js';
import { redeliverFailedDeliveries } from './github/redelivery.js';
import { createMetrics, type Metrics } from './metrics/index.js';
import { openJobQueue, type JobHandler, type JobQueue } from './queue/index.js';
import { createPipelineMetrics } from './queue/metrics.js';

/**
 * Checks the environment before start-up. Output: an error message, or null when the app may start.
 * WEBHOOK_SECRET is required once the app is registered (APP_ID set) unless NODE_ENV is `development` or `test`:
 * Probot alone would silently fall back to the secret "development".
 */
export function environmentProblem(env: NodeJS.ProcessEnv): string | null {
  const development = env.NODE_ENV === 'development' || env.NODE_ENV === 'test';
  if (env.APP_ID && !env.WEBHOOK_SECRET && !development) {
    return 'WEBHOOK_SECRET is not set. Set it to the webhook secret of your GitHub App (Settings → Webhook secret); ai-review refuses to accept unsigned or default-signed deliveries. For local development only, set NODE_ENV=development.';
  }
  return null;
}

/** A non-negative number from the environment, or `fallback` when unset; throws naming the variable when invalid. */
function numberFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got "${raw.slice(0, 40)}"`);
  return value;
}

/**
 * The Octokit the jobs use: Probot's (throttling, retries, auth), with a timeout on every request
 * (`GITHUB_REQUEST_TIMEOUT_MS`, default 10 000) and without waiting inside a request for a rate limit or more than
 * one retry: the job queue retries the whole job, honouring `retry-after` and `x-ratelimit-reset` (src/github/jobs.ts).
 */
export function jobOctokit(timeoutMs: number): typeof ProbotOctokit {
  return ProbotOctokit.defaults<typeof ProbotOctokit>((options: Record<string, unknown>) => ({
    ...options,
    throttle: { ...(options.throttle as object), onRateLimit: () => false, onSecondaryRateLimit: () => false },
    retry: { retries: 1, ...(options.retry as object) },
    request: { timeout: timeoutMs, ...(options.request as object) },
  }));
}

/**
 * `GET /ready`: 200 when the job queue's store (and the metrics store) answer, 503 otherwise. For a load balancer
 * or a Kubernetes readiness probe; `/ping` stays the liveness check.
 */
export function readyHandler(queue: JobQueue, metrics: Metrics | null): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    if (req.url?.split('?')[0] !== '/ready') return false;
    let ok = true;
    try {
      await queue.ping();
      if (metrics) await sql`SELECT 1`.execute(metrics.db);
    } catch {
      ok = false;
    }
    res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' });
    res.end(ok ? 'ready\n' : 'not ready: the store does not answer\n');
    return true;
  };
}

/**
 * The app's logger: pino JSON lines with secrets redacted: authorization headers,
 * webhook signatures, cookies, tokens and keys never reach the logs.
 */
export function createLogger(env: NodeJS.ProcessEnv = process.env, destination?: DestinationStream): Logger {
  return pino(
    {
      name: 'ai-review',
      level: env.LOG_LEVEL ?? 'info',
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["x-hub-signature"]',
          'req.headers["x-hub-signature-256"]',
          'headers.authorization',
          '*.token',
          '*.privateKey',
          '*.private_key',
          '*.secret',
        ],
        censor: '[redacted]',
      },
    },
    destination ?? pino.destination(1),
  );
}

/**
 * Starts the server. Returns Probot's server and the metrics service (for shutdown). `logDestination` (tests)
 * receives the JSON log lines instead of stdout. Throws when the environment is unusable or the store cannot open.
 */
export async function start(
  env: NodeJS.ProcessEnv = process.env,
  logDestination?: DestinationStream,
): Promise<{ server: Server; metrics: Metrics | null; queue: JobQueue | null; log: Logger; shutdown: () => Promise<void> }> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const problem = environmentProblem(env);
  const log = createLogger(env, logDestination);
  if (problem) {
    log.fatal(problem);
    throw new Error(problem);
  }
  const debounceMs = numberFromEnv(env, 'EVALUATION_DEBOUNCE_MS', DEFAULT_DEBOUNCE_MS);
  const retryWindowSeconds = numberFromEnv(env, 'EVALUATION_RETRY_WINDOW_S', DEFAULT_RETRY_WINDOW_S);
  const redeliveryIntervalS = numberFromEnv(env, 'REDELIVERY_INTERVAL_S', 600);
  const concurrency = Math.max(1, numberFromEnv(env, 'QUEUE_CONCURRENCY', 4));
  const timeoutMs = numberFromEnv(env, 'GITHUB_REQUEST_TIMEOUT_MS', 10_000);
  const staleWorkerAfterMs = numberFromEnv(env, 'QUEUE_STALE_WORKER_S', 30) * 1000;
  const metrics = env.APP_ID
    ? await createMetrics({ databaseUrl: env.DATABASE_URL, metricsToken: env.METRICS_TOKEN, logger: log.child({ name: 'metrics' }) })
    : null;
  if (metrics && !env.METRICS_TOKEN) log.info('METRICS_TOKEN is not set: GET /metrics is off');
  // Without APP_ID Probot serves only the setup flow: no queue is needed.
  const queue = env.APP_ID
    ? await openJobQueue({ databaseUrl: env.DATABASE_URL, logger: log.child({ name: 'queue' }), staleWorkerAfterMs })
    : null;
  const pipelineMetrics = queue ? createPipelineMetrics(queue, metrics?.prometheus.registry) : null;
  let loaded: { handlers: Record<string, JobHandler>; appOctokit: () => Promise<Octokit> } | null = null;
  const appId = Number(env.APP_ID);
  const server = await run(
    queue
      ? createApp({
          queue,
          metrics,
          ...(env.APP_SLUG ? { appSlug: env.APP_SLUG } : {}),
          ...(Number.isFinite(appId) && appId > 0 ? { appId } : {}),
          debounceMs,
          retryWindowSeconds,
          ...(pipelineMetrics ? { observe: pipelineMetrics } : {}),
          httpHandlers: [readyHandler(queue, metrics), ...(metrics ? [metrics.httpHandler] : [])],
          onLoad: (l) => {
            loaded = l;
          },
        })
      : () => undefined,
    { env, log, Octokit: jobOctokit(timeoutMs) },
  );
  let redeliveryTimer: NodeJS.Timeout | null = null;
  if (queue && loaded) {
    const { handlers, appOctokit } = loaded as { handlers: Record<string, JobHandler>; appOctokit: () => Promise<Octokit> };
    await queue.start(handlers, { concurrency });
    log.info({ queue: queue.kind, concurrency, debounce_ms: debounceMs }, 'job queue started');
    if (redeliveryIntervalS > 0) {
      const redeliver = () =>
        void redeliverFailedDeliveries({ appOctokit, state: queue.state, log, onRedelivery: (r) => pipelineMetrics?.redelivery(r) }).catch(
          (error: Error) =>
            log.warn(
              { err: { message: error.message, status: (error as { status?: number }).status } },
              'could not scan for failed deliveries',
            ),
        );
      setTimeout(redeliver, 5000).unref();
      redeliveryTimer = setInterval(redeliver, redeliveryIntervalS * 1000);
      redeliveryTimer.unref();
    }
  }
  // PRs whose events arrived without a job that recomputed them (pushes, forced pushes): caught up every minute,
  // by one instance at a time.
  let recomputeTimer: NodeJS.Timeout | null = null;
  if (queue && metrics) {
    recomputeTimer = setInterval(() => {
      void queue.state
        .withExclusiveLock('metrics-recompute', () => metrics.recomputeStale(500))
        .catch((error: Error) => log.warn({ err: { message: error.message } }, 'metrics: catching up stale pull requests failed'));
    }, 60_000);
    recomputeTimer.unref();
  }
  let stopping: Promise<void> | null = null;
  /** Stops taking webhooks and jobs; running jobs finish within 8 s or return to the queue. */
  const shutdown = () =>
    (stopping ??= (async () => {
      if (redeliveryTimer) clearInterval(redeliveryTimer);
      if (recomputeTimer) clearInterval(recomputeTimer);
      await server.stop().catch(() => undefined);
      await queue?.close().catch((error: Error) => log.warn({ err: { message: error.message } }, 'queue: close failed'));
      await metrics?.close().catch(() => undefined);
    })());
  process.once('SIGTERM', () => {
    log.info('SIGTERM: stopping');
    void shutdown().finally(() => process.exit(0));
  });
  return { server, metrics, queue, log, shutdown };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  start().catch((error: unknown) => {
    // The environment check already logged its problem; anything else (Probot's own checks, the store) is printed here.
    if (!(error instanceof Error && error.message.startsWith('WEBHOOK_SECRET'))) {
      process.stderr.write(`ai-review could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    process.exitCode = 1;
  });
}
