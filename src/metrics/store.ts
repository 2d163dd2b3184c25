/**
 * The metrics store: Kysely over SQLite (better-sqlite3) or PostgreSQL (pg), the I/O shell around the pure
 * `derive.ts` (payload → facts) and `definitions.ts` (events → figures). One facade over modules a maintainer
 * can read one at a time:
 *
 * - `store/ingest.ts`: a delivery's raw rows, idempotent on the delivery id; marks PRs stale; revert matching;
 * - `store/attribution.ts`: which commits each push added (agent/human), rewritten history;
 * - `store/reverts.ts`: revert detection across PRs and default-branch commits;
 * - `store/evaluations.ts`: gate evaluations (rules, enforcement's conclusion, overrides) and backfilled verdicts;
 * - `store/recompute.ts`: a PR's figures from all its events, and the transitions Prometheus observes once;
 * - `store/queries.ts`: what the report and the scrape-time gauges read;
 * - `store/cursors.ts`: backfill cursors;
 * - `store/open.ts`: opening a store, migrations (safe when several processes open a new store at once).
 *
 * Every write is one transaction. On PostgreSQL the PR row is locked (`FOR UPDATE`) while its figures are
 * recomputed, so replicas sharing a store cannot lose updates; two replicas inserting the same delivery id at
 * once end with one row and one `duplicate`.
 *
 * Round trips: on PostgreSQL every statement is one round trip, which a job's `recordEvaluation` waits for. The
 * PR row is read once per transaction (each step passes on the row it wrote), statements on different rows are
 * sent as one (`executeTogether` in store/common.ts), and per-row updates are one `UPDATE … FROM (VALUES …)`. An
 * evaluation after applied deliveries is one statement that also reads what the recomputation needs
 * (`recordEvaluation`: BEGIN, claim the pending deliveries, apply them, the evaluation, the recomputation's writes,
 * COMMIT). The app's jobs send one statement (`queueEvaluation`); the periodic pass stores a PR's pending
 * evaluations in two statements however many there are (`storeEvaluations`) and recomputes it once;
 * `test/metrics/roundtrips.test.ts` bounds the statements of each.
 */
import { setImmediate } from 'node:timers/promises';
import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { DeliveryRecord, EvaluationRecord } from './sink.js';
import type { MetricsDatabase } from './schema.js';
import type { PullRequestTimeline } from './definitions.js';
import { deriveFacts, type DerivedFacts } from './derive.js';
import type { Db, PullRequestRow, RevertRow, StoreContext, StoreDialect, Transition, WriteResult } from './store/common.js';
import {
  applyClaimedDeliveries,
  applyPendingDeliveries,
  claimDeliveries,
  type ClaimedDelivery,
  ingestDelivery,
  listPendingScopes,
  storeDeliveries,
  type IngestResult,
} from './store/ingest.js';
import {
  claimPendingEvaluations,
  listPendingEvaluationScopes,
  queueEvaluation,
  storeBackfill,
  storeEvaluation,
  storeEvaluations,
  type BackfillRecord,
  type SizeColumns,
} from './store/evaluations.js';
import { loadTimeline, recomputePullRequest } from './store/recompute.js';
import * as queries from './store/queries.js';
import { getBackfillCursor, setBackfillCursor, type BackfillCursor } from './store/cursors.js';

/**
 * Most PRs (or repository scopes) the pass (`recomputeStale`) stores in one transaction: one commit (and, on
 * PostgreSQL, one WAL flush) for them all instead of one each.
 */
export const PASS_GROUP = 10;

export type { PullRequestLabels, PullRequestRow, RevertRow, StoreDialect, Transition, WriteResult } from './store/common.js';
export { labelsOf } from './store/common.js';
export { transitionsBetween } from './store/recompute.js';
export type { IngestResult } from './store/ingest.js';
export type { BackfillRecord } from './store/evaluations.js';
export type {
  OpenTeamRequests,
  OverrideRow,
  PullRequestFilter,
  ReviewRequestSpanRow,
  ReviewRow,
  RuleOutcomeRow,
  WaitingGroup,
} from './store/queries.js';

/**
 * The size columns (`changed_files`, `additions`, `deletions`) that applying `deliveries` in order leaves on the PR
 * row: per column, the last value a delivery's payload carried (deliveries without one leave the column as it was).
 */
function sizeColumnsOf(deliveries: readonly ClaimedDelivery[]): SizeColumns {
  const sizes: SizeColumns = {};
  for (const d of deliveries) {
    const pr = d.facts ? (JSON.parse(d.facts) as DerivedFacts).pullRequest : undefined;
    if (pr?.changedFiles != null) sizes.changed_files = pr.changedFiles;
    if (pr?.additions != null) sizes.additions = pr.additions;
    if (pr?.deletions != null) sizes.deletions = pr.deletions;
  }
  return sizes;
}

/** Kysely-backed store. Construct with `openStore` (store/open.ts) or directly with a migrated Kysely instance. */
export class MetricsStore {
  private readonly ctx: StoreContext;

  /**
   * @param db a Kysely instance whose schema is migrated (see `migrateToLatest`).
   * @param dialect `sqlite` or `postgres` (PostgreSQL rows are locked with `FOR UPDATE`).
   * @param options `deliveriesPerStatement`: see `StoreContext`.
   */
  constructor(
    readonly db: Kysely<MetricsDatabase>,
    readonly dialect: StoreDialect,
    logger?: Logger,
    options: Pick<StoreContext, 'deliveriesPerStatement'> = {},
  ) {
    this.ctx = { dialect, logger, ...options };
  }

  /**
   * Stores one delivery's raw rows, idempotently on `delivery.id`, and computes no figure: the PRs it concerns
   * are marked stale for `recomputePullRequest`. Cheap enough to run before a webhook is acknowledged.
   * Resolves `duplicate` when the id is already stored (also by another replica). Throws on store errors.
   */
  async ingestDelivery(delivery: DeliveryRecord): Promise<IngestResult> {
    return this.db.transaction().execute((trx) => ingestDelivery(this.ctx, trx, delivery));
  }

  /**
   * Records deliveries for the app's webhook path in ONE insert (their derived facts kept as pending), idempotent on
   * each id; no figure and no other row is touched, so it never waits on a job. The facts are applied by the next
   * `recomputePullRequest` / `recordEvaluation` of the PR, or by `recomputeStale`. Resolves `recorded` or
   * `duplicate` per delivery, in order. Throws on store errors.
   */
  async storeDeliveries(deliveries: readonly DeliveryRecord[]): Promise<Array<'recorded' | 'duplicate'>> {
    return storeDeliveries(this.db, deliveries);
  }

  /**
   * Stores one delivery and recomputes the figures of the PRs it concerns, in one transaction (the backfill and
   * tests; the app ingests and recomputes in separate steps), after storing the evaluations pending for its PR.
   * Idempotent on `delivery.id` (a duplicate still stores those evaluations, and carries their transitions).
   * Throws on store errors.
   */
  async recordDelivery(delivery: DeliveryRecord): Promise<WriteResult> {
    return this.db.transaction().execute(async (trx) => {
      // Evaluations a job recorded before are stored first, so the delivery is applied after them.
      const pr = deriveFacts(delivery).pullRequest;
      const before = pr ? ((await this.storePendingEvaluations(trx, pr.repository, pr.number, true)) ?? []) : [];
      const ingested = await ingestDelivery(this.ctx, trx, delivery);
      const transitions = [...before, ...ingested.transitions];
      for (const pr of ingested.stale) transitions.push(...(await recomputePullRequest(this.ctx, trx, pr.repository, pr.number)));
      return { status: ingested.status, transitions, ...(ingested.ignored ? { ignored: ingested.ignored } : {}) };
    });
  }

  /**
   * Applies the PR's pending deliveries and stores its pending evaluations (`queueEvaluation`), with the rows they
   * would have left stored one by one in the order they were recorded, then recomputes its figures once from all its
   * stored events and clears its stale marker, in one transaction. Returns what became known for the first time
   * (empty when the PR is unknown or nothing changed). Throws on store errors.
   */
  async recomputePullRequest(repository: string, number: number): Promise<Transition[]> {
    return this.db.transaction().execute((trx) => this.recomputeIn(trx, repository, number));
  }

  /** `recomputePullRequest` inside `trx`. */
  private async recomputeIn(trx: Transaction<MetricsDatabase>, repository: string, number: number): Promise<Transition[]> {
    const stored = await this.storePendingEvaluations(trx, repository, number);
    if (stored) return stored;
    const pending = await applyPendingDeliveries(this.ctx, trx, { repository, number });
    return [...pending.transitions, ...(await recomputePullRequest(this.ctx, trx, repository, number, pending.pullRequest))];
  }

  /**
   * Inside `trx`: when the PR has pending evaluations, stores them with its pending deliveries (all of them; with
   * `untilLastEvaluation`, only those received before the last evaluation was recorded) and recomputes its figures
   * once, returning the transitions; null (nothing done but the claim) when it has none.
   */
  private async storePendingEvaluations(
    trx: Db,
    repository: string,
    number: number,
    untilLastEvaluation = false,
  ): Promise<Transition[] | null> {
    const evaluations = await claimPendingEvaluations(this.ctx, trx, repository, number);
    if (evaluations.length === 0) return null;
    // The deliveries first, then every evaluation at once (storeEvaluations stores the rows storing each in turn
    // would have: only the PR row's size columns depend on the order, and it is given the sizes of the deliveries
    // received after the last evaluation); then the figures, from the rows read on the way.
    const lastAt = evaluations.at(-1)!.recordedAt;
    const scope = { repository, number, ...(untilLastEvaluation ? { until: lastAt } : {}) };
    const deliveries = await claimDeliveries(this.ctx, trx, scope);
    // The pushes the deliveries stored are attributed by storeEvaluations, from the rows it reads anyway.
    const applied = await applyClaimedDeliveries(this.ctx, trx, scope, deliveries, { leavePushes: true });
    const sizesAfter = sizeColumnsOf(deliveries.filter((d) => d.received_at > lastAt));
    const stored = await storeEvaluations(
      this.ctx,
      trx,
      repository,
      number,
      evaluations.map((e) => e.record),
      sizesAfter,
      applied.pushesApplied,
    );
    const transitions = [...applied.transitions, ...stored.transitions];
    if (!stored.pullRequest) return transitions;
    return [...transitions, ...(await recomputePullRequest(this.ctx, trx, repository, number, stored.pullRequest, stored.prepared))];
  }

  /**
   * Records a gate evaluation as one pending row (one statement; idempotent on delivery id + PR + head SHA while it
   * is pending): the app's jobs call this instead of `recordEvaluation`. The evaluation is stored, and the PR's
   * figures computed, by the PR's next `recomputePullRequest` (also `recomputeStale`), once for every evaluation
   * and delivery pending by then. `recordedAt` (default now) places it after the deliveries received until then.
   * Resolves `duplicate` when the same evaluation is already pending. Throws on store errors.
   */
  async queueEvaluation(r: EvaluationRecord, recordedAt = new Date()): Promise<'recorded' | 'duplicate'> {
    return queueEvaluation(this.db, r, recordedAt);
  }

  /**
   * The periodic pass: applies pending deliveries scope by scope, oldest first (a PR's with its pending evaluations,
   * the PR then recomputed once, as `recomputePullRequest`), stores the other pending evaluations the same way, and
   * recomputes PRs marked stale (events stored without a recomputation since: a job that never ran, a forced push
   * that touched other PRs); at most `limit` of each kind. Up to {@link PASS_GROUP} PRs (or repository scopes) share
   * a transaction; when one of them fails, the group is rolled back and each is retried in its own transaction, and
   * the one that fails again is logged and left for the next pass (it does not hold up the others). Returns how many
   * PRs it recomputed (a PR may count twice) and the transitions. Safe to run on several replicas at once.
   * `between` (default: the next turn of the event loop) is awaited after each group: on SQLite every statement
   * runs on the event loop, and the app waits there while deliveries flood the process.
   */
  async recomputeStale(
    limit = 1000,
    between: () => Promise<unknown> = () => setImmediate(),
  ): Promise<{ recomputed: number; transitions: Transition[] }> {
    // Pending deliveries first, scope by scope, oldest first (repository-level ones mark the PRs they touch stale;
    // a PR's are stored with its pending evaluations, in order), then the other PRs with pending evaluations, then
    // every stale PR. A PR that failed is not tried again in the same pass.
    const failed = new Set<string>();
    const scopes = await this.inGroups(await listPendingScopes(this.db, limit), between, failed, async (trx, scope) => {
      const stored = scope.number === null ? null : await this.storePendingEvaluations(trx, scope.repository, scope.number);
      return stored
        ? { transitions: stored, recomputed: 1 }
        : { transitions: (await applyPendingDeliveries(this.ctx, trx, scope)).transitions };
    });
    const recompute = async (trx: Transaction<MetricsDatabase>, pr: { repository: string; number: number }) => ({
      transitions: await this.recomputeIn(trx, pr.repository, pr.number),
      recomputed: 1,
    });
    const evaluations = await this.inGroups(await listPendingEvaluationScopes(this.db, limit), between, failed, recompute);
    const stale = await this.inGroups(await queries.listStalePullRequests(this.db, limit), between, failed, recompute);
    return {
      recomputed: scopes.recomputed + evaluations.recomputed + stale.recomputed,
      transitions: [...scopes.transitions, ...evaluations.transitions, ...stale.transitions],
    };
  }

  /**
   * Runs `work` for each of `items` in order, {@link PASS_GROUP} to a transaction, awaiting `between` after each
   * group (see `recomputeStale` for failures). Items in `failed` (`repository#number`) are skipped; those that fail
   * are logged and added to it. Resolves the transitions and the count of recomputations of the items that were
   * stored.
   */
  private async inGroups<T extends { repository: string; number: number | null }>(
    all: readonly T[],
    between: () => Promise<unknown>,
    failed: Set<string>,
    work: (trx: Transaction<MetricsDatabase>, item: T) => Promise<{ transitions: Transition[]; recomputed?: number }>,
  ): Promise<{ transitions: Transition[]; recomputed: number }> {
    const key = (item: T) => `${item.repository}#${item.number ?? ''}`;
    const items = all.filter((item) => !failed.has(key(item)));
    const fail = (item: T, error: unknown) => {
      failed.add(key(item));
      this.ctx.logger?.error(
        { repository: item.repository, pull_number: item.number, err: (error as Error).message },
        'metrics pass: storing this pull request failed; left for the next pass',
      );
    };
    const out = { transitions: [] as Transition[], recomputed: 0 };
    const add = (done: ReadonlyArray<{ transitions: Transition[]; recomputed?: number }>) => {
      for (const d of done) {
        out.transitions.push(...d.transitions);
        out.recomputed += d.recomputed ?? 0;
      }
    };
    for (let i = 0; i < items.length; i += PASS_GROUP) {
      const group = items.slice(i, i + PASS_GROUP);
      try {
        add(
          await this.db.transaction().execute(async (trx) => {
            const done = [];
            for (const item of group) done.push(await work(trx, item));
            return done;
          }),
        );
      } catch (groupError) {
        if (group.length === 1) fail(group[0]!, groupError);
        else
          for (const item of group) {
            try {
              add([await this.db.transaction().execute((trx) => work(trx, item))]);
            } catch (error) {
              fail(item, error);
            }
          }
      }
      await between();
    }
    return out;
  }

  /**
   * Records a gate evaluation (idempotent on delivery id + PR + head SHA): the PR's verdict, sensitive groups and
   * size, the evaluation with its rules and enforcement's conclusion, the commits it saw, a valid override; then
   * recomputes the PR's figures once, in the same transaction (skipped when the evaluation repeats the latest one
   * and the figures are not stale). Throws on store errors.
   */
  async recordEvaluation(r: EvaluationRecord): Promise<WriteResult> {
    return this.db.transaction().execute(async (trx) => {
      // Pushes the deliveries store are attributed by storeEvaluation, which reads the PR's pushes anyway.
      const pending = await applyPendingDeliveries(
        this.ctx,
        trx,
        { repository: r.repository, number: r.pullNumber },
        { leavePushes: true },
      );
      // The PR row is read (and locked) once: each step hands the row as it left it to the next; with that row,
      // storeEvaluation also reads what the recomputation needs (`prepared`), which then reads nothing again.
      const stored = await storeEvaluation(this.ctx, trx, r, pending.pullRequest, pending.pushesApplied);
      const recompute = () => recomputePullRequest(this.ctx, trx, r.repository, r.pullNumber, stored.pullRequest, stored.prepared);
      // `prepared` carries push attributions only the recomputation writes: it must run whenever they are any.
      const attributions = (stored.prepared?.attributions.length ?? 0) > 0;
      if (stored.status === 'duplicate') {
        const transitions = [...pending.transitions];
        if (pending.applied > 0 || attributions) transitions.push(...(await recompute()));
        return { status: 'duplicate' as const, transitions };
      }
      const transitions = [...pending.transitions, ...stored.transitions];
      if (stored.figuresMayChange || pending.applied > 0 || attributions) transitions.push(...(await recompute()));
      return { status: 'recorded' as const, transitions };
    });
  }

  /**
   * Stores what a backfill learned about a PR besides its webhook-shaped events (verdict, size, sensitive
   * groups, commits with the head SHA at which each first appeared) and recomputes its figures. No gate
   * evaluation is invented. Call after the PR's deliveries; throws when the PR row does not exist.
   */
  async recordBackfill(b: BackfillRecord): Promise<Transition[]> {
    return this.db.transaction().execute(async (trx) => {
      await storeBackfill(trx, b);
      return recomputePullRequest(this.ctx, trx, b.repository, b.number);
    });
  }

  /** Loads a PR's stored events as the timeline the definitions consume. Null when the PR is unknown. */
  async loadTimeline(db: Db, repository: string, number: number): Promise<PullRequestTimeline | null> {
    return loadTimeline(this.ctx, db, repository, number);
  }

  /** PR rows created in the window (`since` inclusive, `until` exclusive), optionally of some repositories. */
  async listPullRequests(filter: queries.PullRequestFilter = {}): Promise<PullRequestRow[]> {
    return queries.listPullRequests(this.db, filter);
  }

  /** Revert rows, optionally of some repositories. */
  async listReverts(filter: Pick<queries.PullRequestFilter, 'repository'> = {}): Promise<RevertRow[]> {
    return queries.listReverts(this.db, filter);
  }

  /** Review-request spans of the PRs in the window. */
  async listReviewRequestSpans(filter: queries.PullRequestFilter = {}): Promise<queries.ReviewRequestSpanRow[]> {
    return queries.listReviewRequestSpans(this.db, filter);
  }

  /** Review requests open now on open PRs (any creation time). */
  async listOpenReviewRequestSpans(filter: Pick<queries.PullRequestFilter, 'repository'> = {}): Promise<queries.ReviewRequestSpanRow[]> {
    return queries.listOpenReviewRequestSpans(this.db, filter);
  }

  /** Independent human reviews on the PRs in the window. */
  async listHumanReviews(filter: queries.PullRequestFilter = {}): Promise<queries.ReviewRow[]> {
    return queries.listHumanReviews(this.db, filter);
  }

  /** Rule outcomes of the PRs in the window. */
  async listRuleOutcomes(filter: queries.PullRequestFilter = {}): Promise<queries.RuleOutcomeRow[]> {
    return queries.listRuleOutcomes(this.db, filter);
  }

  /** Overrides on the PRs in the window, oldest first. */
  async listOverrides(filter: queries.PullRequestFilter = {}): Promise<queries.OverrideRow[]> {
    return queries.listOverrides(this.db, filter);
  }

  /** PRs ready for review, open, not draft and without a first human review, grouped by labels (for gauges). */
  async waitingForFirstReview(now: Date): Promise<queries.WaitingGroup[]> {
    return queries.waitingForFirstReview(this.db, now);
  }

  /** Open review requests to teams on open PRs, per team and author class (for the gauge). */
  async openTeamReviewRequests(now: Date): Promise<queries.OpenTeamRequests[]> {
    return queries.openTeamReviewRequests(this.db, now);
  }

  /** Reads the backfill cursor of a repository (null when none). */
  async getBackfillCursor(repository: string): Promise<BackfillCursor | null> {
    return getBackfillCursor(this.db, repository);
  }

  /** Writes the backfill cursor of a repository. */
  async setBackfillCursor(repository: string, since: string, cursor: string, completed: boolean): Promise<void> {
    return setBackfillCursor(this.db, repository, since, cursor, completed);
  }

  /** Closes the underlying connection pool / database file. */
  async close(): Promise<void> {
    await this.db.destroy();
  }
}
