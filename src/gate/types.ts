/**
 * Plain-data types of gate evaluation: the facts the GitHub shell gathers, and the result the check run shows.
 */
import type { AuthorshipVerdict } from '../authorship/types.js';
import type { Mode, Rule } from '../config/schema.js';
import type { TouchedGroup } from '../paths/match.js';
import type { GateConclusion } from '../metrics/sink.js';

export type { GateConclusion };

/** Review states of REST "List reviews for a pull request". */
export type ReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';

/** One submitted review. Logins are compared case-insensitively. */
export interface ReviewFact {
  id: number;
  login: string;
  userId?: number | null;
  /** `User` or `Bot` (REST `user.type`). */
  userType?: string | null;
  /** True when the reviewer is a bot or an agent (REST `user.type` Bot, or known to the authorship catalog). */
  automated: boolean;
  state: ReviewState;
  /** The commit the review was submitted on (REST `commit_id`). */
  commitId: string | null;
  /** ISO 8601. */
  submittedAt: string | null;
}

/** A `labeled`/`unlabeled` issue event for the override label, from the PR's timeline. */
export interface LabelEventFact {
  action: 'labeled' | 'unlabeled';
  label: string;
  actor: string;
  /** ISO 8601. */
  at: string;
}

/** Everything the evaluator needs, gathered once per evaluation by the shell. */
export interface GateFacts {
  pullRequest: {
    number: number;
    authorLogin: string;
    draft: boolean;
    headSha: string;
    labels: string[];
  };
  authorship: AuthorshipVerdict;
  touchedGroups: TouchedGroup[];
  /** SHAs of the PR's commits, oldest first (REST "List commits on a pull request" order). */
  commitShas: string[];
  reviews: ReviewFact[];
  /** `@org/slug` (lower case) → member logins (lower case), for the teams named by applicable rules and overrides. */
  teamMembers: Record<string, string[]>;
  /** Login (lower case) → whether the user has write access, for approvers of rules without `reviewers`. */
  writeAccess: Record<string, boolean>;
  /** Label events for the override label (empty when the label is not on the PR). */
  overrideLabelEvents: LabelEventFact[];
}

/** Why an approval did not count. */
export type IgnoredApprovalReason =
  | 'pr-author'
  | 'bot-or-agent'
  | 'human-of-record'
  | 'stale-agent-push'
  | 'commit-not-in-pr'
  | 'not-a-required-reviewer'
  | 'no-write-access';

/** The outcome of one applicable rule. */
export interface RuleResult {
  name: string;
  /** Effective mode: the rule's own, else the top-level one. */
  mode: Mode;
  /** The rule's reviewers (`alice`, `@acme/security`), or empty for "anyone with write access". */
  reviewers: string[];
  count: number;
  holds: boolean;
  /** Approvals that counted, oldest first. */
  approvals: Array<{ login: string; submittedAt: string | null }>;
  /** Approvals that did not count for this rule, and why. */
  ignoredApprovals: Array<{ login: string; reason: IgnoredApprovalReason }>;
  /** Eligible reviewers whose latest decisive review is CHANGES_REQUESTED (they block the rule). */
  changesRequestedBy: string[];
  /** Approvals still needed (0 when enough counted). */
  missingApprovals: number;
  /** Entries of `reviewers` that have not approved yet. */
  pendingReviewers: string[];
  /** Path groups that made the rule apply (empty: applies to every PR of that author). */
  matchedGroups: string[];
}

/** The gate's verdict for one PR at one head SHA. */
export interface GateResult {
  conclusion: GateConclusion;
  /** One line for the check run title. */
  title: string;
  rules: RuleResult[];
  /** Set when a valid override label is in place. */
  override: { login: string; at: string; label: string } | null;
  /** Override label applications by people not allowed to override (ignored). */
  ignoredOverrides: Array<{ login: string; at: string }>;
  /** True when every applicable rule holds or an override is valid. */
  satisfied: boolean;
}

export type { Rule };
