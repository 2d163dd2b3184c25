/**
 * `npm start`: runs ai-review the standard Probot way. Environment (see README "Configuration"):
 * APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET, PORT (3000), HOST, GHE_HOST/GHE_PROTOCOL,
 * LOG_LEVEL, DATABASE_URL, METRICS_TOKEN, APP_SLUG, REDIS_URL. Without APP_ID, Probot's setup flow registers the app from
 * app.yml. Outside development and tests it refuses to start without WEBHOOK_SECRET.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { pino, type DestinationStream, type Logger } from 'pino';
import { run, type Server } from 'probot';
import { createApp } from './github/app.js';
import { createMetrics, type Metrics } from './metrics/index.js';

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
): Promise<{ server: Server; metrics: Metrics | null; log: Logger }> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const problem = environmentProblem(env);
  const log = createLogger(env, logDestination);
  if (problem) {
    log.fatal(problem);
    throw new Error(problem);
  }
  const metrics = env.APP_ID
    ? await createMetrics({ databaseUrl: env.DATABASE_URL, metricsToken: env.METRICS_TOKEN, logger: log.child({ name: 'metrics' }) })
    : null;
  if (metrics && !env.METRICS_TOKEN) log.info('METRICS_TOKEN is not set: GET /metrics is off');
  const server = await run(
    createApp({
      metrics,
      ...(env.APP_SLUG ? { appSlug: env.APP_SLUG } : {}),
      httpHandlers: metrics ? [metrics.httpHandler] : [],
    }),
    { env, log },
  );
  const stop = async () => {
    try {
      await server.stop();
      await metrics?.close();
    } finally {
      process.exit(0);
    }
  };
  process.once('SIGTERM', () => void stop());
  return { server, metrics, log };
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
