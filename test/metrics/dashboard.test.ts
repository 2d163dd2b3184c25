import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { createPrometheusMetrics } from '../../src/metrics/prometheus.js';

describe('docs/grafana-dashboard.json', () => {
  it('queries only series that the app exports', async () => {
    const dashboard = JSON.parse(readFileSync(new URL('../../docs/grafana-dashboard.json', import.meta.url), 'utf8')) as {
      panels: Array<{ targets: Array<{ expr: string }> }>;
    };
    const prometheus = createPrometheusMetrics(() => Promise.resolve([]));
    const names = new Set((await prometheus.registry.getMetricsAsJSON()).map((m) => m.name));
    const used = new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((t) => t.expr.match(/ai_review_[a-z_]+/g) ?? [])));
    expect(used.size).toBeGreaterThan(10);
    for (const series of used) {
      const base = series.replace(/_(bucket|sum|count)$/, '');
      expect(names.has(series) || names.has(base) ? series : `missing: ${series}`).toBe(series);
    }
  });
});
