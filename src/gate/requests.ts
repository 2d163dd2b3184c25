/**
 * Whom a gate result says to ask for review (pure): the shell's reviewer-request step filters out who was
 * already asked or already reviewed, and makes the REST call.
 */
import { parseOwner } from '../codeowners/index.js';
import { normalizeReviewer } from './reviewer-list.js';
import type { RuleResult } from './types.js';

/**
 * Reviewer entries to ask for the rules that do not hold: each rule's pending listed reviewers, then the owners of
 * CODEOWNERS sets that no owner approved yet. Users as `alice`, teams as `@org/slug` (lower case); email owners
 * are left out (the REST "Request reviewers" call takes logins and team slugs only). Deduplicated, in rule order.
 */
export function reviewRequestCandidates(rules: readonly RuleResult[]): string[] {
  const out = new Set<string>();
  for (const rule of rules) {
    if (rule.holds) continue;
    for (const entry of rule.pendingReviewers) out.add(normalizeReviewer(entry));
    for (const owner of rule.codeowners?.missingOwners ?? []) {
      const o = parseOwner(owner);
      if (o?.kind === 'user') out.add(o.login);
      else if (o?.kind === 'team') out.add(o.team);
    }
  }
  return [...out];
}
