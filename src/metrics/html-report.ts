/**
 * `ai-review report --format html`: one self-contained HTML page (no network access needed to view it) with the
 * report's figures as charts and tables, for people who read a page rather than a terminal table.
 *
 * Charts are drawn by Chart.js 4 (MIT, https://www.chartjs.org), whose UMD build is read from node_modules at
 * run time and inlined. The figures are embedded as JSON in a `<script type="application/json">` element (with
 * `<` escaped) and every text that came from GitHub (repository names, logins, override reasons) is escaped
 * before it reaches the HTML.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { MetricsReport, ReportGroup } from './report.js';

/** Reads Chart.js's UMD build from node_modules (throws when the package is not installed). */
export function loadChartJs(): string {
  const require = createRequire(import.meta.url);
  const main = require.resolve('chart.js'); // …/chart.js/dist/chart.cjs (the package exports no path to the UMD file)
  return readFileSync(path.join(path.dirname(main), 'chart.umd.min.js'), 'utf8');
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** JSON for an inline `<script type="application/json">`: `<`, `>`, `&` and line separators escaped. */
function inlineJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const hours = (s: number | null): number | null => (s === null ? null : Math.round((s / 3600) * 10) / 10);
const pct = (v: number | null): string => (v === null ? '–' : `${(v * 100).toFixed(1)}%`);
const dur = (s: number | null): string => {
  if (s === null) return '–';
  if (s < 3600) return `${Math.round(s / 60)}m`;
  if (s < 86_400) return `${(s / 3600).toFixed(1)}h`;
  return `${(s / 86_400).toFixed(1)}d`;
};

/** The data the page's charts draw (also what the browser test checks). */
export interface HtmlChartData {
  outcomes: { labels: string[]; merged: number[]; closed: number[]; open: number[] };
  cycleTime: { labels: string[]; openToMergeHours: Array<number | null>; openToCloseHours: Array<number | null> };
  weekly: { weeks: string[]; series: Array<{ group: string; opened: number[]; mergedShare: Array<number | null> }> };
  reviewLoad: { title: string; labels: string[]; series: Array<{ authorClass: string; requests: number[] }>; openNow: number[] };
  rules: { labels: string[]; applied: number[]; blocked: number[]; mergedWhileNotHolding: number[] };
}

/** Builds the chart data from the report (split by agent) and its weekly counterpart (split by agent and week). */
export function chartData(report: MetricsReport, weekly: MetricsReport): HtmlChartData {
  const groups = report.groups;
  const label = (g: ReportGroup): string => g.group;
  const weeks = [...new Set(weekly.groups.map((g) => g.dimensions.week ?? ''))].sort();
  const authorGroups = [...new Set(weekly.groups.map((g) => g.dimensions.agent ?? ''))];
  const teams = report.reviewers.filter((r) => r.type === 'team');
  const load = (teams.length > 0 ? teams : report.reviewers).slice(0, 15);
  const classes = [...new Set(load.flatMap((r) => Object.keys(r.requests)))].sort();
  return {
    outcomes: {
      labels: groups.map(label),
      merged: groups.map((g) => g.merged),
      closed: groups.map((g) => g.closedWithoutMerge),
      open: groups.map((g) => g.stillOpen),
    },
    cycleTime: {
      labels: groups.map(label),
      openToMergeHours: groups.map((g) => hours(g.openToMerge.median)),
      openToCloseHours: groups.map((g) => hours(g.openToClose.median)),
    },
    weekly: {
      weeks,
      series: authorGroups.map((group) => {
        const of = (week: string): ReportGroup | undefined =>
          weekly.groups.find((g) => g.dimensions.agent === group && g.dimensions.week === week);
        return {
          group,
          opened: weeks.map((w) => of(w)?.prsOpened ?? 0),
          mergedShare: weeks.map((w) => {
            const share = of(w)?.mergedShare;
            return share === undefined || share === null ? null : Math.round(share * 1000) / 10;
          }),
        };
      }),
    },
    reviewLoad: {
      title: teams.length > 0 ? 'Review load per team' : 'Review load per reviewer (no team was requested)',
      labels: load.map((r) => r.reviewer),
      series: classes.map((c) => ({ authorClass: c, requests: load.map((r) => r.requests[c] ?? 0) })),
      openNow: load.map((r) => r.openNow),
    },
    rules: {
      labels: report.rules.map((r) => `${r.rule} (${r.mode})`),
      applied: report.rules.map((r) => r.prsApplied),
      blocked: report.rules.map((r) => r.prsBlocked),
      mergedWhileNotHolding: report.rules.map((r) => r.mergedWhileNotHolding),
    },
  };
}

function table(headers: string[], rows: string[][]): string {
  if (rows.length === 0) return '<p class="empty">No data in this window.</p>';
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function chartSection(id: string, title: string, hasData: boolean, note: string): string {
  const body = hasData ? `<div class="chart"><canvas id="${id}"></canvas></div>` : '<p class="empty">No data in this window.</p>';
  return `<section><h2>${escapeHtml(title)}</h2><p class="note">${escapeHtml(note)}</p>${body}</section>`;
}

/**
 * Renders the page. `report` is split by agent (or by `--by`), `weekly` by agent and week; `chartJs` is the
 * Chart.js UMD source (`loadChartJs()`). Pure: same input, same page.
 */
export function renderHtmlReport(input: { report: MetricsReport; weekly: MetricsReport; chartJs: string }): string {
  const { report, weekly } = input;
  const data = chartData(report, weekly);
  const scope = `${report.repository ?? 'all repositories'}, PRs opened ${report.since ? `since ${report.since.slice(0, 10)}` : 'at any time'}`;
  const groupRows = report.groups.map((g) => [
    g.group,
    String(g.prsOpened),
    pct(g.mergedShare),
    String(g.closedWithoutMerge),
    String(g.stillOpen),
    dur(g.openToMerge.median),
    dur(g.openToClose.median),
    dur(g.timeToFirstReview.median),
    String(g.mergedWithoutReview),
    pct(g.humanReworkShare),
    pct(g.overrideRate),
    pct(g.revertRate30d),
  ]);
  const reviewerRows = report.reviewers.map((r) => [
    r.reviewer,
    r.type,
    String(r.requests.agent ?? 0),
    String(r.requests.human ?? 0),
    String(r.reviewsGiven.agent ?? 0),
    String(r.reviewsGiven.human ?? 0),
    dur(r.requestToFirstReview.median),
    String(r.openNow),
    dur(r.oldestOpenWaitSeconds),
  ]);
  const ruleRows = report.rules.map((r) => [
    r.rule,
    r.mode,
    String(r.prsApplied),
    String(r.prsBlocked),
    String(r.mergedWhileNotHolding),
    dur(r.readyToHold.median),
  ]);
  const overrideRows = report.overrides.map((o) => [
    `${o.repository}#${o.number}`,
    o.login,
    o.at,
    (o.headSha ?? '').slice(0, 12),
    o.source ?? '',
    o.reason ?? '',
  ]);
  const chartJs = input.chartJs.replace(/<\/script/gi, '<\\/script');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>ai-review: review metrics</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1180px; color: #1f2328; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin: 28px 0 4px; }
.scope, .note { color: #59636e; margin: 0 0 8px; } .empty { color: #59636e; font-style: italic; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 8px 28px; }
.chart { position: relative; height: 300px; }
table { border-collapse: collapse; width: 100%; margin-top: 8px; font-size: 13px; }
th, td { border-bottom: 1px solid #d1d9e0; padding: 4px 8px; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; } td:last-child { white-space: normal; }
</style>
</head>
<body>
<h1>Review metrics</h1>
<p class="scope">${escapeHtml(scope)} · generated ${escapeHtml(report.generatedAt)}</p>
<div class="grid">
${chartSection('chart-outcomes', 'Outcomes per author', data.outcomes.labels.length > 0, 'PRs opened in the window: merged, closed without merge, still open.')}
${chartSection('chart-cycle', 'Cycle time from opening (median, hours)', data.cycleTime.labels.length > 0, 'From the PR’s created_at to its merge, and to its close without merge.')}
${chartSection('chart-weekly-opened', 'PRs opened per week', data.weekly.weeks.length > 0, 'ISO weeks of the PR’s opening, per author.')}
${chartSection('chart-weekly-merged', 'Merged share per week (%)', data.weekly.weeks.length > 0, 'Share of the week’s PRs merged so far, per author.')}
${chartSection('chart-review-load', data.reviewLoad.title, data.reviewLoad.labels.length > 0, 'Review requests received on PRs opened in the window, by the PR’s author; requests open now.')}
${chartSection('chart-rules', 'The pilot’s verdict per rule', data.rules.labels.length > 0, 'PRs each rule applied to, PRs enforcement would have blocked, PRs merged while it did not hold.')}
</div>
<h2>Figures per group</h2>
${table(['Group', 'PRs opened', 'Merged', 'Closed unmerged', 'Still open', 'Open→merge p50', 'Open→close p50', 'First review p50', 'Merged w/o review', 'Human rework', 'Override rate', 'Revert 30d'], groupRows)}
<h2>Reviewers</h2>
${table(['Reviewer', 'Type', 'Requests (agent PRs)', 'Requests (human PRs)', 'Reviews (agent PRs)', 'Reviews (human PRs)', 'Request→review p50', 'Open now', 'Oldest wait'], reviewerRows)}
<h2>Rules</h2>
${table(['Rule', 'Mode', 'PRs applied', 'Would block', 'Merged while not holding', 'Ready→holds p50'], ruleRows)}
<h2>Overrides</h2>
${table(['PR', 'By', 'At', 'Head SHA', 'Source', 'Reason'], overrideRows)}
<script type="application/json" id="report-data">${inlineJson(data)}</script>
<script>${chartJs}</script>
<script>
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var palette = ['#0969da', '#cf222e', '#1a7f37', '#9a6700', '#8250df', '#bf3989', '#0a3069', '#6e7781', '#fb8f44', '#2da44e'];
  var common = { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { position: 'bottom' } } };
  var rendered = 0;
  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas) return;
    new Chart(canvas, config);
    rendered += 1;
  }
  function opts(extra) { return Object.assign({}, common, extra || {}); }
  draw('chart-outcomes', { type: 'bar', data: { labels: data.outcomes.labels, datasets: [
    { label: 'merged', data: data.outcomes.merged, backgroundColor: palette[2] },
    { label: 'closed without merge', data: data.outcomes.closed, backgroundColor: palette[1] },
    { label: 'still open', data: data.outcomes.open, backgroundColor: palette[7] } ] },
    options: opts({ indexAxis: 'y', scales: { x: { stacked: true, title: { display: true, text: 'PRs' } }, y: { stacked: true } } }) });
  draw('chart-cycle', { type: 'bar', data: { labels: data.cycleTime.labels, datasets: [
    { label: 'open → merge', data: data.cycleTime.openToMergeHours, backgroundColor: palette[0] },
    { label: 'open → close without merge', data: data.cycleTime.openToCloseHours, backgroundColor: palette[3] } ] },
    options: opts({ scales: { y: { title: { display: true, text: 'hours (median)' } } } }) });
  draw('chart-weekly-opened', { type: 'line', data: { labels: data.weekly.weeks, datasets: data.weekly.series.map(function (s, i) {
    return { label: s.group, data: s.opened, borderColor: palette[i % palette.length], backgroundColor: palette[i % palette.length], tension: 0.2 }; }) },
    options: opts({ scales: { y: { beginAtZero: true, title: { display: true, text: 'PRs opened' } } } }) });
  draw('chart-weekly-merged', { type: 'line', data: { labels: data.weekly.weeks, datasets: data.weekly.series.map(function (s, i) {
    return { label: s.group, data: s.mergedShare, borderColor: palette[i % palette.length], backgroundColor: palette[i % palette.length], spanGaps: true, tension: 0.2 }; }) },
    options: opts({ scales: { y: { min: 0, max: 100, title: { display: true, text: '% merged' } } } }) });
  draw('chart-review-load', { type: 'bar', data: { labels: data.reviewLoad.labels, datasets: data.reviewLoad.series.map(function (s, i) {
    return { label: 'requests on ' + s.authorClass + ' PRs', data: s.requests, backgroundColor: palette[i % palette.length], stack: 'requests' }; })
    .concat([{ label: 'open now', data: data.reviewLoad.openNow, backgroundColor: palette[4], stack: 'open' }]) },
    options: opts({ scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, title: { display: true, text: 'review requests' } } } }) });
  draw('chart-rules', { type: 'bar', data: { labels: data.rules.labels, datasets: [
    { label: 'applied', data: data.rules.applied, backgroundColor: palette[0] },
    { label: 'enforcement would have blocked', data: data.rules.blocked, backgroundColor: palette[1] },
    { label: 'merged while not holding', data: data.rules.mergedWhileNotHolding, backgroundColor: palette[3] } ] },
    options: opts({ scales: { y: { beginAtZero: true, title: { display: true, text: 'PRs' } } } }) });
  document.body.setAttribute('data-charts-rendered', String(rendered));
})();
</script>
</body>
</html>
`;
}
