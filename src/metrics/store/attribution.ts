/**
 * Push attribution: which commits a push onto a PR added, from the commits gate evaluations (or a backfill) saw
 * first at its head SHA, and whether it rewrote history (the push's before SHA is gone from the PR's commits).
 */
import { sql, type ExpressionBuilder, type RawBuilder } from 'kysely';
import type { MetricsDatabase, PushesTable } from '../schema.js';
import { bool, insertRows, parseJsonArray, valuesList, type Db } from './common.js';

/**
 * The PR's unresolved pushes (`commits_added` still null), each with what attributes it: the commit SHAs of an
 * evaluation of its head (the first one stored; null when none evaluated it) and the commits first seen at its
 * head, with how many are agent commits (counts come back as text from PostgreSQL, as numbers through JSON).
 */
export function unresolvedPushesQuery(trx: Db, repository: string, number: number) {
  const commitsAtHead = (eb: ExpressionBuilder<MetricsDatabase & { p: PushesTable }, 'p'>) =>
    eb
      .selectFrom('commits as c')
      .whereRef('c.repository', '=', 'p.repository')
      .whereRef('c.number', '=', 'p.number')
      .whereRef('c.first_seen_head_sha', '=', 'p.after_sha');
  return trx
    .selectFrom('pushes as p')
    .select(['p.after_sha', 'p.before_sha'])
    .select((eb) => [
      eb
        .selectFrom('evaluations as e')
        .select('e.commit_shas')
        .whereRef('e.repository', '=', 'p.repository')
        .whereRef('e.number', '=', 'p.number')
        .whereRef('e.head_sha', '=', 'p.after_sha')
        .limit(1)
        .as('commit_shas'),
      commitsAtHead(eb)
        .select((c) => c.fn.countAll<number | string>().as('n'))
        .as('added'),
      commitsAtHead(eb)
        .select((c) => c.fn.sum<number | string | null>('c.agent').as('n'))
        .as('agent'),
    ])
    .where('p.repository', '=', repository)
    .where('p.number', '=', number)
    .where('p.commits_added', 'is', null);
}

/** A row of `unresolvedPushesQuery`. */
export type UnresolvedPush = Awaited<ReturnType<ReturnType<typeof unresolvedPushesQuery>['execute']>>[number];

/**
 * Attributes the PR's unresolved pushes (`commits_added` still null) from the commits first seen at their head SHA.
 * A push stays unresolved until an evaluation or a backfill has seen its head. Returns how many were resolved.
 * Two statements at most: the unresolved pushes (`unresolvedPushesQuery`), then one update of those resolved.
 */
export async function resolvePushes(trx: Db, repository: string, number: number): Promise<number> {
  return attributePushes(trx, repository, number, await unresolvedPushesQuery(trx, repository, number).execute());
}

/** What attributes one push: its head SHA, the commits it added (agent, human) and whether it rewrote history (0/1). */
export type PushAttribution = [afterSha: string, added: number, agent: number, human: number, rewrote: number];

/**
 * The attribution of the unresolved pushes `pending` (read by `unresolvedPushesQuery`) that can be attributed:
 * those an evaluation has seen or with commits first seen at their head. `seenSince`: commits inserted after
 * `pending` was read (all first seen at `headSha`), counted as if read with it. Pure: writes nothing.
 */
export function attributionsOf(
  pending: readonly UnresolvedPush[],
  seenSince?: { headSha: string; commits: ReadonlyArray<{ agent: number }> },
): PushAttribution[] {
  const resolved: PushAttribution[] = [];
  for (const push of pending) {
    const since = seenSince?.headSha === push.after_sha ? seenSince.commits : [];
    const added = Number(push.added ?? 0) + since.length;
    if (push.commit_shas === null && added === 0) continue;
    const agent = Number(push.agent ?? 0) + since.filter((c) => c.agent === 1).length;
    const shas = parseJsonArray<string>(push.commit_shas);
    // Lists of 250 commits or more are GitHub's truncated lists: they cannot tell a rewritten history.
    const rewrote = push.before_sha !== null && shas.length > 0 && shas.length < 250 && !shas.includes(push.before_sha);
    resolved.push([push.after_sha, added, agent, added - agent, bool(rewrote)]);
  }
  return resolved;
}

/**
 * Attributes the unresolved pushes `pending` (read by `unresolvedPushesQuery`) in one update (see `attributionsOf`
 * for `seenSince`). Returns how many were resolved.
 */
export async function attributePushes(
  trx: Db,
  repository: string,
  number: number,
  pending: readonly UnresolvedPush[],
  seenSince?: { headSha: string; commits: ReadonlyArray<{ agent: number }> },
): Promise<number> {
  const resolved = attributionsOf(pending, seenSince);
  await writeAttributions(trx, repository, number, resolved);
  return resolved.length;
}

/** Writes push attributions (from `attributionsOf`) in one update; nothing when there are none. */
export async function writeAttributions(trx: Db, repository: string, number: number, resolved: readonly PushAttribution[]): Promise<void> {
  if (resolved.length === 0) return;
  // A rewritten history is never unmarked (a forced branch push may have marked it already).
  await sql`
    UPDATE pushes SET commits_added = v.column2, agent_commits = v.column3, human_commits = v.column4,
      rewrote_history = CASE WHEN v.column5 = 1 THEN 1 ELSE pushes.rewrote_history END
    FROM ${valuesList(['text', 'integer', 'integer', 'integer', 'integer'], resolved)} AS v
    WHERE pushes.repository = ${repository} AND pushes.number = ${number} AND pushes.after_sha = v.column1`.execute(trx);
}

/** A commit of a PR with the head SHA at which it first appeared (evaluations and backfills). */
export interface SeenCommit {
  sha: string;
  agent: boolean;
  authorLogin: string | null;
  firstSeenHeadSha: string;
  firstSeenAt: string;
}

/**
 * The inserts of commits not stored yet (insert-or-ignore, in chunks under SQLite's parameter limit), each
 * returning the SHAs it inserted. A SHA listed twice is inserted once, from its first listing. `onlyIf`: a
 * condition the inserts are made on (`INSERT … SELECT … WHERE`), for an insert that depends on another
 * sub-statement of the same `executeTogether` on PostgreSQL (`togetherReturnedRows`).
 */
export function insertCommitsQueries(
  trx: Db,
  repository: string,
  number: number,
  commits: readonly SeenCommit[],
  onlyIf?: RawBuilder<boolean>,
) {
  const unique = new Map<string, SeenCommit>();
  for (const c of commits) if (!unique.has(c.sha.toLowerCase())) unique.set(c.sha.toLowerCase(), c);
  const rows = [...unique.entries()].map(([sha, c]) => ({
    repository,
    number,
    sha,
    agent: c.agent ? 1 : 0,
    author_login: c.authorLogin,
    first_seen_head_sha: c.firstSeenHeadSha,
    first_seen_at: c.firstSeenAt,
  }));
  const queries = [];
  for (let i = 0; i < rows.length; i += 100) {
    const chunk = rows.slice(i, i + 100);
    queries.push(
      insertRows(
        trx,
        'commits',
        ['repository', 'number', 'sha', 'agent', 'author_login', 'first_seen_head_sha', 'first_seen_at'],
        ['text', 'integer', 'text', 'integer', 'text', 'text', 'text'],
        chunk,
        onlyIf,
      )
        .onConflict((oc) => oc.columns(['repository', 'number', 'sha']).doNothing())
        .returning(['sha', 'agent']),
    );
  }
  return queries;
}

/** Inserts commits not stored yet (see `insertCommitsQueries`), one statement per chunk. Returns how many were new. */
export async function insertCommits(trx: Db, repository: string, number: number, commits: readonly SeenCommit[]): Promise<number> {
  let inserted = 0;
  for (const query of insertCommitsQueries(trx, repository, number, commits)) inserted += (await query.execute()).length;
  return inserted;
}
