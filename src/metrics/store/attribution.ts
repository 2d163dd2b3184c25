/**
 * Push attribution: which commits a push onto a PR added, from the commits gate evaluations (or a backfill) saw
 * first at its head SHA, and whether it rewrote history (the push's before SHA is gone from the PR's commits).
 */
import { parseJsonArray, type Db } from './common.js';

/**
 * Attributes the PR's unresolved pushes (`commits_added` still null) from the commits first seen at their head SHA.
 * A push stays unresolved until an evaluation or a backfill has seen its head. Returns how many were resolved.
 */
export async function resolvePushes(trx: Db, repository: string, number: number): Promise<number> {
  const pending = await trx
    .selectFrom('pushes')
    .select(['after_sha', 'before_sha'])
    .where('repository', '=', repository)
    .where('number', '=', number)
    .where('commits_added', 'is', null)
    .execute();
  let resolved = 0;
  for (const push of pending) {
    const evaluation = await trx
      .selectFrom('evaluations')
      .select(['commit_shas'])
      .where('repository', '=', repository)
      .where('number', '=', number)
      .where('head_sha', '=', push.after_sha)
      .executeTakeFirst();
    const added = await trx
      .selectFrom('commits')
      .select(['agent'])
      .where('repository', '=', repository)
      .where('number', '=', number)
      .where('first_seen_head_sha', '=', push.after_sha)
      .execute();
    if (!evaluation && added.length === 0) continue;
    const agent = added.filter((c) => c.agent === 1).length;
    const human = added.length - agent;
    const shas = parseJsonArray<string>(evaluation?.commit_shas);
    // Lists of 250 commits or more are GitHub's truncated lists: they cannot tell a rewritten history.
    const rewrote = push.before_sha !== null && shas.length > 0 && shas.length < 250 && !shas.includes(push.before_sha);
    await trx
      .updateTable('pushes')
      .set((eb) => ({
        commits_added: added.length,
        agent_commits: agent,
        human_commits: human,
        rewrote_history: rewrote ? 1 : eb.ref('rewrote_history'),
      }))
      .where('repository', '=', repository)
      .where('number', '=', number)
      .where('after_sha', '=', push.after_sha)
      .execute();
    resolved += 1;
  }
  return resolved;
}

/** A commit of a PR with the head SHA at which it first appeared (evaluations and backfills). */
export interface SeenCommit {
  sha: string;
  agent: boolean;
  authorLogin: string | null;
  firstSeenHeadSha: string;
  firstSeenAt: string;
}

/** Inserts commits not stored yet (insert-or-ignore, in chunks under SQLite's parameter limit). Returns how many were new. */
export async function insertCommits(trx: Db, repository: string, number: number, commits: readonly SeenCommit[]): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < commits.length; i += 100) {
    const res = await trx
      .insertInto('commits')
      .values(
        commits.slice(i, i + 100).map((c) => ({
          repository,
          number,
          sha: c.sha.toLowerCase(),
          agent: c.agent ? 1 : 0,
          author_login: c.authorLogin,
          first_seen_head_sha: c.firstSeenHeadSha,
          first_seen_at: c.firstSeenAt,
        })),
      )
      .onConflict((oc) => oc.columns(['repository', 'number', 'sha']).doNothing())
      .executeTakeFirst();
    inserted += Number(res.numInsertedOrUpdatedRows ?? 0n);
  }
  return inserted;
}
