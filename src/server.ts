/**
 * `npm start`: the ai-review server. Environment (README "Environment"): APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH,
 * WEBHOOK_SECRET, PORT (3000), HOST (localhost), WEBHOOK_PATH (/api/github/webhooks), WEBHOOK_PROXY_URL,
 * GHE_HOST/GHE_PROTOCOL, LOG_LEVEL, DATABASE_URL, METRICS_TOKEN, APP_SLUG, REDIS_URL.
 *
 * With APP_ID: Probot runs the app (src/github/app.ts) behind our own HTTP layer (src/http/): deliveries are checked
 * (size, headers, signature, JSON) before Probot sees them, and logs never carry payloads (src/logging.ts).
 * Without APP_ID (not in production): the setup flow (src/http/setup.ts) registers the app, writes `.env`, and the
 * app starts in the same process. Outside development and tests it refuses to start without APP_ID and
 * WEBHOOK_SECRET.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getPrivateKey } from '@probot/get-private-key';
import type { DestinationStream, Logger } from 'pino';
import { createProbot } from 'probot';
import { updateEnvFile } from './env-file.js';
import { createApp } from './github/app.js';
import { connectHost } from './http/healthcheck.js';
import { createHttpServer, pingHandler, type Handler } from './http/server.js';
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
import { createMetrics, type Metrics } from './metrics/index.js';
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

/** A problem that stops start-up; its message is the one line printed. */
export class StartupError extends Error {
  override name = 'StartupError';
}

/** The running server. */
export interface RunningServer {
  /** The bound address. */
  host: string;
  port: number;
  /** Stops the webhook proxy, closes the HTTP server (waiting for requests in flight) and the metrics store. */
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
}

interface RunningApp {
  handlers: Handler[];
  metrics: Metrics;
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
): Promise<{ server: RunningServer; metrics: Metrics | null; log: Logger }> {
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
  const http = createHttpServer({ log, handlers: [], refuseBeforeContinue: (req) => refusesBeforeContinue(req, webhookPath) });
  let app: RunningApp | null = null;
  const activate = async () => {
    app = await startApp(env, log, webhookPath);
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
    await (app as RunningApp | null)?.metrics.close();
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
      await app?.metrics.close();
    },
  };
  return {
    server,
    get metrics() {
      return app?.metrics ?? null;
    },
    log,
  };
}

/** Opens the metrics store and loads the Probot app. Throws when the private key is missing or the store cannot open. */
async function startApp(env: NodeJS.ProcessEnv, log: Logger, webhookPath: string): Promise<RunningApp> {
  let privateKey: string | null;
  try {
    privateKey = getPrivateKey({ env });
  } catch (error) {
    throw new StartupError((error as Error).message.replace(/^\[@probot\/get-private-key\] /, ''));
  }
  if (!privateKey) throw new StartupError('PRIVATE_KEY or PRIVATE_KEY_PATH is not set: the app cannot authenticate to GitHub.');
  const metrics = await createMetrics({
    databaseUrl: env.DATABASE_URL,
    metricsToken: env.METRICS_TOKEN,
    logger: log.child({ name: 'metrics' }),
  });
  if (!env.METRICS_TOKEN) log.info('METRICS_TOKEN is not set: GET /metrics is off');
  try {
    const probot = createProbot({ env, overrides: { log, privateKey } });
    const added: Handler[] = [];
    await probot.load(createApp({ metrics, ...(env.APP_SLUG ? { appSlug: env.APP_SLUG } : {}), httpHandlers: [metrics.httpHandler] }), {
      cwd: process.cwd(),
      addHandler: (handler) => void added.push(handler),
    });
    const webhooks = createWebhookEndpoint({
      path: webhookPath,
      verify: (body, signature) => probot.webhooks.verify(body, signature),
      receive: (delivery: WebhookDelivery) => probot.receive(delivery as unknown as Parameters<typeof probot.receive>[0]),
    });
    return { handlers: [webhooks, pingHandler, ...added], metrics };
  } catch (error) {
    await metrics.close();
    throw error;
  }
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
