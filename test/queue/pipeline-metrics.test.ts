/**
 * The pipeline's Prometheus series (src/queue/metrics.ts): what the hooks add, as `GET /metrics` shows it.
 */
import { describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { createPipelineMetrics } from '../../src/queue/metrics.js';
import type { JobQueue } from '../../src/queue/types.js';

const queue = { stats: () => Promise.resolve({ pending: 3, running: 1, oldestDueAgeSeconds: 2.5 }) } as unknown as JobQueue;

describe('pipeline metrics', () => {
  it('counts jobs that yielded to a flood of deliveries, and the seconds they waited', async () => {
    const registry = new Registry();
    const metrics = createPipelineMetrics(queue, registry);
    metrics.yielded(1.5);
    metrics.yielded(0.25);
    expect(await registry.getSingleMetricAsString('ai_review_job_yields_total')).toContain('ai_review_job_yields_total 2');
    expect(await registry.getSingleMetricAsString('ai_review_job_yield_seconds_total')).toContain('ai_review_job_yield_seconds_total 1.75');
  });

  it('reads the queue depth and the oldest due job from one stats call per scrape', async () => {
    const registry = new Registry();
    createPipelineMetrics(queue, registry);
    const text = await registry.metrics();
    expect(text).toContain('ai_review_queue_jobs{state="pending"} 3');
    expect(text).toContain('ai_review_queue_jobs{state="running"} 1');
    expect(text).toContain('ai_review_queue_oldest_due_job_age_seconds 2.5');
  });
});
