/**
 * WebhookLoad: a starting job waits while the webhook path is flooded (a busy event loop while deliveries arrive
 * at the flood rate), until the flood eases or for at most the longest wait. The event-loop utilization is
 * injected; the sampling runs on real timers with a short period.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { WebhookLoad } from '../../src/github/webhook-load.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('WebhookLoad', () => {
  let loop = 0.95;
  const utilization = (): EventLoopUtilization => ({ idle: 0, active: 0, utilization: loop });
  const loads: WebhookLoad[] = [];
  const open = (maxWaitMs = 5000) => {
    const load = new WebhookLoad({ sampleMs: 40, busyLoop: 0.75, floodPerS: 200, maxWaitMs, utilization });
    loads.push(load);
    return load;
  };
  /** `n` deliveries, each answered at once. */
  const deliver = async (load: WebhookLoad, n: number) => {
    for (let i = 0; i < n; i++) await load.track(() => Promise.resolve('ok'));
  };
  afterEach(() => {
    for (const load of loads.splice(0)) load.close();
    loop = 0.95;
  });

  it('a trickle of deliveries on a busy event loop is no flood: jobs start at once', async () => {
    const load = open();
    await deliver(load, 2); // 2 per 40 ms: 50/s
    await sleep(60);
    expect(load.isFlooded).toBe(false);
    expect(await load.lull()).toBe(0);
  });

  it('many deliveries on an event loop with time to spare are no flood', async () => {
    const load = open();
    loop = 0.6;
    await deliver(load, 40); // 1,000/s
    await sleep(50);
    expect(load.isFlooded).toBe(false);
    expect(await load.lull()).toBe(0);
  });

  it('holds a starting job during a flood and releases it when deliveries stop', async () => {
    const load = open();
    await deliver(load, 40);
    await sleep(50);
    expect(load.isFlooded).toBe(true);
    const ms = await load.lull(); // the next period receives nothing: the flood is over
    expect(load.isFlooded).toBe(false);
    expect(ms).toBeGreaterThan(0);
    expect(ms).toBeLessThan(1000);
  });

  it('a job waits at most the longest wait, however long the flood lasts', async () => {
    const load = open(150);
    let flooding = true;
    const flood = (async () => {
      while (flooding) {
        await deliver(load, 20);
        await sleep(10);
      }
    })();
    await sleep(60);
    expect(load.isFlooded).toBe(true);
    const ms = await load.lull();
    expect(ms).toBeGreaterThanOrEqual(140);
    expect(load.isFlooded).toBe(true);
    flooding = false;
    await flood;
  });

  it('a flood lasts while deliveries keep arriving at the flood rate, however the loop utilization swings', async () => {
    const load = open();
    let flooding = true;
    const flood = (async () => {
      while (flooding) {
        await deliver(load, 20); // 2,000/s
        await sleep(10);
      }
    })();
    await sleep(60);
    expect(load.isFlooded).toBe(true);
    loop = 0.5;
    const seen: boolean[] = [];
    for (let i = 0; i < 5; i++) {
      await sleep(30);
      seen.push(load.isFlooded);
    }
    expect(seen).toEqual([true, true, true, true, true]);
    flooding = false;
    await flood;
    await sleep(120); // periods without deliveries end it
    expect(load.isFlooded).toBe(false);
  });

  it('with a longest wait of 0 (QUEUE_YIELD_MS=0) jobs never wait', async () => {
    const load = open(0);
    await deliver(load, 40);
    await sleep(50);
    expect(load.isFlooded).toBe(true);
    expect(await load.lull()).toBe(0);
  });

  it('a delivery that fails is still counted and its error passed on', async () => {
    const load = open();
    await expect(load.track(() => Promise.reject(new Error('queue down')))).rejects.toThrow('queue down');
  });
});
