/**
 * Gate evaluations and backfilled verdicts: the PR's authorship verdict, sensitive groups, size and required
 * reviewers; the evaluation row (idempotent on delivery id + PR + head SHA) with the rules that applied and what
 * enforcement would have concluded; the commits the gate saw; and a valid override with its details.
 */
import type { AuthorshipVerdict } from '../../authorship/types.js';
import type { EvaluationRecord } from '../sink.js';
import { highestSensitiveGroup } from '../definitions.js';
import {
  bool,
  executeTogether,
  labelsOf,
  lockPullRequestQuery,
  nowIso,
  NEW_PULL_REQUEST_COUNTERS,
  type Db,
  type PullRequestRow,
  type StoreContext,
  type Transition,
} from './common.js';
import {
  attributePushes,
  insertCommits,
  insertCommitsQueries,
  resolvePushes,
  unresolvedPushesQuery,
  type SeenCommit,
} from './attribution.js';

/** What `storeEvaluation` did, for deciding whether the PR's figures must be recomputed. */
export interface StoredEvaluation {
  status: 'recorded' | 'duplicate';
  /** False when the evaluation repeats the latest one and changed no verdict, commit, override or push, and the figures are not stale. */
  figuresMayChange: boolean;
  transitions: Transition[];
  /** The PR row as the evaluation left it (locked on PostgreSQL), for the recomputation that follows. */
  pullRequest: PullRequestRow;
}

/** Longest override reason kept, in characters. */
export const MAX_OVERRIDE_REASON = 500;

/**
 * Stores one evaluation inside `trx` (the PR row is locked first on PostgreSQL). `known`: the PR row as this
 * transaction last wrote it (by `applyPendingDeliveries`), already locked, so not read again. Does not recompute
 * figures: the caller does, once, when `figuresMayChange`. Typically three statements on PostgreSQL (the PR row,
 * latest evaluation and insert together; commits and override together; push attribution). Throws on store errors.
 */
export async function storeEvaluation(ctx: StoreContext, trx: Db, r: EvaluationRecord, known?: PullRequestRow): Promise<StoredEvaluation> {
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
  const evaluation = {
    gate_satisfied: bool(r.gateSatisfied),
    failing_rules: JSON.stringify(r.failingRules),
    qualifying_approvals: JSON.stringify(
      r.qualifyingApprovals.map((a) => ({ login: a.login, submittedAt: new Date(a.submittedAt).toISOString() })),
    ),
    evaluated_at: r.evaluatedAt.toISOString(),
    rules: r.rules ? JSON.stringify(r.rules.map((x) => ({ name: x.name, mode: x.mode, holds: x.holds }))) : null,
    overridden: bool(r.override !== null),
  };
  // One statement on PostgreSQL: the PR row (locked; unless the caller has it), the latest evaluation as it was
  // before this one, and this one's insert (idempotent: nothing returned for a duplicate).
  const [locked, latestRows, insertedRows] = await executeTogether(ctx, trx, [
    known ? undefined : lockPullRequestQuery(ctx, trx, r.repository, r.pullNumber),
    trx
      .selectFrom('evaluations')
      .select(['gate_satisfied', 'failing_rules', 'qualifying_approvals', 'evaluated_at', 'rules', 'overridden'])
      .where('repository', '=', r.repository)
      .where('number', '=', r.pullNumber)
      .orderBy('evaluated_at', 'desc')
      .limit(1),
    trx
      .insertInto('evaluations')
      .values({
        delivery_id: r.deliveryId.slice(0, 128),
        repository: r.repository,
        number: r.pullNumber,
        head_sha: r.headSha,
        conclusion: r.conclusion,
        ...evaluation,
        enforce_conclusion: r.enforceConclusion ?? null,
        commit_shas: JSON.stringify(r.commits.map((c) => c.sha)),
        duration_ms: r.durationMs,
      })
      .onConflict((oc) => oc.columns(['delivery_id', 'repository', 'number', 'head_sha']).doNothing())
      .returning('delivery_id'),
  ]);
  const found = known ?? locked[0];
  const latest = latestRows[0];
  const verdictChanged = !found || (Object.keys(verdict) as Array<keyof typeof verdict>).some((k) => found[k] !== verdict[k]);
  const before = found && !verdictChanged ? found : await upsertVerdict();
  async function upsertVerdict(): Promise<PullRequestRow> {
    const values = { ...verdict, updated_at: nowIso() };
    return trx
      .insertInto('pull_requests')
      .values({
        repository: r.repository,
        number: r.pullNumber,
        ...values,
        head_sha: r.headSha,
        draft: 0,
        state: 'open',
        figures_stale: 1,
        ...NEW_PULL_REQUEST_COUNTERS,
      })
      .onConflict((oc) => oc.columns(['repository', 'number']).doUpdateSet(values))
      .returningAll()
      .executeTakeFirstOrThrow();
  }
  if (insertedRows.length === 0) return { status: 'duplicate', figuresMayChange: false, transitions: [], pullRequest: before };

  const transitions: Transition[] = [];
  const seenAt = r.evaluatedAt.toISOString();
  // The commits it saw and a valid override, with the PR's unresolved pushes as they were before: one statement on
  // PostgreSQL. The pushes are then attributed counting the commits just inserted (all first seen at this head).
  const commitInserts = insertCommitsQueries(
    trx,
    r.repository,
    r.pullNumber,
    r.commits.map((c) => ({ sha: c.sha, agent: c.agent, authorLogin: c.authorLogin, firstSeenHeadSha: r.headSha, firstSeenAt: seenAt })),
  );
  const o = r.override;
  const [unresolved, ...written] = await executeTogether(ctx, trx, [
    unresolvedPushesQuery(trx, r.repository, r.pullNumber),
    ...commitInserts,
    o
      ? trx
          .insertInto('overrides')
          .values({
            repository: r.repository,
            number: r.pullNumber,
            login: o.login,
            at: new Date(o.at).toISOString(),
            head_sha: o.headSha ?? r.headSha,
            reason: o.reason ? o.reason.slice(0, MAX_OVERRIDE_REASON) : null,
            source: o.source ?? null,
          })
          .onConflict((oc) => oc.columns(['repository', 'number', 'login', 'at']).doNothing())
          .returning('login')
      : undefined,
  ]);
  const inserted = written.slice(0, commitInserts.length).flat() as Array<{ agent: number }>;
  const newCommits = inserted.length;
  const newOverride = (written[commitInserts.length]?.length ?? 0) > 0;
  if (newOverride) transitions.push({ kind: 'override', labels: labelsOf(before) });
  const resolved = await attributePushes(trx, r.repository, r.pullNumber, unresolved, {
    headSha: r.headSha,
    commits: inserted,
  });
  // The figures depend on evaluations only through gate satisfaction, failing rules, counted approvals, the
  // rules' outcomes and the override flag: an evaluation that repeats the latest one changes none of them.
  const repeatsLatest =
    latest !== undefined &&
    latest.evaluated_at <= evaluation.evaluated_at &&
    latest.gate_satisfied === evaluation.gate_satisfied &&
    latest.failing_rules === evaluation.failing_rules &&
    latest.qualifying_approvals === evaluation.qualifying_approvals &&
    latest.rules === evaluation.rules &&
    latest.overridden === evaluation.overridden;
  const stale = before.figures_stale === 1;
  return {
    status: 'recorded',
    figuresMayChange: stale || verdictChanged || newCommits > 0 || newOverride || resolved > 0 || !repeatsLatest,
    transitions,
    pullRequest: before,
  };
}

/** What a backfill learned about one PR besides its webhook-shaped events. */
export interface BackfillRecord {
  repository: string;
  number: number;
  authorship: AuthorshipVerdict;
  /** Sensitive path groups the PR touches (from its files and the repository's config); null: not known. */
  sensitiveGroups?: string[] | null;
  changedFiles: number | null;
  additions: number | null;
  deletions: number | null;
  commits: SeenCommit[];
}

/**
 * Stores a backfilled PR's verdict, size, sensitive groups and commits (which attribute its pushes) inside
 * `trx`. No gate evaluation is invented. Throws when the PR row does not exist (its deliveries come first).
 */
export async function storeBackfill(trx: Db, b: BackfillRecord): Promise<void> {
  const groups = b.sensitiveGroups ? [...new Set(b.sensitiveGroups)].sort() : null;
  const res = await trx
    .updateTable('pull_requests')
    .set({
      author_class: b.authorship.class,
      agent: b.authorship.agent,
      confidence: b.authorship.confidence,
      human_of_record: b.authorship.humanOfRecord,
      ...(groups ? { sensitive_groups: JSON.stringify(groups), highest_sensitive_group: highestSensitiveGroup(groups) } : {}),
      ...(b.changedFiles !== null ? { changed_files: b.changedFiles } : {}),
      ...(b.additions !== null ? { additions: b.additions } : {}),
      ...(b.deletions !== null ? { deletions: b.deletions } : {}),
      figures_stale: 1,
      updated_at: nowIso(),
    })
    .where('repository', '=', b.repository)
    .where('number', '=', b.number)
    .executeTakeFirst();
  if (!res.numUpdatedRows) throw new Error(`backfill: ${b.repository}#${b.number} has no PR row`);
  await insertCommits(trx, b.repository, b.number, b.commits);
  await resolvePushes(trx, b.repository, b.number);
}
