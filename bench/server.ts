/**
 * The benchmark's server process: Probot's `Server` with the app's `createApp` and `createMetrics`, as
 * `src/server.ts` wires them, with metrics recording on (`BENCH_METRICS=on`) or off (no sink).
 *
 * One deliberate difference from production: Octokit's request throttling is disabled. Probot's throttling
 * plugin spaces write requests (POST/PATCH, e.g. creating check runs) one second apart per process to respect
 * GitHub's secondary rate limits; against a local mock that would cap the benchmark at about one delivery per
 * second and hide the handling time being measured.
 *
 * Environment: APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, PORT, HOST, GHE_HOST, GHE_PROTOCOL, DATABASE_URL, LOG_LEVEL.
 * Tells the parent `ready` over IPC once listening and stops on the `stop` message.
 */
import { pino, type Level } from 'pino';
import { Probot, ProbotOctokit, Server } from 'probot';
import { createApp } from '../src/github/app.js';
import { createMetrics } from '../src/metrics/index.js';
import { openJobQueue } from '../src/queue/index.js';
import type { JobHandler } from '../src/queue/types.js';

const env = process.env;
const log = pino({ level: (env.LOG_LEVEL as Level | undefined) ?? 'warn' });
const metrics =
  env.BENCH_METRICS === 'on'
    ? await createMetrics({ databaseUrl: env.DATABASE_URL, metricsToken: 'bench-metrics-token', logger: log.child({ name: 'metrics' }) })
    : null;
const server = new Server({
  Probot: Probot.defaults({
    appId: env.APP_ID,
    privateKey: env.PRIVATE_KEY,
    secret: env.WEBHOOK_SECRET,
    baseUrl: `${env.GHE_PROTOCOL ?? 'https'}://${env.GHE_HOST}/api/v3`,
    log,
    // A function default runs after Probot's own defaults, so `enabled: false` survives their merge.
    Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({
      ...options,
      throttle: { ...(options.throttle as object), enabled: false },
    })),
  }),
  host: env.HOST ?? '127.0.0.1',
  port: Number(env.PORT ?? 3000),
  log,
});
const queue = await openJobQueue({ databaseUrl: env.DATABASE_URL, logger: log.child({ name: 'queue' }) });
let handlers: Record<string, JobHandler> = {};
await server.load(
  createApp({
    queue,
    metrics,
    appSlug: 'ai-review',
    debounceMs: Number(env.EVALUATION_DEBOUNCE_MS ?? 0),
    httpHandlers: metrics ? [metrics.httpHandler] : [],
    onLoad: (loaded) => {
      handlers = loaded.handlers;
    },
  }),
);
await queue.start(handlers, { concurrency: Number(env.QUEUE_CONCURRENCY ?? 4) });
await server.start();
process.send?.('ready');
process.on('message', (message) => {
  if (message !== 'stop') return;
  void (async () => {
    await server.stop();
    await queue.close();
    await metrics?.close();
    process.exit(0);
  })();
});
