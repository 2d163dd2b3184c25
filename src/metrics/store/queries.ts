/**
 * Read side: report queries (PRs of a window, reverts, reviews, review-request spans, rule outcomes, overrides)
 * and the data of the scrape-time Prometheus gauges. No writes.
 */
import { sql, type Expression, type Selectable, type SqlBool } from 'kysely';
import type { OverridesTable, ReviewRequestSpansTable, RuleOutcomesTable } from '../schema.js';
import { labelsOf, type Db, type PullRequestLabels, type PullRequestRow, type RevertRow } from './common.js';

/** Which PRs a report covers: created at or after `since` (and before `until`), optionally of some repositories. */
export interface PullRequestFilter {
  since?: Date;
  until?: Date;
  /** One repository (`owner/name`), or several. */
  repository?: string | readonly string[];
}

/** Gauge data: PRs ready, open, not draft, without a first human review, grouped by labels. */
export interface WaitingGroup {
  labels: PullRequestLabels;
  count: number;
  /** Seconds since ready for review of the longest-waiting PR of the group. */
  oldestWaitSeconds: number;
}

/** Gauge data: review requests to a team still open on open PRs, per team and the PR's author class. */
export interface OpenTeamRequests {
  /** `@org/slug`. */
  team: string;
  authorClass: string;
  count: number;
  /** Seconds since the oldest of these requests. */
  oldestWaitSeconds: number;
}

/** The PR columns the report's per-PR sections join onto their rows. */
export interface PullRequestContext {
  author_class: string;
  agent: string | null;
  created_at: string | null;
  state: string;
}

/** A review-request span with its PR's context. */
export type ReviewRequestSpanRow = Selectable<ReviewRequestSpansTable> & PullRequestContext;
/** A human review with its PR's context. */
export interface ReviewRow extends PullRequestContext {
  repository: string;
  number: number;
  reviewer: string;
  submitted_at: string;
}
/** A rule outcome with its PR's context. */
export type RuleOutcomeRow = Selectable<RuleOutcomesTable> & PullRequestContext & { merged_at: string | null };
/** An override with its PR's context. */
export type OverrideRow = Selectable<OverridesTable> & Pick<PullRequestContext, 'author_class' | 'agent'>;

function repositories(filter: PullRequestFilter): readonly string[] | null {
  if (filter.repository === undefined) return null;
  return typeof filter.repository === 'string' ? [filter.repository] : filter.repository;
}

/** PR rows created in the window, ordered by repository and number. */
export async function listPullRequests(db: Db, filter: PullRequestFilter = {}): Promise<PullRequestRow[]> {
  const repos = repositories(filter);
  let q = db.selectFrom('pull_requests').selectAll();
  if (filter.since) q = q.where('created_at', '>=', filter.since.toISOString());
  if (filter.until) q = q.where('created_at', '<', filter.until.toISOString());
  if (repos) q = repos.length === 0 ? q.where('repository', 'in', ['']) : q.where('repository', 'in', repos);
  return q.orderBy('repository').orderBy('number').execute();
}

/** Revert rows, optionally of some repositories (any window: a PR of the window may be reverted later). */
export async function listReverts(db: Db, filter: Pick<PullRequestFilter, 'repository'> = {}): Promise<RevertRow[]> {
  const repos = repositories(filter);
  let q = db.selectFrom('reverts').selectAll();
  if (repos) q = q.where('repository', 'in', repos.length ? repos : ['']);
  return q.orderBy('repository').orderBy('reverted_number').execute();
}

/** The window as a condition on the joined PR row (alias `pr`). */
function windowCondition(filter: PullRequestFilter): Expression<SqlBool> {
  const parts = [sql`1 = 1`];
  if (filter.since) parts.push(sql`pr.created_at >= ${filter.since.toISOString()}`);
  if (filter.until) parts.push(sql`pr.created_at < ${filter.until.toISOString()}`);
  const repos = repositories(filter);
  if (repos) parts.push(repos.length ? sql`pr.repository IN (${sql.join([...repos])})` : sql`1 = 0`);
  return sql<SqlBool>`${sql.join(parts, sql` AND `)}`;
}

/** Review-request spans of the PRs in the window, with their PR's author class, agent, creation time and state. */
export async function listReviewRequestSpans(db: Db, filter: PullRequestFilter = {}): Promise<ReviewRequestSpanRow[]> {
  return db
    .selectFrom('review_request_spans as s')
    .innerJoin('pull_requests as pr', (j) => j.onRef('pr.repository', '=', 's.repository').onRef('pr.number', '=', 's.number'))
    .selectAll('s')
    .select(['pr.author_class', 'pr.agent', 'pr.created_at', 'pr.state'])
    .where(windowCondition(filter))
    .execute();
}

/** Open review-request spans of open PRs (any creation time), for "waiting now" figures. */
export async function listOpenReviewRequestSpans(
  db: Db,
  filter: Pick<PullRequestFilter, 'repository'> = {},
): Promise<ReviewRequestSpanRow[]> {
  const repos = repositories(filter);
  let q = db
    .selectFrom('review_request_spans as s')
    .innerJoin('pull_requests as pr', (j) => j.onRef('pr.repository', '=', 's.repository').onRef('pr.number', '=', 's.number'))
    .selectAll('s')
    .select(['pr.author_class', 'pr.agent', 'pr.created_at', 'pr.state'])
    .where('s.outcome', '=', 'open')
    .where('pr.state', '=', 'open');
  if (repos) q = q.where('s.repository', 'in', repos.length ? repos : ['']);
  return q.execute();
}

/** Independent human reviews (reviewer kind `human`) on the PRs of the window. */
export async function listHumanReviews(db: Db, filter: PullRequestFilter = {}): Promise<ReviewRow[]> {
  return db
    .selectFrom('reviews as r')
    .innerJoin('pull_requests as pr', (j) => j.onRef('pr.repository', '=', 'r.repository').onRef('pr.number', '=', 'r.number'))
    .select(['r.repository', 'r.number', 'r.reviewer', 'r.submitted_at', 'pr.author_class', 'pr.agent', 'pr.created_at', 'pr.state'])
    .where('r.reviewer_kind', '=', 'human')
    .where(windowCondition(filter))
    .execute();
}

/** Rule outcomes of the PRs in the window, with their PR's context and merge time. */
export async function listRuleOutcomes(db: Db, filter: PullRequestFilter = {}): Promise<RuleOutcomeRow[]> {
  return db
    .selectFrom('rule_outcomes as o')
    .innerJoin('pull_requests as pr', (j) => j.onRef('pr.repository', '=', 'o.repository').onRef('pr.number', '=', 'o.number'))
    .selectAll('o')
    .select(['pr.author_class', 'pr.agent', 'pr.created_at', 'pr.state', 'pr.merged_at'])
    .where(windowCondition(filter))
    .orderBy('o.rule')
    .execute();
}

/** Overrides on the PRs of the window, oldest first. */
export async function listOverrides(db: Db, filter: PullRequestFilter = {}): Promise<OverrideRow[]> {
  return db
    .selectFrom('overrides as o')
    .innerJoin('pull_requests as pr', (j) => j.onRef('pr.repository', '=', 'o.repository').onRef('pr.number', '=', 'o.number'))
    .selectAll('o')
    .select(['pr.author_class', 'pr.agent'])
    .where(windowCondition(filter))
    .orderBy('o.at')
    .orderBy('o.number')
    .execute();
}

/** PRs ready for review, open, not draft and without a first human review, grouped by labels (for gauges). */
export async function waitingForFirstReview(db: Db, now: Date): Promise<WaitingGroup[]> {
  const rows = await db
    .selectFrom('pull_requests')
    .select(['repository', 'author_class', 'agent', 'highest_sensitive_group', 'ready_at'])
    .where('state', '=', 'open')
    .where('draft', '=', 0)
    .where('ready_at', 'is not', null)
    .where('first_human_review_at', 'is', null)
    .execute();
  const groups = new Map<string, WaitingGroup>();
  for (const r of rows) {
    const labels = labelsOf(r);
    const key = JSON.stringify(labels);
    const wait = Math.max(0, (now.getTime() - Date.parse(r.ready_at ?? '')) / 1000);
    const g = groups.get(key);
    if (g) {
      g.count += 1;
      g.oldestWaitSeconds = Math.max(g.oldestWaitSeconds, wait);
    } else groups.set(key, { labels, count: 1, oldestWaitSeconds: wait });
  }
  return [...groups.values()];
}

/** Review requests to teams still open on open PRs, per team and author class (for the gauge; no user names). */
export async function openTeamReviewRequests(db: Db, now: Date): Promise<OpenTeamRequests[]> {
  const rows = await listOpenReviewRequestSpans(db);
  const groups = new Map<string, OpenTeamRequests>();
  for (const r of rows) {
    if (r.reviewer_type !== 'team') continue;
    const key = `${r.reviewer}\u0000${r.author_class}`;
    const wait = Math.max(0, (now.getTime() - Date.parse(r.requested_at)) / 1000);
    const g = groups.get(key);
    if (g) {
      g.count += 1;
      g.oldestWaitSeconds = Math.max(g.oldestWaitSeconds, wait);
    } else groups.set(key, { team: r.reviewer, authorClass: r.author_class, count: 1, oldestWaitSeconds: wait });
  }
  return [...groups.values()];
}

/** PRs whose figures are stale (events stored after their last recomputation), oldest first, at most `limit`. */
export async function listStalePullRequests(db: Db, limit: number): Promise<Array<{ repository: string; number: number }>> {
  return db
    .selectFrom('pull_requests')
    .select(['repository', 'number'])
    .where('figures_stale', '=', 1)
    .orderBy('updated_at')
    .limit(limit)
    .execute();
}
