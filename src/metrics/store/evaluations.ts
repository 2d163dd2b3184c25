/**
 * Gate evaluations and backfilled verdicts: the PR's authorship verdict, sensitive groups, size and required
 * reviewers; the evaluation row (idempotent on delivery id + PR + head SHA) with the rules that applied and what
 * enforcement would have concluded; the commits the gate saw; and a valid override with its details.
 */
import { sql, type RawBuilder } from 'kysely';
import type { AuthorshipVerdict } from '../../authorship/types.js';
import type { EvaluationRecord } from '../sink.js';
import type { EvaluationsTable, OverridesTable } from '../schema.js';
import { highestSensitiveGroup } from '../definitions.js';
import {
  bool,
  executeTogether,
  insertRows,
  labelsOf,
  lockPullRequestQuery,
  nowIso,
  NEW_PULL_REQUEST_COUNTERS,
  togetherReturnedRows,
  type Db,
  type PullRequestRow,
  type StoreContext,
  type Transition,
} from './common.js';
import {
  attributionsOf,
  insertCommits,
  insertCommitsQueries,
  resolvePushes,
  unresolvedPushesQuery,
  writeAttributions,
  type PushAttribution,
  type SeenCommit,
  type UnresolvedPush,
} from './attribution.js';
import { eventRowsOf, eventRowsQueries, type EventRows, type PreparedRecompute } from './recompute.js';

/** What `storeEvaluation` did, for deciding whether the PR's figures must be recomputed. */
export interface StoredEvaluation {
  status: 'recorded' | 'duplicate';
  /** False when the evaluation repeats the latest one and changed no verdict, commit, override or push, and the figures are not stale. */
  figuresMayChange: boolean;
  transitions: Transition[];
  /** The PR row as the evaluation left it (locked on PostgreSQL), for the recomputation that follows. */
  pullRequest: PullRequestRow;
  /**
   * When the PR row was known: the PR's rows as the evaluation left them and the push attributions still to be
   * written, for `recomputePullRequest`, which must then follow (the attributions are written by it).
   */
  prepared?: PreparedRecompute;
}

/** Longest override reason kept, in characters. */
export const MAX_OVERRIDE_REASON = 500;

/**
 * Stores one evaluation inside `trx` (the PR row is locked first on PostgreSQL). Does not recompute figures: the
 * caller does, once, when `figuresMayChange`.
 *
 * `known`: the PR row as this transaction last wrote it (by `applyPendingDeliveries`), already locked, so not read
 * again. Then everything is one statement on PostgreSQL (the verdict's update, the reads the recomputation needs,
 * the evaluation's insert and, when it was inserted, its commits and override), and the result carries `prepared`:
 * the caller must then recompute with it, which also writes the push attributions. `pushesApplied`: pushes were
 * stored by `applyPendingDeliveries` with `leavePushes`, to be attributed here as `resolvePushes` would have.
 * Without `known`: the PR row locked with the latest evaluation and the insert, the verdict's upsert when it
 * changed, then the commits, override and push attribution (three or four statements). Throws on store errors.
 */
export async function storeEvaluation(
  ctx: StoreContext,
  trx: Db,
  r: EvaluationRecord,
  known?: PullRequestRow,
  pushesApplied = false,
): Promise<StoredEvaluation> {
  const { verdict, evaluation, commitShas, evaluationRow, seen, overrideRow } = rowsOfEvaluation(r);
  const upsertVerdict = () => {
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
      .returningAll();
  };
  const latestQuery = trx
    .selectFrom('evaluations')
    .select(['gate_satisfied', 'failing_rules', 'qualifying_approvals', 'evaluated_at', 'rules', 'overridden'])
    .where('repository', '=', r.repository)
    .where('number', '=', r.pullNumber)
    .orderBy('evaluated_at', 'desc')
    .limit(1);
  const evaluationInsert = trx
    .insertInto('evaluations')
    .values(evaluationRow)
    .onConflict((oc) => oc.columns(['delivery_id', 'repository', 'number', 'head_sha']).doNothing())
    .returning('delivery_id');
  /** The commits and the override, inserted when the evaluation was (`onlyIf`: see `insertCommitsQueries`). */
  const commitAndOverrideInserts = (onlyIf?: RawBuilder<boolean>) => [
    ...insertCommitsQueries(trx, r.repository, r.pullNumber, seen, onlyIf),
    overrideRow
      ? insertRows(
          trx,
          'overrides',
          ['repository', 'number', 'login', 'at', 'head_sha', 'reason', 'source'],
          ['text', 'integer', 'text', 'text', 'text', 'text', 'text'],
          [overrideRow],
          onlyIf,
        )
          .onConflict((oc) => oc.columns(['repository', 'number', 'login', 'at']).doNothing())
          .returningAll()
      : undefined,
  ];

  let before: PullRequestRow;
  let verdictChanged: boolean;
  let latest: LatestEvaluation | undefined;
  let inserted: boolean;
  /** The PR's unresolved pushes, read before the commits were inserted. */
  let unresolved: UnresolvedPush[];
  /** Pushes attributed as `resolvePushes` would have after the deliveries were applied. */
  let afterApply: PushAttribution[] = [];
  let written: unknown[][];
  let rows: EventRows | undefined;
  if (known) {
    // One statement on PostgreSQL, which sees the rows as they were before it (those applied from deliveries): the
    // verdict's update when it changed; the latest evaluation before this one; the unresolved pushes and the PR's
    // rows for the recomputation, which miss only what this statement writes (added below); the evaluation's insert
    // (idempotent: nothing returned for a duplicate); and, only when it inserted a row, the commits and the override.
    // SQLite runs the queries in this order, then the commits and the override when the evaluation was inserted.
    verdictChanged = verdictDiffers(known, verdict);
    const postgres = ctx.dialect === 'postgres';
    const together = [
      verdictChanged ? upsertVerdict() : undefined,
      latestQuery,
      unresolvedPushesQuery(trx, r.repository, r.pullNumber),
      ...eventRowsQueries(trx, r.repository, r.pullNumber),
      evaluationInsert,
    ] as const;
    const insertIndex = together.length - 1;
    const results = (await executeTogether(ctx, trx, [
      ...together,
      ...(postgres ? commitAndOverrideInserts(togetherReturnedRows(insertIndex)) : []),
    ])) as unknown[][];
    before = verdictChanged ? (results[0]?.[0] as PullRequestRow) : known;
    latest = results[1]?.[0] as LatestEvaluation | undefined;
    unresolved = results[2] as UnresolvedPush[];
    rows = eventRowsOf(results.slice(3, insertIndex));
    inserted = (results[insertIndex]?.length ?? 0) > 0;
    if (pushesApplied) afterApply = attributionsOf(unresolved);
    if (!inserted)
      return {
        status: 'duplicate',
        figuresMayChange: false,
        transitions: [],
        pullRequest: before,
        prepared: { rows, attributions: afterApply },
      };
    written = postgres ? results.slice(insertIndex + 1) : await executeTogether(ctx, trx, commitAndOverrideInserts());
    // What the attribution read after the evaluation's insert would see: the evaluation's commit SHAs for a push of
    // its head that none evaluated before (a push an evaluation had seen was attributed above).
    const attributed = new Set(afterApply.map((a) => a[0]));
    unresolved = unresolved
      .filter((p) => !attributed.has(p.after_sha))
      .map((p) => (p.commit_shas === null && p.after_sha === r.headSha ? { ...p, commit_shas: commitShas } : p));
    rows.evaluations.push({ ...evaluation, conclusion: r.conclusion });
  } else {
    // Pushes stored by the deliveries are attributed first, from what the evaluation cannot change.
    if (pushesApplied) await resolvePushes(trx, r.repository, r.pullNumber);
    // One statement on PostgreSQL: the PR row (locked), the latest evaluation as it was before this one, and this
    // one's insert (idempotent: nothing returned for a duplicate).
    const [locked, latestRows, insertedRows] = await executeTogether(ctx, trx, [
      lockPullRequestQuery(ctx, trx, r.repository, r.pullNumber),
      latestQuery,
      evaluationInsert,
    ]);
    const found = locked[0];
    verdictChanged = verdictDiffers(found, verdict);
    before = found && !verdictChanged ? found : await upsertVerdict().executeTakeFirstOrThrow();
    latest = latestRows[0];
    inserted = insertedRows.length > 0;
    if (!inserted) return { status: 'duplicate', figuresMayChange: false, transitions: [], pullRequest: before };
    // The commits it saw and a valid override, with the PR's unresolved pushes as they were before: one statement
    // on PostgreSQL (the row lock above was taken in an earlier statement, so this one sees every write before it).
    [unresolved, ...written] = await executeTogether(ctx, trx, [
      unresolvedPushesQuery(trx, r.repository, r.pullNumber),
      ...commitAndOverrideInserts(),
    ]);
  }

  const transitions: Transition[] = [];
  const commitCount = written.length - 1;
  const newCommits = written.slice(0, commitCount).flat() as Array<{ agent: number }>;
  const newOverride = written[commitCount]?.[0] as OverridesTable | undefined;
  if (newOverride) {
    transitions.push({ kind: 'override', labels: labelsOf(before) });
    rows?.overrides.push(newOverride);
  }
  // The pushes are attributed counting the commits just inserted (all first seen at this head).
  const attributedNow = attributionsOf(unresolved, { headSha: r.headSha, commits: newCommits });
  if (!rows) await writeAttributions(trx, r.repository, r.pullNumber, attributedNow);
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
    figuresMayChange:
      stale || verdictChanged || newCommits.length > 0 || newOverride !== undefined || attributedNow.length > 0 || !repeatsLatest,
    transitions,
    pullRequest: before,
    ...(rows ? { prepared: { rows, attributions: [...afterApply, ...attributedNow] } } : {}),
  };
}

/**
 * The rows one evaluation writes: the PR's verdict columns, the evaluation row (and the part of it the figures
 * read), the commits it saw (first seen at its head) and its override row (null: none). Pure.
 */
function rowsOfEvaluation(r: EvaluationRecord) {
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
  const commitShas = JSON.stringify(r.commits.map((c) => c.sha));
  const evaluationRow = {
    delivery_id: r.deliveryId.slice(0, 128),
    repository: r.repository,
    number: r.pullNumber,
    head_sha: r.headSha,
    conclusion: r.conclusion,
    ...evaluation,
    enforce_conclusion: r.enforceConclusion ?? null,
    commit_shas: commitShas,
    duration_ms: r.durationMs,
  };
  const seenAt = r.evaluatedAt.toISOString();
  const seen: SeenCommit[] = r.commits.map((c) => ({
    sha: c.sha,
    agent: c.agent,
    authorLogin: c.authorLogin,
    firstSeenHeadSha: r.headSha,
    firstSeenAt: seenAt,
  }));
  const o = r.override;
  const overrideRow: OverridesTable | null = o
    ? {
        repository: r.repository,
        number: r.pullNumber,
        login: o.login,
        at: new Date(o.at).toISOString(),
        head_sha: o.headSha ?? r.headSha,
        reason: o.reason ? o.reason.slice(0, MAX_OVERRIDE_REASON) : null,
        source: o.source ?? null,
      }
    : null;
  return { verdict, evaluation, commitShas, evaluationRow, seen, overrideRow };
}

/** True when the PR row is missing or any of `verdict`'s columns differs from it (the verdict must be written). */
function verdictDiffers(row: PullRequestRow | undefined, verdict: Partial<PullRequestRow>): boolean {
  return !row || (Object.keys(verdict) as Array<keyof PullRequestRow>).some((k) => row[k] !== verdict[k]);
}

/** The latest evaluation's columns the figures depend on. */
type LatestEvaluation = Pick<
  EvaluationsTable,
  'gate_satisfied' | 'failing_rules' | 'qualifying_approvals' | 'evaluated_at' | 'rules' | 'overridden'
>;

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

/** A pending evaluation as claimed: the record and when the job recorded it. */
export interface PendingEvaluation {
  record: EvaluationRecord;
  /** ISO 8601. */
  recordedAt: string;
}

/** Most pending evaluations of one PR applied in one transaction (the rest wait for the next recomputation). */
const EVALUATION_BATCH = 100;

/**
 * Records an evaluation as one pending row, idempotent on delivery id + PR + head SHA (the evaluations' own key):
 * one statement, no transaction, no row of another table touched. `recordedAt` (default now) places it among the
 * PR's pending deliveries. Resolves `recorded`, or `duplicate` when that row is already pending. Throws on store
 * errors.
 */
export async function queueEvaluation(db: Db, r: EvaluationRecord, recordedAt = new Date()): Promise<'recorded' | 'duplicate'> {
  const inserted = await db
    .insertInto('pending_evaluations')
    .values({
      delivery_id: r.deliveryId.slice(0, 128),
      repository: r.repository,
      number: r.pullNumber,
      head_sha: r.headSha,
      recorded_at: recordedAt.toISOString(),
      record: JSON.stringify(pendingRecordOf(r)),
    })
    .onConflict((oc) => oc.columns(['delivery_id', 'repository', 'number', 'head_sha']).doNothing())
    .returning('delivery_id')
    .execute();
  return inserted.length > 0 ? 'recorded' : 'duplicate';
}

/**
 * What a pending row keeps of an evaluation: what storing it reads. The authorship verdict is cut to its class,
 * agent, confidence and human of record: its reasons carry values matched in the PR (branch names, body markers,
 * commit e-mails), which the store never keeps, and its commit lists are in `commits` already.
 */
function pendingRecordOf(r: EvaluationRecord): EvaluationRecord {
  const { class: authorClass, agent, confidence, humanOfRecord } = r.authorship;
  return {
    ...r,
    authorship: { class: authorClass, agent, confidence, humanOfRecord, agentCommitShare: 0, agentCommitShas: [], reasons: [] },
  };
}

/**
 * Claims (deletes and returns) the pending evaluations of one PR inside `trx`, oldest first, at most
 * {@link EVALUATION_BATCH}; the caller stores them in the same transaction, so a failure rolls the claim back.
 * PostgreSQL: one statement, rows another transaction is applying skipped (`FOR UPDATE SKIP LOCKED`). Throws on
 * store errors.
 */
export async function claimPendingEvaluations(
  ctx: StoreContext,
  trx: Db,
  repository: string,
  number: number,
): Promise<PendingEvaluation[]> {
  let rows: Array<{ record: string; recorded_at: string; delivery_id: string; head_sha: string }>;
  if (ctx.dialect === 'postgres') {
    ({ rows } = await sql<{ record: string; recorded_at: string; delivery_id: string; head_sha: string }>`
      DELETE FROM pending_evaluations AS p
      USING (SELECT delivery_id, head_sha FROM pending_evaluations
             WHERE repository = ${repository} AND number = ${number}
             ORDER BY recorded_at LIMIT ${EVALUATION_BATCH} FOR UPDATE SKIP LOCKED) AS claimed
      WHERE p.repository = ${repository} AND p.number = ${number}
        AND p.delivery_id = claimed.delivery_id AND p.head_sha = claimed.head_sha
      RETURNING p.record, p.recorded_at, p.delivery_id, p.head_sha`.execute(trx));
  } else {
    rows = await trx
      .selectFrom('pending_evaluations')
      .select(['record', 'recorded_at', 'delivery_id', 'head_sha'])
      .where('repository', '=', repository)
      .where('number', '=', number)
      .orderBy('recorded_at')
      .limit(EVALUATION_BATCH)
      .execute();
    if (rows.length > 0)
      await trx
        .deleteFrom('pending_evaluations')
        .where('repository', '=', repository)
        .where('number', '=', number)
        .where((eb) => eb.or(rows.map((r) => eb.and({ delivery_id: r.delivery_id, head_sha: r.head_sha }))))
        .execute();
  }
  rows.sort((a, b) =>
    a.recorded_at === b.recorded_at ? (a.delivery_id < b.delivery_id ? -1 : 1) : a.recorded_at < b.recorded_at ? -1 : 1,
  );
  return rows.map((row) => {
    const record = JSON.parse(row.record) as EvaluationRecord & { evaluatedAt: string };
    return { record: { ...record, evaluatedAt: new Date(record.evaluatedAt) }, recordedAt: row.recorded_at };
  });
}

/** PRs with pending evaluations, oldest first, at most `limit`. */
export async function listPendingEvaluationScopes(db: Db, limit: number): Promise<Array<{ repository: string; number: number }>> {
  const rows = await db
    .selectFrom('pending_evaluations')
    .select(['repository', 'number'])
    .select((eb) => eb.fn.min('recorded_at').as('oldest'))
    .groupBy(['repository', 'number'])
    .orderBy('oldest')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ repository: r.repository, number: r.number }));
}

/** Size columns of the PR row that deliveries write too (non-null values only), for `storeEvaluations`. */
export interface SizeColumns {
  changed_files?: number;
  additions?: number;
  deletions?: number;
}

/**
 * Stores a PR's pending evaluations `records` (oldest first) inside `trx`, after its pending deliveries were
 * applied, in two statements on PostgreSQL whatever their number, with the same rows as storing them one by one
 * (`storeEvaluation`) in that order: (1) the PR row (locked), its unresolved pushes and its rows for the
 * recomputation, and the insert of every evaluation (idempotent: duplicates are left out and add nothing else);
 * (2) the verdict of the last one when it differs from the row, the commits first seen by the inserted ones and
 * their overrides. Push attributions are computed evaluation by evaluation, as each would have. `sizesAfter`: the
 * size columns deliveries received after the last evaluation wrote (they are written last). `pushesApplied`: pushes
 * were stored by `applyClaimedDeliveries` with `leavePushes`, to be attributed here as `resolvePushes` would have.
 * The result carries
 * the PR row and `prepared`: the caller must recompute with them (`recomputePullRequest`), which writes the
 * attributions. Throws on store errors.
 */
export async function storeEvaluations(
  ctx: StoreContext,
  trx: Db,
  repository: string,
  number: number,
  records: readonly EvaluationRecord[],
  sizesAfter: SizeColumns = {},
  pushesApplied = false,
): Promise<{ pullRequest: PullRequestRow | undefined; prepared: PreparedRecompute; transitions: Transition[] }> {
  const all = records.map(rowsOfEvaluation);
  const read = (await executeTogether(ctx, trx, [
    lockPullRequestQuery(ctx, trx, repository, number),
    unresolvedPushesQuery(trx, repository, number),
    ...eventRowsQueries(trx, repository, number),
    all.length > 0
      ? trx
          .insertInto('evaluations')
          .values(all.map((e) => e.evaluationRow))
          .onConflict((oc) => oc.columns(['delivery_id', 'repository', 'number', 'head_sha']).doNothing())
          .returning(['delivery_id', 'head_sha'])
      : undefined,
  ])) as unknown[][];
  const insertIndex = read.length - 1;
  const found = read[0]?.[0] as PullRequestRow | undefined;
  let unresolved = read[1] as UnresolvedPush[];
  const rows = eventRowsOf(read.slice(2, insertIndex));
  const key = (a: string, b: string) => `${a}\u0000${b}`;
  const insertedKeys = new Set(
    (read[insertIndex] as Array<{ delivery_id: string; head_sha: string }>).map((k) => key(k.delivery_id, k.head_sha)),
  );
  const inserted = all.filter((e) => insertedKeys.has(key(e.evaluationRow.delivery_id, e.evaluationRow.head_sha)));

  // The verdict each evaluation wrote in turn: the last one's, with the sizes of later deliveries, is the row's.
  const last = all.at(-1);
  const finalVerdict = last ? { ...last.verdict, ...sizesAfter } : undefined;
  const upsert =
    finalVerdict && verdictDiffers(found, finalVerdict)
      ? trx
          .insertInto('pull_requests')
          .values({
            repository,
            number,
            ...finalVerdict,
            updated_at: nowIso(),
            head_sha: records[0]!.headSha,
            draft: 0,
            state: 'open',
            figures_stale: 1,
            ...NEW_PULL_REQUEST_COUNTERS,
          })
          .onConflict((oc) => oc.columns(['repository', 'number']).doUpdateSet({ ...finalVerdict, updated_at: nowIso() }))
          .returningAll()
      : undefined;
  const commits = inserted.flatMap((e) => e.seen);
  const overrides = inserted.flatMap((e) => (e.overrideRow ? [e.overrideRow] : []));
  const commitQueries = insertCommitsQueries(trx, repository, number, commits);
  const written = (await executeTogether(ctx, trx, [
    upsert,
    ...commitQueries,
    overrides.length > 0
      ? trx
          .insertInto('overrides')
          .values(overrides)
          .onConflict((oc) => oc.columns(['repository', 'number', 'login', 'at']).doNothing())
          .returningAll()
      : undefined,
  ])) as unknown[][];
  const pullRequest = (written[0]?.[0] as PullRequestRow | undefined) ?? found;
  const newCommits = new Map(
    (written.slice(1, 1 + commitQueries.length).flat() as Array<{ sha: string; agent: number }>).map((c) => [c.sha, c]),
  );
  // Overrides inserted now, by login and time: each is new for the first evaluation that carries it.
  const newOverrides = new Map((written[1 + commitQueries.length] as OverridesTable[]).map((o) => [key(o.login, o.at), o]));

  // Evaluation by evaluation, as storing each in turn would have: the row's labels at it (for an override's
  // transition), the commits it saw first, and the pushes that became attributable.
  const transitions: Transition[] = [];
  // Pushes the deliveries stored, attributed first as `resolvePushes` would have after applying them.
  const attributions: PushAttribution[] = pushesApplied ? attributionsOf(unresolved) : [];
  const attributed = new Set(attributions.map((a) => a[0]));
  unresolved = unresolved.filter((p) => !attributed.has(p.after_sha));
  const firstSeen = new Set<string>();
  for (const e of all) {
    // Each evaluation leaves its verdict on the row (written, or there already): its labels are the row's.
    const labels = labelsOf({ repository, ...e.verdict });
    if (!insertedKeys.has(key(e.evaluationRow.delivery_id, e.evaluationRow.head_sha))) continue;
    rows.evaluations.push({ ...e.evaluation, conclusion: e.evaluationRow.conclusion });
    const override = e.overrideRow && newOverrides.get(key(e.overrideRow.login, e.overrideRow.at));
    if (override) {
      newOverrides.delete(key(override.login, override.at));
      transitions.push({ kind: 'override', labels });
      rows.overrides.push(override);
    }
    const mine: Array<{ agent: number }> = [];
    for (const c of e.seen) {
      const sha = c.sha.toLowerCase();
      const stored = newCommits.get(sha);
      if (stored && !firstSeen.has(sha)) {
        firstSeen.add(sha);
        mine.push(stored);
      }
    }
    // An evaluation's commit SHAs attribute the pushes of its head that none evaluated before.
    unresolved = unresolved.map((p) =>
      p.commit_shas === null && p.after_sha === e.evaluationRow.head_sha ? { ...p, commit_shas: e.commitShas } : p,
    );
    const now = attributionsOf(unresolved, { headSha: e.evaluationRow.head_sha, commits: mine });
    attributions.push(...now);
    const done = new Set(now.map((a) => a[0]));
    unresolved = unresolved
      .filter((p) => !done.has(p.after_sha))
      .map((p) =>
        p.after_sha === e.evaluationRow.head_sha && mine.length > 0
          ? { ...p, added: Number(p.added ?? 0) + mine.length, agent: Number(p.agent ?? 0) + mine.filter((c) => c.agent === 1).length }
          : p,
      );
  }
  return { pullRequest, prepared: { rows, attributions }, transitions };
}
