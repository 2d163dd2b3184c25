/**
 * The periodic metrics pass of src/server.ts (`scheduleMetricsRecompute`): it runs `recomputeStale` under the
 * `metrics-recompute` lock, never twice at once in one process, on its timer, and logs (never throws) a failure.
 */
import { describe, expect, it, jest } from '@jest/globals';
import pino from 'pino';
import { scheduleMetricsRecompute } from '../src/server.js';

/** A lock like the queue's: `held` simulates another instance holding it. */
function fakeLock() {
  const names: string[] = [];
  const lock = {
    held: false,
    names,
    withExclusiveLock: async <T>(name: string, fn: () => Promise<T>): Promise<T | null> => {
      names.push(name);
      return lock.held ? null : fn();
    },
  };
  return lock;
}

function logger() {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, lines };
}

describe('scheduleMetricsRecompute', () => {
  it('runs the pass under the metrics-recompute lock and resolves how many PRs it recomputed', async () => {
    const lock = fakeLock();
    const metrics = { recomputeStale: jest.fn((_limit?: number) => Promise.resolve(7)) };
    const { log } = logger();
    const { timer, runNow } = scheduleMetricsRecompute(lock, metrics, 60_000, log);
    try {
      await expect(runNow()).resolves.toBe(7);
      expect(metrics.recomputeStale).toHaveBeenCalledWith(500);
      expect(lock.names).toEqual(['metrics-recompute']);
      lock.held = true;
      await expect(runNow()).resolves.toBeNull();
      expect(metrics.recomputeStale).toHaveBeenCalledTimes(1);
    } finally {
      clearInterval(timer);
    }
  });

  it('does not start a second pass while one runs in this process', async () => {
    let finish: (n: number) => void = () => undefined;
    const metrics = { recomputeStale: jest.fn(() => new Promise<number>((resolve) => (finish = resolve))) };
    const { timer, runNow } = scheduleMetricsRecompute(fakeLock(), metrics, 60_000, logger().log);
    try {
      const first = runNow();
      await new Promise((resolve) => setImmediate(resolve));
      await expect(runNow()).resolves.toBeNull();
      finish(3);
      await expect(first).resolves.toBe(3);
      expect(metrics.recomputeStale).toHaveBeenCalledTimes(1);
      // Once it is over, the next one runs.
      const next = runNow();
      await new Promise((resolve) => setImmediate(resolve));
      finish(0);
      await expect(next).resolves.toBe(0);
      expect(metrics.recomputeStale).toHaveBeenCalledTimes(2);
    } finally {
      clearInterval(timer);
    }
  });

  it('runs on its timer and logs a failed pass without throwing', async () => {
    jest.useFakeTimers();
    const metrics = { recomputeStale: jest.fn(() => Promise.reject(new Error('database is down'))) };
    const { log, lines } = logger();
    const { timer } = scheduleMetricsRecompute(fakeLock(), metrics, 5000, log);
    try {
      await jest.advanceTimersByTimeAsync(4999);
      expect(metrics.recomputeStale).not.toHaveBeenCalled();
      await jest.advanceTimersByTimeAsync(1);
      expect(metrics.recomputeStale).toHaveBeenCalledTimes(1);
      await jest.advanceTimersByTimeAsync(5000);
      expect(metrics.recomputeStale).toHaveBeenCalledTimes(2);
      expect(lines.map((l) => [l.msg, (l.err as { message?: string }).message])).toEqual([
        ['metrics: recomputing pending and stale pull requests failed', 'database is down'],
        ['metrics: recomputing pending and stale pull requests failed', 'database is down'],
      ]);
    } finally {
      clearInterval(timer);
      jest.useRealTimers();
    }
  });
});
