/**
 * Acknowledgements before evaluations. The webhook path and the jobs share a process (unless `QUEUE_CONCURRENCY=0`
 * splits them) and its event loop. Under a flood of deliveries, answering them matters more: GitHub gives up on a
 * delivery after 10 seconds and records it as failed, while an evaluation that waits merges the events that arrive
 * meanwhile into one (the per-PR coalescing). So a job that is about to start waits while the webhook path is
 * flooded, at most {@link MAX_YIELD_MS}; then it runs whatever the load.
 *
 * Flooded: a flood begins in a sampling period ({@link SAMPLE_MS}) in which the event loop was busy at least
 * {@link BUSY_LOOP} of the time (Node's `performance.eventLoopUtilization`) while deliveries arrived at
 * {@link FLOOD_PER_S} or more per second, and lasts while they keep arriving at that rate (the loop's utilization
 * swings from one period to the next under load, so it only starts a flood). A burst of jobs alone (no deliveries)
 * or a steady trickle of deliveries never makes jobs wait.
 */
import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/** Sampling period of the load, in ms. */
export const SAMPLE_MS = 100;
/** Event-loop utilization (0–1) at or above which deliveries arriving at the flood rate count as a flood. */
export const BUSY_LOOP = 0.75;
/** Deliveries per second at or above which a busy event loop counts as flooded. */
export const FLOOD_PER_S = 200;
/** The longest a job waits for a flood to ease, in ms (`QUEUE_YIELD_MS`; 0: jobs never wait). */
export const MAX_YIELD_MS = 2000;

/** Options of {@link WebhookLoad}; the defaults are the module's constants. */
export interface WebhookLoadOptions {
  sampleMs?: number;
  busyLoop?: number;
  floodPerS?: number;
  maxWaitMs?: number;
  /** Event-loop utilization since `previous` (tests); default Node's. */
  utilization?: (previous?: EventLoopUtilization) => EventLoopUtilization;
}

/** Watches the deliveries this process handles and lets jobs wait for a flood to ease (see module docs). */
export class WebhookLoad {
  private received = 0;
  private flooded = false;
  private timer: NodeJS.Timeout | null = null;
  private lastElu: EventLoopUtilization | null = null;
  private readonly waiters = new Set<() => void>();
  private readonly sampleMs: number;
  private readonly busyLoop: number;
  private readonly floodPerS: number;
  private readonly maxWaitMs: number;
  private readonly utilization: (previous?: EventLoopUtilization) => EventLoopUtilization;

  constructor(options: WebhookLoadOptions = {}) {
    this.sampleMs = options.sampleMs ?? SAMPLE_MS;
    this.busyLoop = options.busyLoop ?? BUSY_LOOP;
    this.floodPerS = options.floodPerS ?? FLOOD_PER_S;
    this.maxWaitMs = options.maxWaitMs ?? MAX_YIELD_MS;
    this.utilization = options.utilization ?? ((previous) => performance.eventLoopUtilization(previous));
  }

  /** Whether the last sampling period was a flood. */
  get isFlooded(): boolean {
    return this.flooded;
  }

  /** Runs `handle` (a delivery's handling), counted for the delivery rate. Output and errors: `handle`'s. */
  track<T>(handle: () => Promise<T>): Promise<T> {
    this.received++;
    // Sampling runs while deliveries arrive and stops after a quiet period (no timer left behind when idle).
    if (!this.timer) {
      this.lastElu = this.utilization();
      this.timer = setInterval(() => this.sample(), this.sampleMs);
      this.timer.unref();
    }
    return handle();
  }

  /**
   * Resolves at once unless the webhook path is flooded; otherwise when the flood eases or after the longest wait.
   * Output: how long it waited, in ms (0: no wait).
   */
  async lull(): Promise<number> {
    if (!this.flooded || this.maxWaitMs <= 0) return 0;
    const started = Date.now();
    await new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, this.maxWaitMs);
      this.waiters.add(wake);
    });
    return Date.now() - started;
  }

  /** Stops sampling and releases waiting jobs (tests; in the app the sampling stops by itself when deliveries stop). */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.flooded = false;
    for (const wake of [...this.waiters]) wake();
  }

  private sample(): void {
    const elu = this.utilization(this.lastElu ?? undefined);
    this.lastElu = this.utilization();
    const perS = (this.received * 1000) / this.sampleMs;
    const received = this.received;
    this.received = 0;
    // Hysteresis: a flood begins on a busy event loop and lasts while deliveries keep arriving at the flood rate.
    this.flooded = perS >= this.floodPerS && (this.flooded || elu.utilization >= this.busyLoop);
    if (!this.flooded) for (const wake of [...this.waiters]) wake();
    if (received === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }
}
