/**
 * Gate evaluation: a pure function from (effective config, PR facts) to a result. No I/O.
 */
import type { AuthorshipVerdict } from '../authorship/types.js';
import type { EffectiveConfig } from '../config/load.js';
import type { Rule } from '../config/schema.js';
import type { TouchedGroup } from '../paths/match.js';
import type { GateFacts, GateResult, IgnoredApprovalReason, ReviewFact, RuleResult } from './types.js';

const lower = (s: string): string => s.toLowerCase();
const isTeam = (reviewer: string): boolean => reviewer.startsWith('@') && reviewer.includes('/');

/** Normalises a reviewer entry: `@Acme/Security` → `@acme/security`, `Alice` → `alice`, `@alice` → `alice`. */
export function normalizeReviewer(reviewer: string): string {
  const r = lower(reviewer.trim());
  return isTeam(r) ? r : r.replace(/^@/, '');
}

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

/** Teams (`@org/slug`, lower case) whose members the evaluation needs: reviewers of applicable rules, and override `allowed` when the label is on the PR. */
export function teamsToFetch(config: EffectiveConfig, rules: readonly Rule[], overrideLabelPresent: boolean): string[] {
  const teams = new Set<string>();
  for (const rule of rules) for (const r of rule.require.reviewers ?? []) if (isTeam(r)) teams.add(normalizeReviewer(r));
  if (overrideLabelPresent) for (const r of config.file.overrides.allowed) if (isTeam(r)) teams.add(normalizeReviewer(r));
  return [...teams].sort();
}

/** Whether a login is in a reviewer list (users or members of listed teams). */
export function inReviewerList(login: string, reviewers: readonly string[], teamMembers: Readonly<Record<string, string[]>>): boolean {
  const l = lower(login);
  return reviewers.some((r) => {
    const n = normalizeReviewer(r);
    return isTeam(n) ? (teamMembers[n] ?? []).includes(l) : n === l;
  });
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

/** Reasons an approval cannot count for any rule (author, bot/agent, human of record, stale), or null. */
function disqualification(review: ReviewFact, config: EffectiveConfig, facts: GateFacts): IgnoredApprovalReason | null {
  const login = lower(review.login);
  if (login === lower(facts.pullRequest.authorLogin)) return 'pr-author';
  if (review.automated || review.userType === 'Bot' || login.endsWith('[bot]')) return 'bot-or-agent';
  const hor = facts.authorship.humanOfRecord;
  if (hor !== null && lower(hor) === login && !config.file.review.requester_can_approve) return 'human-of-record';
  if (config.file.review.stale_on_agent_push) {
    const index = review.commitId ? facts.commitShas.indexOf(review.commitId) : -1;
    if (index < 0) return 'commit-not-in-pr';
    const agentShas = new Set(facts.authorship.agentCommitShas);
    if (facts.commitShas.slice(index + 1).some((sha) => agentShas.has(sha))) return 'stale-agent-push';
  }
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
    if (reviewers.length === 0) return facts.writeAccess[lower(login)] === true ? null : 'no-write-access';
    return inReviewerList(login, reviewers, facts.teamMembers) ? null : 'not-a-required-reviewer';
  };
  const approvals: RuleResult['approvals'] = [];
  const ignoredApprovals: RuleResult['ignoredApprovals'] = [];
  const changesRequestedBy: string[] = [];
  for (const review of latest.values()) {
    if (review.state === 'CHANGES_REQUESTED') {
      const login = lower(review.login);
      const automated = review.automated || review.userType === 'Bot' || login.endsWith('[bot]');
      if (!automated && login !== lower(facts.pullRequest.authorLogin) && eligible(review.login) === null) {
        changesRequestedBy.push(review.login);
      }
      continue;
    }
    if (review.state !== 'APPROVED') continue;
    const reason = disqualification(review, config, facts) ?? eligible(review.login);
    if (reason) ignoredApprovals.push({ login: review.login, reason });
    else approvals.push({ login: review.login, submittedAt: review.submittedAt });
  }
  const count = rule.require.count;
  const missingApprovals = Math.max(0, count - approvals.length);
  const pendingReviewers = reviewers.filter((r) => !approvals.some((a) => inReviewerList(a.login, [r], facts.teamMembers)));
  return {
    name: rule.name,
    mode: rule.mode ?? config.file.mode,
    reviewers,
    count,
    holds: missingApprovals === 0 && changesRequestedBy.length === 0,
    approvals,
    ignoredApprovals,
    changesRequestedBy,
    missingApprovals,
    pendingReviewers,
    matchedGroups,
  };
}

/**
 * Finds whether the override label is validly in place: it must be on the PR and its latest `labeled` event must
 * come from someone in `overrides.allowed` (a user, or a member of a listed team). Applications by anyone else
 * are returned as ignored.
 */
export function evaluateOverride(config: EffectiveConfig, facts: GateFacts): Pick<GateResult, 'override' | 'ignoredOverrides'> {
  const label = config.file.overrides.label;
  const present = facts.pullRequest.labels.some((l) => lower(l) === lower(label));
  if (!present) return { override: null, ignoredOverrides: [] };
  const allowed = config.file.overrides.allowed;
  const events = facts.overrideLabelEvents
    .filter((e) => lower(e.label) === lower(label))
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const ignoredOverrides: GateResult['ignoredOverrides'] = [];
  // The label's current application is the last `labeled` event after the last `unlabeled` one.
  let current: { actor: string; at: string } | null = null;
  for (const event of events) {
    if (event.action === 'unlabeled') {
      current = null;
      continue;
    }
    current = { actor: event.actor, at: event.at };
    if (!(allowed.length > 0 && inReviewerList(event.actor, allowed, facts.teamMembers))) {
      ignoredOverrides.push({ login: event.actor, at: event.at });
    }
  }
  const override: GateResult['override'] =
    current && allowed.length > 0 && inReviewerList(current.actor, allowed, facts.teamMembers)
      ? { login: current.actor, at: current.at, label }
      : null;
  return { override, ignoredOverrides };
}

/**
 * Evaluates the gate. All applicable rules must hold. Conclusion: `success` when no rule applies, all hold, or a
 * valid override is in place; `action_required` when an enforced rule does not hold; `neutral` when only advisory
 * rules do not hold. (`failure`, for invalid configs and PRs that cannot be evaluated, is decided by the caller.)
 */
export function evaluateGate(config: EffectiveConfig, facts: GateFacts): GateResult {
  const latest = latestDecisiveReviews(facts.reviews);
  const rules = applicableRules(config.rules, facts.authorship, facts.touchedGroups).map(({ rule, matchedGroups }) =>
    evaluateRule(rule, matchedGroups, config, facts, latest),
  );
  const { override, ignoredOverrides } = evaluateOverride(config, facts);
  const failing = rules.filter((r) => !r.holds);
  const enforcedFailing = failing.filter((r) => r.mode === 'enforce');
  let conclusion: GateResult['conclusion'];
  let title: string;
  if (override) {
    conclusion = 'success';
    title = `Overridden by ${override.login}`;
  } else if (rules.length === 0) {
    conclusion = 'success';
    title = 'No review rule applies';
  } else if (failing.length === 0) {
    conclusion = 'success';
    title = rules.length === 1 ? 'The review rule holds' : `All ${rules.length} review rules hold`;
  } else if (enforcedFailing.length > 0) {
    conclusion = 'action_required';
    title = `${failing.length} of ${rules.length} review rule${rules.length === 1 ? '' : 's'} not met`;
  } else {
    conclusion = 'neutral';
    title = `Advisory: ${failing.length} of ${rules.length} review rule${rules.length === 1 ? '' : 's'} not met`;
  }
  return { conclusion, title, rules, override, ignoredOverrides, satisfied: override !== null || failing.length === 0 };
}
