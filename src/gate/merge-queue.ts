/**
 * Merge queue: which PR a merge group is for, and the `ai-review` check run on the merge group's head SHA. Pure.
 *
 * GitHub's merge queue builds each group on a branch `gh-readonly-queue/<base>/pr-<number>-<sha>`, where `<sha>`
 * is the commit the group is built on (the base branch, or the previous group in the queue), not the PR's head.
 * A required check that never reports on `merge_group` stalls the queue, so the shell evaluates the named PR at
 * its current head SHA (a queued PR's branch cannot be updated) and writes this check run.
 */
import { cutTitle } from './next-step.js';
import { escapeMarkdown, renderNextStep, renderRules, truncate, type CheckRunContent } from './summary.js';
import type { GateResult } from './types.js';

/** What a merge group's head ref names. */
export interface MergeGroupRef {
  /** The base branch the PR merges into (may contain slashes, e.g. `release/1.0`). */
  base: string;
  pullNumber: number;
  /** The commit the merge group is built on (base branch head or the previous group), not the PR's head. */
  baseSha: string;
}

const MERGE_GROUP_REF = /^(?:refs\/heads\/)?gh-readonly-queue\/(.+)\/pr-([1-9][0-9]*)-([0-9a-f]{40}|[0-9a-f]{64})$/;
const PR_SEGMENT = /(?:^|\/)pr-[0-9]+-(?:[0-9a-f]{40}|[0-9a-f]{64})(?:\/|$)/;

/**
 * Parses `merge_group.head_ref` (`refs/heads/gh-readonly-queue/<base>/pr-<number>-<sha>`; the `refs/heads/` prefix
 * is optional). Output: base, PR number and base SHA, or null for any other shape, including a ref naming more
 * than one PR (fail closed: the caller must not guess).
 */
export function parseMergeGroupRef(ref: string): MergeGroupRef | null {
  const m = MERGE_GROUP_REF.exec(ref);
  if (!m) return null;
  const [, base, number, baseSha] = m as unknown as [string, string, string, string];
  if (PR_SEGMENT.test(base)) return null;
  const pullNumber = Number(number);
  if (!Number.isSafeInteger(pullNumber)) return null;
  return { base, pullNumber, baseSha };
}

/**
 * The conclusion on a merge group: `success` when the PR's gate is satisfied at the queued head (all applicable
 * rules hold, or a valid override for that head); `neutral` when only advisory rules do not hold (advisory never
 * blocks, on the PR or in the queue; GitHub counts `neutral` as passing); otherwise `failure` (a merge group
 * cannot take `action_required`).
 */
export function mergeGroupConclusion(result: GateResult): 'success' | 'neutral' | 'failure' {
  if (result.satisfied) return 'success';
  return result.conclusion === 'neutral' ? 'neutral' : 'failure';
}

/**
 * Builds the check run for a merge group. Input: the PR number and the head SHA it was queued with, and the gate
 * result evaluated there, or null with a trusted `reason` when the PR could not be identified or evaluated (then
 * `failure`: fail closed).
 */
export function renderMergeGroupCheckRun(input: {
  pullNumber: number | null;
  headSha: string | null;
  result: GateResult | null;
  reason?: string;
}): CheckRunContent {
  const { pullNumber, headSha, result } = input;
  const pr = pullNumber !== null ? `pull request #${pullNumber}` : 'the queued pull request';
  const at = headSha ? ` at \`${escapeMarkdown(headSha.slice(0, 7))}\`` : '';
  if (!result) {
    const reason = input.reason ?? 'The merge group could not be matched to a pull request.';
    return {
      conclusion: 'failure',
      output: {
        title: cutTitle(
          pullNumber !== null ? `PR #${pullNumber} could not be evaluated` : 'The queued pull request could not be identified',
        ),
        summary: `**Merge queue: ${pr}${at} could not be evaluated.** ${reason}\n\nThe gate fails closed: remove the pull request from the queue and queue it again to retry.`,
      },
    };
  }
  const conclusion = mergeGroupConclusion(result);
  const head =
    conclusion === 'success'
      ? `**Merge queue: ${pr}${at}: the gate holds.**`
      : conclusion === 'neutral'
        ? `**Merge queue: ${pr}${at}: only advisory rules do not hold; the queue goes on.**`
        : `**Merge queue: ${pr}${at}: the gate does not hold, so this merge group fails.** A queue cannot wait for approvals: remove the pull request from the queue, get what is missing below, and queue it again.`;
  const prefix = pullNumber !== null ? `PR #${pullNumber}: ` : '';
  const summary = [head, ...renderNextStep(result), '---', renderRules(result.rules)].join('\n\n');
  return { conclusion, output: { title: cutTitle(`${prefix}${result.title}`), summary: truncate(summary) } };
}
