/**
 * The metrics pass: src/server.ts queues a `recompute-metrics` job every METRICS_RECOMPUTE_INTERVAL_S
 * (`scheduleMetricsRecompute`), whose additions coalesce into one pending job; the job (src/github/jobs.ts) runs the
 * sink's `recomputeStale` for at most 500 PRs, yielding between PRs, and again while a round reached that limit.
 */
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import pino from 'pino';
import { metricsRecomputeJob, TASKS } from '../src/github/deliveries.js';
import type { MetricsSink } from '../src/metrics/sink.js';
import type { JobSpec } from '../src/queue/types.js';
import { scheduleMetricsRecompute } from '../src/server.js';
import { createTestProbot } from './github/harness.js';

function logger() {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, lines };
}

afterEach(() => {
  jest.useRealTimers();
});

describe('scheduleMetricsRecompute', () => {
  it('queues the metrics pass on its timer, with one key and one queue, and logs a failed addition', async () => {
    jest.useFakeTimers();
    const added: JobSpec[] = [];
    let fail = false;
    const queue = {
      add: (spec: JobSpec) =>
        fail ? Promise.reject(new Error('database is down')) : (added.push(spec), Promise.resolve({ coalesced: false })),
    };
    const { log, lines } = logger();
    const timer = scheduleMetricsRecompute(queue, 5000, log);
    try {
      await jest.advanceTimersByTimeAsync(4999);
      expect(added).toEqual([]);
      await jest.advanceTimersByTimeAsync(1);
      expect(added).toEqual([{ task: 'recompute-metrics', payload: {}, key: 'metrics-recompute', queue: 'metrics-recompute' }]);
      fail = true;
      await jest.advanceTimersByTimeAsync(5000);
      expect(added).toHaveLength(1);
      expect(lines.map((l) => [l.msg, (l.err as { message?: string }).message])).toEqual([
        ['metrics: could not queue the metrics pass', 'database is down'],
      ]);
    } finally {
      clearInterval(timer);
    }
  });
});

describe('the recompute-metrics job', () => {
  it('runs recomputeStale for at most 500 PRs, yielding to the event loop between PRs; additions coalesce while it waits', async () => {
    const calls: Array<{ limit: number | undefined; between: boolean }> = [];
    let turns = 0;
    const metrics = {
      recomputeStale: async (limit?: number, between?: () => Promise<unknown>) => {
        calls.push({ limit, between: typeof between === 'function' });
        let yielded = false;
        setImmediate(() => (yielded = true));
        await between?.();
        if (yielded) turns++;
        return 2;
      },
    } as unknown as MetricsSink;
    const probot = await createTestProbot({ metrics, drainOnReceive: false });
    expect(await probot.queue.add(metricsRecomputeJob())).toEqual({ coalesced: false });
    expect(await probot.queue.add(metricsRecomputeJob())).toEqual({ coalesced: true });
    expect(await probot.drain()).toBe(1);
    expect(calls).toEqual([{ limit: 500, between: true }]);
    // `between` let the event loop turn (SQLite statements run on it; deliveries are answered there).
    expect(turns).toBe(1);
    expect(Object.keys(probot.handlers)).toContain(TASKS.metricsRecompute);
  });

  it('runs another round while a round reached the limit, at most ten rounds', async () => {
    const answers = [500, 500, 7];
    const limits: Array<number | undefined> = [];
    const metrics = {
      recomputeStale: (limit?: number) => {
        limits.push(limit);
        return Promise.resolve(answers.shift() ?? 500);
      },
    } as unknown as MetricsSink;
    const probot = await createTestProbot({ metrics, drainOnReceive: false });
    await probot.queue.add(metricsRecomputeJob());
    expect(await probot.drain()).toBe(1);
    expect(limits).toEqual([500, 500, 500]);
    // A backlog that never ends (every round full) stops after ten rounds: the next job takes the rest.
    limits.length = 0;
    await probot.queue.add(metricsRecomputeJob());
    expect(await probot.drain()).toBe(1);
    expect(limits).toHaveLength(10);
  });
});
