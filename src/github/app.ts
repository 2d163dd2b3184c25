/**
 * The Probot application: routes webhook deliveries to gate evaluations and metrics. Thin shell: it validates
 * payloads, loads the config, fetches facts through src/github/facts.ts and leaves every decision to the core.
 */
import type { ApplicationFunction, Context, Probot } from 'probot';
import type { Logger } from 'pino';
import { CONFIG_PATH, resolveConfig } from '../config/load.js';
import { CHECK_NAME } from '../gate/summary.js';
import type { DeliveryOutcome, MetricsSink } from '../metrics/sink.js';
import { loadRepositoryConfig } from './config.js';
import { evaluatePullRequest, type ConfigState, type EvaluationContext } from './evaluate-pull-request.js';
import type { Octokit, RepoRef } from './facts.js';
import { CheckRunEventPayload, PayloadError, PullRequestEventPayload, PushEventPayload, parsePayload } from './payloads.js';

/** `pull_request` actions that trigger an evaluation (`closed` is recorded for metrics only). */
export const PULL_REQUEST_ACTIONS = [
  'opened',
  'reopened',
  'synchronize',
  'ready_for_review',
  'converted_to_draft',
  'edited',
  'labeled',
  'unlabeled',
] as const;
/** `pull_request_review` actions that trigger an evaluation. */
export const REVIEW_ACTIONS = ['submitted', 'edited', 'dismissed'] as const;
/** `pull_request` actions on which the app may ask for reviews. */
const REQUEST_REVIEW_ACTIONS = new Set(['opened', 'reopened', 'ready_for_review', 'synchronize']);

/** What the app needs besides Probot. */
export interface AppOptions {
  /** Metrics recording, or null to record nothing. */
  metrics?: MetricsSink | null;
  /** The app's slug, to ignore events it caused itself. When unset it is looked up once with `GET /app`. */
  appSlug?: string;
  /** Extra HTTP handlers to mount on Probot's server (e.g. `/metrics`). */
  httpHandlers?: Array<Parameters<Parameters<ApplicationFunction>[1]['addHandler']>[0]>;
}

type AnyContext = Context;

/** Builds the Probot application function. */
export function createApp(options: AppOptions = {}): ApplicationFunction {
  return (app: Probot, { addHandler }) => {
    for (const handler of options.httpHandlers ?? []) addHandler(handler);
    const metrics = options.metrics ?? null;
    let slug: Promise<string | null> | null = options.appSlug ? Promise.resolve(options.appSlug) : null;
    const appSlug = (): Promise<string | null> => {
      slug ??= (async () => {
        try {
          const octokit = await app.auth();
          const { data } = await octokit.rest.apps.getAuthenticated();
          return data?.slug ?? null;
        } catch (error) {
          app.log.warn(
            { err: { message: (error as Error).message } },
            'could not look up the app slug; events from this app are not filtered',
          );
          slug = null;
          return null;
        }
      })();
      return slug;
    };

    app.onAny(async (context) => {
      const ctx = context as unknown as AnyContext;
      const payload = ctx.payload as Record<string, unknown>;
      const action = typeof payload.action === 'string' ? payload.action : undefined;
      const repository = payload.repository as { full_name?: string } | undefined;
      const number = (payload.pull_request as { number?: number } | undefined)?.number;
      const log = app.log.child({ delivery_id: ctx.id, event: ctx.name, action, repository: repository?.full_name, pull_number: number });
      let outcome: DeliveryOutcome = 'processed';
      try {
        if (metrics) {
          const recorded = await metrics
            .recordDelivery({ id: ctx.id, name: ctx.name, payload, receivedAt: new Date() })
            .catch((error: unknown) => {
              log.error({ err: { message: (error as Error).message } }, 'could not record the delivery for metrics');
              return 'recorded' as const;
            });
          if (recorded === 'duplicate') log.info('delivery seen before: metrics unchanged, gate re-evaluated');
        }
        if (metrics) instrumentOctokit(ctx.octokit, metrics);
        const sender = payload.sender as { login?: string; type?: string } | undefined;
        if (sender?.type === 'Bot' && sender.login) {
          const own = await appSlug();
          if (own && sender.login.toLowerCase() === `${own}[bot]`.toLowerCase()) {
            outcome = 'ignored';
            log.debug('event caused by this app: ignored');
            return;
          }
        }
        outcome = await route(ctx, log, metrics);
      } catch (error) {
        outcome = 'error';
        if (error instanceof PayloadError) log.error({ reason: error.message }, 'webhook payload rejected');
        else
          log.error(
            { err: { message: (error as Error).message, status: (error as { status?: number }).status } },
            'webhook handling failed',
          );
        throw error;
      } finally {
        metrics?.observeDelivery(ctx.name, outcome);
      }
    });
  };
}

/** Counts every GitHub API response by status (the instance is per delivery). */
function instrumentOctokit(octokit: Octokit, metrics: MetricsSink): void {
  octokit.hook.after('request', (response) => metrics.observeGitHubRequest(response.status));
  octokit.hook.error('request', (error) => {
    metrics.observeGitHubRequest((error as { status?: number }).status ?? 0);
    throw error;
  });
}

async function loadConfigState(context: AnyContext): Promise<ConfigState> {
  const loaded = await loadRepositoryConfig(context);
  if (!loaded.ok) return loaded;
  return { ok: true, config: resolveConfig(loaded.config) };
}

function evaluationContext(
  context: AnyContext,
  log: Logger,
  metrics: MetricsSink | null,
  ref: RepoRef,
  mayRequestReviewers: boolean,
): EvaluationContext {
  const appId = Number(process.env.APP_ID);
  return {
    octokit: context.octokit,
    log,
    ref,
    deliveryId: context.id,
    ...(Number.isFinite(appId) && appId > 0 ? { appId } : {}),
    metrics,
    mayRequestReviewers,
  };
}

/** Loads the config, failing closed on API errors: the PR gets a `failure` check run naming the error. */
async function configOrFailure(context: AnyContext, log: Logger): Promise<ConfigState> {
  try {
    return await loadConfigState(context);
  } catch (error) {
    const status = (error as { status?: number }).status;
    log.error({ err: { message: (error as Error).message, status } }, 'could not read the configuration');
    return {
      ok: false,
      errors: [
        {
          path: '(root)',
          message: `could not read ${CONFIG_PATH} from the default branch (GitHub answered HTTP ${status ?? 'error'}); use Re-run on this check to try again`,
          source: CONFIG_PATH,
        },
      ],
    };
  }
}

async function route(context: AnyContext, log: Logger, metrics: MetricsSink | null): Promise<DeliveryOutcome> {
  const payload = context.payload as Record<string, unknown>;
  switch (context.name) {
    case 'pull_request': {
      const p = parsePayload(PullRequestEventPayload, payload, 'pull_request');
      if (!(PULL_REQUEST_ACTIONS as readonly string[]).includes(p.action)) return 'ignored';
      if (p.pull_request.state === 'closed') return 'ignored';
      const ref = { owner: p.repository.owner.login, repo: p.repository.name };
      const config = await configOrFailure(context, log);
      await evaluatePullRequest(
        evaluationContext(context, log, metrics, ref, REQUEST_REVIEW_ACTIONS.has(p.action)),
        p.pull_request,
        config,
      );
      return 'processed';
    }
    case 'pull_request_review': {
      const p = parsePayload(PullRequestEventPayload, payload, 'pull_request_review');
      if (!(REVIEW_ACTIONS as readonly string[]).includes(p.action)) return 'ignored';
      if (p.pull_request.state === 'closed') return 'ignored';
      const ref = { owner: p.repository.owner.login, repo: p.repository.name };
      // Review payloads carry a shorter PR object (no changed_files/commits counts): fetch the full one.
      const octokit = context.octokit;
      const { data: pr } = await octokit.rest.pulls.get({ ...ref, pull_number: p.pull_request.number });
      const config = await configOrFailure(context, log);
      await evaluatePullRequest(evaluationContext(context, log, metrics, ref, false), pr, config);
      return 'processed';
    }
    case 'check_run': {
      const p = parsePayload(CheckRunEventPayload, payload, 'check_run');
      if (p.action !== 'rerequested' || p.check_run.name !== CHECK_NAME) return 'ignored';
      const appId = Number(process.env.APP_ID);
      if (p.check_run.app?.id !== undefined && Number.isFinite(appId) && appId > 0 && p.check_run.app.id !== appId) return 'ignored';
      const ref = { owner: p.repository.owner.login, repo: p.repository.name };
      const octokit = context.octokit;
      let numbers = p.check_run.pull_requests.map((pr) => pr.number);
      if (numbers.length === 0) {
        // Pull requests from forks are not listed on check runs: find open PRs whose head is this SHA.
        const open = await octokit.paginate(octokit.rest.pulls.list, { ...ref, state: 'open', per_page: 100 });
        numbers = open.filter((pr) => pr.head.sha === p.check_run.head_sha).map((pr) => pr.number);
      }
      if (numbers.length === 0) return 'ignored';
      const config = await configOrFailure(context, log);
      for (const number of numbers) {
        const { data: pr } = await octokit.rest.pulls.get({ ...ref, pull_number: number });
        if (pr.state !== 'open') continue;
        await evaluatePullRequest(evaluationContext(context, log.child({ pull_number: number }), metrics, ref, false), pr, config);
      }
      return 'processed';
    }
    case 'push': {
      const p = parsePayload(PushEventPayload, payload, 'push');
      if (!p.repository.default_branch || p.ref !== `refs/heads/${p.repository.default_branch}`) return 'ignored';
      const commits = [...p.commits, ...(p.head_commit ? [p.head_commit] : [])];
      const touchesConfig = commits.some((c) => [...(c.added ?? []), ...(c.modified ?? []), ...(c.removed ?? [])].includes(CONFIG_PATH));
      if (!touchesConfig) return 'ignored';
      const ref = { owner: p.repository.owner.login, repo: p.repository.name };
      const octokit = context.octokit;
      const config = await configOrFailure(context, log);
      const open = await octokit.paginate(octokit.rest.pulls.list, { ...ref, state: 'open', per_page: 100 });
      log.info({ open_pull_requests: open.length }, 'configuration changed on the default branch: re-evaluating open pull requests');
      for (const listed of open) {
        // The list endpoint omits file and commit counts; the evaluation needs them to fail closed on huge PRs.
        const { data: pr } = await octokit.rest.pulls.get({ ...ref, pull_number: listed.number });
        await evaluatePullRequest(evaluationContext(context, log.child({ pull_number: pr.number }), metrics, ref, false), pr, config);
      }
      return 'processed';
    }
    default:
      return 'ignored';
  }
}
