/**
 * The benchmark's server process, started by bench/run.ts with `fork`.
 *
 * `BENCH_APP=app` (default) runs ai-review through `start()` of src/server.ts, as `npm start` does: its HTTP server
 * and webhook endpoint, the metrics store and job queue for `DATABASE_URL`, the app and its job workers, with the
 * environment's settings (`QUEUE_CONCURRENCY`, `EVALUATION_DEBOUNCE_MS`, `QUEUE_YIELD_MS`,
 * `GITHUB_REQUEST_TIMEOUT_MS`, `METRICS_RECOMPUTE_INTERVAL_S`). Left out: the scan for failed deliveries
 * (`REDELIVERY_INTERVAL_S=0`) and the SIGTERM hook. `BENCH_METRICS=off` opens the metrics store but records nothing
 * (`StartOptions.metricsSink`); otherwise every call to the metrics sink is timed.
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
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { ProbotOctokit, run } from 'probot';
import { TASKS } from '../src/github/deliveries.js';
import type { Metrics } from '../src/metrics/index.js';
import type { MetricsSink } from '../src/metrics/sink.js';
import type { JobQueue, QueueStats } from '../src/queue/index.js';
import { createLogger, jobOctokit, start, type JobWorkers } from '../src/server.js';

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
  /**
   * This process's event-loop delay since the previous `stats` request (Node.js `monitorEventLoopDelay` with a 10-ms
   * timer, less those 10 ms), in ms: how long a ready callback, such as a delivery's request, waited behind running
   * code or for the process to be given a CPU.
   */
  loopDelayMs: { p99: number; max: number };
  /** Garbage collection since the previous `stats` request (Node.js `gc` performance entries), in ms: all and the longest. */
  gcMs: { total: number; max: number };
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
const jobsMs: number[] = [];
const sinkMs: Record<string, number> = {};
/** The event-loop delay timer's period, in ms: its samples are this period plus the delay (measured: 9.2–11.8 ms idle). */
const LOOP_DELAY_RESOLUTION_MS = 10;
const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
loopDelay.enable();
const gc = { total: 0, max: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gc.total += entry.duration;
    gc.max = Math.max(gc.max, entry.duration);
  }
}).observe({ entryTypes: ['gc'] });

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
  const production = jobOctokit();
  // A function default runs before the defaults it wraps, which keep the throttle options they receive.
  const Octokit: typeof ProbotOctokit =
    env.BENCH_THROTTLE === 'on'
      ? production
      : production.defaults((options: Record<string, unknown>) => ({
          ...options,
          throttle: { ...(options.throttle as object), enabled: false },
        }));
  let sink: MetricsSink | null = null;
  const running = await start({ ...env, REDELIVERY_INTERVAL_S: '0' }, undefined, {
    Octokit,
    metricsSink: (metrics) => (sink = env.BENCH_METRICS === 'off' ? null : timed(metrics)),
    onJob: (task, outcome, seconds) => {
      if (task === TASKS.pullRequest && outcome === 'done') jobsMs.push(seconds * 1000);
    },
    takeJobs: env.BENCH_WORKERS !== 'paused',
  });
  const { metrics, queue, jobs } = running as { metrics: Metrics; queue: JobQueue; jobs: JobWorkers };
  // `recompute` runs the metrics pass here, through the timed sink, until nothing is pending (the end of a round).
  recompute = async () => {
    if (!sink) return;
    for (;;) {
      const recomputed = await sink.recomputeStale(500);
      const pending = await metrics.db.selectFrom('pending_evaluations').select('number').limit(1).execute();
      if (recomputed < 500 && pending.length === 0 && (await queue.stats()).running === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  stats = () => queue.stats();
  workers = (run) => (run ? jobs.start() : jobs.stop());
  shutdown = () => running.shutdown();
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
        loopDelayMs: {
          p99: Math.max(0, loopDelay.percentile(99) / 1e6 - LOOP_DELAY_RESOLUTION_MS),
          max: Math.max(0, loopDelay.max / 1e6 - LOOP_DELAY_RESOLUTION_MS),
        },
        gcMs: { ...gc },
      };
      loopDelay.reset();
      Object.assign(gc, { total: 0, max: 0 });
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
