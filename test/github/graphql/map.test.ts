/** GraphQL nodes → REST shapes: accounts (bot logins, catalog exceptions), commits, reviews, timeline items. */
import {
  toAccount,
  toChangedFile,
  toCommentFact,
  toCommitInput,
  toHistoryEvent,
  toReviewFact,
  toTimelineEvent,
} from '../../../src/github/graphql/map.js';

describe('accounts', () => {
  it.each([
    [
      { __typename: 'User', login: 'alice', databaseId: 1 },
      { login: 'alice', id: 1, type: 'User' },
    ],
    [
      { __typename: 'Bot', login: 'github-actions', databaseId: 41898282 },
      { login: 'github-actions[bot]', id: 41898282, type: 'Bot' },
    ],
    [
      { __typename: 'Bot', login: 'dependabot[bot]', databaseId: 49699333 },
      { login: 'dependabot[bot]', id: 49699333, type: 'Bot' },
    ],
    // The Copilot coding agent: GraphQL bot login, REST login `Copilot` (catalog, by id).
    [
      { __typename: 'Bot', login: 'copilot-swe-agent', databaseId: 198982749 },
      { login: 'Copilot', id: 198982749, type: 'Bot' },
    ],
    [
      { __typename: 'Bot', login: 'Copilot', databaseId: 198982749 },
      { login: 'Copilot', id: 198982749, type: 'Bot' },
    ],
    [
      { __typename: 'Mannequin', login: 'old-user', databaseId: 5 },
      { login: 'old-user', id: 5, type: 'Mannequin' },
    ],
    [
      { __typename: 'EnterpriseUserAccount', login: 'ent' },
      { login: 'ent', id: null, type: 'User' },
    ],
  ])('%j → %j', (actor, rest) => {
    expect(toAccount(actor)).toEqual(rest);
  });

  it('a deleted account (null) stays null', () => {
    expect(toAccount(null)).toBeNull();
  });
});

describe('commits', () => {
  const base = {
    oid: 'a'.repeat(40),
    message: 'm',
    authoredDate: '2026-01-01T10:00:00Z',
    committedDate: '2026-01-01T11:00:00Z',
    signature: null,
  };

  it('a bot noreply address is the bot REST reports (GraphQL `user` is typed User and null for bots)', () => {
    const commit = toCommitInput({
      ...base,
      author: { name: 'github-actions[bot]', email: '41898282+github-actions[bot]@users.noreply.github.com', user: null },
      committer: { name: 'Copilot', email: '198982749+Copilot@users.noreply.github.com', user: null },
    });
    expect(commit.author).toEqual({ login: 'github-actions[bot]', id: 41898282, type: 'Bot' });
    expect(commit.committer).toEqual({ login: 'Copilot', id: 198982749, type: 'Bot' });
    expect(commit.commit?.author?.date).toBe('2026-01-01T10:00:00Z');
    expect(commit.commit?.committer?.date).toBe('2026-01-01T11:00:00Z');
  });

  it('a person’s noreply address without a linked user, or any other address, links no account', () => {
    const commit = toCommitInput({
      ...base,
      author: { name: 'x', email: '123+someone@users.noreply.github.com', user: null },
      committer: { name: 'y', email: 'y@example.com', user: null },
    });
    expect(commit.author).toBeNull();
    expect(commit.committer).toBeNull();
  });

  it.each([
    [
      { isValid: true, state: 'VALID' },
      { verified: true, reason: 'valid' },
    ],
    [
      { isValid: false, state: 'UNKNOWN_KEY' },
      { verified: false, reason: 'unknown_key' },
    ],
    [
      { isValid: false, state: 'MALFORMED_SIG' },
      { verified: false, reason: 'malformed_signature' },
    ],
    [
      { isValid: false, state: 'UNKNOWN_SIG_TYPE' },
      { verified: false, reason: 'unknown_signature_type' },
    ],
    [null, { verified: false, reason: 'unsigned' }],
  ])('signature %j → verification %j', (signature, verification) => {
    expect(toCommitInput({ ...base, author: null, committer: null, signature }).commit?.verification).toEqual(verification);
  });
});

describe('files, reviews, timeline', () => {
  it.each([
    ['ADDED', 'added'],
    ['DELETED', 'removed'],
    ['MODIFIED', 'modified'],
    ['RENAMED', 'renamed'],
    ['COPIED', 'copied'],
    ['CHANGED', 'changed'],
  ])('change type %s → status %s', (changeType, status) => {
    expect(toChangedFile({ path: 'a', changeType })).toEqual({ filename: 'a', status, previous_filename: null });
  });

  it('a review by a deleted account is left out, like REST items without a user', () => {
    expect(toReviewFact({ fullDatabaseId: '1', state: 'APPROVED', submittedAt: null, commit: null, author: null })).toBeNull();
  });

  it('a dismissed review keeps its state; a bot reviewer gets its REST login and type', () => {
    expect(
      toReviewFact({
        fullDatabaseId: '3000000001',
        state: 'DISMISSED',
        submittedAt: '2026-01-01T00:00:00Z',
        commit: { oid: 'c' },
        author: { __typename: 'Bot', login: 'coderabbitai', databaseId: 136622811 },
      }),
    ).toEqual({
      id: 3000000001,
      login: 'coderabbitai[bot]',
      userId: 136622811,
      userType: 'Bot',
      automated: false,
      state: 'DISMISSED',
      commitId: 'c',
      submittedAt: '2026-01-01T00:00:00Z',
    });
  });

  it('comments are not timeline events, and events are not comments', () => {
    const comment = {
      __typename: 'IssueComment',
      fullDatabaseId: '7',
      body: '/ai-review override hotfix',
      createdAt: 't',
      updatedAt: 'u',
      author: { __typename: 'User', login: 'erin', databaseId: 9 },
    };
    expect(toTimelineEvent(comment)).toBeNull();
    expect(toCommentFact(comment)).toEqual({ id: 7, login: 'erin', body: '/ai-review override hotfix', createdAt: 't', updatedAt: 'u' });
    expect(toCommentFact({ __typename: 'LabeledEvent', createdAt: 't', label: { name: 'x' } })).toBeNull();
  });
});

describe('lifecycle timeline events (the backfill)', () => {
  const bob = { __typename: 'User', login: 'bob', databaseId: 12 };
  const at = '2026-01-02T10:00:00Z';
  it.each([
    [{ __typename: 'ReadyForReviewEvent', createdAt: at, actor: bob }, { event: 'ready_for_review' }],
    [{ __typename: 'ConvertToDraftEvent', createdAt: at, actor: bob }, { event: 'convert_to_draft' }],
    [{ __typename: 'ClosedEvent', createdAt: at, actor: bob }, { event: 'closed' }],
    [{ __typename: 'ReopenedEvent', createdAt: at, actor: bob }, { event: 'reopened' }],
    [
      { __typename: 'ReviewRequestRemovedEvent', createdAt: at, actor: bob, requestedReviewer: { __typename: 'Team', slug: 'security' } },
      { event: 'review_request_removed', requested_reviewer: null, requested_team: { slug: 'security' } },
    ],
    [
      { __typename: 'HeadRefForcePushedEvent', createdAt: at, actor: bob, afterCommit: { oid: 'f'.repeat(40) } },
      { event: 'head_ref_force_pushed', commit_id: 'f'.repeat(40) },
    ],
    [
      {
        __typename: 'ReviewDismissedEvent',
        createdAt: at,
        actor: bob,
        previousReviewState: 'APPROVED',
        review: { fullDatabaseId: '9001' },
      },
      { event: 'review_dismissed', dismissed_review: { review_id: 9001, state: 'approved' } },
    ],
    [
      {
        __typename: 'AssignedEvent',
        createdAt: at,
        actor: bob,
        assignee: { __typename: 'Bot', login: 'copilot-swe-agent', databaseId: 198982749 },
      },
      { event: 'assigned', assignee: { login: 'Copilot', id: 198982749, type: 'Bot' } },
    ],
  ])('%o is the REST event %o', (node, expected) => {
    expect(toHistoryEvent(node)).toEqual({ actor: { login: 'bob', id: 12, type: 'User' }, created_at: at, ...expected });
  });

  it('review requests map as for the gate, other items are left out', () => {
    const node = { __typename: 'ReviewRequestedEvent', createdAt: at, actor: bob, requestedReviewer: bob };
    expect(toHistoryEvent(node)).toEqual(toTimelineEvent(node));
    expect(toHistoryEvent({ __typename: 'MergedEvent', createdAt: at, actor: bob })).toBeNull();
  });
});
