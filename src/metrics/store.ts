/**
 * The metrics store: Kysely over SQLite (better-sqlite3) or PostgreSQL (pg). This is the I/O shell around the
 * pure `derive.ts` (payload → facts) and `definitions.ts` (events → figures).
 *
 * Every write happens in one transaction: the delivery row (insert-or-ignore on its id: the idempotency key)
 * together with the rows derived from it, then the PR's figures are recomputed from its stored events. On
 * PostgreSQL the PR row is locked (`FOR UPDATE`) while recomputing, so replicas sharing a store cannot lose
 * updates; two replicas inserting the same delivery id at once end with one row and one `duplicate`.
 */
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { DeliveryRecord, EvaluationRecord } from './sink.js';
import type { AuthorshipVerdict } from '../authorship/types.js';
import type {
  EvaluationsTable,
  MetricsDatabase,
  OverridesTable,
  PrEventsTable,
  PullRequestsTable,
  PushesTable,
  RevertsTable,
  ReviewsTable,
} from './schema.js';
import { deriveFacts, titleHash, type DerivedFacts, type PullRequestFacts } from './derive.js';
import {
  highestSensitiveGroup,
  pusherClass,
  reviewerRelation,
  summarizePullRequest,
  type PullRequestSummary,
  type PullRequestTimeline,
  type RevertReference,
  type ReviewerKind,
  type StoredAuthorClass,
  type TimelineEvent,
} from './definitions.js';

/** Which SQL dialect the store talks to. */
export type StoreDialect = 'sqlite' | 'postgres';

/** Prometheus labels of a PR (never PR numbers or user names). */
export interface PullRequestLabels {
  repository: string;
  author_class: string;
  agent: string;
  sensitive_group: string;
}

/** Something that happened for the first time in a write and must be observed once in Prometheus. */
export type Transition =
  | {
      kind: 'time_to_first_review' | 'time_to_first_approval' | 'time_to_merge';
      /** Seconds. */
      seconds: number;
      labels: PullRequestLabels;
    }
  | { kind: 'review_rounds'; value: number; labels: PullRequestLabels }
  | { kind: 'merged_without_review' | 'merged_without_qualifying_approval'; labels: PullRequestLabels }
  | { kind: 'revert'; labels: PullRequestLabels }
  | { kind: 'override'; labels: PullRequestLabels };

/** Result of a store write. `duplicate` writes changed nothing and carry no transitions. */
export interface WriteResult {
  status: 'recorded' | 'duplicate';
  transitions: Transition[];
  /** Set when the delivery yielded no PR facts (unsupported event, invalid payload). */
  ignored?: string;
}

/** A stored PR row. */
export type PullRequestRow = PullRequestsTable;
/** A stored revert row. */
export type RevertRow = RevertsTable;

/** Gauge data: PRs ready, open, not draft, without a first human review, grouped by labels. */
export interface WaitingGroup {
  labels: PullRequestLabels;
  count: number;
  /** Seconds since ready for review of the longest-waiting PR of the group. */
  oldestWaitSeconds: number;
}

type Db = Kysely<MetricsDatabase> | Transaction<MetricsDatabase>;

const bool = (b: boolean): number => (b ? 1 : 0);
const nowIso = (): string => new Date().toISOString();

function parseJsonArray<T>(text: string | null | undefined): T[] {
  if (!text) return [];
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? (v as T[]) : [];
  } catch {
    return [];
  }
}

/** Labels of a stored PR row. */
export function labelsOf(pr: Pick<PullRequestRow, 'repository' | 'author_class' | 'agent' | 'highest_sensitive_group'>): PullRequestLabels {
  return {
    repository: pr.repository,
    author_class: pr.author_class,
    agent: pr.agent ?? 'none',
    sensitive_group: pr.highest_sensitive_group,
  };
}

function reviewerKind(login: string, type: string | null, authorLogin: string | null): ReviewerKind {
  if (type === 'Bot' || /\[bot\]$/i.test(login)) return 'bot';
  if (authorLogin && authorLogin.toLowerCase() === login.toLowerCase()) return 'author';
  return 'human';
}

/** Derived counters of a pull request row when it is first inserted (recomputed from its events afterwards). */
const NEW_PULL_REQUEST_COUNTERS = {
  review_rounds: 0,
  agent_pushes_after_first_review: 0,
  human_pushes_after_first_review: 0,
  human_rework_commits: 0,
  overridden: 0,
  merged_without_review: 0,
  merged_without_qualifying_approval: 0,
} as const;

/** Kysely-backed store. Construct with `openStore` (index.ts) or directly with a migrated Kysely instance. */
export class MetricsStore {
  /**
   * @param db a Kysely instance whose schema is migrated (see `migrateToLatest`).
   * @param dialect `sqlite` or `postgres` (PostgreSQL rows are locked with `FOR UPDATE`).
   */
  constructor(
    readonly db: Kysely<MetricsDatabase>,
    readonly dialect: StoreDialect,
    private readonly logger?: Logger,
  ) {}

  /**
   * Records one webhook delivery and the PR facts derived from it, idempotently on `delivery.id`.
   * Resolves `duplicate` when the id is already stored (nothing else is written). Throws on store errors.
   */
  async recordDelivery(delivery: DeliveryRecord): Promise<WriteResult> {
    const facts = deriveFacts(delivery);
    if (facts.ignored && facts.pullRequest === undefined) {
      this.logger?.debug({ deliveryId: delivery.id, event: facts.event, reason: facts.ignored }, 'metrics: no PR facts');
    }
    return this.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('deliveries')
        .values({
          id: delivery.id.slice(0, 128),
          event: facts.event,
          action: facts.action,
          repository: facts.repository,
          received_at: delivery.receivedAt.toISOString(),
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      if (!inserted.numInsertedOrUpdatedRows) return { status: 'duplicate' as const, transitions: [] };
      const transitions = await this.applyFacts(trx, delivery.id, facts);
      return { status: 'recorded' as const, transitions, ...(facts.ignored ? { ignored: facts.ignored } : {}) };
    });
  }

  private async applyFacts(trx: Transaction<MetricsDatabase>, deliveryId: string, facts: DerivedFacts): Promise<Transition[]> {
    const transitions: Transition[] = [];
    if (facts.pullRequest) {
      const pr = facts.pullRequest;
      // The upsert returns the row and, on PostgreSQL, keeps it locked until the transaction ends.
      const before = await this.upsertPullRequestFacts(trx, pr);
      if (facts.lifecycle) {
        const l = facts.lifecycle;
        await trx
          .insertInto('pr_events')
          .values({
            repository: pr.repository,
            number: pr.number,
            type: l.type,
            at: l.at,
            draft: bool(l.draft),
            merged: bool(l.merged),
            delivery_id: deliveryId,
          })
          .onConflict((oc) => oc.columns(['repository', 'number', 'type', 'at']).doNothing())
          .execute();
      }
      if (facts.review) {
        const r = facts.review;
        await trx
          .insertInto('reviews')
          .values({
            repository: pr.repository,
            number: pr.number,
            review_id: String(r.reviewId),
            reviewer: r.reviewer,
            reviewer_type: r.reviewerType,
            reviewer_kind: reviewerKind(r.reviewer, r.reviewerType, pr.authorLogin),
            state: r.state,
            submitted_at: r.submittedAt,
            commit_id: r.commitId,
            dismissed_at: r.dismissedAt,
            relation: 'other',
          })
          .onConflict((oc) =>
            oc.columns(['repository', 'number', 'review_id']).doUpdateSet((eb) => ({
              dismissed_at: eb.fn.coalesce('excluded.dismissed_at', 'reviews.dismissed_at'),
            })),
          )
          .execute();
      }
      if (facts.push) {
        const p = facts.push;
        const forced = await trx
          .selectFrom('branch_pushes')
          .select('forced')
          .where('repository', '=', pr.repository)
          .where('after_sha', '=', p.afterSha)
          .where('forced', '=', 1)
          .executeTakeFirst();
        await trx
          .insertInto('pushes')
          .values({
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
            rewrote_history: bool(forced !== undefined),
            after_first_review: 0,
          })
          .onConflict((oc) => oc.columns(['repository', 'number', 'after_sha']).doNothing())
          .execute();
        await this.resolvePushes(trx, pr.repository, pr.number);
      }
      if (facts.lifecycle?.type === 'closed' && facts.lifecycle.merged && facts.revertOf) {
        const t = await this.recordPullRequestRevert(trx, pr, facts.lifecycle.at, facts.revertOf);
        if (t) transitions.push(t);
      }
      // Identity-only deliveries (labeled, edited, review_requested, ...) change no figure.
      if (facts.lifecycle || facts.review || facts.push || transitions.length > 0) {
        transitions.push(...(await this.recompute(trx, pr.repository, pr.number, before)));
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
          const before = await this.lockPullRequest(trx, b.repository, number);
          await trx
            .updateTable('pushes')
            .set({ rewrote_history: 1 })
            .where('repository', '=', b.repository)
            .where('number', '=', number)
            .where('after_sha', '=', b.afterSha)
            .execute();
          transitions.push(...(await this.recompute(trx, b.repository, number, before)));
        }
      }
      for (const r of b.revertedCommits) {
        const t = await this.recordCommitRevert(trx, b.repository, r.revertedSha, r.revertingSha, r.at);
        if (t) transitions.push(t);
      }
    }
    return transitions;
  }

  /** Inserts the PR row or refreshes its identity columns from a payload (summary columns are untouched). */
  private async upsertPullRequestFacts(trx: Db, pr: PullRequestFacts): Promise<PullRequestRow> {
    const identity = {
      author_login: pr.authorLogin,
      author_type: pr.authorType,
      title_sha256: pr.titleSha256,
      head_ref: pr.headRef,
      head_sha: pr.headSha,
      base_ref: pr.baseRef,
      draft: bool(pr.draft),
      created_at: pr.createdAt,
      updated_at: nowIso(),
    };
    return trx
      .insertInto('pull_requests')
      .values({
        repository: pr.repository,
        number: pr.number,
        ...identity,
        merge_commit_sha: pr.mergeCommitSha,
        changed_files: pr.changedFiles,
        additions: pr.additions,
        deletions: pr.deletions,
        author_class: 'unknown',
        sensitive_groups: '[]',
        highest_sensitive_group: 'none',
        required_reviewers: '[]',
        state: 'open',
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
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** Reads a PR row, locking it on PostgreSQL until the transaction ends. */
  private async lockPullRequest(trx: Db, repository: string, number: number): Promise<PullRequestRow | undefined> {
    return trx
      .selectFrom('pull_requests')
      .selectAll()
      .where('repository', '=', repository)
      .where('number', '=', number)
      .$if(this.dialect === 'postgres', (qb) => qb.forUpdate())
      .executeTakeFirst();
  }

  /** Attributes unresolved pushes from the commits gate evaluations saw first at their head SHA. */
  private async resolvePushes(trx: Db, repository: string, number: number): Promise<number> {
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
      // Unresolved until an evaluation (or a backfill) has seen the commits at this head.
      if (!evaluation && added.length === 0) continue;
      const agent = added.filter((c) => c.agent === 1).length;
      const human = added.length - agent;
      const shas = parseJsonArray<string>(evaluation?.commit_shas);
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

  private async findMergedPullRequest(
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

  private async insertRevert(
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

  private async recordPullRequestRevert(
    trx: Db,
    reverting: PullRequestFacts,
    mergedAtIso: string,
    ref: RevertReference,
  ): Promise<Transition | null> {
    let reverted: PullRequestRow | undefined;
    let via: string = ref.source;
    if (ref.revertedNumber !== null && ref.revertedNumber !== reverting.number) {
      reverted = await this.findMergedPullRequest(trx, reverting.repository, { number: ref.revertedNumber });
    }
    if (!reverted && ref.revertedTitle !== null) {
      via = 'pr_title';
      reverted = await this.findMergedPullRequest(trx, reverting.repository, {
        titleSha256: titleHash(ref.revertedTitle),
        before: mergedAtIso,
      });
    }
    if (!reverted) {
      this.logger?.debug({ repository: reverting.repository, number: reverting.number }, 'metrics: reverted PR not in store');
      return null;
    }
    return this.insertRevert(trx, reverted, {
      reverting_number: reverting.number,
      reverting_sha: reverting.mergeCommitSha,
      detected_via: via,
      reverted_at: mergedAtIso,
    });
  }

  private async recordCommitRevert(
    trx: Db,
    repository: string,
    revertedSha: string,
    revertingSha: string,
    at: string,
  ): Promise<Transition | null> {
    const reverted = await this.findMergedPullRequest(trx, repository, { sha: revertedSha });
    if (!reverted) return null;
    const revertingPr = await trx
      .selectFrom('pull_requests')
      .select('number')
      .where('repository', '=', repository)
      .where('merge_commit_sha', '=', revertingSha)
      .executeTakeFirst();
    return this.insertRevert(trx, reverted, {
      reverting_number: revertingPr?.number ?? null,
      reverting_sha: revertingSha,
      detected_via: 'commit_message',
      reverted_at: at,
    });
  }

  /**
   * Records a gate evaluation (idempotent on delivery id + PR + head SHA), the PR's authorship verdict,
   * sensitive groups and size, the commits it saw, and a valid override. Throws on store errors.
   */
  async recordEvaluation(r: EvaluationRecord): Promise<WriteResult> {
    return this.db.transaction().execute(async (trx) => {
      const groups = [...new Set(r.sensitiveGroups)].sort();
      const verdict = {
        author_class: r.authorship.class,
        agent: r.authorship.agent,
        confidence: r.authorship.confidence,
        human_of_record: r.authorship.humanOfRecord,
        sensitive_groups: JSON.stringify(groups),
        highest_sensitive_group: highestSensitiveGroup(groups),
        required_reviewers: JSON.stringify(r.requiredReviewers),
        changed_files: r.changedFiles,
        additions: r.additions,
        deletions: r.deletions,
      };
      let before = await this.lockPullRequest(trx, r.repository, r.pullNumber);
      const verdictChanged = !before || (Object.keys(verdict) as Array<keyof typeof verdict>).some((k) => before?.[k] !== verdict[k]);
      if (verdictChanged) {
        const values = { ...verdict, updated_at: nowIso() };
        await trx
          .insertInto('pull_requests')
          .values({
            repository: r.repository,
            number: r.pullNumber,
            ...values,
            head_sha: r.headSha,
            draft: 0,
            state: 'open',
            ...NEW_PULL_REQUEST_COUNTERS,
          })
          .onConflict((oc) => oc.columns(['repository', 'number']).doUpdateSet(values))
          .execute();
        before = await this.lockPullRequest(trx, r.repository, r.pullNumber);
      }
      const latest = await trx
        .selectFrom('evaluations')
        .select(['gate_satisfied', 'failing_rules', 'qualifying_approvals', 'evaluated_at'])
        .where('repository', '=', r.repository)
        .where('number', '=', r.pullNumber)
        .orderBy('evaluated_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      const evaluation = {
        gate_satisfied: bool(r.gateSatisfied),
        failing_rules: JSON.stringify(r.failingRules),
        qualifying_approvals: JSON.stringify(
          r.qualifyingApprovals.map((a) => ({ login: a.login, submittedAt: new Date(a.submittedAt).toISOString() })),
        ),
        evaluated_at: r.evaluatedAt.toISOString(),
      };
      const inserted = await trx
        .insertInto('evaluations')
        .values({
          delivery_id: r.deliveryId.slice(0, 128),
          repository: r.repository,
          number: r.pullNumber,
          head_sha: r.headSha,
          conclusion: r.conclusion,
          ...evaluation,
          commit_shas: JSON.stringify(r.commits.map((c) => c.sha)),
          duration_ms: r.durationMs,
        })
        .onConflict((oc) => oc.columns(['delivery_id', 'repository', 'number', 'head_sha']).doNothing())
        .executeTakeFirst();
      if (!inserted.numInsertedOrUpdatedRows) return { status: 'duplicate' as const, transitions: [] };

      const transitions: Transition[] = [];
      let newCommits = 0;
      if (r.commits.length > 0) {
        const seenAt = r.evaluatedAt.toISOString();
        // Chunks keep the statement below SQLite's bound-parameter limit.
        for (let i = 0; i < r.commits.length; i += 100) {
          const res = await trx
            .insertInto('commits')
            .values(
              r.commits.slice(i, i + 100).map((c) => ({
                repository: r.repository,
                number: r.pullNumber,
                sha: c.sha.toLowerCase(),
                agent: bool(c.agent),
                author_login: c.authorLogin,
                first_seen_head_sha: r.headSha,
                first_seen_at: seenAt,
              })),
            )
            .onConflict((oc) => oc.columns(['repository', 'number', 'sha']).doNothing())
            .executeTakeFirst();
          newCommits += Number(res.numInsertedOrUpdatedRows ?? 0n);
        }
      }
      let newOverride = false;
      if (r.override) {
        const o = await trx
          .insertInto('overrides')
          .values({
            repository: r.repository,
            number: r.pullNumber,
            login: r.override.login,
            at: new Date(r.override.at).toISOString(),
          })
          .onConflict((oc) => oc.columns(['repository', 'number', 'login', 'at']).doNothing())
          .executeTakeFirst();
        newOverride = Boolean(o.numInsertedOrUpdatedRows);
        if (newOverride && before) transitions.push({ kind: 'override', labels: labelsOf(before) });
      }
      const resolved = await this.resolvePushes(trx, r.repository, r.pullNumber);
      // The figures depend on evaluations only through gate satisfaction, failing rules and counted approvals:
      // an evaluation that repeats the latest one (and changes no verdict, commit, override or push) changes none.
      const repeatsLatest =
        latest !== undefined &&
        latest.evaluated_at <= evaluation.evaluated_at &&
        latest.gate_satisfied === evaluation.gate_satisfied &&
        latest.failing_rules === evaluation.failing_rules &&
        latest.qualifying_approvals === evaluation.qualifying_approvals;
      if (verdictChanged || newCommits > 0 || newOverride || resolved > 0 || !repeatsLatest) {
        transitions.push(...(await this.recompute(trx, r.repository, r.pullNumber, before)));
      }
      return { status: 'recorded' as const, transitions };
    });
  }

  /**
   * Stores what a backfill learned about a PR besides its webhook-shaped events: the authorship verdict, size
   * and the commits with the head SHA at which each first appeared (which attributes pushes). No gate
   * evaluation is invented. Call after the PR's synthetic deliveries; throws when the PR row does not exist.
   */
  async recordBackfill(b: {
    repository: string;
    number: number;
    authorship: AuthorshipVerdict;
    changedFiles: number | null;
    additions: number | null;
    deletions: number | null;
    commits: Array<{ sha: string; agent: boolean; authorLogin: string | null; firstSeenHeadSha: string; firstSeenAt: string }>;
  }): Promise<Transition[]> {
    return this.db.transaction().execute(async (trx) => {
      const res = await trx
        .updateTable('pull_requests')
        .set({
          author_class: b.authorship.class,
          agent: b.authorship.agent,
          confidence: b.authorship.confidence,
          human_of_record: b.authorship.humanOfRecord,
          ...(b.changedFiles !== null ? { changed_files: b.changedFiles } : {}),
          ...(b.additions !== null ? { additions: b.additions } : {}),
          ...(b.deletions !== null ? { deletions: b.deletions } : {}),
          updated_at: nowIso(),
        })
        .where('repository', '=', b.repository)
        .where('number', '=', b.number)
        .executeTakeFirst();
      if (!res.numUpdatedRows) throw new Error(`backfill: ${b.repository}#${b.number} has no PR row`);
      // Read after the verdict update (which locked the row): summary columns are still the previous ones.
      const before = await this.lockPullRequest(trx, b.repository, b.number);
      for (let i = 0; i < b.commits.length; i += 100) {
        await trx
          .insertInto('commits')
          .values(
            b.commits.slice(i, i + 100).map((c) => ({
              repository: b.repository,
              number: b.number,
              sha: c.sha.toLowerCase(),
              agent: bool(c.agent),
              author_login: c.authorLogin,
              first_seen_head_sha: c.firstSeenHeadSha,
              first_seen_at: c.firstSeenAt,
            })),
          )
          .onConflict((oc) => oc.columns(['repository', 'number', 'sha']).doNothing())
          .execute();
      }
      await this.resolvePushes(trx, b.repository, b.number);
      return this.recompute(trx, b.repository, b.number, before);
    });
  }

  /** Loads a PR's stored events as the timeline the definitions consume. Null when the PR is unknown. */
  async loadTimeline(db: Db, repository: string, number: number): Promise<PullRequestTimeline | null> {
    const pr = await db
      .selectFrom('pull_requests')
      .selectAll()
      .where('repository', '=', repository)
      .where('number', '=', number)
      .executeTakeFirst();
    return pr ? (await this.loadEvents(db, pr)).timeline : null;
  }

  /**
   * PostgreSQL: the five event tables of a PR in one round trip (JSON aggregates), instead of five queries.
   * Column names and types match `selectEventRows` (integers and doubles come back as JSON numbers).
   */
  private async selectEventRowsInOneRoundTrip(db: Db, repository: string, number: number): Promise<EventRows> {
    const where = sql`t.repository = ${repository} AND t.number = ${number}`;
    const { rows } = await sql<{ [K in keyof EventRows]: EventRows[K] | null }>`
      SELECT
        (SELECT json_agg(t) FROM pr_events t WHERE ${where}) AS events,
        (SELECT json_agg(t) FROM reviews t WHERE ${where}) AS reviews,
        (SELECT json_agg(t) FROM pushes t WHERE ${where}) AS pushes,
        (SELECT json_agg(json_build_object('evaluated_at', t.evaluated_at, 'conclusion', t.conclusion,
                'gate_satisfied', t.gate_satisfied, 'failing_rules', t.failing_rules,
                'qualifying_approvals', t.qualifying_approvals)) FROM evaluations t WHERE ${where}) AS evaluations,
        (SELECT json_agg(t) FROM overrides t WHERE ${where}) AS overrides`.execute(db);
    const row = rows[0];
    return {
      events: row?.events ?? [],
      reviews: row?.reviews ?? [],
      pushes: row?.pushes ?? [],
      evaluations: row?.evaluations ?? [],
      overrides: row?.overrides ?? [],
    };
  }

  private async loadEvents(
    db: Db,
    pr: PullRequestRow,
  ): Promise<{
    timeline: PullRequestTimeline;
    reviews: Array<{ reviewer: string; relation: string }>;
    pushes: Array<{ after_sha: string; pushed_by: string; after_first_review: number }>;
  }> {
    const { repository, number } = pr;
    const { events, reviews, pushes, evaluations, overrides } =
      this.dialect === 'postgres'
        ? await this.selectEventRowsInOneRoundTrip(db, repository, number)
        : await selectEventRows(db, repository, number);
    const timeline: TimelineEvent[] = [];
    for (const e of events) {
      if (e.type === 'opened') timeline.push({ kind: 'opened', at: e.at, draft: e.draft === 1 });
      else if (e.type === 'closed') timeline.push({ kind: 'closed', at: e.at, merged: e.merged === 1 });
      else if (e.type === 'reopened' || e.type === 'ready_for_review' || e.type === 'converted_to_draft') {
        timeline.push({ kind: e.type, at: e.at });
      }
    }
    for (const r of reviews) {
      timeline.push({
        kind: 'review',
        at: r.submitted_at,
        reviewId: Number(r.review_id),
        reviewer: r.reviewer,
        reviewerKind: r.reviewer_kind as ReviewerKind,
        state: r.state as 'approved' | 'changes_requested' | 'commented',
        dismissedAt: r.dismissed_at,
      });
    }
    for (const p of pushes) {
      timeline.push({
        kind: 'push',
        at: p.pushed_at,
        afterSha: p.after_sha,
        beforeSha: p.before_sha,
        senderLogin: p.sender_login,
        senderType: p.sender_type,
        agentCommits: p.agent_commits,
        humanCommits: p.human_commits,
        rewroteHistory: p.rewrote_history === 1,
      });
    }
    for (const e of evaluations) {
      timeline.push({
        kind: 'evaluation',
        at: e.evaluated_at,
        conclusion: e.conclusion as 'success',
        gateSatisfied: e.gate_satisfied === 1,
        failingRules: parseJsonArray<string>(e.failing_rules),
        qualifyingApprovals: parseJsonArray<{ login: string; submittedAt: string }>(e.qualifying_approvals),
      });
    }
    for (const o of overrides) timeline.push({ kind: 'override', at: o.at, login: o.login });
    return {
      timeline: {
        repository,
        number,
        authorLogin: pr.author_login,
        authorClass: pr.author_class as StoredAuthorClass,
        agent: pr.agent,
        humanOfRecord: pr.human_of_record,
        requiredReviewers: parseJsonArray<string>(pr.required_reviewers),
        events: timeline,
      },
      reviews,
      pushes,
    };
  }

  /**
   * Recomputes a PR's figures from its events and writes what changed (PR columns, review relations, push
   * attribution). `before` is the PR row read (and on PostgreSQL locked) earlier in the same transaction, after
   * any identity/verdict update. Returns what became known for the first time.
   */
  private async recompute(trx: Db, repository: string, number: number, before: PullRequestRow | undefined): Promise<Transition[]> {
    const current =
      before ??
      (await trx
        .selectFrom('pull_requests')
        .selectAll()
        .where('repository', '=', repository)
        .where('number', '=', number)
        .executeTakeFirst());
    if (!current) return [];
    const { timeline, reviews, pushes } = await this.loadEvents(trx, current);
    const columns = summaryColumns(summarizePullRequest(timeline));
    const changed = (Object.keys(columns) as Array<keyof typeof columns>).some((k) => columns[k] !== current[k]);
    if (changed) {
      await trx.updateTable('pull_requests').set(columns).where('repository', '=', repository).where('number', '=', number).execute();
    }
    // Per-review relation and per-push attribution, for reading the rows directly; written only when changed.
    const relations = new Map<string, string>();
    for (const r of reviews) {
      const relation = relations.get(r.reviewer) ?? reviewerRelation(timeline, r.reviewer);
      relations.set(r.reviewer, relation);
      if (relation === r.relation) continue;
      await trx
        .updateTable('reviews')
        .set({ relation })
        .where('repository', '=', repository)
        .where('number', '=', number)
        .where('reviewer', '=', r.reviewer)
        .execute();
    }
    const firstReview = timeline.events
      .filter((e) => e.kind === 'review' && e.reviewerKind === 'human')
      .map((e) => Date.parse(e.at))
      .sort((a, b) => a - b)[0];
    for (const e of timeline.events) {
      if (e.kind !== 'push') continue;
      const stored = pushes.find((p) => p.after_sha === e.afterSha);
      const pushedBy = pusherClass(timeline, e);
      const afterFirstReview = bool(firstReview !== undefined && Date.parse(e.at) > firstReview);
      if (stored && stored.pushed_by === pushedBy && stored.after_first_review === afterFirstReview) continue;
      await trx
        .updateTable('pushes')
        .set({ pushed_by: pushedBy, after_first_review: afterFirstReview })
        .where('repository', '=', repository)
        .where('number', '=', number)
        .where('after_sha', '=', e.afterSha)
        .execute();
    }
    return transitionsBetween(before, { ...current, ...columns });
  }

  /**
   * PR rows for reports: PRs created at or after `since` (ISO), optionally of one repository, ordered by
   * repository and number.
   */
  async listPullRequests(filter: { since?: Date; repository?: string } = {}): Promise<PullRequestRow[]> {
    let q = this.db.selectFrom('pull_requests').selectAll();
    if (filter.since) q = q.where('created_at', '>=', filter.since.toISOString());
    if (filter.repository) q = q.where('repository', '=', filter.repository);
    return q.orderBy('repository').orderBy('number').execute();
  }

  /** Revert rows, optionally of one repository. */
  async listReverts(filter: { repository?: string } = {}): Promise<RevertRow[]> {
    let q = this.db.selectFrom('reverts').selectAll();
    if (filter.repository) q = q.where('repository', '=', filter.repository);
    return q.orderBy('repository').orderBy('reverted_number').execute();
  }

  /** PRs ready for review, open, not draft and without a first human review, grouped by labels (for gauges). */
  async waitingForFirstReview(now: Date): Promise<WaitingGroup[]> {
    const rows = await this.db
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

  /** Reads the backfill cursor of a repository (null when none). */
  async getBackfillCursor(repository: string): Promise<{ since: string; cursor: string; completedAt: string | null } | null> {
    const row = await this.db.selectFrom('backfill_cursors').selectAll().where('repository', '=', repository).executeTakeFirst();
    return row ? { since: row.since, cursor: row.cursor, completedAt: row.completed_at } : null;
  }

  /** Writes the backfill cursor of a repository. */
  async setBackfillCursor(repository: string, since: string, cursor: string, completed: boolean): Promise<void> {
    const values = { since, cursor, completed_at: completed ? nowIso() : null, updated_at: nowIso() };
    await this.db
      .insertInto('backfill_cursors')
      .values({ repository, ...values })
      .onConflict((oc) => oc.column('repository').doUpdateSet(values))
      .execute();
  }

  /** Closes the underlying connection pool / database file. */
  async close(): Promise<void> {
    await this.db.destroy();
  }
}

type EventRows = {
  events: Selectable<PrEventsTable>[];
  reviews: Selectable<ReviewsTable>[];
  pushes: Selectable<PushesTable>[];
  evaluations: Array<Pick<EvaluationsTable, 'evaluated_at' | 'conclusion' | 'gate_satisfied' | 'failing_rules' | 'qualifying_approvals'>>;
  overrides: Selectable<OverridesTable>[];
};

/** The five event tables of a PR, one query each (SQLite: in-process, no round trips to save). */
async function selectEventRows(db: Db, repository: string, number: number): Promise<EventRows> {
  return {
    events: await db.selectFrom('pr_events').selectAll().where('repository', '=', repository).where('number', '=', number).execute(),
    reviews: await db.selectFrom('reviews').selectAll().where('repository', '=', repository).where('number', '=', number).execute(),
    pushes: await db.selectFrom('pushes').selectAll().where('repository', '=', repository).where('number', '=', number).execute(),
    evaluations: await db
      .selectFrom('evaluations')
      .select(['evaluated_at', 'conclusion', 'gate_satisfied', 'failing_rules', 'qualifying_approvals'])
      .where('repository', '=', repository)
      .where('number', '=', number)
      .execute(),
    overrides: await db.selectFrom('overrides').selectAll().where('repository', '=', repository).where('number', '=', number).execute(),
  };
}

function summaryColumns(s: PullRequestSummary): Partial<PullRequestsTable> {
  return {
    state: s.state,
    ready_at: s.readyAt,
    first_human_review_at: s.firstHumanReviewAt,
    first_approval_at: s.firstApprovalAt,
    first_qualifying_approval_at: s.firstQualifyingApprovalAt,
    gate_satisfied_at: s.gateSatisfiedAt,
    merged_at: s.mergedAt,
    closed_at: s.closedAt,
    time_to_first_review_s: s.timeToFirstReviewSeconds,
    time_to_first_approval_s: s.timeToFirstApprovalSeconds,
    time_to_merge_s: s.timeToMergeSeconds,
    review_rounds: s.reviewRounds,
    agent_pushes_after_first_review: s.agentPushesAfterFirstReview,
    human_pushes_after_first_review: s.humanPushesAfterFirstReview,
    human_rework: s.humanRework === null ? null : bool(s.humanRework),
    human_rework_commits: s.humanReworkCommits,
    overridden: bool(s.overridden),
    merged_without_review: bool(s.mergedWithoutReview),
    merged_without_qualifying_approval: bool(s.mergedWithoutQualifyingApproval),
  };
}

/** Facts that became known in this write (null → set), each to be observed exactly once. */
export function transitionsBetween(before: PullRequestRow | undefined, after: PullRequestRow): Transition[] {
  const labels = labelsOf(after);
  const out: Transition[] = [];
  const newly = <K extends keyof PullRequestRow>(k: K): boolean => after[k] !== null && (before?.[k] ?? null) === null;
  if (newly('time_to_first_review_s') && after.time_to_first_review_s !== null) {
    out.push({ kind: 'time_to_first_review', seconds: after.time_to_first_review_s, labels });
  }
  if (newly('time_to_first_approval_s') && after.time_to_first_approval_s !== null) {
    out.push({ kind: 'time_to_first_approval', seconds: after.time_to_first_approval_s, labels });
  }
  if (newly('merged_at')) {
    if (after.time_to_merge_s !== null) out.push({ kind: 'time_to_merge', seconds: after.time_to_merge_s, labels });
    out.push({ kind: 'review_rounds', value: after.review_rounds, labels });
    if (after.merged_without_review === 1) out.push({ kind: 'merged_without_review', labels });
    if (after.merged_without_qualifying_approval === 1) out.push({ kind: 'merged_without_qualifying_approval', labels });
  }
  return out;
}
