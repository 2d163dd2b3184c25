/**
 * `ai-review report [--since 30d] [--repo owner/name] [--format table|markdown|csv|json]`: prints review
 * latency and rework figures per group (human PRs, each agent) from the metrics store (`DATABASE_URL`, default
 * the SQLite file `./data/ai-review.sqlite`). Aggregation lives in `src/metrics/report.ts`; this file only
 * reads the store and formats.
 */
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import pino from 'pino';
import { openStore } from '../metrics/index.js';
import { buildReport, parseDuration, type MetricsReport, type ReportGroup } from '../metrics/report.js';

/** Output formats of `ai-review report`. */
export type ReportFormat = 'table' | 'markdown' | 'csv' | 'json';

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

function csvCell(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

/** Formats a report in one of the output formats (pure). Durations are seconds in csv/json, human-readable otherwise. */
export function formatReport(report: MetricsReport, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  if (format === 'csv') {
    const rows = report.groups.map((g) =>
      [
        g.group,
        g.authorClass,
        g.agent,
        g.prsOpened,
        g.merged,
        g.mergedShare,
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
    return `${[CSV_HEADER.join(','), ...rows].join('\n')}\n`;
  }
  const scope = `${report.repository ?? 'all repositories'}, PRs created ${report.since ? `since ${report.since}` : 'at any time'}`;
  const cells = report.groups.map((g) => COLUMNS.map((c) => c.value(g)));
  if (format === 'markdown') {
    const lines = [
      `Review metrics: ${mdCell(scope)}`,
      '',
      `| ${COLUMNS.map((c) => c.title).join(' | ')} |`,
      `|${COLUMNS.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
      ...cells.map((row) => `| ${row.map(mdCell).join(' | ')} |`),
    ];
    if (report.groups.length === 0) lines.push('', 'No pull requests recorded in this window.');
    return `${lines.join('\n')}\n`;
  }
  const widths = COLUMNS.map((c, i) => Math.max(c.title.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (row: string[]): string =>
    row
      .map((v, i) => (i === 0 ? v.padEnd(widths[i] ?? 0) : v.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const out = [
    `Review metrics: ${scope}`,
    '',
    line(COLUMNS.map((c) => c.title)),
    line(widths.map((w) => '-'.repeat(w))),
    ...cells.map(line),
  ];
  if (report.groups.length === 0) out.push('No pull requests recorded in this window.');
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

/** Registers the `report` subcommand. */
export function register(program: Command): void {
  program
    .command('report')
    .description('Print review latency and rework metrics per author group from the metrics store (DATABASE_URL)')
    .addOption(
      new Option('--since <duration>', 'PRs created within this duration, e.g. 30d, 12h, 2w')
        .argParser(durationArg)
        .default(parseDuration('30d'), '30d'),
    )
    .option('--repo <owner/name>', 'only this repository', repoArg)
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'markdown', 'csv', 'json']).default('table'))
    .action(async (opts: { since: number; repo?: string; format: ReportFormat }) => {
      const sinceMs = opts.since;
      const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination(2));
      const store = await openStore({ databaseUrl: process.env.DATABASE_URL, logger });
      try {
        // PRs whose job never recomputed them (or recorded by an older app) are brought up to date first.
        while ((await store.recomputeStale(1000)).recomputed === 1000);
        const now = new Date();
        const since = new Date(now.getTime() - sinceMs);
        const prs = await store.listPullRequests({ since, ...(opts.repo ? { repository: opts.repo } : {}) });
        const reverts = await store.listReverts(opts.repo ? { repository: opts.repo } : {});
        const report = buildReport(prs, reverts, { now, since, repository: opts.repo ?? null });
        process.stdout.write(formatReport(report, opts.format));
      } finally {
        await store.close();
      }
    });
}
