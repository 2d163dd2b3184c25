/**
 * The load generator: sends signed deliveries to a webhook URL over keep-alive HTTP connections, either on a fixed
 * schedule (open loop: delivery i is due at start + i / rate, whether or not earlier ones were answered) or as fast
 * as `connections` clients that each wait for their answer (closed loop: the server's maximum throughput).
 * Latency is the time from when a delivery was due (open loop) or sent (closed loop) until its answer ended, in ms.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Delivery } from './deliveries.js';

/** What one load run measured. */
export interface LoadResult {
  deliveries: number;
  /** Deliveries answered with a status other than 2xx, or not answered. */
  failed: number;
  /** Answers by HTTP status (0: connection error). */
  statuses: Record<number, number>;
  /** Connection errors (status 0) by Node's error code (`ECONNRESET`, …). */
  errors: Record<string, number>;
  /** From the first delivery's due time to the last answer, in seconds. */
  seconds: number;
  latenciesMs: number[];
  /** Open loop: how late the generator sent deliveries relative to their schedule, p99 in ms (0 for closed loop). */
  sendLagP99Ms: number;
  /** `performance.now()` when the first delivery was due. */
  startedAt: number;
}

/** Where to send. `beforeSend` runs just before a delivery goes out (installs its state in the GitHub mock). */
export interface Target {
  url: string;
  beforeSend?: (delivery: Delivery) => void;
}

/** The p-quantile (0..1) of sorted numbers, interpolated; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = (sorted.length - 1) * p;
  const lo = Math.floor(rank);
  const a = sorted[lo] ?? 0;
  const b = sorted[Math.ceil(rank)] ?? a;
  return a + (b - a) * (rank - lo);
}

/**
 * A keep-alive agent that closes an idle socket before the server does. Node's agent follows the server's
 * `Keep-Alive: timeout=N` hint (closing idle sockets 1 s before N) only when it has a `timeout` of its own that is
 * longer; without one its idle sockets stay open until the server closes them, and a delivery sent on a socket the
 * server is closing at that moment fails with ECONNRESET (seen once in a metrics round at 50/s). The 60-s timeout of
 * a socket in use only emits an event, which `post` does not act on.
 */
function keepAliveAgent(maxSockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets, timeout: 60_000 });
}

function post(agent: Agent, url: URL, d: Delivery, errors: Record<string, number>): Promise<number> {
  return new Promise((resolve) => {
    const failed = (error: Error) => {
      const code = (error as { code?: string }).code ?? error.name;
      errors[code] = (errors[code] ?? 0) + 1;
      resolve(0);
    };
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(d.body),
          'x-github-event': d.name,
          'x-github-delivery': d.id,
          'x-hub-signature-256': d.signature,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', failed);
      },
    );
    req.on('error', failed);
    req.end(d.body);
  });
}

class Recorder {
  readonly latenciesMs: number[] = [];
  readonly statuses: Record<number, number> = {};
  readonly errors: Record<string, number> = {};
  failed = 0;
  lastAnswer = 0;

  record(status: number, dueAt: number): void {
    const now = performance.now();
    this.latenciesMs.push(now - dueAt);
    this.lastAnswer = Math.max(this.lastAnswer, now);
    this.statuses[status] = (this.statuses[status] ?? 0) + 1;
    if (status < 200 || status >= 300) this.failed += 1;
  }

  result(deliveries: number, startedAt: number, sendLagP99Ms: number): LoadResult {
    return {
      deliveries,
      failed: this.failed,
      statuses: this.statuses,
      errors: this.errors,
      seconds: (this.lastAnswer - startedAt) / 1000,
      latenciesMs: this.latenciesMs,
      sendLagP99Ms,
      startedAt,
    };
  }
}

/** Sends `deliveries` at `ratePerSecond` on a fixed schedule (open loop). */
export function openLoop(target: Target, deliveries: readonly Delivery[], ratePerSecond: number): Promise<LoadResult> {
  return scheduled(
    target,
    deliveries.map((delivery, i) => ({ atMs: (i * 1000) / ratePerSecond, delivery })),
  );
}

/** Sends `deliveries` through `connections` clients, each sending its next delivery once answered (closed loop). */
export async function closedLoop(target: Target, deliveries: readonly Delivery[], connections: number): Promise<LoadResult> {
  const url = new URL(target.url);
  const agent = keepAliveAgent(connections);
  const recorder = new Recorder();
  const startedAt = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < deliveries.length) {
        const d = deliveries[next]!;
        next += 1;
        target.beforeSend?.(d);
        const sentAt = performance.now();
        recorder.record(await post(agent, url, d, recorder.errors), sentAt);
      }
    }),
  );
  agent.destroy();
  return recorder.result(deliveries.length, startedAt, 0);
}

/** Sends each delivery at its own offset from the start, in ms (open loop; equal offsets keep their order). */
export async function scheduled(target: Target, plan: ReadonlyArray<{ atMs: number; delivery: Delivery }>): Promise<LoadResult> {
  const sorted = [...plan].sort((a, b) => a.atMs - b.atMs); // stable: equal offsets keep their order
  const url = new URL(target.url);
  const agent = keepAliveAgent(Infinity);
  const recorder = new Recorder();
  const lags: number[] = [];
  const startedAt = performance.now() + 5;
  const pending: Array<Promise<void>> = [];
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      while (next < sorted.length && startedAt + sorted[next]!.atMs <= now) {
        const { atMs, delivery } = sorted[next]!;
        const dueAt = startedAt + atMs;
        lags.push(now - dueAt);
        target.beforeSend?.(delivery);
        pending.push(post(agent, url, delivery, recorder.errors).then((status) => recorder.record(status, dueAt)));
        next += 1;
      }
      if (next >= sorted.length) resolve();
      else setTimeout(tick, Math.max(0, startedAt + sorted[next]!.atMs - performance.now()));
    };
    tick();
  });
  await Promise.all(pending);
  agent.destroy();
  return recorder.result(
    sorted.length,
    startedAt,
    percentile(
      lags.sort((a, b) => a - b),
      0.99,
    ),
  );
}
