/**
 * Gate evaluation: a pure function from (effective config, PR facts) to a result. No I/O.
 */
import type { AuthorshipVerdict } from '../authorship/types.js';
import type { EffectiveConfig } from '../config/load.js';
import type { Rule } from '../config/schema.js';
import type { TouchedGroup } from '../paths/match.js';
import { codeownerTeams, codeownersProblems, evaluateCodeowners, isOwner } from './codeowners.js';
import { cutTitle, nextStep } from './next-step.js';
import { evaluateOverrides } from './overrides.js';
import { laterPushes } from './pushes.js';
import { inReviewerList, isTeam, needsWriteAccess, normalizeReviewer } from './reviewer-list.js';
import type { CannotApprove, GateFacts, GateResult, IgnoredApprovalReason, ReviewFact, RuleResult } from './types.js';

const lower = (s: string): string => s.toLowerCase();

export { inReviewerList, isTeam, needsWriteAccess, normalizeReviewer, evaluateOverrides };

const AUTHOR_CLASS_TERMS = new Set(['agent', 'assisted', 'human', 'any']);

/** The `if.author` value as a list of lower-case terms: classes (`agent`, `assisted`, `human`, `any`) and agent names. */
function authorTerms(rule: Rule): string[] {
  const author = rule.if.author;
  return (typeof author === 'string' ? [author] : author).map(lower);
}

/** Whether a rule names the `assisted` class (alone or in a list). */
export function targetsAssisted(rule: Rule): boolean {
  return authorTerms(rule).includes('assisted');
}

/**
 * Whether a rule's `if.author` matches the verdict. `if.author` is a class (`agent`, `assisted`, `human`, `any`) or
 * a list mixing classes and agent names; an agent name matches `agent` verdicts of that agent. With
 * `assistedAsHuman`, an `assisted` verdict is matched as `human` (how rule sets that never name `assisted` see it).
 */
export function authorMatches(rule: Rule, authorship: AuthorshipVerdict, assistedAsHuman = false): boolean {
  const cls = authorship.class === 'assisted' && assistedAsHuman ? 'human' : authorship.class;
  const agent = authorship.agent === null ? null : lower(authorship.agent);
  return authorTerms(rule).some((term) => {
    if (AUTHOR_CLASS_TERMS.has(term)) return term === 'any' || term === cls;
    return cls === 'agent' && term === agent;
  });
}

/**
 * The rules that apply to a PR: author matches and, when the rule names path groups, the PR touches one of them.
 * An `assisted` PR is matched as `human` unless some rule of the set names `assisted` (so the built-in rules, which
 * target `agent`, leave it alone, and `human` rules keep covering it until a team configures `assisted`).
 * Output: each applicable rule with the groups that made it apply.
 */
export function applicableRules(
  rules: readonly Rule[],
  authorship: AuthorshipVerdict,
  touched: readonly TouchedGroup[],
): Array<{ rule: Rule; matchedGroups: string[] }> {
  const touchedNames = new Set(touched.map((t) => t.group));
  const out: Array<{ rule: Rule; matchedGroups: string[] }> = [];
  const assistedAsHuman = !rules.some(targetsAssisted);
  for (const rule of rules) {
    if (!authorMatches(rule, authorship, assistedAsHuman)) continue;
    if (rule.if.paths === undefined) {
      out.push({ rule, matchedGroups: [] });
      continue;
    }
    const matchedGroups = rule.if.paths.filter((g) => touchedNames.has(g));
    if (matchedGroups.length > 0) out.push({ rule, matchedGroups });
  }
  return out;
}

/** What the evaluation needs beyond the rules, for {@link teamsToFetch}. All optional. */
export interface TeamsToFetchExtra {
  /** True when a PR comment is an `/ai-review override` command (see `hasOverrideCommand`). */
  overrideCommandPresent?: boolean;
  /** The PR's changed files and the default branch's CODEOWNERS: code-owner teams of covered files are added. */
  changedFiles?: GateFacts['changedFiles'];
  codeowners?: GateFacts['codeowners'];
}

/**
 * Teams (`@org/slug`, lower case) whose members the evaluation needs: reviewers of applicable rules; override
 * `allowed` when the label is on the PR or a comment is an override command; and the CODEOWNERS teams owning the
 * files covered by applicable rules with `require.codeowners`. Sorted, deduplicated.
 */
export function teamsToFetch(
  config: EffectiveConfig,
  rules: readonly Rule[],
  overrideLabelPresent: boolean,
  extra: TeamsToFetchExtra = {},
): string[] {
  const teams = new Set<string>();
  for (const rule of rules) for (const r of rule.require.reviewers ?? []) if (isTeam(r)) teams.add(normalizeReviewer(r));
  if (overrideLabelPresent || extra.overrideCommandPresent === true) {
    for (const r of config.file.overrides.allowed) if (isTeam(r)) teams.add(normalizeReviewer(r));
  }
  for (const team of codeownerTeams(rules, config, extra)) teams.add(team);
  return [...teams].sort();
}

/**
 * Each reviewer's latest decisive review. APPROVED, CHANGES_REQUESTED and DISMISSED decide (a dismissed review
 * cancels what came before it); COMMENTED and PENDING change nothing. Ordered by submission time, then review id.
 */
export function latestDecisiveReviews(reviews: readonly ReviewFact[]): Map<string, ReviewFact> {
  const sorted = [...reviews].sort((a, b) => {
    const ta = a.submittedAt ? Date.parse(a.submittedAt) : 0;
    const tb = b.submittedAt ? Date.parse(b.submittedAt) : 0;
    return ta - tb || a.id - b.id;
  });
  const latest = new Map<string, ReviewFact>();
  for (const review of sorted) {
    if (review.state === 'APPROVED' || review.state === 'CHANGES_REQUESTED' || review.state === 'DISMISSED') {
      latest.set(lower(review.login), review);
    }
  }
  return latest;
}

/** Whether a review is by a bot or an agent (marked by the shell, REST type `Bot`, or a `[bot]` login). */
export const isAutomated = (review: ReviewFact): boolean =>
  review.automated || review.userType === 'Bot' || lower(review.login).endsWith('[bot]');

const STALE_REASON = { agent: 'stale-agent-push', other: 'stale-push-by-other', any: 'stale-push' } as const;

/** Reasons an approval cannot count for any rule (author, bot/agent, human of record, stale), or null. */
function disqualification(review: ReviewFact, config: EffectiveConfig, facts: GateFacts): IgnoredApprovalReason | null {
  const login = lower(review.login);
  if (login === lower(facts.pullRequest.authorLogin)) return 'pr-author';
  if (isAutomated(review)) return 'bot-or-agent';
  const hor = facts.authorship.humanOfRecord;
  if (hor !== null && lower(hor) === login && !config.file.review.requester_can_approve) return 'human-of-record';
  const later = laterPushes(facts, review.commitId, review.login, config.staleOnPush);
  if (later.status === 'not-in-pr') return 'commit-not-in-pr';
  if (later.status === 'stale') return STALE_REASON[later.by];
  return null;
}

function evaluateRule(
  rule: Rule,
  matchedGroups: string[],
  config: EffectiveConfig,
  facts: GateFacts,
  latest: Map<string, ReviewFact>,
): RuleResult {
  const reviewers = rule.require.reviewers ?? [];
  const eligible = (login: string): IgnoredApprovalReason | null => {
    if (needsWriteAccess(rule)) return facts.writeAccess[lower(login)] === true ? null : 'no-write-access';
    return inReviewerList(login, reviewers, facts.teamMembers) ? null : 'not-a-required-reviewer';
  };
  const approvals: RuleResult['approvals'] = [];
  const ignoredApprovals: RuleResult['ignoredApprovals'] = [];
  const changesRequestedBy: string[] = [];
  const qualifying: string[] = [];
  const changesRequested: ReviewFact[] = [];
  for (const review of latest.values()) {
    if (review.state === 'CHANGES_REQUESTED') {
      if (!isAutomated(review) && lower(review.login) !== lower(facts.pullRequest.authorLogin)) changesRequested.push(review);
      continue;
    }
    if (review.state !== 'APPROVED') continue;
    const disqualified = disqualification(review, config, facts);
    if (disqualified === null) qualifying.push(review.login);
    const reason = disqualified ?? eligible(review.login);
    if (reason) ignoredApprovals.push({ login: review.login, reason });
    else approvals.push({ login: review.login, submittedAt: review.submittedAt });
  }
  const codeowners = rule.require.codeowners ? evaluateCodeowners(rule, config, facts, qualifying) : undefined;
  const owners = codeowners?.ownerSets.flatMap((s) => s.owners) ?? [];
  for (const review of changesRequested) {
    if (eligible(review.login) === null || (owners.length > 0 && isOwner(review.login, owners, facts)))
      changesRequestedBy.push(review.login);
  }
  const count = rule.require.count;
  const missingApprovals = Math.max(0, count - approvals.length);
  const pendingReviewers = reviewers.filter((r) => !approvals.some((a) => inReviewerList(a.login, [r], facts.teamMembers)));
  return {
    name: rule.name,
    mode: rule.mode ?? config.file.mode,
    reviewers,
    count,
    holds: missingApprovals === 0 && changesRequestedBy.length === 0 && (codeowners?.holds ?? true),
    approvals,
    ignoredApprovals,
    changesRequestedBy,
    missingApprovals,
    pendingReviewers,
    matchedGroups,
    ...(codeowners ? { codeowners } : {}),
  };
}

/** Who cannot approve and why: the PR author, the human of record (unless `requester_can_approve`), bots and agents. */
export function cannotApprove(config: EffectiveConfig, facts: GateFacts): CannotApprove[] {
  const out: CannotApprove[] = [{ login: facts.pullRequest.authorLogin, reason: 'pr-author' }];
  const hor = facts.authorship.humanOfRecord;
  if (hor !== null && lower(hor) !== lower(facts.pullRequest.authorLogin) && !config.file.review.requester_can_approve) {
    out.push({ login: hor, reason: 'human-of-record' });
  }
  out.push({ login: null, reason: 'bot-or-agent' });
  return out;
}

/**
 * Evaluates the gate: the entry point of the core, `(config, facts) → result`. All applicable rules must hold.
 * Conclusion: `success` when no rule applies, all hold, or a valid override is in place; `action_required` when an
 * enforced rule does not hold; `neutral` when only advisory rules do not hold. `enforceConclusion` is what the
 * conclusion would be with every rule enforced (pilot evidence). (`failure`, for invalid configs and PRs that
 * cannot be evaluated, is decided by the caller.)
 */
export function evaluateGate(config: EffectiveConfig, facts: GateFacts): GateResult {
  const latest = latestDecisiveReviews(facts.reviews);
  const rules = applicableRules(config.rules, facts.authorship, facts.touchedGroups).map(({ rule, matchedGroups }) =>
    evaluateRule(rule, matchedGroups, config, facts, latest),
  );
  const { override, ignoredOverrides, overrideCommands } = evaluateOverrides(config, facts);
  const failing = rules.filter((r) => !r.holds);
  const satisfied = override !== null || failing.length === 0;
  let conclusion: GateResult['conclusion'];
  if (satisfied) conclusion = 'success';
  else if (failing.some((r) => r.mode === 'enforce')) conclusion = 'action_required';
  else conclusion = 'neutral';
  const step = nextStep(rules, override);
  const title = cutTitle(conclusion === 'neutral' ? `Advisory: ${step.charAt(0).toLowerCase()}${step.slice(1)}` : step);
  return {
    conclusion,
    title,
    rules,
    override,
    ignoredOverrides,
    overrideCommands,
    satisfied,
    enforceConclusion: satisfied ? 'success' : 'action_required',
    nextStep: step,
    cannotApprove: cannotApprove(config, facts),
    overrides: { allowed: [...config.file.overrides.allowed], label: config.file.overrides.label },
    codeownersProblems: rules.some((r) => r.codeowners) ? codeownersProblems(facts) : [],
  };
}
