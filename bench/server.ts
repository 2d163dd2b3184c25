/**
 * The benchmark's server process, started by bench/run.ts with `fork`.
 *
 * `BENCH_APP=app` (default) runs ai-review as `start()` in src/server.ts wires it: Probot's `run` with the app's
 * logger and job Octokit, `createMetrics` (unless `BENCH_METRICS=off`), the job queue for `DATABASE_URL`, the
 * pipeline's Prometheus series, `/ready`, `createApp`, and the queue started with the app's job handlers
 * (`QUEUE_CONCURRENCY`, `EVALUATION_DEBOUNCE_MS`, `QUEUE_YIELD_MS` and `GITHUB_REQUEST_TIMEOUT_MS` with the same defaults). Left
 * out: the scan for failed deliveries (a timer every 10 minutes that the runs never reach) and the SIGTERM hook.
 *
 * `BENCH_APP=noop` runs the baseline: the same Probot `run` and `Server`, with signature verification, and an
 * `onAny` handler that does nothing.
 *
 * One deliberate difference from production: Octokit's request throttling is disabled unless `BENCH_THROTTLE=on`.
 * Probot's throttling plugin spaces write requests (POST/PATCH, e.g. check runs) one second apart per process to
 * respect GitHub's secondary rate limits; against a local mock that caps evaluations at about one per second and
 * hides the handling time being measured.
 *
 * `BENCH_WORKERS=paused` starts the app without taking jobs (until the parent starts the workers), to measure the
 * webhook path alone.
 *
 * IPC: sends `{ type: 'ready' }` once listening, then answers each {@link ServerCommand} with `{ type: 'reply' }`.
 */
import { performance } from 'node:perf_hooks';
import { ProbotOctokit, run } from 'probot';
import { createApp, DEFAULT_DEBOUNCE_MS, DEFAULT_RETRY_WINDOW_S } from '../src/github/app.js';
import { MAX_YIELD_MS, WebhookLoad } from '../src/github/webhook-load.js';
import { TASKS } from '../src/github/deliveries.js';
import { createMetrics } from '../src/metrics/index.js';
import { openJobQueue, type JobHandler, type QueueStats } from '../src/queue/index.js';
import { createPipelineMetrics } from '../src/queue/metrics.js';
import { createLogger, DEFAULT_RECOMPUTE_INTERVAL_S, jobOctokit, readyHandler, scheduleMetricsRecompute } from '../src/server.js';

/** What the server reports to the parent. */
export interface ServerStats {
  /** Queue depth, or null for the no-op app. */
  queue: QueueStats | null;
  /** Wall time of each `evaluate-pull-request` job that completed since the last reset, in ms. */
  jobsMs: number[];
  /** CPU time of this process since it started (user + system), in ms. */
  cpuMs: number;
  /**
   * Wall time spent in each method of the metrics sink since the last reset (until its promise settled), in ms, by
   * method name: `recordDelivery` runs in the webhook request, the others (e.g. `recordEvaluation`) in jobs.
   */
  sinkMs: Record<string, number>;
}

/**
 * Messages from the parent: `stats` (answered with {@link ServerStats}; `reset` forgets the job durations),
 * `workers` (stop or start taking jobs; answered once done), `recompute` (runs the metrics recomputation pass now,
 * until nothing is left to store; answered once done), `stop` (stops the server and exits).
 */
export type ServerCommand =
  { type: 'stats'; reset: boolean } | { type: 'workers'; run: boolean } | { type: 'recompute' } | { type: 'stop' };

const env = process.env;
const log = createLogger(env);
const num = (name: string, fallback: number): number => (env[name] ? Number(env[name]) : fallback);
const jobsMs: number[] = [];
const sinkMs: Record<string, number> = {};

/** The object with every method call timed into {@link sinkMs}. */
function timed<T extends object>(target: T): T {
  return new Proxy(target, {
    get(t, prop, receiver) {
      const value: unknown = Reflect.get(t, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      return (...args: unknown[]): unknown => {
        const started = performance.now();
        const add = () => void (sinkMs[prop] = (sinkMs[prop] ?? 0) + performance.now() - started);
        const result: unknown = Reflect.apply(value, t, args);
        if (result instanceof Promise) return result.finally(add);
        add();
        return result;
      };
    },
  });
}
let stats: () => Promise<QueueStats | null> = () => Promise.resolve(null);
let workers: (run: boolean) => Promise<void> = () => Promise.resolve();
let recompute: () => Promise<void> = () => Promise.resolve();
let shutdown: () => Promise<void>;

if (env.BENCH_APP === 'noop') {
  const server = await run(
    (app) => {
      app.onAny(async () => {});
    },
    { env, log },
  );
  shutdown = () => server.stop();
} else {
  const production = jobOctokit(num('GITHUB_REQUEST_TIMEOUT_MS', 10_000));
  // A function default runs before the defaults it wraps, which keep the throttle options they receive.
  const Octokit: typeof ProbotOctokit =
    env.BENCH_THROTTLE === 'on'
      ? production
      : production.defaults((options: Record<string, unknown>) => ({
          ...options,
          throttle: { ...(options.throttle as object), enabled: false },
        }));
  const metrics =
    env.BENCH_METRICS === 'off'
      ? null
      : await createMetrics({ databaseUrl: env.DATABASE_URL, metricsToken: env.METRICS_TOKEN, logger: log.child({ name: 'metrics' }) });
  const queue = await openJobQueue({ databaseUrl: env.DATABASE_URL, logger: log.child({ name: 'queue' }) });
  const pipeline = createPipelineMetrics(queue, metrics?.prometheus.registry);
  let handlers: Record<string, JobHandler> = {};
  const server = await run(
    createApp({
      queue,
      metrics: metrics && timed(metrics),
      appId: Number(env.APP_ID),
      debounceMs: num('EVALUATION_DEBOUNCE_MS', DEFAULT_DEBOUNCE_MS),
      retryWindowSeconds: num('EVALUATION_RETRY_WINDOW_S', DEFAULT_RETRY_WINDOW_S),
      observe: {
        ...pipeline,
        job: (task, outcome, seconds) => {
          pipeline.job(task, outcome, seconds);
          if (task === TASKS.pullRequest && outcome === 'done') jobsMs.push(seconds * 1000);
        },
      },
      httpHandlers: [readyHandler(queue, metrics), ...(metrics ? [metrics.httpHandler] : [])],
      webhookLoad: new WebhookLoad({ maxWaitMs: num('QUEUE_YIELD_MS', MAX_YIELD_MS) }),
      onLoad: (loaded) => {
        handlers = loaded.handlers;
      },
    }),
    { env, log, Octokit },
  );
  // QUEUE_CONCURRENCY=0: a web process that takes no jobs, as in production (src/server.ts).
  const concurrency = num('QUEUE_CONCURRENCY', 4);
  if (env.BENCH_WORKERS !== 'paused' && concurrency > 0) await queue.start(handlers, { concurrency });
  // The metrics pass, queued as src/server.ts does (its time is counted in `sinkMs.recomputeStale`: the jobs call the
  // timed sink). `recompute` runs it here until nothing is pending, for the end of a round.
  const timer =
    metrics && concurrency > 0
      ? scheduleMetricsRecompute(queue, num('METRICS_RECOMPUTE_INTERVAL_S', DEFAULT_RECOMPUTE_INTERVAL_S) * 1000, log)
      : undefined;
  const timedMetrics = metrics && timed(metrics);
  recompute = async () => {
    if (!metrics || !timedMetrics) return;
    for (;;) {
      const recomputed = await timedMetrics.recomputeStale(500);
      const pending = await metrics.db.selectFrom('pending_evaluations').select('number').limit(1).execute();
      if (recomputed < 500 && pending.length === 0 && (await queue.stats()).running === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  stats = () => queue.stats();
  workers = (run) => (run ? queue.start(handlers, { concurrency: Math.max(1, concurrency) }) : queue.stop());
  shutdown = async () => {
    if (timer) clearInterval(timer);
    await server.stop();
    await queue.close();
    await metrics?.close();
  };
}

process.send?.({ type: 'ready' });
process.on('message', (raw) => {
  const message = raw as ServerCommand;
  void (async () => {
    if (message.type === 'stats') {
      const cpu = process.cpuUsage();
      const reply: ServerStats = {
        queue: await stats(),
        jobsMs: [...jobsMs],
        cpuMs: (cpu.user + cpu.system) / 1000,
        sinkMs: { ...sinkMs },
      };
      if (message.reset) {
        jobsMs.length = 0;
        for (const name of Object.keys(sinkMs)) delete sinkMs[name];
      }
      process.send?.({ type: 'reply', stats: reply });
    } else if (message.type === 'recompute') {
      await recompute();
      process.send?.({ type: 'reply' });
    } else if (message.type === 'workers') {
      await workers(message.run);
      process.send?.({ type: 'reply' });
    } else if (message.type === 'stop') {
      await shutdown();
      process.exit(0);
    }
  })();
});
