/**
 * Prometheus series of the pipeline (prom-client), registered on the app's registry (the one `GET /metrics`
 * serves): queue depth, age of the oldest due job, job duration, retries by cause, coalesced events,
 * redeliveries requested and the waits of jobs behind a flood of deliveries.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { TransientCause } from '../github/retry.js';
import type { JobQueue } from './types.js';

/** The pipeline's instruments, as the hooks the app and jobs call. */
export interface PipelineMetrics {
  retry(cause: TransientCause): void;
  job(task: string, outcome: 'done' | 'retry' | 'error', seconds: number): void;
  coalesced(event: string): void;
  redelivery(result: 'requested' | 'failed'): void;
  /** A job waited `seconds` before starting because deliveries flooded the webhook path (src/github/webhook-load.ts). */
  yielded(seconds: number): void;
}

/** Creates the instruments on `registry` (a new one when absent: nothing is then exported). */
export function createPipelineMetrics(queue: JobQueue, registry: Registry = new Registry()): PipelineMetrics {
  const registers = [registry];
  // One stats query per scrape for both gauges.
  let pending: ReturnType<JobQueue['stats']> | null = null;
  const statsOnce = () => {
    pending ??= queue.stats().finally(() => setImmediate(() => (pending = null)));
    return pending;
  };
  new Gauge({
    name: 'ai_review_queue_jobs',
    help: 'Jobs in the queue by state (pending: waiting or scheduled; running: taken by a worker of any replica).',
    labelNames: ['state'],
    registers,
    async collect() {
      const stats = await statsOnce();
      this.set({ state: 'pending' }, stats.pending);
      this.set({ state: 'running' }, stats.running);
    },
  });
  new Gauge({
    name: 'ai_review_queue_oldest_due_job_age_seconds',
    help: 'Seconds since the oldest due job (not running) became due; 0 when none is due.',
    registers,
    async collect() {
      this.set((await statsOnce()).oldestDueAgeSeconds ?? 0);
    },
  });
  const duration = new Histogram({
    name: 'ai_review_job_duration_seconds',
    help: 'Wall time of one job run, in seconds, by task and outcome (done, retry: rescheduled, error: engine retry).',
    labelNames: ['task', 'outcome'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers,
  });
  const retries = new Counter({
    name: 'ai_review_job_retries_total',
    help: 'Jobs rescheduled after a transient GitHub failure, by cause.',
    labelNames: ['cause'],
    registers,
  });
  const coalesced = new Counter({
    name: 'ai_review_coalesced_events_total',
    help: 'Webhook deliveries absorbed by work already queued for the same pull request, by event.',
    labelNames: ['event'],
    registers,
  });
  const redeliveries = new Counter({
    name: 'ai_review_redeliveries_total',
    help: 'Redeliveries of failed webhook deliveries asked of GitHub, by result.',
    labelNames: ['result'],
    registers,
  });
  const yields = new Counter({
    name: 'ai_review_job_yields_total',
    help: 'Jobs that waited before starting because deliveries flooded the webhook path of their process.',
    registers,
  });
  const yieldSeconds = new Counter({
    name: 'ai_review_job_yield_seconds_total',
    help: 'Seconds jobs waited before starting because deliveries flooded the webhook path of their process.',
    registers,
  });
  return {
    retry: (cause) => retries.inc({ cause }),
    job: (task, outcome, seconds) => duration.observe({ task, outcome }, seconds),
    coalesced: (event) => coalesced.inc({ event }),
    redelivery: (result) => redeliveries.inc({ result }),
    yielded: (seconds) => {
      yields.inc();
      yieldSeconds.inc(seconds);
    },
  };
}
