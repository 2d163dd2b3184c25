/**
 * Storage schema of the metrics store (Kysely table types) and its migrations, defined in code so the same
 * migrations run on SQLite and PostgreSQL. Metadata only: logins, SHAs, times, counts; never file contents,
 * diffs, PR bodies or commit messages (titles only as SHA-256, for revert matching).
 *
 * Conventions (portable across both dialects): times are ISO 8601 UTC strings in `text` columns; booleans
 * are integers 0/1; lists are JSON arrays in `text` columns.
 */
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

/** One row per webhook delivery id (the idempotency key). */
export interface DeliveriesTable {
  id: string;
  event: string;
  action: string | null;
  repository: string | null;
  received_at: string;
  /**
   * The PR the delivery concerns (null: none, or a repository-level event such as `push`). Set for deliveries
   * recorded by the app, whose facts are applied later by the job (see `applied`).
   */
  pull_number: number | null;
  /**
   * JSON of the `DerivedFacts` of the payload (no titles, bodies or messages: derive.ts keeps hashes, SHAs,
   * logins and times), kept until the facts are applied, then cleared.
   */
  facts: string | null;
  /** 0 while the facts wait to be applied to the raw tables (by the PR's job or the periodic sweep), else 1. */
  applied: number;
}

/**
 * Gate evaluations recorded by the app's jobs and not yet stored: one insert per evaluation (the job's only
 * statement for metrics), applied with the PR's pending deliveries, in order, by the next recomputation of the PR
 * (`recomputePullRequest`, the periodic pass `recomputeStale`), which then deletes the row.
 */
export interface PendingEvaluationsTable {
  delivery_id: string;
  repository: string;
  number: number;
  head_sha: string;
  /** When the job recorded it (ISO 8601): its place among the PR's pending deliveries (by `received_at`). */
  recorded_at: string;
  /**
   * JSON of the `EvaluationRecord` with the authorship verdict cut to class, agent, confidence and human of record
   * (logins, SHAs, rule names, times, an override's reason as the overrides table keeps it; never titles, bodies,
   * matched PR text or file contents).
   */
  record: string;
}

/** One row per PR: identity, authorship verdict, size and the derived timestamps/figures. */
export interface PullRequestsTable {
  repository: string;
  number: number;
  author_login: string | null;
  author_type: string | null;
  /** `agent` | `human` | `automation` | `unknown` (not evaluated yet). */
  author_class: string;
  agent: string | null;
  confidence: string | null;
  human_of_record: string | null;
  /** JSON array. */
  sensitive_groups: string;
  highest_sensitive_group: string;
  /** JSON array of users/teams a rule requires. */
  required_reviewers: string;
  changed_files: number | null;
  additions: number | null;
  deletions: number | null;
  title_sha256: string | null;
  head_ref: string | null;
  head_sha: string | null;
  base_ref: string | null;
  merge_commit_sha: string | null;
  draft: number;
  state: string;
  created_at: string | null;
  ready_at: string | null;
  first_human_review_at: string | null;
  first_approval_at: string | null;
  first_qualifying_approval_at: string | null;
  gate_satisfied_at: string | null;
  merged_at: string | null;
  closed_at: string | null;
  time_to_first_review_s: number | null;
  time_to_first_approval_s: number | null;
  time_to_merge_s: number | null;
  review_rounds: number;
  agent_pushes_after_first_review: number;
  human_pushes_after_first_review: number;
  /** 0/1 for agent PRs, null otherwise. */
  human_rework: number | null;
  human_rework_commits: number;
  overridden: number;
  merged_without_review: number;
  merged_without_qualifying_approval: number;
  updated_at: string;
  /** Conventional-commit type of the title (`feat`, `fix`, …, `other`); null for rows recorded before migration 0003. */
  task_type: string | null;
  /** First gate evaluation of the PR (null: never evaluated; the override rate counts only evaluated PRs). */
  first_evaluated_at: string | null;
  /** 1 when events were stored after the last recomputation of the figures (see `recomputePullRequest`). */
  figures_stale: number;
}

/** Lifecycle events (opened, reopened, ready_for_review, converted_to_draft, closed). */
export interface PrEventsTable {
  repository: string;
  number: number;
  type: string;
  at: string;
  draft: number;
  merged: number;
  delivery_id: string;
}

/** Reviews, one row per GitHub review id. */
export interface ReviewsTable {
  repository: string;
  number: number;
  review_id: string;
  reviewer: string;
  reviewer_type: string | null;
  /** `human` | `bot` | `author`. */
  reviewer_kind: string;
  state: string;
  submitted_at: string;
  commit_id: string | null;
  dismissed_at: string | null;
  /** `required_reviewer` | `human_of_record` | `other` (recomputed as evaluations arrive). */
  relation: string;
}

/** Pushes onto a PR's head branch (`pull_request.synchronize`), one row per resulting head SHA. */
export interface PushesTable {
  repository: string;
  number: number;
  after_sha: string;
  before_sha: string | null;
  pushed_at: string;
  sender_login: string | null;
  sender_type: string | null;
  /** `agent` | `human` | `mixed` | `unknown`. */
  pushed_by: string;
  commits_added: number | null;
  agent_commits: number | null;
  human_commits: number | null;
  rewrote_history: number;
  after_first_review: number;
}

/** Commits of a PR as gate evaluations saw them (SHA, agent flag, author login; no message). */
export interface CommitsTable {
  repository: string;
  number: number;
  sha: string;
  agent: number;
  author_login: string | null;
  first_seen_head_sha: string;
  first_seen_at: string;
}

/** `push` events on branches (forced flag), used to mark PR pushes that rewrote history. */
export interface BranchPushesTable {
  repository: string;
  branch: string;
  after_sha: string;
  before_sha: string;
  forced: number;
  pushed_at: string;
}

/** Gate evaluations. */
export interface EvaluationsTable {
  delivery_id: string;
  repository: string;
  number: number;
  head_sha: string;
  conclusion: string;
  gate_satisfied: number;
  /** JSON array of rule names. */
  failing_rules: string;
  /** JSON array of `{login, submittedAt}`. */
  qualifying_approvals: string;
  /** JSON array of the PR's commit SHAs at this head (to tell a push that rewrote history). */
  commit_shas: string;
  duration_ms: number;
  evaluated_at: string;
  /** JSON array of `{name, mode, holds}`: every applicable rule; null when the app did not record them. */
  rules: string | null;
  /** The conclusion enforcement would have given (`success` | `action_required` | `failure`), when recorded. */
  enforce_conclusion: string | null;
  /** 1 when a valid override was in place. */
  overridden: number;
}

/** Valid overrides (label applied by an allowed user). */
export interface OverridesTable {
  repository: string;
  number: number;
  login: string;
  at: string;
  /** Head SHA the override applied to, when recorded. */
  head_sha: string | null;
  /** The reason the overrider gave (at most 500 characters; escaped wherever shown), when recorded. */
  reason: string | null;
  /** `label` | `comment`, when recorded. */
  source: string | null;
}

/** Review requests and their removals (`pull_request.review_requested` / `review_request_removed`). */
export interface ReviewRequestsTable {
  repository: string;
  number: number;
  /** Login, or `@org/slug` for a team. */
  reviewer: string;
  /** `user` | `team`. */
  reviewer_type: string;
  /** `requested` | `removed`. */
  action: string;
  at: string;
  delivery_id: string;
}

/** Derived: review requests from request to answer, removal or closing (`reviewRequestSpans`). */
export interface ReviewRequestSpansTable {
  repository: string;
  number: number;
  reviewer: string;
  reviewer_type: string;
  requested_at: string;
  /** `reviewed` | `removed` | `closed` | `open`. */
  outcome: string;
  ended_at: string | null;
  seconds_to_review: number | null;
}

/** Derived: what each gate rule did on each PR, per mode (`ruleOutcomes`). */
export interface RuleOutcomesTable {
  repository: string;
  number: number;
  rule: string;
  mode: string;
  first_applied_at: string;
  blocked: number;
  first_held_at: string | null;
  merged_while_not_holding: number;
  ready_to_hold_s: number | null;
}

/** A merged PR reverted by a later PR or a `This reverts commit` commit on the default branch. */
export interface RevertsTable {
  repository: string;
  reverted_number: number;
  reverting_number: number | null;
  reverting_sha: string | null;
  /** `pr_body` | `pr_branch` | `pr_title` | `commit_message`. */
  detected_via: string;
  reverted_merged_at: string | null;
  reverted_at: string;
  /** Seconds between the reverted PR's merge and the revert. */
  gap_s: number | null;
}

/** Backfill progress per repository. */
export interface BackfillCursorsTable {
  repository: string;
  since: string;
  /** JSON: `{ page: number, done: number[] }` or whatever the backfill stores. */
  cursor: string;
  completed_at: string | null;
  updated_at: string;
}

/** The whole database. */
export interface MetricsDatabase {
  deliveries: DeliveriesTable;
  pull_requests: PullRequestsTable;
  pr_events: PrEventsTable;
  reviews: ReviewsTable;
  pushes: PushesTable;
  commits: CommitsTable;
  branch_pushes: BranchPushesTable;
  evaluations: EvaluationsTable;
  overrides: OverridesTable;
  reverts: RevertsTable;
  backfill_cursors: BackfillCursorsTable;
  review_requests: ReviewRequestsTable;
  review_request_spans: ReviewRequestSpansTable;
  rule_outcomes: RuleOutcomesTable;
  pending_evaluations: PendingEvaluationsTable;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
const initial: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('deliveries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('event', 'text', (c) => c.notNull())
      .addColumn('action', 'text')
      .addColumn('repository', 'text')
      .addColumn('received_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('pull_requests')
      .addColumn('repository', 'text', (c) => c.notNull())
      .addColumn('number', 'integer', (c) => c.notNull())
      .addColumn('author_login', 'text')
      .addColumn('author_type', 'text')
      .addColumn('author_class', 'text', (c) => c.notNull().defaultTo('unknown'))
      .addColumn('agent', 'text')
      .addColumn('confidence', 'text')
      .addColumn('human_of_record', 'text')
      .addColumn('sensitive_groups', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('highest_sensitive_group', 'text', (c) => c.notNull().defaultTo('none'))
      .addColumn('required_reviewers', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('changed_files', 'integer')
      .addColumn('additions', 'integer')
      .addColumn('deletions', 'integer')
      .addColumn('title_sha256', 'text')
      .addColumn('head_ref', 'text')
      .addColumn('head_sha', 'text')
      .addColumn('base_ref', 'text')
      .addColumn('merge_commit_sha', 'text')
      .addColumn('draft', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('state', 'text', (c) => c.notNull().defaultTo('open'))
      .addColumn('created_at', 'text')
      .addColumn('ready_at', 'text')
      .addColumn('first_human_review_at', 'text')
      .addColumn('first_approval_at', 'text')
      .addColumn('first_qualifying_approval_at', 'text')
      .addColumn('gate_satisfied_at', 'text')
      .addColumn('merged_at', 'text')
      .addColumn('closed_at', 'text')
      .addColumn('time_to_first_review_s', 'double precision')
      .addColumn('time_to_first_approval_s', 'double precision')
      .addColumn('time_to_merge_s', 'double precision')
      .addColumn('review_rounds', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('agent_pushes_after_first_review', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('human_pushes_after_first_review', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('human_rework', 'integer')
      .addColumn('human_rework_commits', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('overridden', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('merged_without_review', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('merged_without_qualifying_approval', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('pull_requests_pk', ['repository', 'number'])
      .execute();
    await db.schema.createIndex('pull_requests_created_idx').on('pull_requests').columns(['created_at']).execute();
    await db.schema.createIndex('pull_requests_merge_sha_idx').on('pull_requests').columns(['repository', 'merge_commit_sha']).execute();

    await db.schema
      .createTable('pr_events')
      .addColumn('repository', 'text', (c) => c.notNull())
      .addColumn('number', 'integer', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('draft', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('merged', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('delivery_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('pr_events_pk', ['repository', 'number', 'type', 'at'])
      .execute();

    await db.schema
      .createTable('reviews')
      .addColumn('repository', 'text', (c) => c.notNull())
      .addColumn('number', 'integer', (c) => c.notNull())
      .addColumn('review_id', 'text', (c) => c.notNull())
      .addColumn('reviewer', 'text', (c) => c.notNull())
      .addColumn('reviewer_type', 'text')
      .addColumn('reviewer_kind', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('submitted_at', 'text', (c) => c.notNull())
      .addColumn('commit_id', 'text')
      .addColumn('dismissed_at', 'text')
      .addColumn('relation', 'text', (c) => c.notNull().defaultTo('other'))
      .addPrimaryKeyConstraint('reviews_pk', ['repository', 'number', 'review_id'])
      .execute();

    await db.schema
      .createTable('pushes')
      .addColumn('repository', 'text', (c) => c.notNull())
      .addColumn('number', 'integer', (c) => c.notNull())
      .addColumn('after_sha', 'text', (c) => c.notNull())
      .addColumn('before_sha', 'text')
      .addColumn('pushed_at', 'text', (c) => c.notNull())
      .addColumn('sender_login', 'text')
      .addColumn('sender_type', 'text')
      .addColumn('pushed_by', 'text', (c) => c.notNull().defaultTo('unknown'))
      .addColumn('commits_added', 'integer')
      .addColumn('agent_commits', 'integer')
      .addColumn('human_commits', 'integer')
      .addColumn('rewrote_history', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('after_first_review', 'integer', (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('pushes_pk', ['repository', 'number', 'after_sha'])
      .execute();

    await db.schema
      .createTable('commits')
      .addColumn('repository', 'text', (c) => c.notNull())
      .addColumn('number', 'integer', (c) => c.notNull())
      .addColumn('sha', 'text', (c) => c.notNull())
      .addColumn('agent', 'integer', (c) => c.notNull())
      .addColumn('author_login', 'text')
      .addColumn('first_seen_head_sha', 'text', (c) => c.notNull())
      .addColumn('first_seen_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('commits_pk', ['repository', 'number', 'sha'])
      .execute();
    await db.schema.createIndex('commits_sha_idx').on('commits').columns(['repository', 'sha']).execute();

    await db.schema
      .createTable('branch_pushes')
      .addColumn('repository', 'text', (c) => c.notNull())
      .addColumn('branch', 'text', (c) => c.notNull())
      .addColumn('after_sha', 'text', (c) => c.notNull())
      .addColumn('before_sha', 'text', (c) => c.notNull())
      .addColumn('forced', 'integer', (c) => c.notNull())
      .addColumn('pushed_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('branch_pushes_pk', ['repository', 'branch', 'after_sha'])
      .execute();

    await db.schema
      .createTable('evaluations')
      .addColumn('delivery_id', 'text', (c) => c.notNull())
      .addColumn('repository', 'text', (c) => c.notNull())
      .addColumn('number', 'integer', (c) => c.notNull())
      .addColumn('head_sha', 'text', (c) => c.notNull())
      .addColumn('conclusion', 'text', (c) => c.notNull())
      .addColumn('gate_satisfied', 'integer', (c) => c.notNull())
      .addColumn('failing_rules', 'text', (c) => c.notNull())
      .addColumn('qualifying_approvals', 'text', (c) => c.notNull())
      .addColumn('commit_shas', 'text', (c) => c.notNull())
      .addColumn('duration_ms', 'double precision', (c) => c.notNull())
      .addColumn('evaluated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('evaluations_pk', ['delivery_id', 'repository', 'number', 'head_sha'])
      .execute();
    await db.schema.createIndex('evaluations_pr_idx').on('evaluations').columns(['repository', 'number']).execute();

    await db.schema
      .createTable('overrides')
      .addColumn('repository', 'text', (c) => c.notNull())
      .addColumn('number', 'integer', (c) => c.notNull())
      .addColumn('login', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('overrides_pk', ['repository', 'number', 'login', 'at'])
      .execute();

    await db.schema
      .createTable('reverts')
      .addColumn('repository', 'text', (c) => c.notNull())
      .addColumn('reverted_number', 'integer', (c) => c.notNull())
      .addColumn('reverting_number', 'integer')
      .addColumn('reverting_sha', 'text')
      .addColumn('detected_via', 'text', (c) => c.notNull())
      .addColumn('reverted_merged_at', 'text')
      .addColumn('reverted_at', 'text', (c) => c.notNull())
      .addColumn('gap_s', 'double precision')
      .addPrimaryKeyConstraint('reverts_pk', ['repository', 'reverted_number'])
      .execute();

    await db.schema
      .createTable('backfill_cursors')
      .addColumn('repository', 'text', (c) => c.primaryKey())
      .addColumn('since', 'text', (c) => c.notNull())
      .addColumn('cursor', 'text', (c) => c.notNull())
      .addColumn('completed_at', 'text')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<any>): Promise<void> {
    for (const t of [
      'backfill_cursors',
      'reverts',
      'overrides',
      'evaluations',
      'branch_pushes',
      'commits',
      'pushes',
      'reviews',
      'pr_events',
      'pull_requests',
      'deliveries',
    ]) {
      await db.schema.dropTable(t).ifExists().execute();
    }
  },
};

/** Lookups by head SHA across a repository (forced-push matching) without scanning its rows. */
const shaIndexes: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.createIndex('branch_pushes_after_sha_idx').on('branch_pushes').columns(['repository', 'after_sha']).execute();
    await db.schema.createIndex('pushes_after_sha_idx').on('pushes').columns(['repository', 'after_sha']).execute();
  },
  async down(db: Kysely<any>): Promise<void> {
    await db.schema.dropIndex('pushes_after_sha_idx').ifExists().execute();
    await db.schema.dropIndex('branch_pushes_after_sha_idx').ifExists().execute();
  },
};

/** Issue 10: task type, evaluated flag, stale marker; review requests; the pilot's rules and override details. */
const reviewLoadAndPilot: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable('pull_requests').addColumn('task_type', 'text').execute();
    await db.schema.alterTable('pull_requests').addColumn('first_evaluated_at', 'text').execute();
    await db.schema
      .alterTable('pull_requests')
      .addColumn('figures_stale', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('pull_requests_stale_idx').on('pull_requests').columns(['figures_stale']).execute();
    await db.schema.alterTable('evaluations').addColumn('rules', 'text').execute();
    await db.schema.alterTable('evaluations').addColumn('enforce_conclusion', 'text').execute();
    await db.schema
      .alterTable('evaluations')
      .addColumn('overridden', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.alterTable('overrides').addColumn('head_sha', 'text').execute();
    await db.schema.alterTable('overrides').addColumn('reason', 'text').execute();
    await db.schema.alterTable('overrides').addColumn('source', 'text').execute();
    await db.schema
      .createTable('review_requests')
      .addColumn('repository', 'text', (c) => c.notNull())
      .addColumn('number', 'integer', (c) => c.notNull())
      .addColumn('reviewer', 'text', (c) => c.notNull())
      .addColumn('reviewer_type', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('delivery_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('review_requests_pk', ['repository', 'number', 'reviewer', 'action', 'at'])
      .execute();
    await db.schema
      .createTable('review_request_spans')
      .addColumn('repository', 'text', (c) => c.notNull())
      .addColumn('number', 'integer', (c) => c.notNull())
      .addColumn('reviewer', 'text', (c) => c.notNull())
      .addColumn('reviewer_type', 'text', (c) => c.notNull())
      .addColumn('requested_at', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('ended_at', 'text')
      .addColumn('seconds_to_review', 'double precision')
      .addPrimaryKeyConstraint('review_request_spans_pk', ['repository', 'number', 'reviewer', 'requested_at'])
      .execute();
    await db.schema.createIndex('review_request_spans_open_idx').on('review_request_spans').columns(['outcome', 'reviewer_type']).execute();
    await db.schema
      .createTable('rule_outcomes')
      .addColumn('repository', 'text', (c) => c.notNull())
      .addColumn('number', 'integer', (c) => c.notNull())
      .addColumn('rule', 'text', (c) => c.notNull())
      .addColumn('mode', 'text', (c) => c.notNull())
      .addColumn('first_applied_at', 'text', (c) => c.notNull())
      .addColumn('blocked', 'integer', (c) => c.notNull())
      .addColumn('first_held_at', 'text')
      .addColumn('merged_while_not_holding', 'integer', (c) => c.notNull())
      .addColumn('ready_to_hold_s', 'double precision')
      .addPrimaryKeyConstraint('rule_outcomes_pk', ['repository', 'number', 'rule', 'mode'])
      .execute();
  },
  async down(db: Kysely<any>): Promise<void> {
    for (const t of ['rule_outcomes', 'review_request_spans', 'review_requests']) await db.schema.dropTable(t).ifExists().execute();
    await db.schema.dropIndex('pull_requests_stale_idx').ifExists().execute();
    for (const [table, column] of [
      ['overrides', 'source'],
      ['overrides', 'reason'],
      ['overrides', 'head_sha'],
      ['evaluations', 'overridden'],
      ['evaluations', 'enforce_conclusion'],
      ['evaluations', 'rules'],
      ['pull_requests', 'figures_stale'],
      ['pull_requests', 'first_evaluated_at'],
      ['pull_requests', 'task_type'],
    ] as const) {
      await db.schema.alterTable(table).dropColumn(column).execute();
    }
  },
};

/**
 * Issue 7: deliveries recorded before the acknowledgement keep their derived facts until a job applies them, so
 * the webhook path is one insert that never waits on a row a job holds.
 */
const pendingDeliveries: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable('deliveries').addColumn('pull_number', 'integer').execute();
    await db.schema.alterTable('deliveries').addColumn('facts', 'text').execute();
    await db.schema
      .alterTable('deliveries')
      .addColumn('applied', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
    await db.schema
      .createIndex('deliveries_pending_idx')
      .on('deliveries')
      .columns(['repository', 'pull_number', 'received_at'])
      .where(sql.ref('applied'), '=', 0)
      .execute();
  },
  async down(db: Kysely<any>): Promise<void> {
    await db.schema.dropIndex('deliveries_pending_idx').ifExists().execute();
    for (const column of ['applied', 'facts', 'pull_number']) await db.schema.alterTable('deliveries').dropColumn(column).execute();
  },
};

/**
 * Issue 7: a job records its evaluation as one pending row; the PR's figures are computed afterwards, once for
 * all the evaluations and deliveries that arrived meanwhile.
 */
const pendingEvaluations: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('pending_evaluations')
      .addColumn('delivery_id', 'text', (c) => c.notNull())
      .addColumn('repository', 'text', (c) => c.notNull())
      .addColumn('number', 'integer', (c) => c.notNull())
      .addColumn('head_sha', 'text', (c) => c.notNull())
      .addColumn('recorded_at', 'text', (c) => c.notNull())
      .addColumn('record', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('pending_evaluations_pk', ['delivery_id', 'repository', 'number', 'head_sha'])
      .execute();
    await db.schema
      .createIndex('pending_evaluations_pr_idx')
      .on('pending_evaluations')
      .columns(['repository', 'number', 'recorded_at'])
      .execute();
  },
  async down(db: Kysely<any>): Promise<void> {
    await db.schema.dropTable('pending_evaluations').ifExists().execute();
  },
};

/** The migrations, in order. Names are sorted by the Migrator: keep the numeric prefix. */
export const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_sha_indexes': shaIndexes,
  '0003_review_load_and_pilot': reviewLoadAndPilot,
  '0004_pending_deliveries': pendingDeliveries,
  '0005_pending_evaluations': pendingEvaluations,
};

/** In-code migration provider for Kysely's Migrator. */
export class InCodeMigrationProvider implements MigrationProvider {
  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve(MIGRATIONS);
  }
}

/**
 * Runs every pending migration (Kysely Migrator; on PostgreSQL it takes an advisory lock, so replicas starting
 * together migrate once, and keeps its bookkeeping tables in the connection's current schema). Throws the
 * migration error when one fails.
 */
export async function migrateToLatest(db: Kysely<MetricsDatabase>, dialect: 'sqlite' | 'postgres' = 'sqlite'): Promise<string[]> {
  // PostgreSQL: name the schema of the migration tables explicitly. Without it Kysely's Migrator takes a
  // migration table in ANY schema of the database (another ai-review store, a test schema) for its own.
  let migrationTableSchema: string | undefined;
  if (dialect === 'postgres') {
    const { rows } = await sql<{ schema: string | null }>`SELECT current_schema() AS schema`.execute(db);
    migrationTableSchema = rows[0]?.schema ?? undefined;
    if (!migrationTableSchema) throw new Error('PostgreSQL: no current schema (check search_path)');
  }
  const migrator = new Migrator({
    db,
    provider: new InCodeMigrationProvider(),
    migrationTableName: 'ai_review_migrations',
    migrationLockTableName: 'ai_review_migrations_lock',
    ...(migrationTableSchema ? { migrationTableSchema } : {}),
  });
  // SQLite: Kysely's Migrator takes no lock there (one connection per process), so two processes opening a new
  // file at once would both create the tables. An IMMEDIATE transaction around the whole run takes SQLite's
  // write lock first: the second process waits (busy_timeout), then finds every migration done.
  if (dialect === 'sqlite') await sql`BEGIN IMMEDIATE`.execute(db);
  let outcome: Awaited<ReturnType<Migrator['migrateToLatest']>>;
  try {
    outcome = await migrator.migrateToLatest();
  } catch (err) {
    outcome = { error: err };
  }
  if (dialect === 'sqlite') await sql.raw(outcome.error ? 'ROLLBACK' : 'COMMIT').execute(db);
  const { error, results } = outcome;
  if (error) throw error instanceof Error ? error : new Error(JSON.stringify(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * True when the database already holds an ai-review store (its migration table exists in the connection's
 * current schema, or in the SQLite file). Used by commands that must not create a store.
 */
export async function storeExists(db: Kysely<MetricsDatabase>, dialect: 'sqlite' | 'postgres'): Promise<boolean> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  if (dialect === 'sqlite') return tables.some((t) => t.name === 'ai_review_migrations');
  const { rows } = await sql<{ schema: string | null }>`SELECT current_schema() AS schema`.execute(db);
  return tables.some((t) => t.name === 'ai_review_migrations' && t.schema === rows[0]?.schema);
}

/** Re-exported so callers can build raw fragments without importing kysely themselves. */
export { sql };
