/**
 * Review requests: asks the users and teams that unmet rules require, once per PR.
 */
import type { TimelineEventInput } from '../authorship/types.js';
import type { RuleResult } from '../gate/types.js';
import { reviewRequestCandidates } from '../gate/requests.js';

/** Users and teams to request, as the REST "Request reviewers for a pull request" body takes them. */
export interface ReviewRequest {
  reviewers: string[];
  team_reviewers: string[];
}

/**
 * Decides whom to ask for review (pure). Candidates are the listed reviewers of rules that do not hold and the
 * missing code owners (`reviewRequestCandidates` in src/gate). Skipped:
 * the PR author; anyone who already reviewed; anyone already requested; anyone requested before on this PR
 * (a `review_requested` timeline event, so a reviewer who removed themselves is not asked again); teams of
 * another organisation than the repository owner (GitHub only accepts the owner's teams).
 */
export function reviewersToRequest(input: {
  rules: readonly RuleResult[];
  owner: string;
  authorLogin: string;
  reviewedBy: readonly string[];
  requestedUsers: readonly string[];
  requestedTeams: readonly string[];
  timeline: readonly TimelineEventInput[];
}): ReviewRequest {
  const lower = (s: string) => s.toLowerCase();
  const reviewed = new Set(input.reviewedBy.map(lower));
  const requestedUsers = new Set(input.requestedUsers.map(lower));
  const requestedTeams = new Set(input.requestedTeams.map(lower));
  for (const e of input.timeline) {
    if (e.event !== 'review_requested') continue;
    if (e.requested_reviewer?.login) requestedUsers.add(lower(e.requested_reviewer.login));
    if (e.requested_team?.slug) requestedTeams.add(lower(e.requested_team.slug));
  }
  const users = new Set<string>();
  const teams = new Set<string>();
  for (const r of reviewRequestCandidates(input.rules)) {
    if (r.startsWith('@')) {
      const [org, slug] = r.slice(1).split('/');
      if (!org || !slug || org !== lower(input.owner) || requestedTeams.has(slug)) continue;
      teams.add(slug);
    } else if (r !== lower(input.authorLogin) && !reviewed.has(r) && !requestedUsers.has(r)) {
      users.add(r);
    }
  }
  return { reviewers: [...users].sort(), team_reviewers: [...teams].sort() };
}

/** Whether there is anyone to request before looking at the timeline (saves the timeline call when there is not). */
export function hasCandidates(request: ReviewRequest): boolean {
  return request.reviewers.length > 0 || request.team_reviewers.length > 0;
}
