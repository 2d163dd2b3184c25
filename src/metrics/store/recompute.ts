/**
 * Recompute: a PR's figures from all its stored events, sorted by time (not accumulated), so out-of-order and
 * duplicate deliveries cannot skew them. Writes only what changed: the PR's figure columns, review relations,
 * push attribution, review-request spans and rule outcomes, and clears the PR's stale marker. On PostgreSQL the
 * PR row is locked (`FOR UPDATE`) first, so replicas recomputing one PR at once cannot lose updates, and only
 * the writer that turns a figure from unknown to known reports it as a transition (observed once in Prometheus).
 */
import { sql, type Selectable } from 'kysely';
import type {
  EvaluationsTable,
  MetricsDatabase,
  OverridesTable,
  PrEventsTable,
  PullRequestsTable,
  PushesTable,
  ReviewRequestSpansTable,
  ReviewRequestsTable,
  ReviewsTable,
  RuleOutcomesTable,
} from '../schema.js';
import {
  pusherClass,
  reviewerRelation,
  reviewRequestSpans,
  ruleOutcomes,
  summarizePullRequest,
  type EvaluatedRule,
  type PullRequestSummary,
  type PullRequestTimeline,
  type RequestedReviewerType,
  type ReviewerKind,
  type TimelineEvent,
} from '../definitions.js';
import {
  bool,
  executeTogether,
  labelsOf,
  lockPullRequest,
  parseJsonArray,
  valuesList,
  type Db,
  type PullRequestRow,
  type StoreContext,
  type Transition,
} from './common.js';
import type { PushAttribution } from './attribution.js';

type EvaluationEventRow = Pick<
  EvaluationsTable,
  'evaluated_at' | 'conclusion' | 'gate_satisfied' | 'failing_rules' | 'qualifying_approvals' | 'rules' | 'overridden'
>;

/** The stored rows of one PR that its figures are computed from, and the derived rows computed last time. */
export interface EventRows {
  events: Selectable<PrEventsTable>[];
  reviews: Selectable<ReviewsTable>[];
  pushes: Selectable<PushesTable>[];
  evaluations: EvaluationEventRow[];
  overrides: Selectable<OverridesTable>[];
  review_requests: Selectable<ReviewRequestsTable>[];
  spans: Selectable<ReviewRequestSpansTable>[];
  rule_outcomes: Selectable<RuleOutcomesTable>[];
}

/** Tables keyed by repository and PR number whose rows feed a recomputation. */
type PerPullRequestTable =
  'pr_events' | 'reviews' | 'pushes' | 'evaluations' | 'overrides' | 'review_requests' | 'review_request_spans' | 'rule_outcomes';

/** All rows of one PR in one table. */
async function rowsOf<T extends PerPullRequestTable>(
  db: Db,
  table: T,
  repository: string,
  number: number,
): Promise<Selectable<MetricsDatabase[T]>[]> {
  const { rows } = await sql<
    Selectable<MetricsDatabase[T]>
  >`SELECT * FROM ${sql.table(table)} WHERE repository = ${repository} AND number = ${number}`.execute(db);
  return rows;
}

/** The PR's rows, one query per table (SQLite: in-process, no round trips to save). */
async function selectEventRows(db: Db, repository: string, number: number): Promise<EventRows> {
  return {
    events: await rowsOf(db, 'pr_events', repository, number),
    reviews: await rowsOf(db, 'reviews', repository, number),
    pushes: await rowsOf(db, 'pushes', repository, number),
    evaluations: await rowsOf(db, 'evaluations', repository, number),
    overrides: await rowsOf(db, 'overrides', repository, number),
    review_requests: await rowsOf(db, 'review_requests', repository, number),
    spans: await rowsOf(db, 'review_request_spans', repository, number),
    rule_outcomes: await rowsOf(db, 'rule_outcomes', repository, number),
  };
}

/**
 * The reads of the PR's rows (`EventRows`, in its key order) as queries `executeTogether` can send along with other
 * statements; `eventRowsOf` turns their results into `EventRows`.
 */
export function eventRowsQueries(trx: Db, repository: string, number: number) {
  const of = (table: PerPullRequestTable) => trx.selectFrom(table).where('repository', '=', repository).where('number', '=', number);
  return [
    of('pr_events').selectAll(),
    of('reviews').selectAll(),
    of('pushes').selectAll(),
    of('evaluations').select([
      'evaluated_at',
      'conclusion',
      'gate_satisfied',
      'failing_rules',
      'qualifying_approvals',
      'rules',
      'overridden',
    ]),
    of('overrides').selectAll(),
    of('review_requests').selectAll(),
    of('review_request_spans').selectAll(),
    of('rule_outcomes').selectAll(),
  ];
}

/** `EventRows` from the results of `eventRowsQueries`, in order. */
export function eventRowsOf(results: readonly unknown[][]): EventRows {
  const [events, reviews, pushes, evaluations, overrides, review_requests, spans, rule_outcomes] = results as unknown[][];
  return {
    events: (events ?? []) as EventRows['events'],
    reviews: (reviews ?? []) as EventRows['reviews'],
    pushes: (pushes ?? []) as EventRows['pushes'],
    evaluations: (evaluations ?? []) as EventRows['evaluations'],
    overrides: (overrides ?? []) as EventRows['overrides'],
    review_requests: (review_requests ?? []) as EventRows['review_requests'],
    spans: (spans ?? []) as EventRows['spans'],
    rule_outcomes: (rule_outcomes ?? []) as EventRows['rule_outcomes'],
  };
}

/**
 * PostgreSQL: the PR's rows in one round trip (JSON aggregates) instead of one query per table. Column names and
 * types match `selectEventRows` (integers and doubles come back as JSON numbers). With `lock`, the same round trip
 * also reads the PR row, locking it (`FOR UPDATE`).
 */
async function selectEventRowsInOneRoundTrip(
  db: Db,
  repository: string,
  number: number,
  lock = false,
): Promise<EventRows & { pullRequest?: PullRequestRow | null }> {
  const where = sql`t.repository = ${repository} AND t.number = ${number}`;
  const { rows } = await sql<{ [K in keyof EventRows]: EventRows[K] | null } & { pull_request?: PullRequestRow | null }>`
    SELECT
      ${lock ? sql`(SELECT row_to_json(t) FROM pull_requests t WHERE ${where} FOR UPDATE) AS pull_request,` : sql``}
      (SELECT json_agg(t) FROM pr_events t WHERE ${where}) AS events,
      (SELECT json_agg(t) FROM reviews t WHERE ${where}) AS reviews,
      (SELECT json_agg(t) FROM pushes t WHERE ${where}) AS pushes,
      (SELECT json_agg(json_build_object('evaluated_at', t.evaluated_at, 'conclusion', t.conclusion,
              'gate_satisfied', t.gate_satisfied, 'failing_rules', t.failing_rules,
              'qualifying_approvals', t.qualifying_approvals, 'rules', t.rules, 'overridden', t.overridden))
         FROM evaluations t WHERE ${where}) AS evaluations,
      (SELECT json_agg(t) FROM overrides t WHERE ${where}) AS overrides,
      (SELECT json_agg(t) FROM review_requests t WHERE ${where}) AS review_requests,
      (SELECT json_agg(t) FROM review_request_spans t WHERE ${where}) AS spans,
      (SELECT json_agg(t) FROM rule_outcomes t WHERE ${where}) AS rule_outcomes`.execute(db);
  const row = rows[0];
  return {
    events: row?.events ?? [],
    reviews: row?.reviews ?? [],
    pushes: row?.pushes ?? [],
    evaluations: row?.evaluations ?? [],
    overrides: row?.overrides ?? [],
    review_requests: row?.review_requests ?? [],
    spans: row?.spans ?? [],
    rule_outcomes: row?.rule_outcomes ?? [],
    ...(lock ? { pullRequest: row?.pull_request ?? null } : {}),
  };
}

/** Turns a PR row and its event rows into the timeline the definitions consume. */
function toTimeline(pr: PullRequestRow, rows: EventRows): PullRequestTimeline {
  const timeline: TimelineEvent[] = [];
  for (const e of rows.events) {
    if (e.type === 'opened') timeline.push({ kind: 'opened', at: e.at, draft: e.draft === 1 });
    else if (e.type === 'closed') timeline.push({ kind: 'closed', at: e.at, merged: e.merged === 1 });
    else if (e.type === 'reopened' || e.type === 'ready_for_review' || e.type === 'converted_to_draft') {
      timeline.push({ kind: e.type, at: e.at });
    }
  }
  for (const r of rows.reviews) {
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
  for (const p of rows.pushes) {
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
  for (const e of rows.evaluations) {
    timeline.push({
      kind: 'evaluation',
      at: e.evaluated_at,
      conclusion: e.conclusion as 'success',
      gateSatisfied: e.gate_satisfied === 1,
      failingRules: parseJsonArray<string>(e.failing_rules),
      qualifyingApprovals: parseJsonArray<{ login: string; submittedAt: string }>(e.qualifying_approvals),
      rules: e.rules === null ? null : parseJsonArray<EvaluatedRule>(e.rules),
      overridden: e.overridden === 1,
    });
  }
  for (const o of rows.overrides) timeline.push({ kind: 'override', at: o.at, login: o.login });
  for (const q of rows.review_requests) {
    timeline.push({
      kind: q.action === 'removed' ? 'review_request_removed' : 'review_requested',
      at: q.at,
      reviewer: q.reviewer,
      reviewerType: q.reviewer_type as RequestedReviewerType,
    });
  }
  return {
    repository: pr.repository,
    number: pr.number,
    authorLogin: pr.author_login,
    authorClass: pr.author_class,
    agent: pr.agent,
    humanOfRecord: pr.human_of_record,
    requiredReviewers: parseJsonArray<string>(pr.required_reviewers),
    events: timeline,
  };
}

/** Loads a PR's stored events as the timeline the definitions consume. Null when the PR is unknown. */
export async function loadTimeline(ctx: StoreContext, db: Db, repository: string, number: number): Promise<PullRequestTimeline | null> {
  const pr = await db
    .selectFrom('pull_requests')
    .selectAll()
    .where('repository', '=', repository)
    .where('number', '=', number)
    .executeTakeFirst();
  if (!pr) return null;
  const rows =
    ctx.dialect === 'postgres'
      ? await selectEventRowsInOneRoundTrip(db, repository, number)
      : await selectEventRows(db, repository, number);
  return toTimeline(pr, rows);
}

function summaryColumns(s: PullRequestSummary): Partial<PullRequestsTable> {
  return {
    state: s.state,
    ready_at: s.readyAt,
    first_human_review_at: s.firstHumanReviewAt,
    first_approval_at: s.firstApprovalAt,
    first_qualifying_approval_at: s.firstQualifyingApprovalAt,
    gate_satisfied_at: s.gateSatisfiedAt,
    first_evaluated_at: s.firstEvaluatedAt,
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
    figures_stale: 0,
  };
}

/** Stable text of a list of rows, to compare what is stored with what was just computed. */
function fingerprint<T extends object>(rows: readonly T[], columns: ReadonlyArray<keyof T>): string {
  return rows
    .map((r) => JSON.stringify(columns.map((c) => r[c] ?? null)))
    .sort()
    .join('\n');
}

const SPAN_COLUMNS = ['reviewer', 'reviewer_type', 'requested_at', 'outcome', 'ended_at', 'seconds_to_review'] as const;
const RULE_COLUMNS = [
  'rule',
  'mode',
  'first_applied_at',
  'blocked',
  'first_held_at',
  'merged_while_not_holding',
  'ready_to_hold_s',
] as const;

/**
 * What a caller already read of a PR for its recomputation (`storeEvaluation`): its rows as they are now, and
 * push attributions that are still to be written (the rows do not carry them yet). The attributions are written
 * by the recomputation's update of the pushes (one statement: one row is never written twice in a statement).
 */
export interface PreparedRecompute {
  rows: EventRows;
  attributions: readonly PushAttribution[];
}

/**
 * Recomputes one PR's figures inside `trx` (locking its row first on PostgreSQL) and writes what changed.
 * `known`: the PR row as this transaction last wrote it (already locked), so not read again. `prepared` (with
 * `known`): the PR's rows read already, and push attributions to write with the rest, so nothing is read again.
 * Returns what became known for the first time; nothing when the PR is not stored. On PostgreSQL: one statement
 * reads the PR's rows (and the PR row, locked, when not known; none with `prepared`), one writes every change
 * (figures, review relations, push attribution, and the derived rows' deletions), one more inserts derived rows
 * when they changed.
 */
export async function recomputePullRequest(
  ctx: StoreContext,
  trx: Db,
  repository: string,
  number: number,
  known?: PullRequestRow,
  prepared?: PreparedRecompute,
): Promise<Transition[]> {
  let current: PullRequestRow | undefined = known;
  let rows: EventRows;
  const attributions = prepared?.attributions ?? [];
  if (prepared && known) {
    rows = { ...prepared.rows, pushes: withAttributions(prepared.rows.pushes, attributions) };
  } else if (ctx.dialect === 'postgres') {
    const read = await selectEventRowsInOneRoundTrip(trx, repository, number, !known);
    current ??= read.pullRequest ?? undefined;
    rows = read;
  } else {
    current ??= await lockPullRequest(ctx, trx, repository, number);
    if (!current) return [];
    rows = await selectEventRows(trx, repository, number);
  }
  if (!current) return [];
  const timeline = toTimeline(current, rows);
  const columns = summaryColumns(summarizePullRequest(timeline));
  const changed = (Object.keys(columns) as Array<keyof typeof columns>).some((k) => columns[k] !== current[k]);
  const derived = derivedRowChanges(trx, timeline, rows);
  await executeTogether(ctx, trx, [
    changed ? trx.updateTable('pull_requests').set(columns).where('repository', '=', repository).where('number', '=', number) : undefined,
    reviewRelationsUpdate(trx, timeline, rows),
    pushAttributionUpdate(trx, timeline, rows, attributions),
    ...derived.deletes,
  ]);
  await executeTogether(ctx, trx, derived.inserts);
  return transitionsBetween(current, { ...current, ...columns });
}

/** Per-review relation to the PR (required reviewer, human of record, other): one update of the reviewers whose relation changed. */
function reviewRelationsUpdate(trx: Db, timeline: PullRequestTimeline, rows: EventRows) {
  const relations = new Map<string, string>();
  const changed = new Map<string, string>();
  for (const r of rows.reviews) {
    const relation = relations.get(r.reviewer) ?? reviewerRelation(timeline, r.reviewer);
    relations.set(r.reviewer, relation);
    // Every review of the reviewer takes the relation (as when each differing review updated them all).
    if (relation !== r.relation) changed.set(r.reviewer, relation);
  }
  if (changed.size === 0) return undefined;
  return trx
    .updateTable('reviews')
    .from(valuesList(['text', 'text'], [...changed]).as('v'))
    .set({ relation: sql.ref('v.column2') })
    .where('reviews.repository', '=', timeline.repository)
    .where('reviews.number', '=', timeline.number)
    .where(sql<boolean>`reviews.reviewer = v.column1`);
}

/** `pushes` as they are once `attributions` are written (a rewritten history is never unmarked). */
function withAttributions(pushes: EventRows['pushes'], attributions: readonly PushAttribution[]): EventRows['pushes'] {
  if (attributions.length === 0) return pushes;
  const by = new Map(attributions.map((a) => [a[0], a]));
  return pushes.map((p) => {
    const a = by.get(p.after_sha);
    if (!a) return p;
    const [, added, agent, human, rewrote] = a;
    return {
      ...p,
      commits_added: added,
      agent_commits: agent,
      human_commits: human,
      rewrote_history: rewrote === 1 ? 1 : p.rewrote_history,
    };
  });
}

/**
 * Per-push attribution (who pushed, after the first human review; and the commits it added, from `attributions`):
 * one update of the pushes whose attribution changed.
 */
function pushAttributionUpdate(trx: Db, timeline: PullRequestTimeline, rows: EventRows, attributions: readonly PushAttribution[]) {
  const firstReview = timeline.events
    .filter((e) => e.kind === 'review' && e.reviewerKind === 'human')
    .map((e) => Date.parse(e.at))
    .sort((a, b) => a - b)[0];
  const changed: Array<[afterSha: string, pushedBy: string, afterFirstReview: number]> = [];
  for (const e of timeline.events) {
    if (e.kind !== 'push') continue;
    const stored = rows.pushes.find((p) => p.after_sha === e.afterSha);
    const pushedBy = pusherClass(timeline, e);
    const afterFirstReview = bool(firstReview !== undefined && Date.parse(e.at) > firstReview);
    if (stored && stored.pushed_by === pushedBy && stored.after_first_review === afterFirstReview) continue;
    changed.push([e.afterSha, pushedBy, afterFirstReview]);
  }
  if (attributions.length > 0) {
    // The commits' attribution and the pusher of one push: one row update, so one statement (`null`: unchanged).
    const pushers = new Map(changed.map(([sha, pushedBy, after]) => [sha, [pushedBy, after] as const]));
    const shas = [...new Set([...attributions.map((a) => a[0]), ...pushers.keys()])];
    const values = shas.map((sha) => {
      const a = attributions.find((x) => x[0] === sha);
      const p = pushers.get(sha);
      return [sha, a?.[1] ?? null, a?.[2] ?? null, a?.[3] ?? null, a?.[4] ?? null, p?.[0] ?? null, p?.[1] ?? null];
    });
    return trx
      .updateTable('pushes')
      .from(valuesList(['text', 'integer', 'integer', 'integer', 'integer', 'text', 'integer'], values).as('v'))
      .set({
        commits_added: sql`COALESCE(v.column2, pushes.commits_added)`,
        agent_commits: sql`COALESCE(v.column3, pushes.agent_commits)`,
        human_commits: sql`COALESCE(v.column4, pushes.human_commits)`,
        // A rewritten history is never unmarked (a forced branch push may have marked it already).
        rewrote_history: sql`CASE WHEN v.column5 = 1 THEN 1 ELSE pushes.rewrote_history END`,
        pushed_by: sql`COALESCE(v.column6, pushes.pushed_by)`,
        after_first_review: sql`COALESCE(v.column7, pushes.after_first_review)`,
      })
      .where('pushes.repository', '=', timeline.repository)
      .where('pushes.number', '=', timeline.number)
      .where(sql<boolean>`pushes.after_sha = v.column1`);
  }
  if (changed.length === 0) return undefined;
  return trx
    .updateTable('pushes')
    .from(valuesList(['text', 'text', 'integer'], changed).as('v'))
    .set({ pushed_by: sql.ref('v.column2'), after_first_review: sql.ref('v.column3') })
    .where('pushes.repository', '=', timeline.repository)
    .where('pushes.number', '=', timeline.number)
    .where(sql<boolean>`pushes.after_sha = v.column1`);
}

/**
 * Review-request spans and rule outcomes: replaced as a whole when they differ from the stored ones. The deletions
 * and the insertions, to run in that order (a table's deletion and insertion never share a statement).
 */
function derivedRowChanges(trx: Db, timeline: PullRequestTimeline, rows: EventRows) {
  const key = { repository: timeline.repository, number: timeline.number };
  const spans: Array<Selectable<ReviewRequestSpansTable>> = reviewRequestSpans(timeline).map((s) => ({
    ...key,
    reviewer: s.reviewer,
    reviewer_type: s.reviewerType,
    requested_at: s.requestedAt,
    outcome: s.outcome,
    ended_at: s.endedAt,
    seconds_to_review: s.secondsToReview,
  }));
  const outcomes: Array<Selectable<RuleOutcomesTable>> = ruleOutcomes(timeline).map((o) => ({
    ...key,
    rule: o.rule,
    mode: o.mode,
    first_applied_at: o.firstAppliedAt,
    blocked: bool(o.blocked),
    first_held_at: o.firstHeldAt,
    merged_while_not_holding: bool(o.mergedWhileNotHolding),
    ready_to_hold_s: o.readyToHoldSeconds,
  }));
  const spansChanged = fingerprint(spans, SPAN_COLUMNS) !== fingerprint(rows.spans, SPAN_COLUMNS);
  const outcomesChanged = fingerprint(outcomes, RULE_COLUMNS) !== fingerprint(rows.rule_outcomes, RULE_COLUMNS);
  return {
    deletes: [
      spansChanged
        ? trx.deleteFrom('review_request_spans').where('repository', '=', key.repository).where('number', '=', key.number)
        : undefined,
      outcomesChanged
        ? trx.deleteFrom('rule_outcomes').where('repository', '=', key.repository).where('number', '=', key.number)
        : undefined,
    ],
    inserts: [
      spansChanged && spans.length > 0 ? trx.insertInto('review_request_spans').values(spans) : undefined,
      outcomesChanged && outcomes.length > 0 ? trx.insertInto('rule_outcomes').values(outcomes) : undefined,
    ],
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
