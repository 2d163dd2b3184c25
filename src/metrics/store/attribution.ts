/**
 * Push attribution: which commits a push onto a PR added, from the commits gate evaluations (or a backfill) saw
 * first at its head SHA, and whether it rewrote history (the push's before SHA is gone from the PR's commits).
 */
import { sql } from 'kysely';
import { bool, parseJsonArray, valuesList, type Db } from './common.js';

/** An unresolved push of a PR with what attributes it: the commits first seen at its head, an evaluation of its head. */
interface UnresolvedPush {
  after_sha: string;
  before_sha: string | null;
  /** Commit SHAs of an evaluation of the push's head (the first one stored), null when none evaluated it. */
  commit_shas: string | null;
  /** Commits first seen at the push's head, and how many of them are agent commits (counts come back as text from PostgreSQL). */
  added: number | string;
  agent: number | string | null;
}

/**
 * Attributes the PR's unresolved pushes (`commits_added` still null) from the commits first seen at their head SHA.
 * A push stays unresolved until an evaluation or a backfill has seen its head. Returns how many were resolved.
 * Two statements at most on both dialects: the unresolved pushes with their evaluation and commit counts, then
 * one update of those that can be resolved.
 */
export async function resolvePushes(trx: Db, repository: string, number: number): Promise<number> {
  const { rows: pending } = await sql<UnresolvedPush>`
    SELECT p.after_sha, p.before_sha,
      (SELECT e.commit_shas FROM evaluations e
        WHERE e.repository = p.repository AND e.number = p.number AND e.head_sha = p.after_sha LIMIT 1) AS commit_shas,
      (SELECT count(*) FROM commits c
        WHERE c.repository = p.repository AND c.number = p.number AND c.first_seen_head_sha = p.after_sha) AS added,
      (SELECT sum(c.agent) FROM commits c
        WHERE c.repository = p.repository AND c.number = p.number AND c.first_seen_head_sha = p.after_sha) AS agent
    FROM pushes p
    WHERE p.repository = ${repository} AND p.number = ${number} AND p.commits_added IS NULL`.execute(trx);
  const resolved: Array<[afterSha: string, added: number, agent: number, human: number, rewrote: number]> = [];
  for (const push of pending) {
    const added = Number(push.added);
    if (push.commit_shas === null && added === 0) continue;
    const agent = Number(push.agent ?? 0);
    const shas = parseJsonArray<string>(push.commit_shas);
    // Lists of 250 commits or more are GitHub's truncated lists: they cannot tell a rewritten history.
    const rewrote = push.before_sha !== null && shas.length > 0 && shas.length < 250 && !shas.includes(push.before_sha);
    resolved.push([push.after_sha, added, agent, added - agent, bool(rewrote)]);
  }
  if (resolved.length === 0) return 0;
  // A rewritten history is never unmarked (a forced branch push may have marked it already).
  await sql`
    UPDATE pushes SET commits_added = v.column2, agent_commits = v.column3, human_commits = v.column4,
      rewrote_history = CASE WHEN v.column5 = 1 THEN 1 ELSE pushes.rewrote_history END
    FROM ${valuesList(['text', 'integer', 'integer', 'integer', 'integer'], resolved)} AS v
    WHERE pushes.repository = ${repository} AND pushes.number = ${number} AND pushes.after_sha = v.column1`.execute(trx);
  return resolved.length;
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
 * returning the SHAs it inserted. A SHA listed twice is inserted once, from its first listing.
 */
export function insertCommitsQueries(trx: Db, repository: string, number: number, commits: readonly SeenCommit[]) {
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
    queries.push(
      trx
        .insertInto('commits')
        .values(rows.slice(i, i + 100))
        .onConflict((oc) => oc.columns(['repository', 'number', 'sha']).doNothing())
        .returning('sha'),
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
