/**
 * Types and small helpers shared by the store modules (ingest, attribution, reverts, evaluations, recompute,
 * queries, cursors). Nothing here talks to the database except `lockPullRequest`.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { MetricsDatabase, PullRequestsTable, RevertsTable } from '../schema.js';

/** Which SQL dialect the store talks to. */
export type StoreDialect = 'sqlite' | 'postgres';

/** What every store module needs besides the transaction it runs in. */
export interface StoreContext {
  dialect: StoreDialect;
  logger?: Logger | undefined;
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

/** Reads a PR row, locking it on PostgreSQL (`FOR UPDATE`) until the transaction ends. */
export async function lockPullRequest(ctx: StoreContext, trx: Db, repository: string, number: number): Promise<PullRequestRow | undefined> {
  return trx
    .selectFrom('pull_requests')
    .selectAll()
    .where('repository', '=', repository)
    .where('number', '=', number)
    .$if(ctx.dialect === 'postgres', (qb) => qb.forUpdate())
    .executeTakeFirst();
}
