/**
 * Ingest: stores what one webhook delivery says, without computing any figure. One transaction: the delivery row
 * (insert-or-ignore on its id, the idempotency key), then the raw rows derived from its payload (PR identity,
 * lifecycle event, review, push, review request, branch push), each with its own unique key and
 * insert-or-ignore. Every PR whose figures may change is marked stale (`figures_stale = 1`) for
 * `recomputePullRequest`. Revert matching (rare: merged revert PRs and revert commits on the default branch)
 * happens here because it needs the payload's body and commit messages, which are never stored.
 */
import { sql, type Insertable, type Transaction } from 'kysely';
import type { DeliveryRecord } from '../sink.js';
import type { DeliveriesTable, MetricsDatabase } from '../schema.js';
import { deriveFacts, type DerivedFacts, type PullRequestFacts } from '../derive.js';
import type { ReviewerKind } from '../definitions.js';
import {
  bool,
  executeTogether,
  nowIso,
  NEW_PULL_REQUEST_COUNTERS,
  type Db,
  type PullRequestRow,
  type StoreContext,
  type Transition,
} from './common.js';
import { recordCommitRevert, recordPullRequestRevert } from './reverts.js';
import { resolvePushes } from './attribution.js';

/** What an ingest changed: the PRs whose figures are now stale, and transitions observed at once (reverts). */
export interface IngestResult {
  status: 'recorded' | 'duplicate';
  /** PRs marked stale by this delivery (`owner/name`, number), in a fixed order. */
  stale: Array<{ repository: string; number: number }>;
  transitions: Transition[];
  ignored?: string;
}

function reviewerKind(login: string, type: string | null, authorLogin: string | null): ReviewerKind {
  if (type === 'Bot' || /\[bot\]$/i.test(login)) return 'bot';
  if (authorLogin && authorLogin.toLowerCase() === login.toLowerCase()) return 'author';
  return 'human';
}

/** The `deliveries` row of a delivery: `pending` keeps its facts for a later `applyPendingDeliveries`. */
function deliveryRow(delivery: DeliveryRecord, facts: DerivedFacts, deferred: boolean): Insertable<DeliveriesTable> {
  // A delivery without PR or branch facts has nothing to apply: it is stored applied.
  const pending = deferred && Boolean(facts.pullRequest || facts.branchPush);
  return {
    id: delivery.id.slice(0, 128),
    event: facts.event,
    action: facts.action,
    repository: facts.repository,
    received_at: delivery.receivedAt.toISOString(),
    pull_number: facts.pullRequest?.number ?? null,
    facts: pending ? JSON.stringify(facts) : null,
    applied: pending ? 0 : 1,
  };
}

/**
 * Stores one delivery idempotently on `delivery.id` inside `trx` and applies its facts at once (the backfill and
 * `MetricsStore.recordDelivery`). Resolves `duplicate` (nothing written) when the id is already stored, also when
 * another replica stored it a moment ago. Throws on store errors.
 */
export async function ingestDelivery(
  ctx: StoreContext,
  trx: Transaction<MetricsDatabase>,
  delivery: DeliveryRecord,
): Promise<IngestResult> {
  const facts = deriveFacts(delivery);
  if (facts.ignored && facts.pullRequest === undefined) {
    ctx.logger?.debug({ deliveryId: delivery.id, event: facts.event, reason: facts.ignored }, 'metrics: no PR facts');
  }
  const inserted = await trx
    .insertInto('deliveries')
    .values(deliveryRow(delivery, facts, false))
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  if (!inserted.numInsertedOrUpdatedRows) return { status: 'duplicate', stale: [], transitions: [] };
  const result = await applyFacts(ctx, trx, delivery.id, facts);
  if (result.pushedTo) await resolvePushes(trx, result.pushedTo.repository, result.pushedTo.number);
  return { status: 'recorded', stale: result.stale, transitions: result.transitions, ...(facts.ignored ? { ignored: facts.ignored } : {}) };
}

/**
 * The `deliveries` row that {@link storeDeliveries} inserts for a delivery (its facts kept for a job to apply), as
 * a plain object by column name: for the job queue to insert in the same statement as the delivery's jobs.
 */
export function pendingDeliveryRow(delivery: DeliveryRecord): Insertable<DeliveriesTable> {
  return deliveryRow(delivery, deriveFacts(delivery), true);
}

/**
 * Records deliveries for the app's webhook path: ONE multi-row insert of the delivery rows with their derived
 * facts (`applied = 0`), idempotent on the delivery id, touching no other row, so it never waits on a row that a
 * job holds. The facts reach the raw tables when a job applies them (`applyPendingDeliveries`). Resolves, per
 * delivery and in order, `recorded` or `duplicate` (the id was stored before, by this or another replica, or
 * earlier in the same list). Throws on store errors.
 */
export async function storeDeliveries(db: Db, deliveries: readonly DeliveryRecord[]): Promise<Array<'recorded' | 'duplicate'>> {
  const rows = new Map<string, Insertable<DeliveriesTable>>();
  for (const d of deliveries) {
    const id = d.id.slice(0, 128);
    if (!rows.has(id)) rows.set(id, deliveryRow(d, deriveFacts(d), true));
  }
  if (rows.size === 0) return [];
  const inserted = await db
    .insertInto('deliveries')
    .values([...rows.values()])
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .execute();
  const fresh = new Set(inserted.map((r) => r.id));
  return deliveries.map((d) => {
    const id = d.id.slice(0, 128);
    return fresh.delete(id) ? 'recorded' : 'duplicate';
  });
}

/**
 * Which pending deliveries to apply: those of one PR, or the repository-level ones (`number: null`) of a repository;
 * with `until` (ISO 8601), only those received at or before it.
 */
export interface PendingScope {
  repository: string;
  number: number | null;
  until?: string;
}

/** Most pending deliveries applied in one transaction. */
const APPLY_BATCH = 500;

/**
 * Applies the facts of pending deliveries of `scope` inside `trx`, oldest first (by receipt time, then id), and
 * marks them applied (clearing the stored facts). On PostgreSQL the rows are claimed with `FOR UPDATE SKIP
 * LOCKED`: a delivery another transaction is applying is left to it (never applied twice, never waited on).
 * Resolves how many were applied, the PRs marked stale, the transitions observed (reverts) and, for a PR scope, the
 * PR row as the deliveries left it (locked on PostgreSQL; absent when none touched it), which the caller reuses
 * instead of reading it again, and whether a push onto it was stored. The pushes stored are attributed
 * (`resolvePushes`), except with `leavePushes` those of the scope's PR: then the caller, which attributes the PR's
 * pushes itself in the same transaction (`storeEvaluation`), must first attribute them as `resolvePushes` would
 * have when `pushesApplied`.
 * Throws on store errors.
 */
export async function applyPendingDeliveries(
  ctx: StoreContext,
  trx: Db,
  scope: PendingScope,
  options: { leavePushes?: boolean } = {},
): Promise<{
  applied: number;
  stale: IngestResult['stale'];
  transitions: Transition[];
  pullRequest?: PullRequestRow;
  pushesApplied: boolean;
}> {
  return applyClaimedDeliveries(ctx, trx, scope, await claimDeliveries(ctx, trx, scope), options);
}

/** A pending delivery as claimed: its id, stored facts (JSON) and receipt time (ISO 8601). */
export interface ClaimedDelivery {
  id: string;
  facts: string | null;
  received_at: string;
}

/**
 * Claims the pending deliveries of `scope` inside `trx` (see `applyPendingDeliveries`), oldest first, for
 * `applyClaimedDeliveries` in the same transaction: one statement on PostgreSQL. Throws on store errors.
 */
export async function claimDeliveries(ctx: StoreContext, trx: Db, scope: PendingScope): Promise<ClaimedDelivery[]> {
  const claimed = await claimPendingDeliveries(ctx, trx, scope);
  return claimed.sort((a, b) => (a.received_at === b.received_at ? (a.id < b.id ? -1 : 1) : a.received_at < b.received_at ? -1 : 1));
}

/**
 * `applyPendingDeliveries` for deliveries claimed before (`claimDeliveries`, in the same transaction), oldest
 * first: applies them and resolves as `applyPendingDeliveries` does. Throws on store errors.
 */
export async function applyClaimedDeliveries(
  ctx: StoreContext,
  trx: Db,
  scope: PendingScope,
  claimed: readonly ClaimedDelivery[],
  options: { leavePushes?: boolean } = {},
): ReturnType<typeof applyPendingDeliveries> {
  const stale: IngestResult['stale'] = [];
  const transitions: Transition[] = [];
  const rows = new Map<string, PullRequestRow>();
  const pushedTo: Array<{ repository: string; number: number }> = [];
  const add = (result: AppliedFacts) => {
    for (const pr of result.stale) if (!stale.some((s) => s.repository === pr.repository && s.number === pr.number)) stale.push(pr);
    for (const pr of result.rewritten) rows.delete(`${pr.repository}#${pr.number}`);
    if (result.pullRequest) rows.set(`${result.pullRequest.repository}#${result.pullRequest.number}`, result.pullRequest);
    if (result.pushedTo && !pushedTo.some((p) => p.repository === result.pushedTo?.repository && p.number === result.pushedTo.number))
      pushedTo.push(result.pushedTo);
    transitions.push(...result.transitions);
  };
  // Consecutive deliveries of one PR that only add its rows are applied together (see `applyPullRequestFacts`).
  let run: PullRequestDelivery[] = [];
  const flush = async () => {
    if (run.length > 0) add(await applyPullRequestFacts(ctx, trx, run));
    run = [];
  };
  for (const row of claimed) {
    if (!row.facts) continue;
    const facts = JSON.parse(row.facts) as DerivedFacts;
    const delivery = { id: row.id, facts };
    if (appliesWithOthers(delivery)) {
      const first = run[0]?.facts.pullRequest;
      const pr = delivery.facts.pullRequest;
      const samePullRequest = !first || (first.repository === pr.repository && first.number === pr.number);
      if (!samePullRequest || run.length >= (ctx.deliveriesPerStatement ?? APPLY_TOGETHER)) await flush();
      run.push(delivery);
      continue;
    }
    await flush();
    add(await applyFacts(ctx, trx, row.id, facts));
  }
  await flush();
  // Pushes are attributed once, after every delivery: what attributes them (evaluations, commits) is not
  // written by applying deliveries, so this resolves what resolving after each push delivery would.
  const inScope = (p: { repository: string; number: number }) => p.repository === scope.repository && p.number === scope.number;
  for (const pr of pushedTo) if (!(options.leavePushes && inScope(pr))) await resolvePushes(trx, pr.repository, pr.number);
  const pullRequest = scope.number === null ? undefined : rows.get(`${scope.repository}#${scope.number}`);
  const pushesApplied = pushedTo.some(inScope);
  return { applied: claimed.length, stale, transitions, pushesApplied, ...(pullRequest ? { pullRequest } : {}) };
}

/**
 * Claims the pending deliveries of `scope` (at most `APPLY_BATCH`, oldest first): marks them applied, clears their
 * stored facts and returns the facts. The caller applies them in the same transaction, so a failure rolls the claim
 * back. PostgreSQL: one statement, the rows locked with `FOR UPDATE SKIP LOCKED` (a delivery another transaction is
 * applying is left to it); SQLite (whose `RETURNING` cannot name the old facts): the claim, then the clearing.
 */
async function claimPendingDeliveries(
  ctx: StoreContext,
  trx: Db,
  scope: PendingScope,
): Promise<Array<{ id: string; facts: string | null; received_at: string }>> {
  const pullNumber = scope.number === null ? sql`pull_number IS NULL` : sql`pull_number = ${scope.number}`;
  const until = scope.until === undefined ? sql`` : sql`AND received_at <= ${scope.until}`;
  if (ctx.dialect === 'postgres') {
    const { rows } = await sql<{ id: string; facts: string | null; received_at: string }>`
      UPDATE deliveries AS d SET applied = 1, facts = NULL
      FROM (SELECT id, facts FROM deliveries
            WHERE applied = 0 AND repository = ${scope.repository} AND ${pullNumber} ${until}
            ORDER BY received_at LIMIT ${APPLY_BATCH} FOR UPDATE SKIP LOCKED) AS pending
      WHERE d.id = pending.id AND d.applied = 0
      RETURNING d.id, pending.facts, d.received_at`.execute(trx);
    return rows;
  }
  const claimed = await trx
    .updateTable('deliveries')
    .set({ applied: 1 })
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('deliveries')
        .select('id')
        .where('applied', '=', 0)
        .where('repository', '=', scope.repository)
        .where('pull_number', scope.number === null ? 'is' : '=', scope.number)
        .$if(scope.until !== undefined, (qb) => qb.where('received_at', '<=', scope.until!))
        .orderBy('received_at')
        .limit(APPLY_BATCH),
    )
    .where('applied', '=', 0)
    .returning(['id', 'facts', 'received_at'])
    .execute();
  if (claimed.length > 0)
    await trx
      .updateTable('deliveries')
      .set({ facts: null })
      .where(
        'id',
        'in',
        claimed.map((r) => r.id),
      )
      .execute();
  return claimed;
}

/** Scopes (PR or repository-level) that have pending deliveries, oldest first, at most `limit`. */
export async function listPendingScopes(db: Db, limit: number): Promise<PendingScope[]> {
  const rows = await db
    .selectFrom('deliveries')
    .select(['repository', 'pull_number'])
    .select((eb) => eb.fn.min('received_at').as('oldest'))
    .where('applied', '=', 0)
    .where('repository', 'is not', null)
    .groupBy(['repository', 'pull_number'])
    .orderBy('oldest')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ repository: r.repository!, number: r.pull_number }));
}

/** What applying one delivery's facts did (see `applyFacts`). */
interface AppliedFacts {
  stale: IngestResult['stale'];
  transitions: Transition[];
  /** The PR row as the delivery's upsert left it (locked on PostgreSQL). */
  pullRequest?: PullRequestRow;
  /** The PR a push was stored for: its pushes are to be attributed (`resolvePushes`) once all deliveries are applied. */
  pushedTo?: { repository: string; number: number };
  /** PRs whose rows a forced branch push changed (marked stale): rows read before are outdated. */
  rewritten: IngestResult['stale'];
}

/**
 * Writes one delivery's facts to the raw tables. The PR row's upsert and the delivery's own row (lifecycle event,
 * review, review request or push) are one statement on PostgreSQL (`applyPullRequestFacts`); a merged revert PR
 * and a branch push (forced, or reverting commits) take more.
 */
async function applyFacts(ctx: StoreContext, trx: Db, deliveryId: string, facts: DerivedFacts): Promise<AppliedFacts> {
  const transitions: Transition[] = [];
  const stale: IngestResult['stale'] = [];
  const rewritten: IngestResult['stale'] = [];
  let pullRequest: PullRequestRow | undefined;
  let pushedTo: AppliedFacts['pushedTo'];
  if (facts.pullRequest) {
    const applied = await applyPullRequestFacts(ctx, trx, [{ id: deliveryId, facts: { ...facts, pullRequest: facts.pullRequest } }]);
    stale.push(...applied.stale);
    pullRequest = applied.pullRequest;
    pushedTo = applied.pushedTo;
    if (facts.lifecycle?.type === 'closed' && facts.lifecycle.merged && facts.revertOf) {
      const t = await recordPullRequestRevert(ctx, trx, facts.pullRequest, facts.lifecycle.at, facts.revertOf);
      if (t) transitions.push(t);
    }
  }

  if (facts.branchPush) {
    const b = facts.branchPush;
    await trx
      .insertInto('branch_pushes')
      .values({
        repository: b.repository,
        branch: b.branch,
        after_sha: b.afterSha,
        before_sha: b.beforeSha,
        forced: bool(b.forced),
        pushed_at: b.pushedAt,
      })
      .onConflict((oc) => oc.columns(['repository', 'branch', 'after_sha']).doNothing())
      .execute();
    if (b.forced) {
      const affected = await trx
        .selectFrom('pushes')
        .select(['number'])
        .where('repository', '=', b.repository)
        .where('after_sha', '=', b.afterSha)
        .orderBy('number') // a fixed lock order: concurrent writers cannot deadlock on these rows
        .execute();
      for (const { number } of affected) {
        await trx
          .updateTable('pull_requests')
          .set({ figures_stale: 1 })
          .where('repository', '=', b.repository)
          .where('number', '=', number)
          .execute();
        await trx
          .updateTable('pushes')
          .set({ rewrote_history: 1 })
          .where('repository', '=', b.repository)
          .where('number', '=', number)
          .where('after_sha', '=', b.afterSha)
          .execute();
        stale.push({ repository: b.repository, number });
        rewritten.push({ repository: b.repository, number });
      }
    }
    for (const r of b.revertedCommits) {
      const t = await recordCommitRevert(trx, b.repository, r.revertedSha, r.revertingSha, r.at);
      if (t) transitions.push(t);
    }
  }
  return { stale, transitions, rewritten, ...(pullRequest ? { pullRequest } : {}), ...(pushedTo ? { pushedTo } : {}) };
}

/** A claimed delivery with PR facts. */
type PullRequestDelivery = { id: string; facts: DerivedFacts & { pullRequest: PullRequestFacts } };

/** Most deliveries applied in one `applyPullRequestFacts` statement, by default (`StoreContext.deliveriesPerStatement`). */
const APPLY_TOGETHER = 100;

/**
 * Whether a delivery only adds rows of its PR (no branch push, no revert to match), so that it can be applied with
 * the PR's other deliveries in one statement.
 */
function appliesWithOthers(d: { id: string; facts: DerivedFacts }): d is PullRequestDelivery {
  const f = d.facts;
  return f.pullRequest !== undefined && f.branchPush === undefined && !(f.lifecycle?.type === 'closed' && f.lifecycle.merged && f.revertOf);
}

/** The first of `items` for each key, in order. */
function firstByKey<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}

/**
 * Writes the PR facts of deliveries of ONE PR (oldest first) to the raw tables, with the rows applying them one by
 * one would leave: one statement on PostgreSQL (`executeTogether`: the PR row's upsert, then one multi-row
 * insert-or-ignore per table). What applying them in turn would have decided row by row is decided here: the PR
 * row gets the last delivery's identity and the last size and merge SHA that were known; a lifecycle event,
 * review request or push seen twice keeps its first delivery; a review keeps its first delivery's columns and
 * the last dismissal time given.
 */
async function applyPullRequestFacts(ctx: StoreContext, trx: Db, deliveries: readonly PullRequestDelivery[]): Promise<AppliedFacts> {
  const pr = deliveries.at(-1)!.facts.pullRequest;
  // Identity-only deliveries (labeled, edited, ...) change no figure.
  const changesFigures = deliveries.some(({ facts: f }) => Boolean(f.lifecycle || f.review || f.push || f.reviewRequest));
  const key = (...parts: unknown[]) => parts.join('\u0000');
  const events = firstByKey(
    deliveries.flatMap(({ id, facts: { lifecycle: l } }) =>
      l
        ? [
            {
              repository: pr.repository,
              number: pr.number,
              type: l.type,
              at: l.at,
              draft: bool(l.draft),
              merged: bool(l.merged),
              delivery_id: id,
            },
          ]
        : [],
    ),
    (e) => key(e.type, e.at),
  );
  const reviews = firstByKey(
    deliveries.flatMap(({ facts: { review: r, pullRequest } }) =>
      r
        ? [
            {
              repository: pr.repository,
              number: pr.number,
              review_id: String(r.reviewId),
              reviewer: r.reviewer,
              reviewer_type: r.reviewerType,
              reviewer_kind: reviewerKind(r.reviewer, r.reviewerType, pullRequest.authorLogin),
              state: r.state,
              submitted_at: r.submittedAt,
              commit_id: r.commitId,
              dismissed_at: r.dismissedAt,
              relation: 'other',
            },
          ]
        : [],
    ),
    (r) => r.review_id,
  ).map((review) => ({
    ...review,
    dismissed_at: lastKnown(deliveries, (f) => (f.review && String(f.review.reviewId) === review.review_id ? f.review.dismissedAt : null)),
  }));
  const requests = firstByKey(
    deliveries.flatMap(({ id, facts: { reviewRequest: q } }) =>
      q
        ? [
            {
              repository: pr.repository,
              number: pr.number,
              reviewer: q.reviewer.slice(0, 256),
              reviewer_type: q.reviewerType,
              action: q.action,
              at: q.at,
              delivery_id: id,
            },
          ]
        : [],
    ),
    (q) => key(q.reviewer, q.action, q.at),
  );
  const pushes = firstByKey(
    deliveries.flatMap(({ facts: { push: p } }) => (p ? [p] : [])),
    (p) => p.afterSha,
  ).map((p) => ({
    repository: pr.repository,
    number: pr.number,
    after_sha: p.afterSha,
    before_sha: p.beforeSha,
    pushed_at: p.pushedAt,
    sender_login: p.senderLogin,
    sender_type: p.senderType,
    pushed_by: 'unknown',
    commits_added: null,
    agent_commits: null,
    human_commits: null,
    // A forced push of the branch to this head, stored before, means the push rewrote history.
    rewrote_history: sql<number>`CASE WHEN EXISTS (SELECT 1 FROM branch_pushes WHERE repository = ${pr.repository}
      AND after_sha = ${p.afterSha} AND forced = 1) THEN 1 ELSE 0 END`,
    after_first_review: 0,
  }));
  const [upserted] = await executeTogether(ctx, trx, [
    upsertPullRequestFacts(
      trx,
      deliveries.map((d) => d.facts.pullRequest),
      changesFigures,
    ),
    events.length > 0
      ? trx
          .insertInto('pr_events')
          .values(events)
          .onConflict((oc) => oc.columns(['repository', 'number', 'type', 'at']).doNothing())
      : undefined,
    reviews.length > 0
      ? trx
          .insertInto('reviews')
          .values(reviews)
          .onConflict((oc) =>
            oc.columns(['repository', 'number', 'review_id']).doUpdateSet((eb) => ({
              dismissed_at: eb.fn.coalesce('excluded.dismissed_at', 'reviews.dismissed_at'),
            })),
          )
      : undefined,
    requests.length > 0
      ? trx
          .insertInto('review_requests')
          .values(requests)
          .onConflict((oc) => oc.columns(['repository', 'number', 'reviewer', 'action', 'at']).doNothing())
      : undefined,
    pushes.length > 0
      ? trx
          .insertInto('pushes')
          .values(pushes)
          .onConflict((oc) => oc.columns(['repository', 'number', 'after_sha']).doNothing())
      : undefined,
  ]);
  const target = { repository: pr.repository, number: pr.number };
  return {
    stale: changesFigures ? [target] : [],
    transitions: [],
    rewritten: [],
    ...(upserted[0] ? { pullRequest: upserted[0] } : {}),
    ...(pushes.length > 0 ? { pushedTo: target } : {}),
  };
}

/** The last non-null value `pick` gives over `deliveries` (null when none gives one). */
function lastKnown<T>(deliveries: readonly PullRequestDelivery[], pick: (facts: PullRequestDelivery['facts']) => T | null): T | null {
  for (let i = deliveries.length - 1; i >= 0; i--) {
    const value = pick(deliveries[i]!.facts);
    if (value !== null) return value;
  }
  return null;
}

/**
 * The upsert that inserts the PR row or refreshes its identity columns from the payloads of `prs` (one PR, oldest
 * first), returning the row: the identity of the last one, and the size columns and merge SHA the last one that knew
 * them gave (else those stored). Figure columns are untouched. On PostgreSQL the upsert locks the row until the
 * transaction ends. `stale` marks the figures for recomputation.
 */
function upsertPullRequestFacts(trx: Db, prs: readonly PullRequestFacts[], stale: boolean) {
  const pr = prs.at(-1)!;
  const known = <K extends 'mergeCommitSha' | 'changedFiles' | 'additions' | 'deletions'>(k: K): PullRequestFacts[K] | null => {
    for (let i = prs.length - 1; i >= 0; i--) if (prs[i]![k] !== null) return prs[i]![k];
    return null;
  };
  const identity = {
    author_login: pr.authorLogin,
    author_type: pr.authorType,
    title_sha256: pr.titleSha256,
    task_type: pr.taskType,
    head_ref: pr.headRef,
    head_sha: pr.headSha,
    base_ref: pr.baseRef,
    draft: bool(pr.draft),
    created_at: pr.createdAt,
    updated_at: nowIso(),
    ...(stale ? { figures_stale: 1 } : {}),
  };
  return trx
    .insertInto('pull_requests')
    .values({
      repository: pr.repository,
      number: pr.number,
      ...identity,
      merge_commit_sha: known('mergeCommitSha'),
      changed_files: known('changedFiles'),
      additions: known('additions'),
      deletions: known('deletions'),
      author_class: 'unknown',
      sensitive_groups: '[]',
      highest_sensitive_group: 'none',
      required_reviewers: '[]',
      state: 'open',
      figures_stale: bool(stale),
      ...NEW_PULL_REQUEST_COUNTERS,
    })
    .onConflict((oc) =>
      oc.columns(['repository', 'number']).doUpdateSet((eb) => ({
        ...identity,
        merge_commit_sha: eb.fn.coalesce('excluded.merge_commit_sha', 'pull_requests.merge_commit_sha'),
        changed_files: eb.fn.coalesce('excluded.changed_files', 'pull_requests.changed_files'),
        additions: eb.fn.coalesce('excluded.additions', 'pull_requests.additions'),
        deletions: eb.fn.coalesce('excluded.deletions', 'pull_requests.deletions'),
      })),
    )
    .returningAll();
}
