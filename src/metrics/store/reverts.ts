/**
 * Revert matching: a merged PR reverted by a later merged PR (body `Reverts owner/repo#N`, a `revert-N-…` branch,
 * or a `Revert "<title>"` title matched by hash) or by a `This reverts commit <sha>` commit on the default branch.
 * One row per reverted PR (insert-or-ignore), so several signals for one revert count once.
 */
import type { PullRequestFacts } from '../derive.js';
import { titleHash } from '../derive.js';
import type { RevertReference } from '../definitions.js';
import { labelsOf, type Db, type PullRequestRow, type RevertRow, type StoreContext, type Transition } from './common.js';

async function findMergedPullRequest(
  trx: Db,
  repository: string,
  by: { number: number } | { titleSha256: string; before: string } | { sha: string },
): Promise<PullRequestRow | undefined> {
  let q = trx.selectFrom('pull_requests').selectAll().where('repository', '=', repository).where('merged_at', 'is not', null);
  if ('number' in by) q = q.where('number', '=', by.number);
  else if ('titleSha256' in by) q = q.where('title_sha256', '=', by.titleSha256).where('merged_at', '<', by.before);
  else {
    const sha = by.sha.toLowerCase();
    const viaCommit = await trx
      .selectFrom('commits')
      .select('number')
      .where('repository', '=', repository)
      .where('sha', 'like', `${sha}%`)
      .executeTakeFirst();
    q = q.where((eb) =>
      eb.or([
        eb('merge_commit_sha', 'like', `${sha}%`),
        eb('head_sha', 'like', `${sha}%`),
        ...(viaCommit ? [eb('number', '=', viaCommit.number)] : []),
      ]),
    );
  }
  return q.orderBy('merged_at', 'desc').executeTakeFirst();
}

async function insertRevert(
  trx: Db,
  reverted: PullRequestRow,
  row: Omit<RevertRow, 'repository' | 'reverted_number' | 'reverted_merged_at' | 'gap_s'>,
): Promise<Transition | null> {
  const gap = reverted.merged_at ? Math.max(0, (Date.parse(row.reverted_at) - Date.parse(reverted.merged_at)) / 1000) : null;
  const res = await trx
    .insertInto('reverts')
    .values({
      repository: reverted.repository,
      reverted_number: reverted.number,
      reverted_merged_at: reverted.merged_at,
      gap_s: gap,
      ...row,
    })
    .onConflict((oc) => oc.columns(['repository', 'reverted_number']).doNothing())
    .executeTakeFirst();
  return res.numInsertedOrUpdatedRows ? { kind: 'revert', labels: labelsOf(reverted) } : null;
}

/** Records the revert a merged revert PR makes, when the reverted PR is stored and merged. Null otherwise. */
export async function recordPullRequestRevert(
  ctx: StoreContext,
  trx: Db,
  reverting: PullRequestFacts,
  mergedAtIso: string,
  ref: RevertReference,
): Promise<Transition | null> {
  let reverted: PullRequestRow | undefined;
  let via: string = ref.source;
  if (ref.revertedNumber !== null && ref.revertedNumber !== reverting.number) {
    reverted = await findMergedPullRequest(trx, reverting.repository, { number: ref.revertedNumber });
  }
  if (!reverted && ref.revertedTitle !== null) {
    via = 'pr_title';
    reverted = await findMergedPullRequest(trx, reverting.repository, { titleSha256: titleHash(ref.revertedTitle), before: mergedAtIso });
  }
  if (!reverted) {
    ctx.logger?.debug({ repository: reverting.repository, number: reverting.number }, 'metrics: reverted PR not in store');
    return null;
  }
  return insertRevert(trx, reverted, {
    reverting_number: reverting.number,
    reverting_sha: reverting.mergeCommitSha,
    detected_via: via,
    reverted_at: mergedAtIso,
  });
}

/** Records the revert a `This reverts commit <sha>` commit on the default branch makes, when `<sha>` belongs to a merged PR. */
export async function recordCommitRevert(
  trx: Db,
  repository: string,
  revertedSha: string,
  revertingSha: string,
  at: string,
): Promise<Transition | null> {
  const reverted = await findMergedPullRequest(trx, repository, { sha: revertedSha });
  if (!reverted) return null;
  const revertingPr = await trx
    .selectFrom('pull_requests')
    .select('number')
    .where('repository', '=', repository)
    .where('merge_commit_sha', '=', revertingSha)
    .executeTakeFirst();
  return insertRevert(trx, reverted, {
    reverting_number: revertingPr?.number ?? null,
    reverting_sha: revertingSha,
    detected_via: 'commit_message',
    reverted_at: at,
  });
}
