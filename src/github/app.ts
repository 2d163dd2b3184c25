/**
 * The Probot application. The webhook side only turns a delivery into jobs: the webhook endpoint (src/http) has
 * verified the signature and hands the delivery to `receive` (`probot.receive` reaches the same handler); here the
 * payload's shape is checked (400 when it lacks needed fields), the delivery is recorded for metrics
 * (idempotent on its id), the jobs are queued (coalesced per pull request) and the delivery is acknowledged. No
 * GitHub API call and no gate evaluation happens inside the request: the jobs (src/github/jobs.ts) do that.
 */
import type { ApplicationFunction, Probot } from 'probot';
import type { DeliveryOutcome, MetricsSink } from '../metrics/sink.js';
import type { AddResult, JobHandler, JobQueue } from '../queue/types.js';
import { workForDelivery } from './deliveries.js';
import type { Octokit } from './facts.js';
import { createJobHandlers, type JobDependencies } from './jobs.js';
import { PayloadError } from './payloads.js';
import { WebhookLoad } from './webhook-load.js';

/** Default debounce of an evaluation after the event that asked for it, in ms (`EVALUATION_DEBOUNCE_MS`). */
export const DEFAULT_DEBOUNCE_MS = 1000;
/** Default retry window of an evaluation, in seconds (`EVALUATION_RETRY_WINDOW_S`). */
export const DEFAULT_RETRY_WINDOW_S = 1800;

/** What the app needs besides Probot. */
export interface AppOptions {
  /** The durable job queue (required: the webhook path only queues work). */
  queue: JobQueue;
  /** Metrics recording, or null to record nothing. */
  metrics?: MetricsSink | null;
  /** The app's slug, to ignore events it caused itself. When unset it is looked up with `GET /app`, in the background. */
  appSlug?: string;
  /** This app's id, to find its own check runs. */
  appId?: number;
  /** Debounce of evaluations in ms (default {@link DEFAULT_DEBOUNCE_MS}). */
  debounceMs?: number;
  /** Retry window of evaluations in seconds (default {@link DEFAULT_RETRY_WINDOW_S}). */
  retryWindowSeconds?: number;
  /** Observability hooks for the pipeline (Prometheus). */
  observe?: JobDependencies['observe'] & { coalesced(event: string): void; yielded?(seconds: number): void };
  /** Extra HTTP handlers to mount on Probot's server (e.g. `/metrics`, `/ready`). */
  httpHandlers?: Array<Parameters<Parameters<ApplicationFunction>[1]['addHandler']>[0]>;
  /**
   * Receives the job handlers (by task name) and the app-authenticated Octokit factory once the app is loaded:
   * the server starts the queue with them; tests drain the queue with them.
   */
  onLoad?: (loaded: LoadedApp) => void;
  /**
   * Deliveries in flight, which jobs yield to (src/github/webhook-load.ts). Default: one per app, with the
   * module's threshold and longest wait.
   */
  webhookLoad?: WebhookLoad;
}

/** A verified webhook delivery: `X-GitHub-Delivery`, `X-GitHub-Event` and the parsed JSON payload (untrusted). */
export interface Delivery {
  id: string;
  name: string;
  payload: Record<string, unknown>;
}

/** What the loaded app hands to the server (`AppOptions.onLoad`). */
export interface LoadedApp {
  /** The job handlers by task name, for `JobQueue.start`. */
  handlers: Record<string, JobHandler>;
  /** An Octokit authenticated as the app (JWT), for the scan of failed deliveries. */
  appOctokit: () => Promise<Octokit>;
  /**
   * Turns a verified delivery into jobs, as the app's `onAny` handler does for `probot.receive`, without Probot's
   * per-event context: Probot builds an installation-authenticated Octokit and a child logger for every event
   * (`webhookTransform`), which this handler never uses (the jobs authenticate themselves). Resolves once the
   * delivery is recorded and its jobs queued; rejects as the handler does (a `PayloadError`, status 400, for a
   * payload without the fields its event needs; the store's error when queueing failed).
   */
  receive: (delivery: Delivery) => Promise<void>;
}

/** Installations whose Octokit is kept at once; past this the cache starts over. */
const MAX_CACHED_OCTOKITS = 1000;

/** How long a failed app-slug lookup is not retried, at first (doubling up to an hour), in ms. */
const SLUG_RETRY_MS = 60_000;

/** Builds the Probot application function. */
export function createApp(options: AppOptions): ApplicationFunction {
  return (app: Probot, { addHandler }) => {
    for (const handler of options.httpHandlers ?? []) addHandler(handler);
    const metrics = options.metrics ?? null;
    const debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
    const ownSlug = slugLookup(app, options.appSlug);
    const load = options.webhookLoad ?? new WebhookLoad();
    // The metrics store and the queue in one PostgreSQL database: a delivery's row and its jobs take one statement.
    const recordWithJobs =
      metrics?.databaseId !== undefined &&
      metrics.databaseId === options.queue.databaseId &&
      'deliveryRow' in metrics &&
      'addWithRow' in options.queue;

    const handleDelivery = async (received: Delivery) => {
      const payload = received.payload;
      const action = typeof payload.action === 'string' ? payload.action : undefined;
      const log = app.log.child({ delivery_id: received.id, event: received.name, action });
      let outcome: DeliveryOutcome = 'processed';
      try {
        // Payload first: a malformed delivery is refused before any lookup, store write or API call.
        const work = workForDelivery(received.name, payload, debounceMs, Date.now(), received.id);
        const repository = (payload.repository as { full_name?: string } | undefined)?.full_name;
        const number = (payload.pull_request as { number?: number } | undefined)?.number;
        const sender = payload.sender as { login?: string; type?: string } | undefined;
        const own = sender?.type === 'Bot' && sender.login ? ownSlug() : null;
        if (own && sender!.login!.toLowerCase() === `${own}[bot]`.toLowerCase()) {
          outcome = 'ignored';
          log.debug({ repository }, 'event caused by this app: ignored');
          return;
        }
        // Jobs of one delivery are queued together (one batch on PostgreSQL), each with the pipeline state it
        // carries: the review-request flag and the push, stored in the same statement as the job.
        const now = new Date();
        const specs = work.ignored
          ? []
          : work.jobs.map((job) => {
              const push = job.payload.push as { headSha: string; pusherLogin: string; automated: boolean } | undefined;
              const state = {
                ...(job.payload.requestReviewers === true ? { reviewRequestAt: now } : {}),
                ...(push ? { push: { ...push, at: now } } : {}),
              };
              return Object.keys(state).length > 0 ? { ...job, state } : job;
            });
        const delivery = { id: received.id, name: received.name, payload, receivedAt: now };
        const seenBefore = () =>
          log.info({ repository, pull_number: number }, 'delivery seen before: metrics unchanged, work queued again');
        let added: AddResult[];
        // A failed write to the queue answers 500, so GitHub records the delivery as failed and it is redelivered.
        if (recordWithJobs) {
          // One database: the delivery's row for metrics goes in the same statement as its jobs.
          const written = await options.queue.addWithRow!(specs, metrics.deliveryRow!(delivery));
          if (written.row === 'duplicate') seenBefore();
          added = written.jobs;
        } else {
          // The delivery is recorded for metrics while its jobs are queued (two stores, two round trips at once; both
          // finish before the answer): a job that runs before the row is stored leaves it to the next metrics pass.
          const recording = metrics
            ?.recordDelivery(delivery)
            .catch((error: unknown) => {
              log.error({ err: { message: (error as Error).message } }, 'could not record the delivery for metrics');
              return 'recorded' as const;
            })
            .then((recorded) => {
              if (recorded === 'duplicate') seenBefore();
            });
          [added] = await Promise.all([Promise.all(specs.map((spec) => options.queue.add(spec))), recording]);
        }
        if (work.ignored) {
          outcome = 'ignored';
          log.debug({ repository, reason: work.ignored }, 'delivery needs no work');
          return;
        }
        let coalesced = 0;
        for (const result of added) {
          if (result.coalesced) {
            coalesced++;
            options.observe?.coalesced(received.name);
          }
        }
        log.info({ repository, pull_number: number, jobs: work.jobs.length, coalesced }, 'delivery queued');
      } catch (error) {
        outcome = 'error';
        if (error instanceof PayloadError) log.warn({ reason: error.message }, 'webhook payload rejected');
        else log.error({ err: { message: (error as Error).message } }, 'could not queue the delivery');
        throw error;
      } finally {
        metrics?.observeDelivery(received.name, outcome);
      }
    };
    const receive = (delivery: Delivery) => load.track(() => handleDelivery(delivery));
    app.onAny((context) => receive({ id: context.id, name: context.name, payload: context.payload }));

    // One Octokit per installation, kept: building one (plugins, hooks) cost about 5% of a job's CPU, and its auth
    // hook renews the installation token itself (@octokit/auth-app caches tokens and asks for a new one when it
    // expires). A failed creation is not kept.
    const octokits = new Map<number, Promise<Octokit>>();
    const installationOctokit = (installationId: number): Promise<Octokit> => {
      let octokit = octokits.get(installationId);
      if (!octokit) {
        if (octokits.size >= MAX_CACHED_OCTOKITS) octokits.clear();
        octokit = app.auth(installationId).then((created) => {
          if (metrics) instrumentOctokit(created, installationId, metrics);
          return created;
        });
        octokit.catch(() => octokits.delete(installationId));
        octokits.set(installationId, octokit);
      }
      return octokit;
    };

    const handlers = createJobHandlers({
      auth: (installationId) => installationOctokit(installationId),
      queue: options.queue,
      log: app.log,
      metrics,
      ...(options.appId ? { appId: options.appId } : {}),
      debounceMs,
      retryWindowSeconds: options.retryWindowSeconds ?? DEFAULT_RETRY_WINDOW_S,
      lull: () => load.lull(),
      observe: {
        retry: (cause) => options.observe?.retry(cause),
        job: (task, outcome, seconds) => options.observe?.job(task, outcome, seconds),
        usage: (usage) => metrics?.observeGraphqlCost(usage.cost),
      },
    });
    // A job yields to a flood of deliveries before it starts (src/github/webhook-load.ts); its own time is measured
    // inside the handler, so the wait counts as queueing, not as handling.
    const yielding = Object.fromEntries(
      Object.entries(handlers).map(([task, handler]): [string, JobHandler] => [
        task,
        async (payload, info) => {
          const waitedMs = await load.lull();
          if (waitedMs > 0) options.observe?.yielded?.(waitedMs / 1000);
          return handler(payload, info);
        },
      ]),
    );
    options.onLoad?.({ handlers: yielding, appOctokit: async () => await app.auth(), receive });
  };
}

/**
 * Counts every GitHub response of a job's Octokit by API, kind and status, and keeps the installation's remaining
 * quota (`x-ratelimit-remaining`); GraphQL points come from the loader's `rateLimit { cost }` (see jobs.ts).
 */
export function instrumentOctokit(octokit: Octokit, installationId: number, metrics: Pick<MetricsSink, 'observeGitHubRequest'>): void {
  const classify = (options: { method?: string; url?: string }) => {
    const api = /\/graphql$/.test(options.url ?? '') ? ('graphql' as const) : ('rest' as const);
    const kind = api === 'graphql' || (options.method ?? 'GET').toUpperCase() === 'GET' ? ('read' as const) : ('write' as const);
    return { api, kind };
  };
  // The token exchange is made with the app's JWT, outside the installation's budget.
  const counted = (options: { url?: string }) => !/\/app\/installations\/(\d+|\{installation_id\})\/access_tokens/.test(options.url ?? '');
  octokit.hook.after('request', (response, options) => {
    if (!counted(options)) return;
    const remaining = Number((response.headers as Record<string, unknown>)['x-ratelimit-remaining']);
    metrics.observeGitHubRequest({
      ...classify(options),
      status: response.status,
      installationId,
      ...(Number.isFinite(remaining) ? { remaining } : {}),
    });
  });
  octokit.hook.error('request', (error, options) => {
    if (counted(options))
      metrics.observeGitHubRequest({ ...classify(options), status: (error as { status?: number }).status ?? 0, installationId });
    throw error;
  });
}

/**
 * The app's slug for filtering its own events, never waited for: `APP_SLUG` when given, else `GET /app` in the
 * background the first time a bot's event arrives. A failed lookup is retried after 1 minute, doubling up to an
 * hour; until the slug is known, the app's own events are queued like any other (their evaluations change nothing).
 */
function slugLookup(app: Probot, configured: string | undefined): () => string | null {
  let slug: string | null = configured ?? null;
  let pending = false;
  let nextTry = 0;
  let delay = SLUG_RETRY_MS;
  return () => {
    if (slug || pending || Date.now() < nextTry) return slug;
    pending = true;
    void (async () => {
      try {
        const octokit = await app.auth();
        const { data } = await octokit.rest.apps.getAuthenticated();
        slug = data?.slug ?? null;
      } catch (error) {
        nextTry = Date.now() + delay;
        delay = Math.min(delay * 2, 3_600_000);
        app.log.warn(
          { err: { message: (error as Error).message } },
          'could not look up the app slug; events from this app are not filtered for now',
        );
      } finally {
        pending = false;
      }
    })();
    return slug;
  };
}
