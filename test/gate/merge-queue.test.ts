import { evaluateGate } from '../../src/gate/evaluate.js';
import { mergeGroupConclusion, parseMergeGroupRef, renderMergeGroupCheckRun } from '../../src/gate/merge-queue.js';
import { config, facts, review } from './helpers.js';

const SHA = 'e3d117ae170bb654b5b900a2864ceda5f22bccbd';
const HEAD = '4089f7ee130a5f19befb67f7ce8f42ea1a6ec507';

describe('parseMergeGroupRef', () => {
  it.each([
    [`refs/heads/gh-readonly-queue/main/pr-6926-${SHA}`, { base: 'main', pullNumber: 6926, baseSha: SHA }],
    [`gh-readonly-queue/main/pr-1-${SHA}`, { base: 'main', pullNumber: 1, baseSha: SHA }],
    [`refs/heads/gh-readonly-queue/release/1.0/pr-123-${SHA}`, { base: 'release/1.0', pullNumber: 123, baseSha: SHA }],
    [`refs/heads/gh-readonly-queue/main/pr-5-${'a'.repeat(64)}`, { base: 'main', pullNumber: 5, baseSha: 'a'.repeat(64) }],
  ])('%s → %j', (ref, parsed) => {
    expect(parseMergeGroupRef(ref)).toEqual(parsed);
  });

  it.each([
    [`refs/heads/main`],
    [`refs/heads/gh-readonly-queue/main/pr-x-${SHA}`],
    [`refs/heads/gh-readonly-queue/main/pr-0-${SHA}`],
    [`refs/heads/gh-readonly-queue/main/pr-12-${SHA.slice(0, 39)}`],
    [`refs/heads/gh-readonly-queue/pr-12-${SHA}`],
    [`refs/heads/gh-readonly-queue/main/pr-1-${SHA}/pr-2-${SHA}`],
    [`refs/heads/gh-readonly-queue/main/pr-12-${SHA}-extra`],
    [`refs/tags/gh-readonly-queue/main/pr-12-${SHA}`],
    [`refs/heads/gh-readonly-queue/main/pr-99999999999999999999-${SHA}`],
  ])('%s → null (fail closed)', (ref) => {
    expect(parseMergeGroupRef(ref)).toBeNull();
  });
});

describe('renderMergeGroupCheckRun', () => {
  const make = (mode: 'advisory' | 'enforce') =>
    config({
      mode,
      rules: [{ name: 'security-review', require: { reviewers: ['@acme/security'], count: 1 } }],
      overrides: { allowed: ['carol'] },
    });
  const at = (approvers: string[], extra = {}) =>
    facts({
      pullRequest: { number: 42, authorLogin: 'Copilot', draft: false, headSha: 'c2', labels: [] },
      reviews: approvers.map((l) => review(l, 'APPROVED')),
      ...extra,
    });

  it('the gate holds at the queued head: success, naming the PR', () => {
    const content = renderMergeGroupCheckRun({ pullNumber: 42, headSha: HEAD, result: evaluateGate(make('enforce'), at(['bob'])) });
    expect(content.conclusion).toBe('success');
    expect(content.output.title).toBe('PR #42: Ready to merge: all review rules hold');
    expect(content.output.summary.split('\n\n')[0]).toBe('**Merge queue: pull request #42 at `4089f7e`: the gate holds.**');
  });

  it('the gate does not hold: failure (a queue cannot take action_required), with what is missing', () => {
    const content = renderMergeGroupCheckRun({ pullNumber: 42, headSha: HEAD, result: evaluateGate(make('enforce'), at([])) });
    expect(content.conclusion).toBe('failure');
    expect(content.output.title).toBe('PR #42: Needs 1 approval from @acme/security');
    expect(content.output.summary).toContain('the gate does not hold, so this merge group fails.');
    expect(content.output.summary).toContain('**Needs 1 approval from @acme/security.** Cannot approve: @Copilot (the author)');
    expect(content.output.summary).toContain(
      '| security\\-review | enforce | ❌ not met | — (0/1) | 1 more approval from @acme/security |',
    );
  });

  it('a valid override for that head: success', () => {
    const result = evaluateGate(
      make('enforce'),
      at([], {
        comments: [{ id: 1, login: 'carol', body: '/ai-review override hotfix', createdAt: '2026-01-02T00:00:00Z', headSha: 'c2' }],
      }),
    );
    const content = renderMergeGroupCheckRun({ pullNumber: 42, headSha: HEAD, result });
    expect(content).toMatchObject({ conclusion: 'success', output: { title: 'PR #42: Overridden by @carol' } });
  });

  it('an override ended by a later agent push no longer lets the PR through', () => {
    const result = evaluateGate(
      make('enforce'),
      at([], {
        comments: [{ id: 1, login: 'carol', body: '/ai-review override hotfix', createdAt: '2026-01-02T00:00:00Z', headSha: 'c1' }],
      }),
    );
    expect(renderMergeGroupCheckRun({ pullNumber: 42, headSha: HEAD, result }).conclusion).toBe('failure');
  });

  it('advisory: only advisory rules fail → neutral (advisory never blocks, in the queue either)', () => {
    const result = evaluateGate(make('advisory'), at([]));
    expect(mergeGroupConclusion(result)).toBe('neutral');
    expect(renderMergeGroupCheckRun({ pullNumber: 42, headSha: HEAD, result }).output.summary).toContain(
      'In enforce mode this PR would be blocked: 1 more approval from @acme/security.',
    );
  });

  it('the PR cannot be identified or evaluated: failure, fail closed', () => {
    expect(renderMergeGroupCheckRun({ pullNumber: null, headSha: null, result: null })).toEqual({
      conclusion: 'failure',
      output: {
        title: 'The queued pull request could not be identified',
        summary:
          '**Merge queue: the queued pull request could not be evaluated.** The merge group could not be matched to a pull request.\n\nThe gate fails closed: remove the pull request from the queue and queue it again to retry.',
      },
    });
    const failed = renderMergeGroupCheckRun({ pullNumber: 42, headSha: HEAD, result: null, reason: 'GitHub answered HTTP 502.' });
    expect(failed).toMatchObject({ conclusion: 'failure', output: { title: 'PR #42 could not be evaluated' } });
    expect(failed.output.summary).toContain('GitHub answered HTTP 502.');
  });
});
