/**
 * Types of the authorship classifier: the input (GitHub REST shapes, every field optional because
 * real payloads and data sets leave some out) and the verdict the app and `ai-review classify` use.
 */

/**
 * Who wrote a pull request.
 * - `agent`: an agent opened or wrote it (the PR author is the agent's account, the PR itself carries the tool's
 *   marks, the agent's own identity made the first commit, or at least half of the commits carry agent evidence).
 * - `assisted`: a person opened and mostly wrote it; an agent co-authored some commits, or a review bot's suggestion
 *   was applied. `agent` names the tool (see docs/authorship.md, "Agent-authored or agent-assisted").
 * - `human`: no agent signal.
 * - `automation`: a non-AI bot (Dependabot, Renovate, ...).
 */
export type AuthorClass = 'agent' | 'assisted' | 'human' | 'automation';

/**
 * How sure the classifier is.
 * - `high`: an identity the platform controls (the PR author is the agent's GitHub App, by id or login;
 *   a commit whose signature GitHub verified and that is authored by the agent).
 * - `medium`: text the tool writes by default (a `Co-authored-by` trailer, a PR-body marker, an agent email).
 * - `low`: conventions anyone can set (a head-branch prefix, a label).
 */
export type Confidence = 'high' | 'medium' | 'low';

/** Ordering of confidences, lowest first. */
export const CONFIDENCE_ORDER: readonly Confidence[] = ['low', 'medium', 'high'];

/** One piece of evidence: which signal fired, on which value (untrusted PR text), and its confidence. */
export interface AuthorshipReason {
  /** e.g. `pr_author_login`, `pr_author_id`, `commit_author_email`, `co_authored_by`, `body_marker`, `branch_prefix`, `label`. */
  signal: string;
  /** The matched value as found in the PR (untrusted: escape before rendering). */
  value: string;
  confidence: Confidence;
  /** The catalog/custom entry the evidence points to (`codex`, `dependabot`, ...), when there is one. */
  agent?: string;
}

/** The classifier's verdict for one pull request. */
export interface AuthorshipVerdict {
  class: AuthorClass;
  /**
   * Catalog or custom agent name (`copilot`, `claude-code`, `codex`, ...), or the bot name for automation; null for
   * humans. For `assisted`, the tool that assisted: a coding agent's name, or an AI review bot's name
   * (`copilot-code-review`, `coderabbit`, ...) when the assistance was an applied review suggestion.
   */
  agent: string | null;
  /** Null for `human`. */
  confidence: Confidence | null;
  /**
   * Login of the human who asked the agent for the work, when known; for agents working under a human's account, the
   * PR author. For `assisted`, the PR author (the person who wrote most of it).
   */
  humanOfRecord: string | null;
  /** Share of the PR's commits attributed to an agent, 0..1 (0 when there are no commits). */
  agentCommitShare: number;
  /** SHAs of commits attributed to an agent (used by the gate: an agent push after an approval makes it stale). */
  agentCommitShas: string[];
  reasons: AuthorshipReason[];
}

/** A GitHub account as it appears in REST payloads (`user`, `author`, `committer`). */
export interface AccountInput {
  login?: string | null;
  id?: number | null;
  type?: string | null;
}

/** A git identity inside a commit (`commit.author`, `commit.committer`). */
export interface GitIdentityInput {
  name?: string | null;
  email?: string | null;
  date?: string | null;
}

/** One item of REST "List commits on a pull request". */
export interface CommitInput {
  sha?: string | null;
  commit?: {
    message?: string | null;
    author?: GitIdentityInput | null;
    committer?: GitIdentityInput | null;
    verification?: { verified?: boolean | null; reason?: string | null } | null;
  } | null;
  author?: AccountInput | null;
  committer?: AccountInput | null;
}

/** One item of REST "List timeline events for an issue" (only the fields the classifier reads). */
export interface TimelineEventInput {
  event?: string | null;
  actor?: AccountInput | null;
  label?: { name?: string | null } | null;
  assignee?: AccountInput | null;
  requested_reviewer?: AccountInput | null;
  requested_team?: { slug?: string | null } | null;
  created_at?: string | null;
}

/** The subset of the REST pull request object the classifier reads. */
export interface PullRequestInput {
  number?: number | null;
  title?: string | null;
  body?: string | null;
  user?: AccountInput | null;
  head?: { ref?: string | null } | null;
  labels?: Array<{ name?: string | null }> | null;
  assignees?: AccountInput[] | null;
  html_url?: string | null;
  created_at?: string | null;
}

/** Input of the classifier: one PR in GitHub REST shapes, as in `ai-review classify` JSON Lines. */
export interface AuthorshipInput {
  pull_request?: PullRequestInput | null;
  commits?: CommitInput[] | null;
  timeline?: TimelineEventInput[] | null;
}

/** A GitHub account of a custom agent: its login and, when known, its numeric id (ids decide over logins). */
export interface CustomAgentAccount {
  login: string;
  id?: number;
  /** `Bot` for a GitHub App's bot user (default when the login ends in `[bot]`), `User` for an ordinary account. */
  type?: 'Bot' | 'User';
}

/** A commit-message trailer a custom agent writes: `Key: value…`, both parts case-insensitive. */
export interface CustomAgentTrailer {
  key: string;
  value_prefix: string;
}

/**
 * A custom agent declared in `.github/ai-review.yml` under `agents.custom`. Every field but `name` is optional.
 * Together the fields express every kind of identity the built-in catalog uses (docs/authorship.md, "Adding an agent
 * without a release").
 */
export interface CustomAgent {
  name: string;
  /** `agent` (default), `review-bot` (its applied suggestions make a PR `assisted`) or `automation`. */
  kind?: 'agent' | 'review-bot' | 'automation';
  logins?: string[];
  accounts?: CustomAgentAccount[];
  branch_prefixes?: string[];
  /** Head-branch prefixes that count only when a digit follows (`acme/1712345678-fix`). */
  branch_prefixes_before_digit?: string[];
  commit_emails?: string[];
  /** Suffixes of the git author/committer name the tool writes, e.g. ` (acme)`. */
  author_name_suffixes?: string[];
  trailers?: CustomAgentTrailer[];
  body_markers?: string[];
  /** The tool's default PR-body layout: exactly these headings, in order, each followed by a bullet list. */
  body_template?: string[];
  labels?: string[];
}

/** Options of the classifier, from the `agents` section of the config. */
export interface AuthorshipOptions {
  /** Use the built-in catalog (default true). */
  builtin: boolean;
  custom: CustomAgent[];
  /** Evidence below this confidence does not make a PR `agent` (default `low`). */
  minConfidence: Confidence;
}
