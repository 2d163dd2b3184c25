/**
 * `ai-review report` aggregation: pure functions from stored rows to per-group figures and the report's sections
 * (reviewers, rules, overrides). Groups are split by one or more dimensions (`--by`): author (`human`,
 * `agent:<name>`, `assisted:<name>`, `automation`, `unknown`), task type, repository, ISO week of opening.
 * Durations are in SECONDS; shares and rates are fractions 0..1 (null when the denominator is 0).
 */
import { revertedWithin } from './definitions.js';
import type { PullRequestsTable, RevertsTable } from './schema.js';
import type { OverrideRow, ReviewRequestSpanRow, ReviewRow, RuleOutcomeRow } from './store.js';

/** The PR columns the report reads. */
export type ReportPullRequest = Pick<
  PullRequestsTable,
  | 'repository'
  | 'number'
  | 'author_class'
  | 'agent'
  | 'state'
  | 'created_at'
  | 'merged_at'
  | 'closed_at'
  | 'task_type'
  | 'first_evaluated_at'
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

/** Dimensions a report can be split by (`--by`, combinable). */
export const DIMENSIONS = ['agent', 'task-type', 'repository', 'week'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** Figures of one group of PRs. */
export interface ReportGroup {
  /** The group's dimension values joined with ` / `, e.g. `agent:copilot / feat`. */
  group: string;
  /** The value of each dimension the report is split by. */
  dimensions: Partial<Record<Dimension, string>>;
  /** Author class and agent of the group, when split by agent (else null). */
  authorClass: string | null;
  agent: string | null;
  prsOpened: number;
  merged: number;
  /** merged / opened. */
  mergedShare: number | null;
  /** PRs opened in the window and closed without merge (closed now). */
  closedWithoutMerge: number;
  /** PRs opened in the window and still open. */
  stillOpen: number;
  /** Seconds from the PR's `created_at` to its merge, over merged PRs. */
  openToMerge: Distribution;
  /** Seconds from the PR's `created_at` to its last close without merge, over PRs closed without merge. */
  openToClose: Distribution;
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
  /** Overridden PRs / PRs the gate evaluated at least once; null when the gate evaluated none of the group. */
  overrideRate: number | null;
  /** Merged PRs reverted within 7 (30) days / merged PRs whose 7 (30)-day window has elapsed or that were reverted. */
  revertRate7d: number | null;
  revertRate30d: number | null;
}

/** Review load of one reviewer (user login) or team (`@org/slug`). */
export interface ReviewerLoad {
  reviewer: string;
  type: 'user' | 'team';
  /** Review requests received on PRs opened in the window, by the PR's author class (`agent`, `human`, …). */
  requests: Record<string, number>;
  /**
   * Users: independent human reviews they submitted on PRs opened in the window, by author class. Teams: the
   * requests a review answered (team membership is not recorded).
   */
  reviewsGiven: Record<string, number>;
  /** Seconds from a request to the review answering it, over answered requests. */
  requestToFirstReview: Distribution;
  /** Requests open now on open PRs (any opening time), and seconds since the oldest of them. */
  openNow: number;
  oldestOpenWaitSeconds: number | null;
}

/** What one rule did, per mode, over the PRs opened in the window (issue 9's pilot verdict). */
export interface RuleVerdict {
  rule: string;
  mode: string;
  /** PRs it applied to (at least one evaluation recorded it). */
  prsApplied: number;
  /** PRs enforcement would have blocked at some point (the rule did not hold and no override was in place). */
  prsBlocked: number;
  /** PRs merged while the rule did not hold (at the last evaluation before the merge). */
  mergedWhileNotHolding: number;
  /** Seconds from ready for review to the first evaluation in which the rule held. */
  readyToHold: Distribution;
}

/** One override, as listed in the report. `reason` is untrusted text: formatters escape it. */
export interface ReportOverride {
  repository: string;
  number: number;
  login: string;
  at: string;
  headSha: string | null;
  reason: string | null;
  source: string | null;
}

/** The whole report. */
export interface MetricsReport {
  generatedAt: string;
  /** ISO time of the window start (PRs created at or after it), or null for all time. */
  since: string | null;
  repository: string | null;
  /** Dimensions the groups are split by. */
  by: Dimension[];
  groups: ReportGroup[];
  reviewers: ReviewerLoad[];
  rules: RuleVerdict[];
  overrides: ReportOverride[];
}

/** Rows of the report's sections besides the PRs and reverts (all optional: missing sections are empty). */
export interface ReportSections {
  /** Review-request spans of PRs opened in the window. */
  spans?: readonly ReviewRequestSpanRow[];
  /** Spans open now on open PRs (any opening time). */
  openSpans?: readonly ReviewRequestSpanRow[];
  /** Independent human reviews on PRs opened in the window. */
  reviews?: readonly ReviewRow[];
  ruleOutcomes?: readonly RuleOutcomeRow[];
  overrides?: readonly OverrideRow[];
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

/**
 * Author group of a PR row: `human`, `automation`, `unknown`, or `<class>:<agent>` for every other class
 * (`agent:copilot`, and `assisted:<agent>` for a person's PR with agent-co-authored commits). The class is
 * treated as a string, so classes the classifier adds later get their own groups.
 */
export function groupOf(pr: Pick<ReportPullRequest, 'author_class' | 'agent'>): string {
  if (pr.author_class === 'human' || pr.author_class === 'automation' || pr.author_class === 'unknown') return pr.author_class;
  return `${pr.author_class}:${pr.agent ?? 'unknown'}`;
}

/** ISO 8601 week of a time (UTC), e.g. `2026-W10`; weeks start on Monday, week 1 holds the year's first Thursday. */
export function isoWeek(iso: string): string {
  const d = new Date(iso);
  const day = (d.getUTCDay() + 6) % 7; // Monday 0
  const thursday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day + 3));
  const jan4 = new Date(Date.UTC(thursday.getUTCFullYear(), 0, 4));
  const week1Thursday = jan4.getTime() + (3 - ((jan4.getUTCDay() + 6) % 7)) * 86_400_000;
  const week = 1 + Math.round((thursday.getTime() - week1Thursday) / 604_800_000);
  return `${thursday.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** The value of one dimension for a PR row. */
export function dimensionValue(pr: ReportPullRequest, dimension: Dimension): string {
  switch (dimension) {
    case 'agent':
      return groupOf(pr);
    case 'task-type':
      return pr.task_type ?? 'unknown';
    case 'repository':
      return pr.repository;
    case 'week':
      return pr.created_at ? isoWeek(pr.created_at) : 'unknown';
  }
}

const AUTHOR_ORDER = (g: string): string =>
  g === 'human' ? '0' : g.startsWith('agent:') ? `1${g}` : g.includes(':') ? `2${g}` : g === 'automation' ? '3' : '4';

function compareDimension(dimension: Dimension, a: string, b: string): number {
  if (dimension === 'agent') return AUTHOR_ORDER(a).localeCompare(AUTHOR_ORDER(b));
  return a.localeCompare(b);
}

/** Seconds between two ISO times, or null when either is missing. */
function secondsBetween(from: string | null, to: string | null): number | null {
  if (!from || !to) return null;
  return Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);
}

const present = (v: number | null): v is number => v !== null;

/**
 * Aggregates the report.
 * @param prs PR rows already filtered to the window (created at or after `since`) and repository.
 * @param reverts revert rows (any window: a PR of the window may be reverted later).
 * @param options `now` is the evaluation time for revert windows and open waits (injected: no clock inside);
 *   `by` the dimensions to split the groups by (default `['agent']`).
 * @param sections rows of the reviewers, rules and overrides sections.
 */
export function buildReport(
  prs: readonly ReportPullRequest[],
  reverts: readonly ReportRevert[],
  options: { now: Date; since: Date | null; repository: string | null; by?: readonly Dimension[] },
  sections: ReportSections = {},
): MetricsReport {
  const by: Dimension[] = options.by && options.by.length > 0 ? [...new Set(options.by)] : ['agent'];
  const revertedAt = new Map<string, string>();
  for (const r of reverts) revertedAt.set(`${r.repository}#${r.reverted_number}`, r.reverted_at);

  const byGroup = new Map<string, { values: string[]; list: ReportPullRequest[] }>();
  for (const pr of prs) {
    const values = by.map((d) => dimensionValue(pr, d));
    const key = JSON.stringify(values);
    const entry = byGroup.get(key) ?? { values, list: [] };
    entry.list.push(pr);
    byGroup.set(key, entry);
  }
  const ordered = [...byGroup.values()].sort((a, b) => {
    for (let i = 0; i < by.length; i += 1) {
      const c = compareDimension(by[i] as Dimension, a.values[i] ?? '', b.values[i] ?? '');
      if (c !== 0) return c;
    }
    return 0;
  });

  const groups: ReportGroup[] = [];
  for (const { values, list } of ordered) {
    const first = list[0];
    const merged = list.filter((p) => p.merged_at !== null);
    const closed = list.filter((p) => p.state === 'closed');
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
    const splitByAgent = by.includes('agent');
    const isAgent = list.every((p) => p.author_class === 'agent');
    const evaluated = list.filter((p) => p.first_evaluated_at !== null);
    const dimensions: Partial<Record<Dimension, string>> = {};
    by.forEach((d, i) => (dimensions[d] = values[i] ?? ''));
    groups.push({
      group: values.join(' / '),
      dimensions,
      authorClass: splitByAgent ? (first?.author_class ?? 'unknown') : null,
      agent: splitByAgent && first?.author_class !== 'human' && first?.author_class !== 'unknown' ? (first?.agent ?? null) : null,
      prsOpened: list.length,
      merged: merged.length,
      mergedShare: share(merged.length, list.length),
      closedWithoutMerge: closed.length,
      stillOpen: list.filter((p) => p.state === 'open').length,
      openToMerge: distribution(merged.map((p) => secondsBetween(p.created_at, p.merged_at)).filter(present)),
      openToClose: distribution(closed.map((p) => secondsBetween(p.created_at, p.closed_at)).filter(present)),
      timeToFirstReview: distribution(list.flatMap((p) => (p.time_to_first_review_s === null ? [] : [p.time_to_first_review_s]))),
      timeToMerge: distribution(merged.flatMap((p) => (p.time_to_merge_s === null ? [] : [p.time_to_merge_s]))),
      mergedWithoutReview: merged.filter((p) => p.merged_without_review === 1).length,
      mergedWithoutQualifyingApproval: merged.filter((p) => p.merged_without_qualifying_approval === 1).length,
      medianReviewRounds: percentile(
        merged.map((p) => p.review_rounds),
        0.5,
      ),
      humanReworkShare: isAgent && list.length > 0 ? share(list.filter((p) => p.human_rework === 1).length, list.length) : null,
      overrideRate: evaluated.length === 0 ? null : share(evaluated.filter((p) => p.overridden === 1).length, evaluated.length),
      revertRate7d: revertRate(7),
      revertRate30d: revertRate(30),
    });
  }
  return {
    generatedAt: options.now.toISOString(),
    since: options.since ? options.since.toISOString() : null,
    repository: options.repository,
    by,
    groups,
    reviewers: buildReviewerLoad(sections, options.now),
    rules: buildRuleVerdicts(sections.ruleOutcomes ?? []),
    overrides: (sections.overrides ?? []).map((o) => ({
      repository: o.repository,
      number: o.number,
      login: o.login,
      at: o.at,
      headSha: o.head_sha,
      reason: o.reason,
      source: o.source,
    })),
  };
}

function increment(record: Record<string, number>, key: string): void {
  record[key] = (record[key] ?? 0) + 1;
}

/**
 * The reviewers section: per user and per team, requests received and reviews given on PRs opened in the window
 * (by the PR's author class), the time from request to the answering review, and requests open now. Ordered by
 * teams first, then by requests received (most first), then by name.
 */
export function buildReviewerLoad(sections: ReportSections, now: Date): ReviewerLoad[] {
  const loads = new Map<string, ReviewerLoad & { waits: number[] }>();
  const load = (reviewer: string, type: 'user' | 'team'): ReviewerLoad & { waits: number[] } => {
    const key = `${type}:${reviewer.toLowerCase()}`;
    let l = loads.get(key);
    if (!l) {
      l = {
        reviewer,
        type,
        requests: {},
        reviewsGiven: {},
        requestToFirstReview: distribution([]),
        openNow: 0,
        oldestOpenWaitSeconds: null,
        waits: [],
      };
      loads.set(key, l);
    }
    return l;
  };
  for (const s of sections.spans ?? []) {
    const type = s.reviewer_type === 'team' ? 'team' : 'user';
    const l = load(s.reviewer, type);
    increment(l.requests, s.author_class);
    if (s.outcome === 'reviewed' && s.seconds_to_review !== null) {
      l.waits.push(s.seconds_to_review);
      if (type === 'team') increment(l.reviewsGiven, s.author_class);
    }
  }
  for (const r of sections.reviews ?? []) increment(load(r.reviewer, 'user').reviewsGiven, r.author_class);
  for (const s of sections.openSpans ?? []) {
    const l = load(s.reviewer, s.reviewer_type === 'team' ? 'team' : 'user');
    l.openNow += 1;
    const wait = Math.max(0, (now.getTime() - Date.parse(s.requested_at)) / 1000);
    l.oldestOpenWaitSeconds = Math.max(l.oldestOpenWaitSeconds ?? 0, wait);
  }
  const total = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);
  return [...loads.values()]
    .map(({ waits, ...l }) => ({ ...l, requestToFirstReview: distribution(waits) }))
    .sort(
      (a, b) =>
        (a.type === 'team' ? 0 : 1) - (b.type === 'team' ? 0 : 1) ||
        total(b.requests) - total(a.requests) ||
        a.reviewer.localeCompare(b.reviewer),
    );
}

/** The rules section: per rule and mode, over the PRs opened in the window. Ordered by rule, then mode. */
export function buildRuleVerdicts(rows: readonly RuleOutcomeRow[]): RuleVerdict[] {
  const byKey = new Map<string, { rule: string; mode: string; rows: RuleOutcomeRow[] }>();
  for (const r of rows) {
    const key = `${r.rule}\u0000${r.mode}`;
    const entry = byKey.get(key) ?? { rule: r.rule, mode: r.mode, rows: [] };
    entry.rows.push(r);
    byKey.set(key, entry);
  }
  return [...byKey.values()]
    .sort((a, b) => a.rule.localeCompare(b.rule) || a.mode.localeCompare(b.mode))
    .map(({ rule, mode, rows: list }) => ({
      rule,
      mode,
      prsApplied: list.length,
      prsBlocked: list.filter((r) => r.blocked === 1).length,
      mergedWhileNotHolding: list.filter((r) => r.merged_while_not_holding === 1).length,
      readyToHold: distribution(list.map((r) => r.ready_to_hold_s).filter(present)),
    }));
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

/**
 * Parses `--since`: a duration before `now` (`90d`, see `parseDuration`) or a date (`2026-01-31`, or any ISO
 * 8601 time). Returns the window start. Throws an Error naming the value otherwise, or for a date after `now`.
 */
export function parseSince(text: string, now: Date): Date {
  if (/^\s*\d+\s*[smhdw]\s*$/i.test(text)) return new Date(now.getTime() - parseDuration(text));
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())) {
    const ms = Date.parse(text.trim().length === 10 ? `${text.trim()}T00:00:00Z` : text.trim());
    if (!Number.isNaN(ms)) {
      if (ms > now.getTime()) throw new Error(`--since ${text} is in the future`);
      return new Date(ms);
    }
  }
  throw new Error(`invalid --since "${text}": use a duration (30d, 12h, 2w) or a date (2026-01-31)`);
}
