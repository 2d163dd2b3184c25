/**
 * `ai-review report [--since 30d|DATE] [--repo owner/name] [--by agent,task-type,repository,week]
 * [--format table|markdown|csv|json|html] [--output FILE]`: review figures per group, and the reviewers, rules
 * and overrides sections, from the metrics store (`DATABASE_URL`, default the SQLite file
 * `./data/ai-review.sqlite`; refuses to create a store that does not exist). Aggregation lives in
 * `src/metrics/report.ts`, the HTML page in `src/metrics/html-report.ts`; this file reads the store and formats.
 * Errors are thrown as `CliError` / `UsageError` (src/cli/errors.ts).
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import pino from 'pino';
import { openStore, StoreNotFoundError, StoreUnavailableError } from '../metrics/index.js';
import type { MetricsStore } from '../metrics/store.js';
import {
  buildReport,
  DIMENSIONS,
  parseDuration,
  parseSince,
  type Dimension,
  type MetricsReport,
  type ReportGroup,
  type ReviewerLoad,
} from '../metrics/report.js';
import { loadChartJs, renderHtmlReport } from '../metrics/html-report.js';
import { CliError, UsageError } from './errors.js';
import { preparedStatementsFromEnv } from '../postgres-pool.js';

/** Output formats of `ai-review report`. */
export type ReportFormat = 'table' | 'markdown' | 'csv' | 'json' | 'html';

/** Human-readable duration for seconds: `45s`, `12m`, `3h 05m`, `2d 4h`; `–` for null. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.round(s / 60)}m`;
  if (s < 86_400) {
    const h = Math.floor(s / 3600);
    return `${h}h ${String(Math.round((s - h * 3600) / 60)).padStart(2, '0')}m`;
  }
  const d = Math.floor(s / 86_400);
  return `${d}d ${Math.round((s - d * 86_400) / 3600)}h`;
}

function pct(v: number | null): string {
  return v === null ? '–' : `${(v * 100).toFixed(1)}%`;
}

function num(v: number | null): string {
  return v === null ? '–' : Number.isInteger(v) ? String(v) : v.toFixed(1);
}

const COLUMNS: Array<{ title: string; value: (g: ReportGroup) => string; raw: (g: ReportGroup) => string | number | null }> = [
  { title: 'Group', value: (g) => g.group, raw: (g) => g.group },
  { title: 'PRs opened', value: (g) => String(g.prsOpened), raw: (g) => g.prsOpened },
  { title: 'Merged', value: (g) => pct(g.mergedShare), raw: (g) => g.mergedShare },
  { title: 'Closed unmerged', value: (g) => String(g.closedWithoutMerge), raw: (g) => g.closedWithoutMerge },
  { title: 'Open', value: (g) => String(g.stillOpen), raw: (g) => g.stillOpen },
  { title: 'Open→merge p50', value: (g) => formatDuration(g.openToMerge.median), raw: (g) => g.openToMerge.median },
  { title: 'Open→close p50', value: (g) => formatDuration(g.openToClose.median), raw: (g) => g.openToClose.median },
  { title: 'First review p50', value: (g) => formatDuration(g.timeToFirstReview.median), raw: (g) => g.timeToFirstReview.median },
  { title: 'First review p90', value: (g) => formatDuration(g.timeToFirstReview.p90), raw: (g) => g.timeToFirstReview.p90 },
  { title: 'Merge p50', value: (g) => formatDuration(g.timeToMerge.median), raw: (g) => g.timeToMerge.median },
  { title: 'Merge p90', value: (g) => formatDuration(g.timeToMerge.p90), raw: (g) => g.timeToMerge.p90 },
  { title: 'Merged w/o review', value: (g) => String(g.mergedWithoutReview), raw: (g) => g.mergedWithoutReview },
  { title: 'Review rounds p50', value: (g) => num(g.medianReviewRounds), raw: (g) => g.medianReviewRounds },
  { title: 'Human rework', value: (g) => pct(g.humanReworkShare), raw: (g) => g.humanReworkShare },
  { title: 'Override rate', value: (g) => pct(g.overrideRate), raw: (g) => g.overrideRate },
  { title: 'Revert 7d', value: (g) => pct(g.revertRate7d), raw: (g) => g.revertRate7d },
  { title: 'Revert 30d', value: (g) => pct(g.revertRate30d), raw: (g) => g.revertRate30d },
];

const CSV_HEADER = [
  'group',
  'author_class',
  'agent',
  'prs_opened',
  'merged',
  'merged_share',
  'closed_without_merge',
  'still_open',
  'open_to_merge_n',
  'open_to_merge_median_s',
  'open_to_merge_p90_s',
  'open_to_close_n',
  'open_to_close_median_s',
  'open_to_close_p90_s',
  'time_to_first_review_n',
  'time_to_first_review_median_s',
  'time_to_first_review_p90_s',
  'time_to_merge_n',
  'time_to_merge_median_s',
  'time_to_merge_p90_s',
  'merged_without_review',
  'merged_without_qualifying_approval',
  'median_review_rounds',
  'human_rework_share',
  'override_rate',
  'revert_rate_7d',
  'revert_rate_30d',
];

/** Text on one line: control characters (line breaks, escapes) become spaces. */
function oneLine(text: string): string {
  return [...text].map((c) => (c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127 ? ' ' : c)).join('');
}

function csvCell(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function mdCell(s: string): string {
  return s.replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, ' ');
}

/** A titled table of strings, rendered as text or Markdown. */
interface Section {
  title: string;
  headers: string[];
  rows: string[][];
  empty: string;
}

const count = (r: Record<string, number>, key: string): string => String(r[key] ?? 0);

function sections(report: MetricsReport): Section[] {
  const reviewers = report.reviewers.map((r: ReviewerLoad) => [
    r.reviewer,
    r.type,
    count(r.requests, 'agent'),
    count(r.requests, 'human'),
    count(r.reviewsGiven, 'agent'),
    count(r.reviewsGiven, 'human'),
    formatDuration(r.requestToFirstReview.median),
    String(r.openNow),
    formatDuration(r.oldestOpenWaitSeconds),
  ]);
  return [
    {
      title: 'Reviewers',
      headers: [
        'Reviewer',
        'Type',
        'Req. agent',
        'Req. human',
        'Reviews agent',
        'Reviews human',
        'Req→review p50',
        'Open now',
        'Oldest wait',
      ],
      rows: reviewers,
      empty: 'No review requests or reviews recorded in this window.',
    },
    {
      title: 'Rules',
      headers: ['Rule', 'Mode', 'PRs applied', 'Would block', 'Merged not holding', 'Ready→holds p50'],
      rows: report.rules.map((r) => [
        r.rule,
        r.mode,
        String(r.prsApplied),
        String(r.prsBlocked),
        String(r.mergedWhileNotHolding),
        formatDuration(r.readyToHold.median),
      ]),
      empty: 'No evaluation recorded its rules in this window.',
    },
    {
      title: 'Overrides',
      headers: ['PR', 'By', 'At', 'Head SHA', 'Source', 'Reason'],
      rows: report.overrides.map((o) => [
        `${o.repository}#${o.number}`,
        o.login,
        o.at,
        (o.headSha ?? '').slice(0, 12),
        o.source ?? '',
        oneLine(o.reason ?? '').slice(0, 200),
      ]),
      empty: 'No overrides in this window.',
    },
  ];
}

function textTable(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (row: string[]): string =>
    row
      .map((v, i) => (i === 0 || i === row.length - 1 ? v.padEnd(widths[i] ?? 0) : v.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

function markdownTable(headers: string[], rows: string[][]): string[] {
  return [
    `| ${headers.map(mdCell).join(' | ')} |`,
    `|${headers.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...rows.map((row) => `| ${row.map(mdCell).join(' | ')} |`),
  ];
}

/**
 * Formats a report in one of the text formats (pure). Durations are seconds in csv/json, human-readable otherwise.
 * csv holds the groups only (one column per `--by` dimension after `group`); table and markdown add the
 * reviewers, rules and overrides sections. Untrusted text (override reasons) is escaped for Markdown and CSV.
 */
export function formatReport(report: MetricsReport, format: Exclude<ReportFormat, 'html'>): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  if (format === 'csv') {
    const extraDims = report.by.filter((d) => d !== 'agent');
    const header = [...CSV_HEADER.slice(0, 1), ...extraDims.map((d) => d.replace('-', '_')), ...CSV_HEADER.slice(1)];
    const rows = report.groups.map((g) =>
      [
        g.group,
        ...extraDims.map((d) => g.dimensions[d] ?? null),
        g.authorClass,
        g.agent,
        g.prsOpened,
        g.merged,
        g.mergedShare,
        g.closedWithoutMerge,
        g.stillOpen,
        g.openToMerge.n,
        g.openToMerge.median,
        g.openToMerge.p90,
        g.openToClose.n,
        g.openToClose.median,
        g.openToClose.p90,
        g.timeToFirstReview.n,
        g.timeToFirstReview.median,
        g.timeToFirstReview.p90,
        g.timeToMerge.n,
        g.timeToMerge.median,
        g.timeToMerge.p90,
        g.mergedWithoutReview,
        g.mergedWithoutQualifyingApproval,
        g.medianReviewRounds,
        g.humanReworkShare,
        g.overrideRate,
        g.revertRate7d,
        g.revertRate30d,
      ]
        .map(csvCell)
        .join(','),
    );
    return `${[header.join(','), ...rows].join('\n')}\n`;
  }
  const scope = `${report.repository ?? 'all repositories'}, PRs created ${report.since ? `since ${report.since}` : 'at any time'}, by ${report.by.join(', ')}`;
  const cells = report.groups.map((g) => COLUMNS.map((c) => c.value(g)));
  const titles = COLUMNS.map((c) => c.title);
  const out: string[] = [];
  if (format === 'markdown') {
    out.push(`Review metrics: ${mdCell(scope)}`, '', ...markdownTable(titles, cells));
    if (report.groups.length === 0) out.push('', 'No pull requests recorded in this window.');
    for (const s of sections(report)) {
      out.push('', `### ${s.title}`, '');
      if (s.rows.length === 0) out.push(s.empty);
      else out.push(...markdownTable(s.headers, s.rows));
    }
    return `${out.join('\n')}\n`;
  }
  out.push(`Review metrics: ${scope}`, '', ...textTable(titles, cells));
  if (report.groups.length === 0) out.push('No pull requests recorded in this window.');
  for (const s of sections(report)) {
    out.push('', s.title, '');
    if (s.rows.length === 0) out.push(s.empty);
    else out.push(...textTable(s.headers, s.rows));
  }
  return `${out.join('\n')}\n`;
}

/** Commander argument parser for durations (`30d`): milliseconds, or InvalidArgumentError. */
export function durationArg(value: string): number {
  try {
    return parseDuration(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

/** Commander argument parser for `owner/name`. */
export function repoArg(value: string): string {
  if (!/^[\w.-]+\/[\w.-]+$/.test(value)) throw new InvalidArgumentError(`expected owner/name, got "${value}"`);
  return value;
}

/** Commander argument parser for `--by`: a comma-separated list of dimensions. */
export function byArg(value: string): Dimension[] {
  const dims = value.split(',').map((d) => d.trim().toLowerCase());
  for (const d of dims) {
    if (!(DIMENSIONS as readonly string[]).includes(d))
      throw new InvalidArgumentError(`unknown dimension "${d}": use ${DIMENSIONS.join(', ')}`);
  }
  return dims as Dimension[];
}

/** Reads every section of the report for a window from the store. */
export async function loadReport(
  store: MetricsStore,
  options: { now: Date; since: Date; repository: string | null; by: Dimension[] },
): Promise<MetricsReport> {
  // PRs whose job never recomputed them (or recorded by an older app) are brought up to date first.
  while ((await store.recomputeStale(1000)).recomputed >= 1000);
  const filter = { since: options.since, ...(options.repository ? { repository: options.repository } : {}) };
  const repoOnly = options.repository ? { repository: options.repository } : {};
  const [prs, reverts, spans, openSpans, reviews, ruleOutcomes, overrides] = await Promise.all([
    store.listPullRequests(filter),
    store.listReverts(repoOnly),
    store.listReviewRequestSpans(filter),
    store.listOpenReviewRequestSpans(repoOnly),
    store.listHumanReviews(filter),
    store.listRuleOutcomes(filter),
    store.listOverrides(filter),
  ]);
  return buildReport(
    prs,
    reverts,
    { now: options.now, since: options.since, repository: options.repository, by: options.by },
    { spans, openSpans, reviews, ruleOutcomes, overrides },
  );
}

/** Opens the store for a read-only command: never creates one; errors become one-line `CliError`s. */
export async function openExistingStore(databaseUrl: string | undefined): Promise<MetricsStore> {
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination(2));
  try {
    return await openStore({ databaseUrl, logger, mustExist: true, preparedStatements: preparedStatementsFromEnv(process.env) });
  } catch (err) {
    if (err instanceof StoreNotFoundError || err instanceof StoreUnavailableError) throw new CliError(err.message, { cause: err });
    throw new CliError(`cannot open the metrics store: ${(err as Error).message}`, { cause: err });
  }
}

/** Options of the `report` subcommand after parsing. */
interface ReportOptions {
  since: string;
  repo?: string;
  by: Dimension[];
  format: ReportFormat;
  output?: string;
}

/** Registers the `report` subcommand. */
export function register(program: Command): void {
  program
    .command('report')
    .description(
      'Review figures per author group (and task type, repository, week), reviewers, rules and overrides, from the metrics store (DATABASE_URL)',
    )
    .option('--since <duration|date>', 'PRs created within this duration (30d, 12h, 2w) or since this date (2026-01-31)', '30d')
    .option('--repo <owner/name>', 'only this repository', repoArg)
    .addOption(
      new Option('--by <dimensions>', `split groups by ${DIMENSIONS.join(', ')} (comma-separated)`)
        .argParser(byArg)
        .default(['agent'], 'agent'),
    )
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'markdown', 'csv', 'json', 'html']).default('table'))
    .option('--output <file>', 'write the report to this file instead of stdout')
    .action(async (opts: ReportOptions) => {
      const now = new Date();
      let since: Date;
      try {
        since = parseSince(opts.since, now);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      const store = await openExistingStore(process.env.DATABASE_URL);
      let text: string;
      try {
        const report = await loadReport(store, { now, since, repository: opts.repo ?? null, by: opts.by });
        if (opts.format === 'html') {
          const weekly = await loadReport(store, { now, since, repository: opts.repo ?? null, by: ['agent', 'week'] });
          text = renderHtmlReport({ report, weekly, chartJs: loadChartJs() });
        } else text = formatReport(report, opts.format);
      } finally {
        await store.close();
      }
      if (opts.output) {
        try {
          writeFileSync(opts.output, text);
        } catch (err) {
          throw new CliError(`cannot write ${opts.output}: ${(err as Error).message}`, { cause: err });
        }
      } else process.stdout.write(text);
    });
}
