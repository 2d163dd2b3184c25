/**
 * `npm start`: the ai-review server. Environment (README "Environment"): APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH,
 * WEBHOOK_SECRET, PORT (3000), HOST (localhost), WEBHOOK_PATH (/api/github/webhooks), HTTP_KEEP_ALIVE_TIMEOUT_S (75),
 * WEBHOOK_PROXY_URL, GHE_HOST/GHE_PROTOCOL, LOG_LEVEL, DATABASE_URL, METRICS_TOKEN, APP_SLUG, REDIS_URL, and the job queue's
 * EVALUATION_DEBOUNCE_MS, EVALUATION_RETRY_WINDOW_S, REDELIVERY_INTERVAL_S, QUEUE_CONCURRENCY, QUEUE_STALE_WORKER_S,
 * QUEUE_YIELD_MS, DATABASE_PREPARED_STATEMENTS, METRICS_RECOMPUTE_INTERVAL_S,
 * GITHUB_REQUEST_TIMEOUT_MS (docs/deployment.md).
 *
 * With APP_ID: Probot runs the app (src/github/app.ts) behind our own HTTP layer (src/http/): deliveries are checked
 * (size, headers, signature, JSON) before the app's handler sees them, and logs never carry payloads (src/logging.ts).
 * Without APP_ID (not in production): the setup flow (src/http/setup.ts) registers the app, writes `.env`, and the
 * app starts in the same process. Outside development and tests it refuses to start without APP_ID and
 * WEBHOOK_SECRET.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getPrivateKey } from '@probot/get-private-key';
import { sql } from 'kysely';
import type { DestinationStream, Logger } from 'pino';
import { createProbot, ProbotOctokit } from 'probot';
import { updateEnvFile } from './env-file.js';
import { createApp, DEFAULT_DEBOUNCE_MS, DEFAULT_RETRY_WINDOW_S, type LoadedApp } from './github/app.js';
import { metricsRecomputeJob } from './github/deliveries.js';
import { redeliverFailedDeliveries } from './github/redelivery.js';
import { fetchWithTimeout } from './github/request-timeout.js';
import { connectHost } from './http/healthcheck.js';
import { createHttpServer, DEFAULT_KEEP_ALIVE_TIMEOUT_MS, pingHandler, type Handler } from './http/server.js';
import { createSetupHandler } from './http/setup.js';
import { createSmeeChannel, startWebhookProxy } from './http/smee.js';
import {
  createWebhookEndpoint,
  DEFAULT_WEBHOOK_PATH,
  isWebhookPath,
  refuseDelivery,
  refusesBeforeContinue,
  type WebhookDelivery,
} from './http/webhooks.js';
import { createLogger } from './logging.js';
import { MAX_YIELD_MS, WebhookLoad } from './github/webhook-load.js';
import { createMetrics, type Metrics } from './metrics/index.js';
import type { MetricsSink } from './metrics/sink.js';
import { preparedStatementsFromEnv } from './postgres-pool.js';
import { openJobQueue, type JobQueue } from './queue/index.js';
import { createPipelineMetrics } from './queue/metrics.js';
import { appVersion, packageRoot } from './version.js';

export { createLogger } from './logging.js';

/**
 * Checks the environment before start-up. Output: an error message, or null when the server may start.
 * - NODE_ENV=production needs APP_ID (the setup flow is for development; Probot refuses the same).
 * - Once the app is registered (APP_ID set), WEBHOOK_SECRET is required unless NODE_ENV is `development` or `test`:
 *   Probot alone would silently fall back to the secret "development".
 */
export function environmentProblem(env: NodeJS.ProcessEnv): string | null {
  const development = env.NODE_ENV === 'development' || env.NODE_ENV === 'test';
  if (!env.APP_ID && env.NODE_ENV === 'production') {
    return 'APP_ID is not set. With NODE_ENV=production ai-review needs a registered GitHub App: set APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH) and WEBHOOK_SECRET (register the app with `npm start` outside production, or by hand: docs/deployment.md).';
  }
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
 * The Octokit the jobs use: Probot's (throttling, retries, auth), without waiting inside a request for a rate limit
 * or more than one retry: the job queue retries the whole job, honouring `retry-after` and `x-ratelimit-reset`
 * (src/github/jobs.ts). Each request's deadline (`GITHUB_REQUEST_TIMEOUT_MS`) is the `fetch` that `start` gives
 * Probot (src/github/request-timeout.ts), so it also bounds the token exchange.
 */
export function jobOctokit(): typeof ProbotOctokit {
  return ProbotOctokit.defaults<typeof ProbotOctokit>((options: Record<string, unknown>) => ({
    ...options,
    throttle: { ...(options.throttle as object), onRateLimit: () => false, onSecondaryRateLimit: () => false },
    retry: { retries: 1, ...(options.retry as object) },
  }));
}

/**
 * `GET /ready`: 200 when the job queue's store (and the metrics store) answer, 503 otherwise. For a load balancer
 * or a Kubernetes readiness probe; `/ping` stays the liveness check.
 */
function readyHandler(queue: JobQueue, metrics: Metrics | null): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
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

/** A problem that stops start-up; its message is the one line printed. */
export class StartupError extends Error {
  override name = 'StartupError';
}

/** The running server. */
export interface RunningServer {
  /** The bound address. */
  host: string;
  port: number;
  /**
   * Stops the webhook proxy, closes the HTTP server (waiting for requests in flight), stops taking jobs (running ones
   * finish within 8 s or return to the queue) and closes the stores.
   */
  stop(): Promise<void>;
}

/** Options for tests and embedding. */
export interface StartOptions {
  /** Where the setup flow writes the registered app's credentials; default `.env` in the working directory. */
  envFile?: string;
  /** app.yml's path; default `app.yml` beside ai-review's package.json. */
  appYmlPath?: string;
  /** smee.io's "new channel" URL (tests point it at a local server). */
  newSmeeChannelUrl?: string;
  /**
   * The Octokit class of the app and its jobs; default {@link jobOctokit}. (The
   * benchmark passes one without write throttling, which against a local mock caps evaluations at one a second.)
   */
  Octokit?: typeof ProbotOctokit;
  /**
   * What the app records metrics through, given the opened metrics service; default the service itself. Null: the
   * app records nothing (the store is still opened, for `/ready`). For the benchmark, which times the sink's calls
   * and measures the app without recording.
   */
  metricsSink?: (metrics: Metrics) => MetricsSink | null;
  /** Called after each job with its task, outcome and wall time in seconds (as `ai_review_job_duration_seconds`). */
  onJob?: (task: string, outcome: 'done' | 'retry' | 'error', seconds: number) => void;
  /**
   * false: the instance starts without taking jobs until `jobs.start()` of the returned object (the benchmark's
   * "webhook path alone"); default true. `QUEUE_CONCURRENCY` still sets how many run at once.
   */
  takeJobs?: boolean;
}

/** Starts and stops taking jobs (QUEUE_CONCURRENCY at a time; at least 1). */
export interface JobWorkers {
  start(): Promise<void>;
  /** Stops taking jobs: running ones finish or return to the queue. */
  stop(): Promise<void>;
}

interface RunningApp {
  handlers: Handler[];
  metrics: Metrics;
  queue: JobQueue;
  jobs: JobWorkers;
  /** Stops the job queue and its timers, then closes the stores. */
  stop(): Promise<void>;
}

/**
 * Starts the server. Returns the server, the metrics service (null in setup mode until the app is registered) and
 * the logger. `logDestination` (tests) receives the JSON log lines instead of stdout. Throws {@link StartupError}
 * when the environment is unusable, the private key is missing or the port is taken, and the store's error when it
 * cannot open.
 */
export async function start(
  env: NodeJS.ProcessEnv = process.env,
  logDestination?: DestinationStream,
  options: StartOptions = {},
): Promise<{
  server: RunningServer;
  metrics: Metrics | null;
  queue: JobQueue | null;
  /** The instance's job workers (null in setup mode until the app is registered). */
  jobs: JobWorkers | null;
  log: Logger;
  shutdown: () => Promise<void>;
}> {
  const log = createLogger(env, logDestination);
  const problem = environmentProblem(env);
  if (problem) {
    log.fatal(problem);
    throw new StartupError(problem);
  }
  const port = env.PORT === undefined || env.PORT === '' ? 3000 : Number(env.PORT);
  const host = env.HOST || 'localhost';
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new StartupError(`PORT must be a port number, not "${env.PORT}"`);
  const webhookPath = env.WEBHOOK_PATH || DEFAULT_WEBHOOK_PATH;
  // node:http reads 0 as "never time out": a number of seconds of at least 1 is asked for instead.
  const keepAliveS = env.HTTP_KEEP_ALIVE_TIMEOUT_S?.trim() ? Number(env.HTTP_KEEP_ALIVE_TIMEOUT_S) : DEFAULT_KEEP_ALIVE_TIMEOUT_MS / 1000;
  if (!Number.isFinite(keepAliveS) || keepAliveS < 1)
    throw new StartupError(
      `HTTP_KEEP_ALIVE_TIMEOUT_S must be a number of seconds of at least 1, not "${env.HTTP_KEEP_ALIVE_TIMEOUT_S?.slice(0, 40)}"`,
    );
  const keepAliveTimeoutMs = keepAliveS * 1000;
  const http = createHttpServer({
    log,
    handlers: [],
    refuseBeforeContinue: (req) => refusesBeforeContinue(req, webhookPath),
    keepAliveTimeoutMs,
  });
  let app: RunningApp | null = null;
  const activate = async () => {
    app = await startApp(env, log, webhookPath, options);
    http.setHandlers(app.handlers);
  };

  if (env.APP_ID) await activate();
  else {
    const appYmlPath = options.appYmlPath ?? join(packageRoot(), 'app.yml');
    const envFile = options.envFile ?? join(process.cwd(), '.env');
    if (!env.WEBHOOK_PROXY_URL && env.NODE_ENV !== 'production' && env.NO_SMEE_SETUP !== 'true') {
      const channel = await createSmeeChannel(log, options.newSmeeChannelUrl);
      if (channel) {
        env.WEBHOOK_PROXY_URL = channel;
        updateEnvFile(envFile, { WEBHOOK_PROXY_URL: channel });
        log.info({ webhook_proxy_url: channel }, 'created a smee.io channel for local development (written to .env as WEBHOOK_PROXY_URL)');
      }
    }
    const setup = createSetupHandler({
      env,
      log: log.child({ name: 'setup' }),
      webhookPath,
      appYml: readFileSync(appYmlPath, 'utf8'),
      onRegistered: async (registered) => {
        updateEnvFile(envFile, { ...registered });
        Object.assign(env, registered);
        await activate();
        log.info({ app_id: registered.APP_ID }, 'the app is registered and now receives webhooks');
      },
    });
    const notRegistered: Handler = (req, res) => isWebhookPath(req, webhookPath) && refuseDelivery(req, res, 503, 'app not registered yet');
    http.setHandlers([setup, notRegistered, pingHandler]);
  }

  let address: { host: string; port: number };
  try {
    address = await http.listen(port, host);
  } catch (error) {
    await (app as RunningApp | null)?.stop();
    throw new StartupError((error as Error).message);
  }
  const shown = address.host.includes(':') ? `[${address.host}]` : address.host;
  log.info(
    { version: appVersion(), node: process.version, webhook_path: webhookPath, setup: !env.APP_ID },
    env.APP_ID
      ? `ai-review listening on http://${shown}:${address.port}; webhooks at ${webhookPath}`
      : `ai-review is not registered yet: open http://${host === '0.0.0.0' || host === '::' ? 'localhost' : host}:${address.port} to register it as a GitHub App`,
  );

  let stopProxy: (() => Promise<void>) | null = null;
  if (env.WEBHOOK_PROXY_URL) {
    const target = `http://${connectHost(address.host)}:${address.port}${webhookPath}`;
    stopProxy = await startWebhookProxy({ source: env.WEBHOOK_PROXY_URL, target, log }).catch((error: unknown) => {
      log.warn({ err: error }, 'WEBHOOK_PROXY_URL: could not connect; deliveries through it are not received');
      return null;
    });
  }

  const server: RunningServer = {
    host: address.host,
    port: address.port,
    async stop() {
      await stopProxy?.();
      await http.close();
      await app?.stop();
    },
  };
  return {
    server,
    get metrics() {
      return app?.metrics ?? null;
    },
    get queue() {
      return app?.queue ?? null;
    },
    get jobs() {
      return app?.jobs ?? null;
    },
    log,
    shutdown: () => server.stop(),
  };
}

/**
 * Opens the metrics store and the job queue, loads the Probot app and starts taking jobs (with the failed-delivery
 * scan and the catch-up of stale metrics). Throws when the private key is missing or a store cannot open.
 */
async function startApp(env: NodeJS.ProcessEnv, log: Logger, webhookPath: string, options: StartOptions = {}): Promise<RunningApp> {
  let privateKey: string | null;
  try {
    privateKey = getPrivateKey({ env });
  } catch (error) {
    throw new StartupError((error as Error).message.replace(/^\[@probot\/get-private-key\] /, ''));
  }
  if (!privateKey) throw new StartupError('PRIVATE_KEY or PRIVATE_KEY_PATH is not set: the app cannot authenticate to GitHub.');
  const debounceMs = numberFromEnv(env, 'EVALUATION_DEBOUNCE_MS', DEFAULT_DEBOUNCE_MS);
  const retryWindowSeconds = numberFromEnv(env, 'EVALUATION_RETRY_WINDOW_S', DEFAULT_RETRY_WINDOW_S);
  const redeliveryIntervalS = numberFromEnv(env, 'REDELIVERY_INTERVAL_S', 600);
  // 0: a web instance that acknowledges deliveries and takes no jobs; worker instances on the same store run them.
  const concurrency = Math.floor(numberFromEnv(env, 'QUEUE_CONCURRENCY', 4));
  const timeoutMs = numberFromEnv(env, 'GITHUB_REQUEST_TIMEOUT_MS', 10_000);
  const staleWorkerAfterMs = numberFromEnv(env, 'QUEUE_STALE_WORKER_S', 30) * 1000;
  const yieldMs = numberFromEnv(env, 'QUEUE_YIELD_MS', MAX_YIELD_MS);
  const recomputeIntervalS = numberFromEnv(env, 'METRICS_RECOMPUTE_INTERVAL_S', DEFAULT_RECOMPUTE_INTERVAL_S);
  if (recomputeIntervalS <= 0) throw new StartupError('METRICS_RECOMPUTE_INTERVAL_S must be more than 0.');
  const preparedStatements = preparedStatementsFromEnv(env);
  const metrics = await createMetrics({
    databaseUrl: env.DATABASE_URL,
    preparedStatements,
    metricsToken: env.METRICS_TOKEN,
    logger: log.child({ name: 'metrics' }),
  });
  if (!env.METRICS_TOKEN) log.info('METRICS_TOKEN is not set: GET /metrics is off');
  let queue: JobQueue;
  try {
    queue = await openJobQueue({
      databaseUrl: env.DATABASE_URL,
      logger: log.child({ name: 'queue' }),
      staleWorkerAfterMs,
      preparedStatements,
    });
  } catch (error) {
    await metrics.close();
    throw error;
  }
  const timers: NodeJS.Timeout[] = [];
  const stop = async () => {
    for (const timer of timers) clearInterval(timer);
    await queue.close().catch((error: Error) => log.warn({ err: { message: error.message } }, 'queue: close failed'));
    await metrics.close();
  };
  try {
    const pipelineMetrics = createPipelineMetrics(queue, metrics.prometheus.registry);
    const appId = Number(env.APP_ID);
    const probot = createProbot({
      env,
      overrides: { log, privateKey, Octokit: options.Octokit ?? jobOctokit(), request: { fetch: fetchWithTimeout(timeoutMs) } },
    });
    const onJob = options.onJob;
    const added: Handler[] = [];
    let loaded: LoadedApp | null = null;
    await probot.load(
      createApp({
        queue,
        metrics: options.metricsSink ? options.metricsSink(metrics) : metrics,
        ...(env.APP_SLUG ? { appSlug: env.APP_SLUG } : {}),
        ...(Number.isFinite(appId) && appId > 0 ? { appId } : {}),
        debounceMs,
        retryWindowSeconds,
        observe: onJob
          ? {
              ...pipelineMetrics,
              job: (task, outcome, seconds) => {
                pipelineMetrics.job(task, outcome, seconds);
                onJob(task, outcome, seconds);
              },
            }
          : pipelineMetrics,
        webhookLoad: new WebhookLoad({ maxWaitMs: yieldMs }),
        httpHandlers: [readyHandler(queue, metrics), metrics.httpHandler],
        onLoad: (l) => {
          loaded = l;
        },
      }),
      { cwd: process.cwd(), addHandler: (handler) => void added.push(handler) },
    );
    const { handlers, appOctokit, receive } = loaded as unknown as LoadedApp;
    const webhooks = createWebhookEndpoint({
      path: webhookPath,
      verify: (body, signature) => probot.webhooks.verify(body, signature),
      // Straight to the app's handler: Probot's receive would first build a per-event Octokit that it never uses.
      receive: (delivery: WebhookDelivery) => receive(delivery),
    });
    const jobs: JobWorkers = {
      start: () => queue.start(handlers, { concurrency: Math.max(1, concurrency) }),
      stop: () => queue.stop(),
    };
    if (concurrency > 0 && options.takeJobs === false) log.info({ queue: queue.kind }, 'job queue opened; not taking jobs yet');
    else if (concurrency > 0) {
      await queue.start(handlers, { concurrency });
      log.info({ queue: queue.kind, concurrency, debounce_ms: debounceMs }, 'job queue started');
    } else {
      log.info(
        { queue: queue.kind, debounce_ms: debounceMs },
        'QUEUE_CONCURRENCY=0: this instance acknowledges deliveries and takes no jobs; run a worker instance on the same DATABASE_URL',
      );
    }
    if (redeliveryIntervalS > 0) {
      const redeliver = () =>
        void redeliverFailedDeliveries({ appOctokit, state: queue.state, log, onRedelivery: (r) => pipelineMetrics.redelivery(r) }).catch(
          (error: Error) =>
            log.warn(
              { err: { message: error.message, status: (error as { status?: number }).status } },
              'could not scan for failed deliveries',
            ),
        );
      const first = setTimeout(redeliver, 5000);
      first.unref();
      timers.push(first);
      const every = setInterval(redeliver, redeliveryIntervalS * 1000);
      every.unref();
      timers.push(every);
    }
    // The evaluations the jobs recorded as pending, and PRs whose events arrived without a job that recomputed them
    // (pushes, forced pushes): stored and recomputed every METRICS_RECOMPUTE_INTERVAL_S by a job (one at a time
    // across instances). Instances that take no jobs do not queue it: the workers do.
    if (concurrency > 0) timers.push(scheduleMetricsRecompute(queue, recomputeIntervalS * 1000, log));
    return { handlers: [webhooks, pingHandler, ...added], metrics, queue, jobs, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Default period of the metrics recomputation pass, in seconds (`METRICS_RECOMPUTE_INTERVAL_S`). */
export const DEFAULT_RECOMPUTE_INTERVAL_S = 30;

/**
 * Queues the metrics pass (a `recompute-metrics` job, src/github/jobs.ts) every `intervalMs` (ms): it stores the
 * evaluations the jobs recorded as pending and computes the figures of every PR with pending work or marked stale.
 * The job has one key and one queue, so the additions of every instance coalesce into one pending job and one pass
 * runs at a time; it runs where jobs run, yielding to floods of deliveries like any job. Output: the timer
 * (unref'd; clear it to stop). A failed addition is logged, never thrown.
 */
export function scheduleMetricsRecompute(queue: Pick<JobQueue, 'add'>, intervalMs: number, log: Logger): NodeJS.Timeout {
  const timer = setInterval(() => {
    queue
      .add(metricsRecomputeJob())
      .catch((error: Error) => log.warn({ err: { message: error.message } }, 'metrics: could not queue the metrics pass'));
  }, intervalMs);
  timer.unref();
  return timer;
}

/** `node dist/src/server.js`: loads `.env`, starts, stops cleanly on SIGTERM/SIGINT. Prints one line when start-up fails. */
async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  let running: RunningServer;
  try {
    ({ server: running } = await start(process.env));
  } catch (error) {
    // The environment check already logged its problem as JSON; say it on stderr too, for people.
    process.stderr.write(`ai-review could not start: ${(error as Error).message ?? String(error)}\n`);
    process.exitCode = 1;
    return;
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`ai-review: ${signal}, stopping\n`);
    running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void main();
