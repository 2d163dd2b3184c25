/**
 * Plain-data types of gate evaluation: the facts the GitHub shell gathers, and the result the check run shows.
 */
import type { AuthorshipVerdict } from '../authorship/types.js';
import type { Mode, Rule } from '../config/schema.js';
import type { ChangedFile, TouchedGroup } from '../paths/match.js';
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

/**
 * One commit of the PR with the identities GitHub linked to it (REST "List commits on a pull request": `sha`,
 * `author.login`, `committer.login`, `commit.committer.date`). Used to tell who pushed a commit when no push
 * fact covers it.
 */
export interface CommitFact {
  sha: string;
  /** REST `author.login` (the GitHub account linked to the commit's author email), or null. */
  authorLogin: string | null;
  /** REST `committer.login`, or null. `web-flow` (commits made on github.com) is ignored in favour of the author. */
  committerLogin: string | null;
  /** REST `commit.committer.date`, ISO 8601, or null. Set by the client that made the commit: a weak clock. */
  committedAt: string | null;
}

/**
 * One push to the PR's head branch: the `pull_request` `synchronize` (or `opened`) delivery that reported it.
 * The shell records them as they arrive (webhook `after` or `pull_request.head.sha`, `sender`).
 */
export interface PushFact {
  /** The head SHA after the push (`synchronize` payload `after`). */
  headSha: string;
  /** Who pushed (`sender.login`). */
  pusherLogin: string;
  /** True when the pusher is a bot or a coding agent (`sender.type` Bot, or known to the authorship catalog). */
  automated: boolean;
  /** When the push was reported (delivery time, ISO 8601). */
  at: string;
}

/**
 * One PR conversation comment (REST "List issue comments" / the `issue_comment` webhook): only comments whose body
 * starts with `/ai-review` matter; the shell may pass just those.
 */
export interface CommentFact {
  id: number;
  login: string;
  /** Untrusted text. */
  body: string;
  /** ISO 8601 (`created_at`). */
  createdAt: string;
  /** ISO 8601 (`updated_at`); an edited command counts from its last edit. */
  updatedAt?: string | null;
  /**
   * The PR's head SHA when the comment was written or last edited, when the shell knows it (e.g. the `issue_comment`
   * handler reads the PR's current head). Omitted: derived from `pushes` (the last push at or before the comment),
   * else from the commits' committer dates.
   */
  headSha?: string | null;
}

/** The CODEOWNERS file of the base (default) branch, as the shell read it. */
export interface CodeownersFact {
  /** Where it was found: the first of `.github/CODEOWNERS`, `CODEOWNERS`, `docs/CODEOWNERS` (see CODEOWNERS_LOCATIONS). */
  path: string;
  content: string;
  /**
   * Errors GitHub reports for it (REST "List CODEOWNERS errors", `GET /repos/{owner}/{repo}/codeowners/errors`),
   * e.g. unknown owners, which cannot be seen offline. Optional; shown in the summary.
   */
  errors?: Array<{ line: number; kind: string; message?: string; suggestion?: string | null }>;
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
  /**
   * The PR's changed files (REST "List pull requests files": `filename`, `previous_filename`). Needed by rules with
   * `require.codeowners`; when omitted such a rule does not hold (fail closed).
   */
  changedFiles?: ChangedFile[];
  /**
   * CODEOWNERS of the default branch: null when none of GitHub's locations has one; omitted when the shell did not
   * read it (a rule with `require.codeowners` then does not hold: fail closed).
   */
  codeowners?: CodeownersFact | null;
  /**
   * Email owners of CODEOWNERS resolved to logins (lower-case email → login), when the shell can (GitHub maps an
   * email to the account that verified it; the REST API has no lookup for private emails). Unresolved email owners
   * cannot approve.
   */
  codeownerEmails?: Record<string, string>;
  /** The PR's commits with identities, oldest first (same order as `commitShas`). Omitted: identities unknown. */
  commits?: CommitFact[];
  /** Pushes to the head branch the shell recorded, any order. Omitted or empty: pushers come from commit identities. */
  pushes?: PushFact[];
  /** PR comments that may carry `/ai-review override <reason>` commands. Omitted: no comment overrides. */
  comments?: CommentFact[];
}

/** Why an approval did not count. */
export type IgnoredApprovalReason =
  | 'pr-author'
  | 'bot-or-agent'
  | 'human-of-record'
  | 'stale-agent-push'
  | 'stale-push-by-other'
  | 'stale-push'
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
  /** Set when the rule has `require.codeowners: true`. */
  codeowners?: CodeownersRuleResult;
}

/** One set of owners (one CODEOWNERS line) that owns some of the files a rule covers. */
export interface OwnerSetResult {
  /** The CODEOWNERS line (1-based) and pattern that own these files. */
  line: number;
  pattern: string;
  /** Owners as written in CODEOWNERS. */
  owners: string[];
  /** Number of covered files (paths; a rename counts its old and new path) this line owns. */
  fileCount: number;
  /** The first few of them (untrusted: escape). */
  examples: string[];
  /** The owner whose qualifying approval covers the set, or null. */
  approvedBy: string | null;
}

/** The CODEOWNERS part of a rule's outcome. */
export interface CodeownersRuleResult {
  /** Where CODEOWNERS was read from, or null when there is none (no owned files). */
  source: string | null;
  /** Set when the requirement cannot be evaluated (facts missing): the rule then does not hold. */
  unavailable: string | null;
  ownerSets: OwnerSetResult[];
  /** Covered paths no CODEOWNERS line owns (no approval needed for them). */
  unownedFiles: number;
  /** True when every owner set has an approval from one of its owners. */
  holds: boolean;
  /** Owners (as written) of the sets still uncovered, deduplicated: whom to ask. */
  missingOwners: string[];
}

/** The override in force: who, when, for which head SHA, why, and how it was given. */
export interface OverrideRecord {
  login: string;
  /** ISO 8601. */
  at: string;
  /** The head SHA the override was given for (label: the evaluated head SHA). */
  headSha: string;
  /** The comment's reason; null for the label. Untrusted: escape. */
  reason: string | null;
  source: 'label' | 'comment';
  /** The override label (source `label`). */
  label?: string;
}

/** An `/ai-review override` comment and what became of it. */
export interface OverrideCommandResult {
  commentId: number;
  login: string;
  at: string;
  /** The head SHA it was bound to, when known. */
  headSha: string | null;
  /** The reason given (trimmed, whitespace folded, at most 500 characters); null when empty. Untrusted. */
  reason: string | null;
  /**
   * `applied`: in force. `superseded`: valid but a later override is in force. `ended-by-push`: a later push
   * ended it. `not-allowed`: author not in `overrides.allowed`. `overrides-off`: `overrides.allowed` is empty.
   * `empty-reason`: no reason given. `unknown-head`: the head SHA at the time of the comment cannot be told.
   */
  status: 'applied' | 'superseded' | 'ended-by-push' | 'not-allowed' | 'overrides-off' | 'empty-reason' | 'unknown-head';
  /** For `ended-by-push`: the first commit that ended it. */
  endedBy?: string;
}

/** Someone whose approval cannot count, and why (shown in the summary's first lines). */
export interface CannotApprove {
  /** A login, or null for a class of accounts ("agents and bots"). */
  login: string | null;
  reason: 'pr-author' | 'human-of-record' | 'bot-or-agent';
}

/** The gate's verdict for one PR at one head SHA. */
export interface GateResult {
  conclusion: GateConclusion;
  /** One line for the check run title. */
  title: string;
  rules: RuleResult[];
  /** The override in force (label or comment), or null. */
  override: OverrideRecord | null;
  /** Override label applications by people not allowed to override (ignored). */
  ignoredOverrides: Array<{ login: string; at: string }>;
  /** Every `/ai-review override` comment and its status, oldest first. */
  overrideCommands: OverrideCommandResult[];
  /** True when every applicable rule holds or an override is valid. */
  satisfied: boolean;
  /**
   * What the check would conclude if every rule were in enforce mode (pilot evidence): `success` when satisfied,
   * else `action_required`. (`failure`, for invalid configs, is decided by the caller like `conclusion`.)
   */
  enforceConclusion: Exclude<GateConclusion, 'neutral'>;
  /** The next step in words, without mode prefix: "Needs 1 approval from @acme/security". */
  nextStep: string;
  /** Who cannot approve this PR and why. */
  cannotApprove: CannotApprove[];
  /** Override settings, for the summary's "how to override" line. */
  overrides: { allowed: string[]; label: string };
  /**
   * Lines of CODEOWNERS that GitHub would reject (found here, or reported by GitHub in the facts), when an
   * applicable rule requires code owners; empty otherwise.
   */
  codeownersProblems: Array<{ path: string; line: number; kind: string; message: string }>;
}

export type { Rule };
