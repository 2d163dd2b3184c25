/**
 * Types and small helpers shared by the store modules (ingest, attribution, reverts, evaluations, recompute,
 * queries, cursors), and the two ways writes save PostgreSQL round trips: `executeTogether` and `valuesList`.
 */
import {
  sql,
  type Compilable,
  type Insertable,
  type InsertQueryBuilder,
  type InsertResult,
  type Kysely,
  type OperationNodeSource,
  type RawBuilder,
  type Transaction,
} from 'kysely';
import type { Logger } from 'pino';
import type { MetricsDatabase, PullRequestsTable, RevertsTable } from '../schema.js';

/** Which SQL dialect the store talks to. */
export type StoreDialect = 'sqlite' | 'postgres';

/** What every store module needs besides the transaction it runs in. */
export interface StoreContext {
  dialect: StoreDialect;
  logger?: Logger | undefined;
  /**
   * Most pending deliveries of one PR applied in one statement (default 100); 1 applies each in its own, as
   * applying them at once (`ingestDelivery`) does: the store's tests compare the two.
   */
  deliveriesPerStatement?: number | undefined;
}

/** A Kysely instance or an open transaction on it. */
export type Db = Kysely<MetricsDatabase> | Transaction<MetricsDatabase>;

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

/** 1 for true, 0 for false (booleans are integers in both dialects). */
export const bool = (b: boolean): number => (b ? 1 : 0);

/** The current time as ISO 8601 (row bookkeeping only: figures use the times GitHub reports). */
export const nowIso = (): string => new Date().toISOString();

/** Parses a JSON array column; anything else (null, invalid JSON, an object) gives an empty array. */
export function parseJsonArray<T>(text: string | null | undefined): T[] {
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

/** Derived counters of a pull request row when it is first inserted (recomputed from its events afterwards). */
export const NEW_PULL_REQUEST_COUNTERS = {
  review_rounds: 0,
  agent_pushes_after_first_review: 0,
  human_pushes_after_first_review: 0,
  human_rework_commits: 0,
  overridden: 0,
  merged_without_review: 0,
  merged_without_qualifying_approval: 0,
} as const;

/** The query reading a PR row, locking it on PostgreSQL (`FOR UPDATE`) until the transaction ends. */
export function lockPullRequestQuery(ctx: StoreContext, trx: Db, repository: string, number: number) {
  return trx
    .selectFrom('pull_requests')
    .selectAll()
    .where('repository', '=', repository)
    .where('number', '=', number)
    .$if(ctx.dialect === 'postgres', (qb) => qb.forUpdate());
}

/** Reads a PR row, locking it on PostgreSQL (`FOR UPDATE`) until the transaction ends. */
export async function lockPullRequest(ctx: StoreContext, trx: Db, repository: string, number: number): Promise<PullRequestRow | undefined> {
  return lockPullRequestQuery(ctx, trx, repository, number).executeTakeFirst();
}

/** A query `executeTogether` can run: any Kysely select, insert, update or delete builder. */
export type TogetherQuery<R> = Compilable<R> & OperationNodeSource;

/**
 * Runs queries that touch different rows as ONE statement on PostgreSQL, each as a `WITH` sub-statement
 * (`WITH q0 AS (…), q1 AS (…) SELECT …`), and resolves the rows each returns (a select's rows, an insert's,
 * update's or delete's `RETURNING` rows; none without `RETURNING`), in order. PostgreSQL runs them all on one
 * snapshot: none sees another's writes, so a read among them sees the rows as they were before the statement
 * (`storeEvaluation` reads the latest evaluation as it inserts the new one). Never combine two writes of one row.
 * Rows come back through JSON (integers and doubles as numbers, as node-pg gives them). SQLite runs the queries
 * one by one in order (in-process: no round trip to save); callers combine only queries whose order does not
 * change the outcome, so both dialects store the same rows. `undefined` entries are skipped (resolve to `[]`).
 */
export async function executeTogether<T extends readonly unknown[]>(
  ctx: StoreContext,
  trx: Db,
  queries: { readonly [K in keyof T]: TogetherQuery<T[K]> | undefined },
): Promise<{ [K in keyof T]: T[K][] }> {
  const present = queries.flatMap((q, i) => (q ? [{ q, i }] : []));
  const out = queries.map(() => []) as unknown[][];
  if (ctx.dialect === 'sqlite' || present.length === 1) {
    for (const { q, i } of present) out[i] = (await trx.executeQuery(q.compile())).rows;
    return out as { [K in keyof T]: T[K][] };
  }
  if (present.length === 0) return out as { [K in keyof T]: T[K][] };
  // A sub-statement without RETURNING has no rows to read: it runs all the same (PostgreSQL runs every
  // data-modifying WITH to completion whether the main query reads it or not).
  const returns = present.filter(({ q }) => {
    const node = q.toOperationNode() as { kind: string; returning?: unknown };
    return node.kind === 'SelectQueryNode' || node.returning !== undefined;
  });
  const ctes = sql.join(present.map(({ q, i }) => sql`${sql.ref(`q${i}`)} AS (${q})`));
  const selected = returns.length
    ? sql.join(
        returns.map(({ i }) => sql`(SELECT coalesce(json_agg(${sql.ref(`q${i}`)}), '[]') FROM ${sql.ref(`q${i}`)}) AS ${sql.ref(`r${i}`)}`),
      )
    : sql`1 AS one`;
  const { rows } = await sql<Record<string, unknown[]>>`WITH ${ctes} SELECT ${selected}`.execute(trx);
  for (const { i } of returns) out[i] = rows[0]?.[`r${i}`] ?? [];
  return out as { [K in keyof T]: T[K][] };
}

/**
 * PostgreSQL, inside `executeTogether`: true when its `index`-th query returned rows (e.g. an insert-or-ignore
 * inserted its row), for a write that must happen only then (`INSERT … SELECT … WHERE` this). On SQLite, where
 * `executeTogether` runs queries one by one, callers run such a write afterwards, when the result says so.
 */
export function togetherReturnedRows(index: number): RawBuilder<boolean> {
  return sql<boolean>`EXISTS (SELECT 1 FROM ${sql.ref(`q${index}`)})`;
}

/**
 * `(VALUES (…), (…))` of `rows`, every value cast to the SQL type of its column (`text`, `integer`), for
 * `UPDATE … FROM (VALUES …) AS v WHERE … = v.column1`: one statement for many rows, on both dialects (both
 * name the columns `column1`, `column2`, …).
 */
export function valuesList(types: readonly string[], rows: ReadonlyArray<readonly unknown[]>): RawBuilder<unknown> {
  return sql`(VALUES ${sql.join(rows.map((r) => sql`(${sql.join(r.map((v, i) => sql`CAST(${v} AS ${sql.raw(types[i] ?? 'text')})`))})`))})`;
}

/**
 * An insert of `rows` into `table`; with `onlyIf`, made only when that condition holds:
 * `INSERT INTO table (columns) SELECT * FROM (VALUES …) AS v WHERE onlyIf`, for an insert that depends on another
 * sub-statement of the same `executeTogether` on PostgreSQL (`togetherReturnedRows`). `columns` and their SQL
 * `types` (`text`, `integer`) name what the rows hold, in the order of the VALUES list. Add the conflict clause and
 * `returning` to the result as for any insert.
 */
export function insertRows<T extends keyof MetricsDatabase>(
  db: Db,
  table: T,
  columns: ReadonlyArray<keyof MetricsDatabase[T] & string>,
  types: readonly string[],
  rows: ReadonlyArray<Insertable<MetricsDatabase[T]>>,
  onlyIf?: RawBuilder<boolean>,
): InsertQueryBuilder<MetricsDatabase, T, InsertResult> {
  const insert = db.insertInto(table);
  if (!onlyIf) return insert.values(rows);
  const values = rows.map((row) => columns.map((column) => (row as Record<string, unknown>)[column]));
  return insert.columns(columns).expression(sql`SELECT * FROM ${valuesList(types, values)} AS v WHERE ${onlyIf}`);
}
