import { reviewersToRequest } from '../../src/github/reviewers.js';
import type { RuleResult } from '../../src/gate/types.js';

const rule = (pendingReviewers: string[], holds = false): RuleResult => ({
  name: 'r',
  mode: 'enforce',
  reviewers: pendingReviewers,
  count: 1,
  holds,
  approvals: [],
  ignoredApprovals: [],
  changesRequestedBy: [],
  missingApprovals: holds ? 0 : 1,
  pendingReviewers,
  matchedGroups: [],
});

const base = { owner: 'acme', authorLogin: 'Copilot', reviewedBy: [], requestedUsers: [], requestedTeams: [], timeline: [] };

describe('reviewersToRequest', () => {
  it('asks the pending users and teams of rules that do not hold', () => {
    expect(reviewersToRequest({ ...base, rules: [rule(['Alice', '@acme/Security']), rule(['bob'], true)] })).toEqual({
      reviewers: ['alice'],
      team_reviewers: ['security'],
    });
  });

  it.each([
    ['the PR author', { authorLogin: 'alice' }],
    ['someone who already reviewed', { reviewedBy: ['ALICE'] }],
    ['someone already requested', { requestedUsers: ['alice'] }],
    [
      'someone requested before on this PR (timeline)',
      { timeline: [{ event: 'review_requested', requested_reviewer: { login: 'alice' } }] },
    ],
  ])('skips %s', (_name, extra) => {
    expect(reviewersToRequest({ ...base, ...extra, rules: [rule(['alice'])] })).toEqual({ reviewers: [], team_reviewers: [] });
  });

  it('skips teams already requested, requested before, or of another organisation', () => {
    expect(reviewersToRequest({ ...base, requestedTeams: ['security'], rules: [rule(['@acme/security'])] }).team_reviewers).toEqual([]);
    expect(
      reviewersToRequest({
        ...base,
        timeline: [{ event: 'review_requested', requested_team: { slug: 'security' } }],
        rules: [rule(['@acme/security'])],
      }).team_reviewers,
    ).toEqual([]);
    expect(reviewersToRequest({ ...base, rules: [rule(['@other/security'])] }).team_reviewers).toEqual([]);
  });
});
