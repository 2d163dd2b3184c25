/**
 * Which facts an evaluation needs: a pure function of the effective configuration and of what is already known about
 * the pull request. The GitHub side fetches only what the plan asks for (src/github/graphql), so each rule of the
 * gate lives here and in evaluate.ts, not in the shell.
 *
 * Two-phase by design. Whether a rule applies depends on the authorship verdict (which needs the PR's commits) and on
 * the touched path groups (which need its files), and the CODEOWNERS teams depend on the CODEOWNERS file: none of it
 * is known before the first query. So {@link planFacts} is conservative about every input it is not given (it plans
 * for every rule that could apply), and exact once given the facts. The loader fetches a first, speculative plan
 * (the conservative plan of a configuration the caller already knows, or the previous evaluation's exact plan),
 * then the caller plans again with the facts and {@link missingFacts} says what a second query must add: nothing,
 * when the speculative plan covered it.
 */
import { parseCodeownersCached, parseOwner } from '../codeowners/index.js';
import type { AuthorshipVerdict } from '../authorship/types.js';
import type { EffectiveConfig } from '../config/load.js';
import type { Rule } from '../config/schema.js';
import type { TouchedGroup } from '../paths/match.js';
import { authorMatches, isAutomated, latestDecisiveReviews, targetsAssisted, teamsToFetch } from './evaluate.js';
import { hasOverrideCommand } from './overrides.js';
import { needsWriteAccess } from './reviewer-list.js';
import type { GateFacts, ReviewFact } from './types.js';

/**
 * The facts an evaluation needs beyond those it always needs (the PR, its changed files, commits and reviews, and the
 * configuration files), as booleans and a team list the loader turns into parts of its query.
 */
export interface FactPlan {
  /** Teams (`@org/slug`, lower case) whose members are needed, sorted. */
  teams: string[];
  /** Whether the write access of reviewers is needed (some rule that may apply has no `require.reviewers`). */
  writeAccess: boolean;
  /** Whether the `labeled`/`unlabeled` events of the PR are needed (the override label is, or may be, on the PR). */
  overrideLabelEvents: boolean;
  /** Whether the PR's `review_requested` events are needed (to ask reviewers once per PR). */
  reviewRequestEvents: boolean;
  /** Whether the PR's conversation comments are needed (`/ai-review override <reason>` commands). */
  comments: boolean;
  /** Whether the default branch's CODEOWNERS is needed (some rule that may apply has `require.codeowners`). */
  codeowners: boolean;
  /**
   * Whether the previous path of a renamed file is needed: when some path group or CODEOWNERS line could match it.
   * The old path is unknown until read, so any group counts; the built-in groups make this true for every config.
   */
  previousPaths: boolean;
}

/** What is known about the PR when planning. Every field is optional: an omitted one is planned for conservatively. */
export interface PlanInput {
  /** The PR's label names. Omitted: the override label may be on it. */
  labels?: readonly string[];
  /** The authorship verdict. Omitted: every rule's `if.author` may match. */
  authorship?: AuthorshipVerdict;
  /** The touched path groups. Omitted: every rule's `if.paths` may match. */
  touchedGroups?: readonly TouchedGroup[];
  /** The changed files (for the CODEOWNERS teams of covered files). Omitted: every team CODEOWNERS names may own one. */
  changedFiles?: GateFacts['changedFiles'];
  /** CODEOWNERS of the default branch (null: none). Omitted: its teams are unknown (plan again once it is read). */
  codeowners?: GateFacts['codeowners'];
  /** The PR's comments. Omitted: one of them may be an override command. */
  comments?: GateFacts['comments'];
  /** Whether the caller may ask for reviews in this evaluation (false: `review_requested` events are not needed). */
  mayRequestReviewers?: boolean;
}

/**
 * The plan when not even the configuration is known (the first evaluation of a repository): no team, the cheap
 * facts that need no configuration to fetch (label and review-request events, CODEOWNERS, reviewers' write access),
 * no comments. The caller then plans again with the configuration and the facts.
 */
export const INITIAL_PLAN: Readonly<FactPlan> = Object.freeze({
  teams: [],
  writeAccess: true,
  overrideLabelEvents: true,
  reviewRequestEvents: true,
  comments: false,
  codeowners: true,
  previousPaths: true,
});

/**
 * The rules that may apply given what is known: `applicableRules` when both the verdict and the touched groups are
 * known, else every rule whose known conditions hold (an unknown condition may hold).
 */
export function possiblyApplicableRules(
  config: Pick<EffectiveConfig, 'rules'>,
  input: Pick<PlanInput, 'authorship' | 'touchedGroups'>,
): Rule[] {
  const assistedAsHuman = !config.rules.some(targetsAssisted);
  const touched = input.touchedGroups ? new Set(input.touchedGroups.map((t) => t.group)) : null;
  return config.rules.filter((rule) => {
    if (input.authorship && !authorMatches(rule, input.authorship, assistedAsHuman)) return false;
    if (touched && rule.if.paths !== undefined && !rule.if.paths.some((g) => touched.has(g))) return false;
    return true;
  });
}

/** Teams CODEOWNERS names on any line, for rules that require code owners when the changed files are unknown. */
function everyCodeownerTeam(codeowners: NonNullable<GateFacts['codeowners']>): string[] {
  const parsed = parseCodeownersCached(codeowners.content, codeowners.path);
  const teams = new Set<string>();
  for (const entry of parsed.entries) {
    for (const owner of entry.owners) {
      const o = parseOwner(owner);
      if (o?.kind === 'team') teams.add(o.team);
    }
  }
  return [...teams];
}

/**
 * Plans the facts of one evaluation. `config` null (not known yet) gives {@link INITIAL_PLAN}. Otherwise, with the
 * rules that may apply ({@link possiblyApplicableRules}):
 * - teams: as `teamsToFetch` (reviewers of those rules; `overrides.allowed` when the label is or may be on the PR, or
 *   a comment is or may be a command; the CODEOWNERS teams of covered files, or every team CODEOWNERS names when the
 *   changed files are unknown);
 * - write access: when one of those rules has no `require.reviewers` (see `needsWriteAccess`);
 * - override label events: when the label is on the PR, or the labels are unknown;
 * - comments: when `overrides.allowed` is non-empty (with overrides off a command cannot change the conclusion, so
 *   comments are not read and the summary does not list such commands);
 * - review-request events: when reviews may be requested (`review.request_reviewers`, not ruled out by the caller)
 *   and one of those rules names reviewers or requires code owners;
 * - CODEOWNERS: when one of those rules requires code owners;
 * - previous paths of renames: when any path group exists or CODEOWNERS is needed.
 */
export function planFacts(config: EffectiveConfig | null, input: PlanInput = {}): FactPlan {
  if (config === null) return { ...INITIAL_PLAN, teams: [] };
  const rules = possiblyApplicableRules(config, input);
  const overrides = config.file.overrides;
  const labelPresent = input.labels === undefined || input.labels.some((l) => l.toLowerCase() === overrides.label.toLowerCase());
  const commandPresent = input.comments === undefined ? overrides.allowed.length > 0 : hasOverrideCommand(input.comments);
  const codeowners = rules.some((r) => r.require.codeowners === true);
  const teams = new Set(
    teamsToFetch(config, rules, labelPresent, {
      overrideCommandPresent: commandPresent,
      ...(input.changedFiles !== undefined ? { changedFiles: input.changedFiles } : {}),
      ...(input.codeowners !== undefined ? { codeowners: input.codeowners } : {}),
    }),
  );
  if (codeowners && input.changedFiles === undefined && input.codeowners)
    for (const t of everyCodeownerTeam(input.codeowners)) teams.add(t);
  return {
    teams: [...teams].sort(),
    writeAccess: rules.some(needsWriteAccess),
    overrideLabelEvents: labelPresent,
    reviewRequestEvents:
      input.mayRequestReviewers !== false &&
      config.file.review.request_reviewers &&
      rules.some((r) => !needsWriteAccess(r) || r.require.codeowners === true),
    comments: overrides.allowed.length > 0,
    codeowners,
    previousPaths: config.compiledPathGroups.names.length > 0 || codeowners,
  };
}

/** What `needed` asks for that `fetched` does not have (teams not fetched, facts needed but not fetched). */
export function missingFacts(needed: FactPlan, fetched: FactPlan): FactPlan {
  const have = new Set(fetched.teams);
  return {
    teams: needed.teams.filter((t) => !have.has(t)),
    writeAccess: needed.writeAccess && !fetched.writeAccess,
    overrideLabelEvents: needed.overrideLabelEvents && !fetched.overrideLabelEvents,
    reviewRequestEvents: needed.reviewRequestEvents && !fetched.reviewRequestEvents,
    comments: needed.comments && !fetched.comments,
    codeowners: needed.codeowners && !fetched.codeowners,
    previousPaths: needed.previousPaths && !fetched.previousPaths,
  };
}

/** Whether a plan asks for nothing (e.g. the result of {@link missingFacts} when the first query covered the needs). */
export function isEmptyPlan(plan: FactPlan): boolean {
  return (
    plan.teams.length === 0 &&
    !plan.writeAccess &&
    !plan.overrideLabelEvents &&
    !plan.reviewRequestEvents &&
    !plan.comments &&
    !plan.codeowners &&
    !plan.previousPaths
  );
}

/** The union of two plans (what was fetched after two queries). */
export function mergePlans(a: FactPlan, b: FactPlan): FactPlan {
  return {
    teams: [...new Set([...a.teams, ...b.teams])].sort(),
    writeAccess: a.writeAccess || b.writeAccess,
    overrideLabelEvents: a.overrideLabelEvents || b.overrideLabelEvents,
    reviewRequestEvents: a.reviewRequestEvents || b.reviewRequestEvents,
    comments: a.comments || b.comments,
    codeowners: a.codeowners || b.codeowners,
    previousPaths: a.previousPaths || b.previousPaths,
  };
}

/**
 * Logins (lower case) whose write access the gate may read, for a shell that checks permissions one login at a time
 * (REST "Get repository permissions for a user"): when an applicable rule needs write access, the latest decisive
 * APPROVED or CHANGES_REQUESTED reviewers who are not the PR author and not automated (bots, agents). The gate reads
 * `writeAccess` only for them (evaluate.ts, `eligible`). Sorted.
 */
export function writeAccessLogins(rules: readonly Rule[], reviews: readonly ReviewFact[], authorLogin: string): string[] {
  if (!rules.some(needsWriteAccess)) return [];
  const author = authorLogin.toLowerCase();
  const logins = new Set<string>();
  for (const review of latestDecisiveReviews(reviews).values()) {
    if (review.state !== 'APPROVED' && review.state !== 'CHANGES_REQUESTED') continue;
    if (isAutomated(review) || review.login.toLowerCase() === author) continue;
    logins.add(review.login.toLowerCase());
  }
  return [...logins].sort();
}
