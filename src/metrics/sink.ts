/**
 * The contract between the webhook handlers (src/github) and metrics recording (src/metrics).
 * Handlers call these methods; they never touch the store directly.
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
  /** Set when a valid override label is in place. */
  override: { login: string; at: string } | null;
  commits: EvaluatedCommit[];
  /** Wall time of the evaluation, in milliseconds. */
  durationMs: number;
  evaluatedAt: Date;
}

/** How a webhook delivery ended, for the deliveries counter. */
export type DeliveryOutcome = 'processed' | 'ignored' | 'duplicate' | 'error';

/** What the handlers need from metrics. Implementations must never throw into the handler on store errors they can log. */
export interface MetricsSink {
  /** Records a delivery idempotently on its id; resolves `duplicate` when the id was seen before (also across replicas). */
  recordDelivery(delivery: DeliveryRecord): Promise<'recorded' | 'duplicate'>;
  /**
   * Recomputes a pull request's derived figures from its recorded events (a job calls it for a closed PR, which
   * is not evaluated). Optional while the store gains it.
   */
  recomputePullRequest?(repository: string, pullNumber: number): Promise<void>;
  /** Records a gate evaluation. */
  recordEvaluation(evaluation: EvaluationRecord): Promise<void>;
  /** Counts a delivery by event name and outcome (Prometheus counter). */
  observeDelivery(event: string, outcome: DeliveryOutcome): void;
  /** Counts a GitHub API response by HTTP status (Prometheus counter). */
  observeGitHubRequest(status: number): void;
  close(): Promise<void>;
}
