import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, existsSync, readFileSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Command } from 'commander';
import { buildReport, parseDuration, percentile, type ReportPullRequest } from '../../src/metrics/report.js';
import { formatDuration, formatReport, register } from '../../src/cli/report.js';
import { createMetrics } from '../../src/metrics/index.js';
import { createTestDatabase, pullRequestDelivery, silentLogger } from './helpers.js';
import { CliError } from '../../src/cli/errors.js';

function row(number: number, over: Partial<ReportPullRequest>): ReportPullRequest {
  return {
    repository: 'acme/api',
    number,
    author_class: 'human',
    agent: null,
    state: 'open',
    created_at: '2026-05-01T00:00:00Z',
    merged_at: null,
    closed_at: null,
    task_type: 'feat',
    first_evaluated_at: '2026-05-01T00:01:00Z',
    time_to_first_review_s: null,
    time_to_merge_s: null,
    review_rounds: 0,
    human_rework: null,
    overridden: 0,
    merged_without_review: 0,
    merged_without_qualifying_approval: 0,
    ...over,
  };
}

const NOW = new Date('2026-06-30T00:00:00Z');

describe('percentile', () => {
  it('interpolates between closest ranks and handles empty and single samples', () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([7], 0.9)).toBe(7);
    expect(percentile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(percentile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0.9)).toBe(91);
  });
});

describe('parseDuration', () => {
  it('parses s/m/h/d/w and rejects anything else', () => {
    expect(parseDuration('30d')).toBe(30 * 86_400_000);
    expect(parseDuration('12h')).toBe(12 * 3_600_000);
    expect(parseDuration('2w')).toBe(14 * 86_400_000);
    expect(() => parseDuration('30')).toThrow('invalid duration "30"');
    expect(() => parseDuration('-1d')).toThrow();
  });
});

describe('buildReport', () => {
  const prs: ReportPullRequest[] = [
    row(1, { state: 'merged', merged_at: '2026-05-01T00:00:00Z', time_to_first_review_s: 600, time_to_merge_s: 3600, review_rounds: 1 }),
    row(2, { state: 'merged', merged_at: '2026-05-02T00:00:00Z', time_to_first_review_s: 1200, time_to_merge_s: 7200, review_rounds: 0 }),
    row(3, { state: 'open' }),
    row(4, {
      author_class: 'agent',
      agent: 'copilot',
      state: 'merged',
      merged_at: '2026-05-01T00:00:00Z',
      time_to_first_review_s: 3600,
      time_to_merge_s: 86_400,
      review_rounds: 2,
      human_rework: 1,
    }),
    row(5, {
      author_class: 'agent',
      agent: 'copilot',
      state: 'merged',
      merged_at: '2026-06-25T00:00:00Z',
      merged_without_review: 1,
      merged_without_qualifying_approval: 1,
      time_to_merge_s: 60,
      human_rework: 0,
      overridden: 1,
    }),
    row(6, { author_class: 'agent', agent: 'copilot', state: 'closed', human_rework: 0 }),
    row(7, {
      author_class: 'agent',
      agent: 'claude-code',
      state: 'merged',
      merged_at: '2026-05-10T00:00:00Z',
      time_to_first_review_s: 100,
      time_to_merge_s: 200,
      human_rework: 0,
    }),
    row(8, { author_class: 'unknown', state: 'open', first_evaluated_at: null }),
  ];
  const reverts = [
    { repository: 'acme/api', reverted_number: 4, reverted_at: '2026-05-20T00:00:00Z' }, // 19 days after merge
    { repository: 'acme/api', reverted_number: 7, reverted_at: '2026-05-12T00:00:00Z' }, // 2 days after merge
  ];
  const report = buildReport(prs, reverts, { now: NOW, since: new Date('2026-04-01T00:00:00Z'), repository: null });

  it('groups human PRs, each agent, then unknown, with exact figures', () => {
    expect(report.groups.map((g) => g.group)).toEqual(['human', 'agent:claude-code', 'agent:copilot', 'unknown']);
    const [humanG, claude, copilot, unknown] = report.groups;
    expect(humanG).toMatchObject({
      prsOpened: 3,
      merged: 2,
      mergedShare: 2 / 3,
      timeToFirstReview: { n: 2, median: 900, p90: 1140 },
      timeToMerge: { n: 2, median: 5400, p90: 6840 },
      medianReviewRounds: 0.5,
      humanReworkShare: null,
      overrideRate: 0,
      revertRate7d: 0,
      revertRate30d: 0,
    });
    expect(claude).toMatchObject({ prsOpened: 1, revertRate7d: 1, revertRate30d: 1, humanReworkShare: 0 });
    // #5 merged 5 days before "now": its 7- and 30-day windows are still open, so it is left out of both rates.
    expect(copilot).toMatchObject({
      prsOpened: 3,
      merged: 2,
      mergedWithoutReview: 1,
      mergedWithoutQualifyingApproval: 1,
      timeToFirstReview: { n: 1, median: 3600, p90: 3600 },
      timeToMerge: { n: 2, median: 43_230, p90: 77_766 },
      medianReviewRounds: 1,
      humanReworkShare: 1 / 3,
      overrideRate: 1 / 3,
      revertRate7d: 0,
      revertRate30d: 1,
    });
    expect(unknown).toMatchObject({ prsOpened: 1, overrideRate: null, revertRate7d: null });
  });

  it('formats markdown, json and csv', () => {
    const md = formatReport(report, 'markdown');
    expect(md).toContain('| Group | PRs opened | Merged |');
    expect(md).toContain(
      '| agent:copilot | 3 | 66.7% | 1 | 0 | 27d 12h | – | 1h 00m | 1h 00m | 12h 01m | 21h 36m | 1 | 1 | 33.3% | 33.3% | 0.0% | 100.0% |',
    );
    expect(JSON.parse(formatReport(report, 'json'))).toEqual(JSON.parse(JSON.stringify(report)));
    expect(formatReport(report, 'csv').split('\n')[1]).toBe(
      'human,human,,3,2,0.6666666666666666,0,1,2,43200,77760,0,,,2,900,1140,2,5400,6840,0,0,0.5,,0,0,0',
    );
    expect(formatReport({ ...report, groups: [] }, 'table')).toContain('No pull requests recorded in this window.');
  });

  it('formats durations for people', () => {
    expect(formatDuration(null)).toBe('–');
    expect(formatDuration(42)).toBe('42s');
    expect(formatDuration(3 * 3600 + 5 * 60)).toBe('3h 05m');
    expect(formatDuration(2 * 86_400 + 4 * 3600)).toBe('2d 4h');
  });
});

describe('ai-review report command and the default SQLite file', () => {
  let dir: string;
  const saved = { DATABASE_URL: process.env.DATABASE_URL, cwd: process.cwd() };
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ai-review-report-'));
  });
  afterAll(() => {
    process.chdir(saved.cwd);
    if (saved.DATABASE_URL === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved.DATABASE_URL;
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates ./data/ai-review.sqlite, serves nothing on /metrics without a token, and the CLI reads the file', async () => {
    process.chdir(dir);
    delete process.env.DATABASE_URL;
    const metrics = await createMetrics({ logger: silentLogger });
    expect(existsSync(path.join(dir, 'data', 'ai-review.sqlite'))).toBe(true);
    const now = Date.now();
    const iso = (minutes: number): string => new Date(now - 86_400_000 + minutes * 60_000).toISOString();
    await metrics.recordDelivery(pullRequestDelivery('opened', { number: 1, author: 'dave', createdAt: iso(0), headSha: '1'.repeat(40) }));
    await metrics.recordDelivery(
      pullRequestDelivery('closed', {
        number: 1,
        author: 'dave',
        createdAt: iso(0),
        headSha: '1'.repeat(40),
        merged: true,
        mergedAt: iso(90),
      }),
    );
    const server = http.createServer((req, res) => {
      void Promise.resolve(metrics.httpHandler(req, res)).then((handled) => {
        if (!handled) res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`, {
      headers: { authorization: 'Bearer x' },
    });
    expect(res.status).toBe(404);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await metrics.close();

    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = (chunk: string) => {
      out.push(String(chunk));
      return true;
    };
    try {
      const program = new Command().exitOverride();
      register(program);
      await program.parseAsync(['node', 'ai-review', 'report', '--since', '7d', '--repo', 'acme/api', '--format', 'csv']);
    } finally {
      process.stdout.write = write;
    }
    const lines = out.join('').trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('unknown,unknown,,1,1,1,0,0,1,5400,5400,0,,,0,,,1,5400,5400,1,1,0,,,,');
  });

  it('refuses to create a store that does not exist, naming the path it looked for', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'ai-review-empty-'));
    try {
      process.chdir(empty);
      delete process.env.DATABASE_URL;
      const program = new Command().exitOverride();
      register(program);
      const expected = path.join(realpathSync(empty), 'data', 'ai-review.sqlite');
      const error = await program.parseAsync(['node', 'ai-review', 'report']).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CliError);
      expect((error as Error).message).toBe(`no metrics store at ${expected} (set DATABASE_URL, or run where ./data/ai-review.sqlite is)`);
      expect(existsSync(path.join(empty, 'data'))).toBe(false);
    } finally {
      process.chdir(dir);
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('says in one line when PostgreSQL does not answer or holds no store', async () => {
    process.env.DATABASE_URL = 'postgres://postgres:secret@127.0.0.1:1/metrics';
    const program = new Command().exitOverride();
    register(program);
    const error = await program.parseAsync(['node', 'ai-review', 'report']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as Error).message).toMatch(/^cannot reach PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/metrics: /);
    expect((error as Error).message).not.toContain('secret');
    const database = await createTestDatabase('postgres');
    try {
      process.env.DATABASE_URL = database.url;
      const again = new Command().exitOverride();
      register(again);
      await expect(again.parseAsync(['node', 'ai-review', 'report'])).rejects.toThrow(
        /^no ai-review metrics store in the current schema of postgres:\/\//,
      );
    } finally {
      await database.drop();
    }
  });

  it('writes the HTML report to --output', async () => {
    process.chdir(dir);
    delete process.env.DATABASE_URL;
    const program = new Command().exitOverride();
    register(program);
    const file = path.join(dir, 'report.html');
    await program.parseAsync(['node', 'ai-review', 'report', '--format', 'html', '--output', file, '--since', '2026-01-01']);
    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('Chart.js v4');
    expect(html).toContain('<canvas id="chart-outcomes">');
  });

  it('rejects a bad --since', async () => {
    const program = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
    register(program);
    await expect(program.parseAsync(['node', 'ai-review', 'report', '--since', 'soon'])).rejects.toThrow(/invalid --since "soon"/);
  });
});
