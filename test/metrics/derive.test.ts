import { describe, expect, it } from '@jest/globals';
import { deriveFacts, titleHash } from '../../src/metrics/derive.js';
import { pullRequestDelivery, pushDelivery, reviewDelivery, t, type PrShape } from './helpers.js';

const shape: PrShape = {
  number: 31,
  author: 'Copilot',
  authorType: 'Bot',
  title: 'Revert "Add retries"',
  body: 'Reverts acme/api#30\n\nsecret-looking body text',
  createdAt: t(0),
  headRef: 'revert-30-copilot/add-retries',
  headSha: 'a'.repeat(40),
};

describe('deriveFacts', () => {
  it('derives PR identity (title hashed, body not kept) and the opened lifecycle event', () => {
    const facts = deriveFacts(pullRequestDelivery('opened', { ...shape, draft: true }));
    expect(facts.pullRequest).toEqual({
      repository: 'acme/api',
      number: 31,
      authorLogin: 'Copilot',
      authorType: 'Bot',
      titleSha256: titleHash('Revert "Add retries"'),
      taskType: 'revert',
      draft: true,
      createdAt: t(0),
      headRef: 'revert-30-copilot/add-retries',
      headSha: 'a'.repeat(40),
      baseRef: 'master',
      mergeCommitSha: null,
      additions: expect.any(Number),
      deletions: expect.any(Number),
      changedFiles: expect.any(Number),
    });
    expect(facts.lifecycle).toEqual({ type: 'opened', at: t(0), draft: true, merged: false });
    expect(JSON.stringify(facts)).not.toContain('secret-looking');
    expect(facts.revertOf).toBeUndefined();
  });

  it('detects a merged revert PR only when it is merged', () => {
    expect(deriveFacts(pullRequestDelivery('closed', { ...shape, closedAt: t(10) })).revertOf).toBeUndefined();
    const merged = deriveFacts(pullRequestDelivery('closed', { ...shape, merged: true, mergedAt: t(20) }));
    expect(merged.lifecycle).toEqual({ type: 'closed', at: t(20), draft: false, merged: true });
    expect(merged.revertOf).toEqual({ revertedNumber: 30, revertedTitle: 'Add retries', source: 'pr_body' });
  });

  it('derives pushes from synchronize with before/after and the sender', () => {
    const facts = deriveFacts(
      pullRequestDelivery(
        'synchronize',
        { ...shape, updatedAt: t(5) },
        { before: 'b'.repeat(40), after: 'a'.repeat(40), sender: 'alice', senderType: 'User' },
      ),
    );
    expect(facts.push).toEqual({
      beforeSha: 'b'.repeat(40),
      afterSha: 'a'.repeat(40),
      pushedAt: t(5),
      senderLogin: 'alice',
      senderType: 'User',
    });
    expect(facts.lifecycle).toBeUndefined();
  });

  it('derives reviews, lower-casing the state, and dismissals', () => {
    const submitted = deriveFacts(
      reviewDelivery('submitted', shape, { id: 9, reviewer: 'bob', state: 'CHANGES_REQUESTED', submittedAt: t(3) }),
    );
    expect(submitted.review).toEqual({
      reviewId: 9,
      reviewer: 'bob',
      reviewerType: 'User',
      state: 'changes_requested',
      submittedAt: t(3),
      commitId: 'a'.repeat(40),
      dismissedAt: null,
    });
    const dismissed = deriveFacts(
      reviewDelivery('dismissed', { ...shape, updatedAt: t(8) }, { id: 9, reviewer: 'bob', state: 'dismissed', submittedAt: t(3) }),
    );
    expect(dismissed.review).toMatchObject({ reviewId: 9, state: 'commented', dismissedAt: t(8) });
  });

  it('finds revert commits only on the default branch, and ignores tags and deletions', () => {
    const revert = pushDelivery({
      branch: 'main',
      before: '1'.repeat(40),
      after: '2'.repeat(40),
      at: t(1),
      commits: [{ id: '2'.repeat(40), message: 'Revert "x"\n\nThis reverts commit abcdef1234567.', timestamp: t(1) }],
    });
    expect(deriveFacts(revert).branchPush).toMatchObject({
      branch: 'main',
      toDefaultBranch: true,
      forced: false,
      revertedCommits: [{ revertingSha: '2'.repeat(40), revertedSha: 'abcdef1234567', at: t(1) }],
    });
    const feature = pushDelivery({
      branch: 'feature',
      before: '1'.repeat(40),
      after: '2'.repeat(40),
      at: t(1),
      forced: true,
      commits: [{ id: '2'.repeat(40), message: 'This reverts commit abcdef1234567.', timestamp: t(1) }],
    });
    expect(deriveFacts(feature).branchPush).toMatchObject({ toDefaultBranch: false, forced: true, revertedCommits: [] });
    const tag = { ...revert, payload: { ...(revert.payload as object), ref: 'refs/tags/v1' } };
    expect(deriveFacts(tag).ignored).toBe('not a branch push');
  });

  it('names the failing field of an invalid payload, never its value', () => {
    const d = pullRequestDelivery('opened', shape);
    (d.payload as { pull_request: { created_at: string } }).pull_request.created_at = 'ghp_notadate_token';
    const facts = deriveFacts(d);
    expect(facts.ignored).toBe('invalid pull_request payload at pull_request.created_at');
    expect(facts.pullRequest).toBeUndefined();
    expect(deriveFacts({ id: 'x', name: 'check_run', payload: {}, receivedAt: new Date(t(0)) }).ignored).toBe(
      'event check_run carries no PR lifecycle facts',
    );
  });
});
