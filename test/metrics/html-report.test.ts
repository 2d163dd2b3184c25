/**
 * The HTML report in a real headless browser: Debian's chromium driven by playwright-core (no browser download).
 * The page must load from a file with the network unused, log no console error, and draw every chart (each
 * canvas has painted pixels). `UPDATE_REPORT_SAMPLE=1` also writes docs/report-sample.png.
 *
 * Without /usr/bin/chromium the browser test is skipped with a message, except under CI=true where it fails:
 * CI must install chromium (`apt-get install -y chromium`).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { chartData, escapeHtml, loadChartJs, renderHtmlReport } from '../../src/metrics/html-report.js';
import { sampleReports } from './sample-report.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
const mustRun = process.env.CI === 'true';
if (!available && !mustRun) {
  process.stderr.write(`html-report.test: ${CHROMIUM} not found, browser test skipped (apt-get install -y chromium)\n`);
}

describe('renderHtmlReport (page text)', () => {
  const { report, weekly } = sampleReports();
  const html = renderHtmlReport({ report, weekly, chartJs: loadChartJs() });

  it('is one self-contained file: Chart.js inlined, no external URL loaded', () => {
    expect(html).toContain('Chart.js v4');
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
    expect(html).toContain("default-src 'none'");
  });

  it('escapes text that came from GitHub', () => {
    expect(html).toContain('Hotfix for the &lt;incident&gt;');
    expect(html).not.toContain('<incident>');
    expect(escapeHtml(`<a href="x">'&`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;');
  });

  it('charts outcomes per author, weekly trends, review load per team and the rules', () => {
    const data = chartData(report, weekly);
    expect(data.outcomes.labels).toEqual(['human', 'agent:claude-code', 'agent:copilot', 'assisted:codex']);
    expect(data.weekly.weeks).toHaveLength(8);
    expect(data.reviewLoad.labels.sort()).toEqual(['@acme/platform', '@acme/security']);
    expect(data.rules.labels).toEqual(['agent-config-review (advisory)', 'security-review (advisory)']);
  });
});

(available || mustRun ? describe : describe.skip)('HTML report in headless Chromium', () => {
  let browser: BrowserContext;
  let dir: string;

  beforeAll(async () => {
    if (!available) throw new Error(`${CHROMIUM} not found: CI must install chromium (apt-get install -y chromium)`);
    dir = mkdtempSync(path.join(os.tmpdir(), 'ai-review-html-'));
    // A fresh user data dir per run (persistent context: playwright passes it as --user-data-dir).
    browser = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
      executablePath: CHROMIUM,
      viewport: { width: 1200, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads without console errors and renders every chart', async () => {
    const { report, weekly } = sampleReports();
    const file = path.join(dir, 'report.html');
    writeFileSync(file, renderHtmlReport({ report, weekly, chartJs: loadChartJs() }));
    const page = await browser.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    expect(await page.getAttribute('body', 'data-charts-rendered')).toBe('6');
    type Canvas = {
      id: string;
      width: number;
      height: number;
      getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
    };
    const painted = await page.$$eval('canvas', (elements) =>
      elements.map((element) => {
        const c = element as unknown as Canvas;
        const ctx = c.getContext('2d');
        if (!ctx || c.width === 0 || c.height === 0) return { id: c.id, painted: 0 };
        const pixels = ctx.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < pixels.length; i += 4) if ((pixels[i] ?? 0) > 0) n += 1;
        return { id: c.id, painted: n };
      }),
    );
    expect(painted.map((p) => p.id)).toEqual([
      'chart-outcomes',
      'chart-cycle',
      'chart-weekly-opened',
      'chart-weekly-merged',
      'chart-review-load',
      'chart-rules',
    ]);
    for (const p of painted) expect(p.painted).toBeGreaterThan(2000);
    expect(problems).toEqual([]);
    expect(requests.every((u) => u.startsWith('file:'))).toBe(true);
    if (process.env.UPDATE_REPORT_SAMPLE === '1') {
      await page.screenshot({ path: new URL('../../docs/report-sample.png', import.meta.url).pathname, fullPage: true });
    }
    await page.close();
  }, 60_000);
});
