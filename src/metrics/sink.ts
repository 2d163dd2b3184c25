/**
 * The contract between the webhook handlers / evaluation jobs (src/github) and metrics recording (src/metrics).
 * Handlers call these methods; they never touch the store directly.
 *
 * The pipeline (issue 7): a delivery is recorded (`recordDelivery`: one insert of the delivery row with its
 * derived facts, grouped with concurrent deliveries) before the webhook is acknowledged; a job that evaluates the
 * gate records its evaluation as one pending row (`queueEvaluation`); a job that does not evaluate (a closed PR)
 * applies the PR's pending facts and computes its figures at once (`recomputePullRequest`). Pending evaluations
 * with the deliveries before them, deliveries whose PR gets no job, repository-level ones (`push`) and PRs left
 * stale are stored and recomputed by `recomputeStale`, once per PR for everything pending (every
 * `METRICS_RECOMPUTE_INTERVAL_S` seconds, default 30, on one instance; and by `ai-review report` before it reads).
 * (`MetricsStore.recordEvaluation` stores and recomputes at once, for the store's tests.)
 */
import type { AuthorshipVerdict } from '../authorship/types.js';

/** Conclusions the `ai-review` check run can have (GitHub REST "checks" API values). */
export type GateConclusion = 'success' | 'action_required' | 'neutral' | 'failure';

/** A webhook delivery as Probot hands it over. */
export interface DeliveryRecord {
  /** `X-GitHub-Delivery` header: the idempotency key. */
  id: string;
  /** `X-GitHub-Event` header, e.g. `pull_request`. */
  name: string;
  /** The parsed JSON payload (untrusted). */
  payload: unknown;
  receivedAt: Date;
}

/** One commit of the PR as the gate saw it. */
export interface EvaluatedCommit {
  sha: string;
  /** True when the authorship classifier attributed the commit to an agent. */
  agent: boolean;
  /** GitHub login of the commit author, when GitHub linked one. */
  authorLogin: string | null;
  /** Committer date (ISO 8601), when known. */
  committedAt: string | null;
}

/** A rule's outcome in one evaluation, for issue 9's pilot mode (every applicable rule, held or not). */
export interface EvaluationRule {
  name: string;
  /** The rule's effective mode at this evaluation. */
  mode: 'advisory' | 'enforce';
  holds: boolean;
}

/** A valid override in place at an evaluation. */
export interface EvaluationOverride {
  /** Who applied it (an allowed user). */
  login: string;
  /** When it was applied (ISO 8601). */
  at: string;
  /** Head SHA it applies to; the evaluation's head SHA when absent. */
  headSha?: string;
  /** The reason given (untrusted text: stored truncated to 500 characters, escaped wherever shown); null: none. */
  reason?: string | null;
  /** How it was applied. */
  source?: 'label' | 'comment';
}

/** The outcome of one gate evaluation, passed to metrics after the check run was written. */
export interface EvaluationRecord {
  deliveryId: string;
  /** `owner/name`. */
  repository: string;
  pullNumber: number;
  headSha: string;
  authorship: AuthorshipVerdict;
  /** Sensitive path groups the PR touches, e.g. `['ci', 'auth']`. */
  sensitiveGroups: string[];
  changedFiles: number;
  additions: number;
  deletions: number;
  conclusion: GateConclusion;
  /** Names of applicable rules that do not hold. */
  failingRules: string[];
  /** True when every applicable rule holds (or a valid override is in place). */
  gateSatisfied: boolean;
  /** Logins of reviewers whose approvals counted for at least one rule, with the review time. */
  qualifyingApprovals: Array<{ login: string; submittedAt: string }>;
  /** Users and teams (`@org/slug`) a rule requires. */
  requiredReviewers: string[];
  /** Set when a valid override is in place. */
  override: EvaluationOverride | null;
  /**
   * Every applicable rule with its effective mode and whether it held (issue 9). Optional until the app passes
   * it; evaluations without it are left out of the report's `rules` section.
   */
  rules?: EvaluationRule[];
  /** The conclusion enforcement would have given (in advisory mode: what `mode: enforce` would have shown). */
  enforceConclusion?: 'success' | 'action_required' | 'failure';
  commits: EvaluatedCommit[];
  /** Wall time of the evaluation, in milliseconds. */
  durationMs: number;
  evaluatedAt: Date;
}

/** One GitHub API response, for `ai_review_github_requests_total` and the quota gauge. */
export interface GitHubRequestObservation {
  api: 'rest' | 'graphql';
  /** `read` for GET and GraphQL queries; `write` for POST/PATCH/PUT/DELETE on REST. */
  kind: 'read' | 'write';
  /** HTTP status, 0 when no response came. */
  status: number;
  /** The installation whose token made the request. */
  installationId?: number;
  /** `x-ratelimit-remaining` of the response (requests for REST, points for GraphQL), when present. */
  remaining?: number;
}

/** How a webhook delivery ended, for the deliveries counter. */
export type DeliveryOutcome = 'processed' | 'ignored' | 'duplicate' | 'error';

/** What the handlers and jobs need from metrics. Implementations must never throw into the caller on store errors they can log. */
export interface MetricsSink {
  /**
   * Records a delivery idempotently on its id (`X-GitHub-Delivery`): one row with the facts derived from its payload
   * (hashes, SHAs, logins, times; never titles or bodies), pending until the PR's job applies them. Touches no
   * other row and computes no figure, so it is cheap and never waits on a job: run it before the webhook is
   * acknowledged. Concurrent calls share one insert (group commit). Every delivery may be passed (unsupported
   * events are stored as a delivery row only). Resolves `duplicate` when the id was seen before, also when
   * another replica sharing the PostgreSQL store recorded it a moment ago (one row either way). Store errors are
   * logged and resolve `recorded`.
   */
  recordDelivery(delivery: DeliveryRecord): Promise<'recorded' | 'duplicate'>;
  /**
   * PostgreSQL only: the row that `recordDelivery` would insert (table `deliveries`, unique on `id`), for the job
   * queue to store in the same statement as the delivery's jobs when it writes to the same database
   * (`databaseId`). Pure: derives the facts from the payload, reads nothing. Throws nothing.
   */
  deliveryRow?(delivery: DeliveryRecord): { table: string; key: string; values: Record<string, unknown> };
  /** PostgreSQL only: the store's database, as `databaseId` in src/postgres-pool.ts. */
  readonly databaseId?: string;
  /**
   * Stores the PR's pending evaluations and applies its pending deliveries (in the order they were recorded),
   * then computes its derived figures (latencies, rounds, rework,
   * review-request spans, rule outcomes) from all its stored events and observes the Prometheus series that became known. Idempotent: running it again changes
   * nothing. Call once per job that handles a PR without evaluating it. Store errors are logged and swallowed.
   * @param repository `owner/name`
   * @param pullNumber the PR's number
   */
  recomputePullRequest(repository: string, pullNumber: number): Promise<void>;
  /**
   * Records a gate evaluation as one pending row (one statement, idempotent on delivery id + PR + head SHA while
   * pending) and counts it in `ai_review_gate_evaluations_total`; the evaluation is stored, and the PR's figures
   * computed, by the next `recomputePullRequest` or `recomputeStale` of the PR. What the app's jobs call. Store
   * errors are logged and swallowed.
   */
  queueEvaluation(evaluation: EvaluationRecord): Promise<void>;
  /**
   * Stores pending evaluations (with their PRs' deliveries, recomputing each such PR once), applies pending
   * deliveries (oldest first) and recomputes PRs still marked stale (deliveries whose job never
   * ran, repository-level pushes, forced pushes that touched other PRs), at most `limit` (default 1,000). For a periodic job; safe on several replicas at once. `between`: awaited
   * between two PRs (the app's jobs wait there while deliveries flood the process). Resolves how many PRs
   * were recomputed (0 on store errors, which are logged).
   */
  recomputeStale(limit?: number, between?: () => Promise<unknown>): Promise<number>;
  /** Counts a delivery by event name and outcome (Prometheus counter). */
  observeDelivery(event: string, outcome: DeliveryOutcome): void;
  /**
   * Counts a GitHub API response (Prometheus counter by API `rest`/`graphql`, kind `read`/`write` and HTTP status),
   * and keeps the installation's remaining quota from the response's `x-ratelimit-remaining` header.
   */
  observeGitHubRequest(request: GitHubRequestObservation): void;
  /** Adds the GraphQL points an evaluation spent (`rateLimit { cost }`). */
  observeGraphqlCost(points: number): void;
  close(): Promise<void>;
}
