/**
 * The next step in words, for the check run's title and first summary line: "Needs 1 approval from
 * @acme/security", "Ready to merge: all review rules hold", "Overridden by @plat-pat". Pure.
 */
import type { OverrideRecord, RuleResult } from './types.js';

/** How names are written: plain for the title (GitHub shows it as text), escaped Markdown for the summary. */
export interface NameFormat {
  /** A login, as a mention. */
  user(login: string): string;
  /** A config reviewer entry (`alice`, `@org/team`) or a CODEOWNERS owner (`@alice`, `@org/team`, email). */
  reviewer(entry: string): string;
  /** Other text (a CODEOWNERS pattern). */
  text(value: string): string;
}

/** Plain text: `@alice`, `@acme/security`. */
export const PLAIN_NAMES: NameFormat = {
  user: (login) => `@${login}`,
  reviewer: (entry) => (entry.startsWith('@') || entry.includes('@') ? entry : `@${entry}`),
  text: (value) => value,
};

type Need = { kind: 'approvals'; from: string; count: number } | { kind: 'text'; text: string };

function needsOf(rule: RuleResult, names: NameFormat): Need[] {
  const needs: Need[] = [];
  if (rule.missingApprovals > 0) {
    const entries = rule.pendingReviewers.length > 0 ? rule.pendingReviewers : rule.reviewers;
    const from = entries.length > 0 ? entries.map((r) => names.reviewer(r)).join(' or ') : 'anyone with write access';
    needs.push({ kind: 'approvals', from, count: rule.missingApprovals });
  }
  const co = rule.codeowners;
  if (co && !co.holds) {
    if (co.unavailable) needs.push({ kind: 'text', text: `code-owner approvals (${co.unavailable}: re-run the check)` });
    const byOwners = new Map<string, string[]>();
    for (const set of co.ownerSets) {
      if (set.approvedBy !== null) continue;
      const from = set.owners.map((o) => names.reviewer(o)).join(' or ');
      byOwners.set(from, [...(byOwners.get(from) ?? []), names.text(set.pattern)]);
    }
    for (const [from, patterns] of byOwners) {
      needs.push({
        kind: 'text',
        text: `1 approval from ${from} (code owner${from.includes(' or ') ? 's' : ''} of ${patterns.join(', ')})`,
      });
    }
  }
  if (rule.changesRequestedBy.length > 0) {
    needs.push({
      kind: 'text',
      text: `a new review from ${rule.changesRequestedBy.map((l) => names.user(l)).join(', ')} (changes requested)`,
    });
  }
  return needs;
}

/**
 * What the rules that do not hold still need, one phrase each, deduplicated across rules ("2 approvals from anyone
 * with write access" once, at the larger count). With `more`, approvals read "1 more approval" (the summary's
 * wording); without, "1 approval" (the title's).
 */
export function unmetNeeds(rules: readonly RuleResult[], names: NameFormat = PLAIN_NAMES, more = false): string[] {
  const approvals = new Map<string, number>();
  const texts = new Set<string>();
  const order: string[] = [];
  for (const rule of rules) {
    if (rule.holds) continue;
    for (const need of needsOf(rule, names)) {
      if (need.kind === 'text') {
        if (!texts.has(need.text)) order.push(`t:${need.text}`);
        texts.add(need.text);
        continue;
      }
      const known = approvals.get(need.from);
      if (known === undefined) order.push(`a:${need.from}`);
      if (known === undefined || need.count > known) approvals.set(need.from, need.count);
    }
  }
  return order.map((key) => {
    if (key.startsWith('t:')) return key.slice(2);
    const from = key.slice(2);
    const count = approvals.get(from)!;
    return `${count} ${more ? 'more ' : ''}approval${count === 1 ? '' : 's'} from ${from}`;
  });
}

/**
 * The next step, without mode prefix: `Overridden by @x`, `Ready to merge: no review rule applies`,
 * `Ready to merge: all review rules hold`, or `Needs <needs joined with "; ">`.
 */
export function nextStep(
  rules: readonly RuleResult[],
  override: Pick<OverrideRecord, 'login'> | null,
  names: NameFormat = PLAIN_NAMES,
): string {
  if (override) return `Overridden by ${names.user(override.login)}`;
  if (rules.length === 0) return 'Ready to merge: no review rule applies';
  const needs = unmetNeeds(rules, names);
  if (needs.length === 0) return 'Ready to merge: all review rules hold';
  return `Needs ${needs.join('; ')}`;
}

/** Longest check-run title written, in characters (GitHub shows one line; longer titles are cut with "…"). */
export const MAX_TITLE_LENGTH = 200;

/** Cuts a title to {@link MAX_TITLE_LENGTH} characters. */
export function cutTitle(title: string): string {
  return title.length > MAX_TITLE_LENGTH ? `${title.slice(0, MAX_TITLE_LENGTH - 1)}…` : title;
}
