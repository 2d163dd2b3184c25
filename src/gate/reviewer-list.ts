/**
 * Reviewer lists of the config (`alice`, `@acme/security`): normalisation and membership. Pure.
 */

/** Whether a reviewer entry names a team (`@org/slug`). */
export const isTeam = (reviewer: string): boolean => reviewer.startsWith('@') && reviewer.includes('/');

/**
 * Whether a rule is satisfied by "anyone with write access" (no `require.reviewers`): the gate then reads the write
 * access of the rule's reviewers (`GateFacts.writeAccess`). The one place that decides whose permission matters.
 */
export const needsWriteAccess = (rule: { require: { reviewers?: readonly string[] | undefined } }): boolean =>
  (rule.require.reviewers ?? []).length === 0;

/** Normalises a reviewer entry: `@Acme/Security` → `@acme/security`, `Alice` → `alice`, `@alice` → `alice`. */
export function normalizeReviewer(reviewer: string): string {
  const r = reviewer.trim().toLowerCase();
  return isTeam(r) ? r : r.replace(/^@/, '');
}

/** Whether a login is in a reviewer list (users or members of listed teams; `teamMembers` keys are `@org/slug` in lower case). */
export function inReviewerList(login: string, reviewers: readonly string[], teamMembers: Readonly<Record<string, string[]>>): boolean {
  const l = login.toLowerCase();
  return reviewers.some((r) => {
    const n = normalizeReviewer(r);
    return isTeam(n) ? (teamMembers[n] ?? []).includes(l) : n === l;
  });
}
