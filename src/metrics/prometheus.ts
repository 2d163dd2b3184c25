/**
 * Prometheus instruments (prom-client) on a dedicated Registry, so tests and several app instances in one
 * process never collide on the global registry.
 *
 * Labels never carry PR numbers or user names: PR-derived series use `repository`, `author_class`, `agent`
 * and `sensitive_group` (the PR's highest sensitive group). Latencies are histograms in seconds.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DeliveryOutcome, EvaluationRecord, GitHubRequestObservation } from './sink.js';
import type { OpenTeamRequests, PullRequestLabels, Transition, WaitingGroup } from './store.js';
import { highestSensitiveGroup } from './definitions.js';

const PR_LABELS = ['repository', 'author_class', 'agent', 'sensitive_group'] as const;

/** Latency buckets in seconds: 1 min … 30 days. */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [
  60,
  300,
  900,
  1800,
  3600,
  2 * 3600,
  4 * 3600,
  8 * 3600,
  86_400,
  2 * 86_400,
  4 * 86_400,
  7 * 86_400,
  14 * 86_400,
  30 * 86_400,
];

/** The instruments and the registry they live in. */
export interface PrometheusMetrics {
  registry: Registry;
  /** Observes one store transition (histograms / counters). */
  observeTransition(t: Transition): void;
  /** Counts one gate evaluation and observes its duration. */
  observeEvaluation(e: EvaluationRecord): void;
  observeDelivery(event: string, outcome: DeliveryOutcome): void;
  observeGitHubRequest(request: GitHubRequestObservation): void;
  observeGraphqlCost(points: number): void;
}

/** Calls `load` at most once per scrape: gauges collected in the same scrape share one store query. */
function oncePerScrape<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | null = null;
  return () => {
    if (!pending) {
      pending = load().finally(() => {
        setImmediate(() => {
          pending = null;
        });
      });
    }
    return pending;
  };
}

/**
 * Creates the instruments on a new Registry.
 * @param waiting called at scrape time to fill the "waiting for first review" gauges; may reject (the
 *   scrape then fails with that error).
 * @param teamRequests called at scrape time to fill the open team review-request gauges (teams only, never
 *   user names); default: none.
 */
export function createPrometheusMetrics(
  waiting: () => Promise<WaitingGroup[]>,
  teamRequests: () => Promise<OpenTeamRequests[]> = () => Promise.resolve([]),
): PrometheusMetrics {
  const registry = new Registry();
  const latency = (name: string, help: string): Histogram<(typeof PR_LABELS)[number]> =>
    new Histogram({ name, help, labelNames: PR_LABELS, buckets: [...LATENCY_BUCKETS_SECONDS], registers: [registry] });

  const timeToFirstReview = latency(
    'ai_review_time_to_first_review_seconds',
    'Ready for review to the first review by a human other than the author, in seconds.',
  );
  const timeToFirstApproval = latency(
    'ai_review_time_to_first_approval_seconds',
    'Ready for review to the first approval by a human other than the author, in seconds.',
  );
  const timeToMerge = latency('ai_review_time_to_merge_seconds', 'Ready for review to merge, in seconds.');
  const reviewRounds = new Histogram({
    name: 'ai_review_review_rounds',
    help: 'Changes-requested then new-push cycles per merged PR.',
    labelNames: PR_LABELS,
    buckets: [0, 1, 2, 3, 5, 8],
    registers: [registry],
  });
  const mergedWithoutReview = new Counter({
    name: 'ai_review_merged_without_review_total',
    help: 'PRs merged with no review by a human other than the author.',
    labelNames: PR_LABELS,
    registers: [registry],
  });
  const mergedWithoutQualifying = new Counter({
    name: 'ai_review_merged_without_qualifying_approval_total',
    help: 'PRs merged with no qualifying approval before the merge.',
    labelNames: PR_LABELS,
    registers: [registry],
  });
  const merged = new Counter({
    name: 'ai_review_pull_requests_merged_total',
    help: 'PRs merged (denominator for the rates).',
    labelNames: PR_LABELS,
    registers: [registry],
  });
  const evaluations = new Counter({
    name: 'ai_review_gate_evaluations_total',
    help: 'Gate evaluations by check-run conclusion.',
    labelNames: ['repository', 'author_class', 'agent', 'sensitive_group', 'conclusion'],
    registers: [registry],
  });
  const evaluationDuration = new Histogram({
    name: 'ai_review_gate_evaluation_duration_seconds',
    help: 'Wall time of one gate evaluation, in seconds.',
    labelNames: ['conclusion'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const overrides = new Counter({
    name: 'ai_review_overrides_total',
    help: 'Valid gate overrides recorded (once per PR and label application).',
    labelNames: PR_LABELS,
    registers: [registry],
  });
  const reverts = new Counter({
    name: 'ai_review_reverts_total',
    help: 'Merged PRs reverted by a later PR or revert commit (labels of the reverted PR).',
    labelNames: PR_LABELS,
    registers: [registry],
  });
  const deliveries = new Counter({
    name: 'ai_review_webhook_deliveries_total',
    help: 'Webhook deliveries by event and outcome.',
    labelNames: ['event', 'outcome'],
    registers: [registry],
  });
  const githubRequests = new Counter({
    name: 'ai_review_github_requests_total',
    help: 'GitHub API responses by API (rest, graphql), kind (read, write) and HTTP status (0: no response).',
    labelNames: ['api', 'kind', 'status'],
    registers: [registry],
  });
  const graphqlPoints = new Counter({
    name: 'ai_review_graphql_points_total',
    help: "GraphQL rate-limit points spent by evaluations (GitHub's rateLimit { cost }).",
    registers: [registry],
  });
  const quotaRemaining = new Gauge({
    name: 'ai_review_github_rate_limit_remaining',
    help: 'Remaining GitHub rate limit of an installation (x-ratelimit-remaining of its latest response), by API.',
    labelNames: ['installation', 'api'],
    registers: [registry],
  });

  // Both gauges of each pair are filled from one store query per scrape.
  const waitingOnce = oncePerScrape(waiting);
  const teamRequestsOnce = oncePerScrape(teamRequests);
  new Gauge({
    name: 'ai_review_open_review_requests',
    help: 'Review requests to a team still open on open PRs, per team (@org/slug) and the PR author class.',
    labelNames: ['team', 'author_class'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const g of await teamRequestsOnce()) this.set({ team: g.team, author_class: g.authorClass }, g.count);
    },
  });
  new Gauge({
    name: 'ai_review_oldest_open_review_request_seconds',
    help: 'Seconds since the oldest review request to the team still open on an open PR.',
    labelNames: ['team', 'author_class'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const g of await teamRequestsOnce()) this.set({ team: g.team, author_class: g.authorClass }, g.oldestWaitSeconds);
    },
  });
  new Gauge({
    name: 'ai_review_pull_requests_waiting_for_first_review',
    help: 'Open PRs, ready for review, with no review yet by a human other than the author.',
    labelNames: PR_LABELS,
    registers: [registry],
    async collect() {
      this.reset();
      for (const g of await waitingOnce()) this.set(g.labels as unknown as Record<string, string>, g.count);
    },
  });
  new Gauge({
    name: 'ai_review_oldest_wait_for_first_review_seconds',
    help: 'Seconds since ready for review of the longest-waiting PR without a first human review.',
    labelNames: PR_LABELS,
    registers: [registry],
    async collect() {
      this.reset();
      for (const g of await waitingOnce()) this.set(g.labels as unknown as Record<string, string>, g.oldestWaitSeconds);
    },
  });

  const asLabels = (l: PullRequestLabels): Record<(typeof PR_LABELS)[number], string> => ({ ...l });

  return {
    registry,
    observeTransition(t) {
      const l = asLabels(t.labels);
      switch (t.kind) {
        case 'time_to_first_review':
          timeToFirstReview.observe(l, t.seconds);
          break;
        case 'time_to_first_approval':
          timeToFirstApproval.observe(l, t.seconds);
          break;
        case 'time_to_merge':
          timeToMerge.observe(l, t.seconds);
          break;
        case 'review_rounds':
          reviewRounds.observe(l, t.value);
          merged.inc(l);
          break;
        case 'merged_without_review':
          mergedWithoutReview.inc(l);
          break;
        case 'merged_without_qualifying_approval':
          mergedWithoutQualifying.inc(l);
          break;
        case 'revert':
          reverts.inc(l);
          break;
        case 'override':
          overrides.inc(l);
          break;
      }
    },
    observeEvaluation(e) {
      evaluations.inc({
        repository: e.repository,
        author_class: e.authorship.class,
        agent: e.authorship.agent ?? 'none',
        sensitive_group: highestSensitiveGroup(e.sensitiveGroups),
        conclusion: e.conclusion,
      });
      evaluationDuration.observe({ conclusion: e.conclusion }, Math.max(0, e.durationMs) / 1000);
    },
    observeDelivery(event, outcome) {
      deliveries.inc({ event: event.slice(0, 64), outcome });
    },
    observeGitHubRequest(r) {
      githubRequests.inc({ api: r.api, kind: r.kind, status: Number.isInteger(r.status) ? String(r.status) : 'unknown' });
      if (r.installationId !== undefined && r.remaining !== undefined && Number.isFinite(r.remaining)) {
        quotaRemaining.set({ installation: String(r.installationId), api: r.api }, r.remaining);
      }
    },
    observeGraphqlCost(points) {
      if (Number.isFinite(points) && points > 0) graphqlPoints.inc(points);
    },
  };
}
