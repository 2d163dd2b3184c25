/**
 * `ai-review report` aggregation: pure functions from stored PR rows and reverts to per-group figures.
 * Groups: `human`, one per agent (`agent:<name>`), `automation`, and `unknown` (PRs the gate never evaluated).
 * Durations are in SECONDS; shares and rates are fractions 0..1 (null when the denominator is 0).
 */
import { revertedWithin } from './definitions.js';
import type { PullRequestsTable, RevertsTable } from './schema.js';

/** The PR columns the report reads. */
export type ReportPullRequest = Pick<
  PullRequestsTable,
  | 'repository'
  | 'number'
  | 'author_class'
  | 'agent'
  | 'state'
  | 'merged_at'
  | 'time_to_first_review_s'
  | 'time_to_merge_s'
  | 'review_rounds'
  | 'human_rework'
  | 'overridden'
  | 'merged_without_review'
  | 'merged_without_qualifying_approval'
>;

/** The revert columns the report reads. */
export type ReportRevert = Pick<RevertsTable, 'repository' | 'reverted_number' | 'reverted_at'>;

/** A median and 90th percentile of a sample, with its size. Null figures for an empty sample. */
export interface Distribution {
  n: number;
  median: number | null;
  p90: number | null;
}

/** Figures of one group of PRs. */
export interface ReportGroup {
  /** `human`, `agent:<name>`, `automation` or `unknown`. */
  group: string;
  authorClass: string;
  agent: string | null;
  prsOpened: number;
  merged: number;
  /** merged / opened. */
  mergedShare: number | null;
  /** Seconds, over PRs that got a first review after ready for review. */
  timeToFirstReview: Distribution;
  /** Seconds, ready for review to merge, over merged PRs. */
  timeToMerge: Distribution;
  mergedWithoutReview: number;
  mergedWithoutQualifyingApproval: number;
  /** Median review rounds over merged PRs. */
  medianReviewRounds: number | null;
  /** Agent PRs needing human rework / agent PRs; null for other groups. */
  humanReworkShare: number | null;
  /** Overridden PRs / PRs the gate evaluated; null for `unknown`. */
  overrideRate: number | null;
  /** Merged PRs reverted within 7 (30) days / merged PRs whose 7 (30)-day window has elapsed or that were reverted. */
  revertRate7d: number | null;
  revertRate30d: number | null;
}

/** The whole report. */
export interface MetricsReport {
  generatedAt: string;
  /** ISO time of the window start (PRs created at or after it), or null for all time. */
  since: string | null;
  repository: string | null;
  groups: ReportGroup[];
}

/**
 * Percentile with linear interpolation between closest ranks (the "R-7" / numpy default method).
 * `p` in 0..1. Returns null for an empty sample. Does not mutate the input.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (sorted.length - 1) * Math.min(1, Math.max(0, p));
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo] ?? 0;
  const b = sorted[hi] ?? a;
  return a + (b - a) * (rank - lo);
}

function distribution(values: number[]): Distribution {
  return { n: values.length, median: percentile(values, 0.5), p90: percentile(values, 0.9) };
}

function share(num: number, den: number): number | null {
  return den === 0 ? null : num / den;
}

/** Group key of a PR row. */
export function groupOf(pr: Pick<ReportPullRequest, 'author_class' | 'agent'>): string {
  if (pr.author_class === 'agent') return `agent:${pr.agent ?? 'unknown'}`;
  return pr.author_class;
}

const GROUP_ORDER = (g: string): string => (g === 'human' ? '0' : g.startsWith('agent:') ? `1${g}` : g === 'automation' ? '2' : '3');

/**
 * Aggregates the report.
 * @param prs PR rows already filtered to the window (created at or after `since`) and repository.
 * @param reverts revert rows (any window: a PR of the window may be reverted later).
 * @param now the evaluation time for the revert windows (injected: no clock inside).
 */
export function buildReport(
  prs: readonly ReportPullRequest[],
  reverts: readonly ReportRevert[],
  options: { now: Date; since: Date | null; repository: string | null },
): MetricsReport {
  const revertedAt = new Map<string, string>();
  for (const r of reverts) revertedAt.set(`${r.repository}#${r.reverted_number}`, r.reverted_at);

  const byGroup = new Map<string, ReportPullRequest[]>();
  for (const pr of prs) {
    const g = groupOf(pr);
    const list = byGroup.get(g) ?? [];
    list.push(pr);
    byGroup.set(g, list);
  }

  const groups: ReportGroup[] = [];
  for (const [group, list] of [...byGroup.entries()].sort((a, b) => GROUP_ORDER(a[0]).localeCompare(GROUP_ORDER(b[0])))) {
    const first = list[0];
    const merged = list.filter((p) => p.merged_at !== null);
    const revertRate = (days: number): number | null => {
      let num = 0;
      let den = 0;
      for (const p of merged) {
        const result = revertedWithin(p.merged_at ?? '', revertedAt.get(`${p.repository}#${p.number}`) ?? null, days, options.now);
        if (result === 'window_open') continue;
        den += 1;
        if (result === 'reverted') num += 1;
      }
      return share(num, den);
    };
    const isAgent = first?.author_class === 'agent';
    const evaluated = list.filter((p) => p.author_class !== 'unknown');
    groups.push({
      group,
      authorClass: first?.author_class ?? 'unknown',
      agent: isAgent ? (first?.agent ?? null) : null,
      prsOpened: list.length,
      merged: merged.length,
      mergedShare: share(merged.length, list.length),
      timeToFirstReview: distribution(list.flatMap((p) => (p.time_to_first_review_s === null ? [] : [p.time_to_first_review_s]))),
      timeToMerge: distribution(merged.flatMap((p) => (p.time_to_merge_s === null ? [] : [p.time_to_merge_s]))),
      mergedWithoutReview: merged.filter((p) => p.merged_without_review === 1).length,
      mergedWithoutQualifyingApproval: merged.filter((p) => p.merged_without_qualifying_approval === 1).length,
      medianReviewRounds: percentile(
        merged.map((p) => p.review_rounds),
        0.5,
      ),
      humanReworkShare: isAgent ? share(list.filter((p) => p.human_rework === 1).length, list.length) : null,
      overrideRate: evaluated.length === 0 ? null : share(evaluated.filter((p) => p.overridden === 1).length, evaluated.length),
      revertRate7d: revertRate(7),
      revertRate30d: revertRate(30),
    });
  }
  return {
    generatedAt: options.now.toISOString(),
    since: options.since ? options.since.toISOString() : null,
    repository: options.repository,
    groups,
  };
}

/**
 * Parses a duration such as `30d`, `12h`, `90m`, `45s` or `2w` into milliseconds.
 * Throws an Error naming the value when it does not match `<positive integer><s|m|h|d|w>`.
 */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+)\s*([smhdw])\s*$/i.exec(text);
  if (!m?.[1] || !m[2]) throw new Error(`invalid duration "${text}": use e.g. 30d, 12h, 90m, 2w`);
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2].toLowerCase() as 's' | 'm' | 'h' | 'd' | 'w'];
  return Number(m[1]) * unit;
}
