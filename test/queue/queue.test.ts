/**
 * One job-queue suite, run against both engines: the embedded SQLite queue and graphile-worker on PostgreSQL.
 */
import { RetryLater, type JobPayload, type JobQueue } from '../../src/queue/types.js';
import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import type { PostgresJobQueue } from '../../src/queue/postgres.js';
import { SqliteJobQueue } from '../../src/queue/sqlite.js';
import { Database } from '../../src/sqlite-database.js';
import { postgresSet, silent, sleep, sqliteSet, waitFor, type QueueSet } from './helpers.js';

describe.each([
  ['sqlite', sqliteSet],
  ['postgres', postgresSet],
] as const)('job queue on %s', (_kind, makeSet) => {
  let set: QueueSet;
  beforeEach(() => {
    set = makeSet();
  });
  afterEach(async () => {
    await set.cleanup();
  });

  it('coalesces pending jobs with one key into one run that sees the newest payload', async () => {
    const q = await set.open();
    const results = [];
    for (let i = 1; i <= 20; i++) results.push(await q.add({ task: 't', payload: { n: i }, key: 'pr-1', queue: 'pr-1' }));
    expect(results.filter((r) => r.coalesced)).toHaveLength(19);
    expect((await q.stats()).pending).toBe(1);
    const seen: JobPayload[] = [];
    await q.start({ t: (p) => Promise.resolve(void seen.push(p)) }, { concurrency: 2 });
    await waitFor(async () => (await q.stats()).pending === 0 && seen.length === 1, 10_000, 'the coalesced job');
    await sleep(150);
    expect(seen).toEqual([{ n: 20 }]);
  });

  it('adds made at once (one batch on PostgreSQL) coalesce like successive ones: one job with the newest payload at the first run time; debounce and replace keys, unkeyed jobs', async () => {
    const q = await set.open();
    const firstRunAt = new Date(Date.now() + 400);
    const results = await Promise.all([
      ...Array.from({ length: 10 }, (_, i) =>
        q.add({ task: 't', payload: { n: i + 1 }, key: 'pr-2', queue: 'pr-2', runAt: new Date(firstRunAt.getTime() + i * 1000) }),
      ),
      q.add({ task: 't', payload: { other: 1 }, key: 'pr-3', keyMode: 'replace', runAt: new Date(Date.now() + 60_000) }),
      q.add({ task: 't', payload: { other: 2 }, key: 'pr-3', keyMode: 'replace', runAt: firstRunAt }),
      q.add({ task: 't', payload: { unkeyed: true } }),
    ]);
    expect(results.map((r) => r.coalesced)).toEqual([false, true, true, true, true, true, true, true, true, true, false, true, false]);
    expect((await q.stats()).pending).toBe(3);
    const seen: JobPayload[] = [];
    await q.start({ t: (p) => Promise.resolve(void seen.push(p)) }, { concurrency: 2 });
    // The debounced job keeps the first run time (not 9 s later); the replaced one takes the last (not a minute).
    await waitFor(async () => (await q.stats()).pending === 0 && seen.length === 3, 5_000, 'the three jobs');
    expect(seen).toEqual(expect.arrayContaining([{ n: 10 }, { other: 2 }, { unkeyed: true }]));
  });

  it('stores the pipeline state a job carries (review-request flag, push) with it, also for adds made at once', async () => {
    const q = await set.open();
    const at = new Date('2026-12-01T10:00:00Z');
    await Promise.all([
      q.add({
        task: 't',
        payload: {},
        key: 'pr-5',
        state: { reviewRequestAt: at, push: { headSha: 'a1', pusherLogin: 'Copilot', automated: true, at } },
      }),
      q.add({ task: 't', payload: {}, key: 'pr-5', state: { reviewRequestAt: new Date(at.getTime() + 1000) } }),
      q.add({
        task: 't',
        payload: {},
        key: 'pr-6',
        keyMode: 'replace',
        state: { push: { headSha: 'b1', pusherLogin: 'rita', automated: false, at } },
      }),
      q.add({ task: 't', payload: {}, state: { reviewRequestAt: at } }),
    ]);
    const read = (key: string) => q.state.readJobState({ key, installationId: 1, now: at });
    expect(await read('pr-5')).toEqual({
      installationBlockedUntil: null,
      failures: 0,
      reviewRequestFlagged: true,
      pushes: [{ headSha: 'a1', pusherLogin: 'Copilot', automated: true, at: at.toISOString() }],
      checkRun: null,
    });
    expect(await read('pr-6')).toEqual({
      installationBlockedUntil: null,
      failures: 0,
      reviewRequestFlagged: false,
      pushes: [{ headSha: 'b1', pusherLogin: 'rita', automated: false, at: at.toISOString() }],
      checkRun: null,
    });
    // The later flag of the batch counts: a request flagged before it is cleared, one flagged after it is not.
    await q.state.clearReviewRequest('pr-5', at);
    expect((await read('pr-5')).reviewRequestFlagged).toBe(true);
    await q.state.clearReviewRequest('pr-5', new Date(at.getTime() + 1000));
    expect((await read('pr-5')).reviewRequestFlagged).toBe(false);
    expect((await q.stats()).pending).toBe(3);
  });

  it('a review-request flag keeps its latest time when an earlier one is written after it (replicas committing out of order)', async () => {
    const q = await set.open();
    const earlier = new Date('2026-12-01T10:00:00Z');
    const later = new Date('2026-12-01T10:00:02Z');
    await q.add({ task: 't', payload: {}, key: 'pr-7', state: { reviewRequestAt: later } });
    await q.add({ task: 't', payload: {}, key: 'pr-7', state: { reviewRequestAt: earlier } });
    await q.state.flagReviewRequest('pr-8', later);
    await q.state.flagReviewRequest('pr-8', earlier);
    for (const key of ['pr-7', 'pr-8']) {
      // A job that started between the two events has not seen the later one: its flag must survive the job.
      await q.state.clearReviewRequest(key, new Date('2026-12-01T10:00:01Z'));
      expect((await q.state.readJobState({ key, installationId: 1, now: later })).reviewRequestFlagged).toBe(true);
    }
  });

  it('an event for a running job becomes one follow-up job that runs after it, never beside it', async () => {
    const q = await set.open();
    let active = 0;
    let maxActive = 0;
    const runs: number[] = [];
    let release!: () => void;
    const firstRunning = new Promise<void>((resolve) => {
      release = resolve;
    });
    let unblock!: () => void;
    const blocker = new Promise<void>((resolve) => {
      unblock = resolve;
    });
    await q.start(
      {
        t: async (p) => {
          active++;
          maxActive = Math.max(maxActive, active);
          runs.push(p.n as number);
          if (p.n === 1) {
            release();
            await blocker;
          }
          active--;
        },
      },
      { concurrency: 4 },
    );
    await q.add({ task: 't', payload: { n: 1 }, key: 'pr-1', queue: 'pr-1' });
    await firstRunning;
    for (let n = 2; n <= 6; n++) await q.add({ task: 't', payload: { n }, key: 'pr-1', queue: 'pr-1' });
    await sleep(300);
    expect(runs).toEqual([1]);
    unblock();
    await waitFor(() => runs.length === 2, 10_000, 'the follow-up');
    await sleep(200);
    expect(runs).toEqual([1, 6]);
    expect(maxActive).toBe(1);
  });

  it('due jobs run by priority (lower first), then by run time; a pending job takes the priority of the latest add with its key', async () => {
    const q = await set.open();
    const now = Date.now();
    const add = (name: string, priority: number, agoMs: number) =>
      q.add({ task: 't', payload: { name }, key: `pr-${name}`, queue: `pr-${name}`, runAt: new Date(now - agoMs), priority });
    await add('a', 1, 3000);
    await add('b', 1, 2000);
    await add('c', 0, 1000);
    // A delivery for b while its refresh waits: b keeps its run time (debounce) and takes priority 0.
    expect(await add('b', 0, 0)).toEqual({ coalesced: true });
    const order: string[] = [];
    await q.start({ t: (payload) => Promise.resolve(void order.push(String(payload.name))) }, { concurrency: 1 });
    await waitFor(() => order.length === 3, 10_000, 'all jobs');
    expect(order).toEqual(['b', 'c', 'a']);
  });

  it('a job added while lower-priority jobs run is taken before the rest of them', async () => {
    const q = await set.open();
    const order: string[] = [];
    await q.start({ t: async (payload) => (order.push(String(payload.name)), await sleep(300)) }, { concurrency: 2 });
    for (let i = 0; i < 10; i++)
      await q.add({ task: 't', payload: { name: `refresh-${i}` }, key: `pr-${i}`, queue: `pr-${i}`, priority: 1 });
    await waitFor(() => order.length >= 2, 10_000, 'the first jobs');
    await q.add({ task: 't', payload: { name: 'delivery' }, key: 'pr-new', queue: 'pr-new' });
    await waitFor(() => order.length === 11, 20_000, 'all jobs');
    expect(order.indexOf('delivery')).toBeLessThanOrEqual(5);
  });

  it('jobs of different queues run side by side', async () => {
    const q = await set.open();
    let active = 0;
    let maxActive = 0;
    await q.start(
      {
        t: async () => {
          active++;
          maxActive = Math.max(maxActive, active);
          await sleep(300);
          active--;
        },
      },
      { concurrency: 3 },
    );
    for (let i = 0; i < 3; i++) await q.add({ task: 't', payload: {}, key: `pr-${i}`, queue: `pr-${i}` });
    await waitFor(async () => (await q.stats()).pending + (await q.stats()).running === 0, 10_000, 'all jobs');
    expect(maxActive).toBe(3);
  });

  it('a backlog of one named queue runs one job at a time, beside the jobs of other queues', async () => {
    // graphile/worker#621: a batch fetch (local queue) could take several jobs of one named queue at once.
    const q = await set.open();
    for (let i = 0; i < 6; i++) await q.add({ task: 't', payload: { queue: 'pr-1', i }, queue: 'pr-1' });
    for (let i = 0; i < 2; i++) await q.add({ task: 't', payload: { queue: `pr-${i + 2}`, i }, queue: `pr-${i + 2}` });
    const active = new Map<string, number>();
    const maxActive = new Map<string, number>();
    let maxTotal = 0;
    const ran: number[] = [];
    await q.start(
      {
        t: async (p) => {
          const queue = String(p.queue);
          active.set(queue, (active.get(queue) ?? 0) + 1);
          maxActive.set(queue, Math.max(maxActive.get(queue) ?? 0, active.get(queue)!));
          maxTotal = Math.max(
            maxTotal,
            [...active.values()].reduce((a, b) => a + b, 0),
          );
          await sleep(150);
          if (queue === 'pr-1') ran.push(Number(p.i));
          active.set(queue, active.get(queue)! - 1);
        },
      },
      { concurrency: 4 },
    );
    await waitFor(async () => (await q.stats()).pending + (await q.stats()).running === 0, 15_000, 'all jobs');
    expect(ran.sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Object.fromEntries(maxActive)).toEqual({ 'pr-1': 1, 'pr-2': 1, 'pr-3': 1 });
    expect(maxTotal).toBe(3);
  });

  it('RetryLater runs the job again at the time it names; other errors are retried by the engine', async () => {
    const q = await set.open();
    const times: number[] = [];
    let failures = 0;
    await q.start({
      later: (p) => {
        times.push(Date.now());
        if (times.length === 1) return Promise.reject(new RetryLater(new Date(Date.now() + 1200), 'test'));
        expect(p).toEqual({ x: 1 });
        return Promise.resolve();
      },
      flaky: () => (++failures === 1 ? Promise.reject(new Error('boom')) : Promise.resolve()),
    });
    await q.add({ task: 'later', payload: { x: 1 }, key: 'k', queue: 'k' });
    await q.add({ task: 'flaky', payload: {} });
    await waitFor(() => times.length === 2 && failures === 2, 15_000, 'the retries');
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(1100);
  });

  it('a job interrupted by a crash runs again after a restart', async () => {
    const a = await set.open({ staleWorkerAfterMs: 800 });
    let started = false;
    await a.start({ t: () => ((started = true), new Promise<void>(() => undefined)) });
    await a.add({ task: 't', payload: { pr: 9 }, key: 'pr-9', queue: 'pr-9' });
    await waitFor(() => started, 10_000, 'the first run');
    if ('crashForTests' in a) await (a as unknown as { crashForTests(): Promise<void> }).crashForTests();
    // SQLite: a new process opens the same file; PostgreSQL: another replica sees the stale heartbeat.
    const b = await set.open({ staleWorkerAfterMs: 800 });
    const seen: JobPayload[] = [];
    await b.start({ t: (p) => Promise.resolve(void seen.push(p)) });
    await waitFor(() => seen.length === 1, 15_000, 'the recovered job');
    expect(seen).toEqual([{ pr: 9 }]);
  });

  it('stop returns a job that outlives the grace period to the queue', async () => {
    const a = await set.open();
    let started = false;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    await a.start({ t: () => ((started = true), gate) });
    await a.add({ task: 't', payload: {}, key: 'k', queue: 'k' });
    await waitFor(() => started, 10_000, 'the run');
    const t0 = Date.now();
    await a.stop(300);
    expect(Date.now() - t0).toBeLessThan(2500);
    expect((await a.stats()).running).toBe(0);
    expect((await a.stats()).pending).toBe(1);
    // Let the abandoned run end while the store is still open (as a process would, or be killed).
    release();
    await sleep(300);
  });

  it('keeps failure windows, rate-limit blocks, redelivery claims, pushes and check-run ids in the shared store', async () => {
    const a = await set.open();
    const b = await set.open();
    const t0 = new Date('2026-01-01T00:00:00Z');
    expect(await a.state.recordFailure('pr-1', t0)).toEqual({ firstFailureAt: t0, failures: 1 });
    expect(await b.state.recordFailure('pr-1', new Date(t0.getTime() + 5000))).toEqual({ firstFailureAt: t0, failures: 2 });
    await b.state.clearFailures('pr-1');
    expect((await a.state.recordFailure('pr-1', new Date(t0.getTime() + 9000))).failures).toBe(1);
    await a.state.blockInstallation(42, new Date(t0.getTime() + 60_000));
    await a.state.blockInstallation(42, new Date(t0.getTime() + 30_000));
    const read = (state: JobQueue['state'], key: string, at: Date, checkRunKey?: string) =>
      state.readJobState({ key, installationId: 42, now: at, ...(checkRunKey ? { checkRunKey } : {}) });
    expect((await read(b.state, 'pr-1', t0)).installationBlockedUntil).toEqual(new Date(t0.getTime() + 60_000));
    expect((await read(b.state, 'pr-1', new Date(t0.getTime() + 61_000))).installationBlockedUntil).toBeNull();
    expect((await read(b.state, 'pr-1', t0)).failures).toBe(1);
    expect((await read(b.state, 'pr-2', t0)).failures).toBe(0);
    expect(await a.state.claimRedelivery('guid-1', t0)).toBe(true);
    expect(await b.state.claimRedelivery('guid-1', t0)).toBe(false);
    await a.state.recordPush('pr-1', { headSha: 'aaa', pusherLogin: 'Copilot', automated: true, at: t0 });
    await b.state.recordPush('pr-1', { headSha: 'bbb', pusherLogin: 'rita', automated: false, at: new Date(t0.getTime() + 1000) });
    await b.state.recordPush('pr-1', { headSha: 'bbb', pusherLogin: 'mallory', automated: false, at: new Date(t0.getTime() + 2000) });
    expect((await read(a.state, 'pr-1', t0)).pushes).toEqual([
      { headSha: 'aaa', pusherLogin: 'Copilot', automated: true, at: t0.toISOString() },
      { headSha: 'bbb', pusherLogin: 'rita', automated: false, at: new Date(t0.getTime() + 1000).toISOString() },
    ]);
    expect((await read(a.state, 'pr-2', t0)).pushes).toEqual([]);
    expect(await a.state.checkRunFor('acme/widgets@aaa')).toBeNull();
    expect((await read(a.state, 'pr-1', t0, 'acme/widgets@aaa')).checkRun).toBeNull();
    await b.state.saveCheckRun('acme/widgets@aaa', 901, 'hash-1', t0);
    await a.state.saveCheckRun('acme/widgets@aaa', 901, 'hash-2', t0);
    expect(await b.state.checkRunFor('acme/widgets@aaa')).toEqual({ id: 901, outputHash: 'hash-2' });
    expect((await read(a.state, 'pr-1', t0, 'acme/widgets@aaa')).checkRun).toEqual({ id: 901, outputHash: 'hash-2' });
    expect((await read(a.state, 'pr-1', t0)).checkRun).toBeNull();
  });

  it('an exclusive lock runs one holder at a time', async () => {
    const a: JobQueue = await set.open();
    const b: JobQueue = set.kind === 'sqlite' ? a : await set.open();
    let unblock!: () => void;
    const held = a.state.withExclusiveLock('redelivery', () => new Promise<string>((r) => (unblock = () => r('a'))));
    await sleep(100);
    expect(await b.state.withExclusiveLock('redelivery', () => Promise.resolve('b'))).toBeNull();
    unblock();
    expect(await held).toBe('a');
    expect(await b.state.withExclusiveLock('redelivery', () => Promise.resolve('b'))).toBe('b');
  });
});

describe("job queue on postgres: a row stored with a delivery's jobs (addWithRow)", () => {
  let set: QueueSet;
  let client: pg.Client;
  beforeEach(async () => {
    set = postgresSet();
    await set.open();
    client = new pg.Client({ connectionString: set.url! });
    await client.connect();
    await client.query('CREATE TABLE rows_t (id text PRIMARY KEY, n integer NOT NULL, note text)');
  });
  afterEach(async () => {
    await client.end();
    await set.cleanup();
  });

  it('inserts each row once with the jobs of the same batch, duplicates within the batch and later ones resolve duplicate', async () => {
    const q = await set.open();
    const row = (id: string, n: number) => ({ table: 'rows_t', key: 'id', values: { id, n, note: `it's "${id}"` } });
    const results = await Promise.all([
      q.addWithRow!([{ task: 't', payload: { n: 1 }, key: 'pr-1' }], row('d1', 1)),
      q.addWithRow!([{ task: 't', payload: { n: 2 }, key: 'pr-1' }], row('d1', 9)),
      q.addWithRow!([], row('d2', 2)),
      q.add({ task: 't', payload: { n: 3 }, key: 'pr-2', keyMode: 'replace' }),
    ]);
    expect(results).toEqual([
      { jobs: [{ coalesced: false }], row: 'inserted' },
      { jobs: [{ coalesced: true }], row: 'duplicate' },
      { jobs: [], row: 'inserted' },
      { coalesced: false },
    ]);
    expect((await client.query('SELECT id, n, note FROM rows_t ORDER BY id')).rows).toEqual([
      { id: 'd1', n: 1, note: `it's "d1"` },
      { id: 'd2', n: 2, note: `it's "d2"` },
    ]);
    expect((await q.stats()).pending).toBe(2);
    // Stored before: duplicate, and its job coalesces with the pending one.
    expect(await q.addWithRow!([{ task: 't', payload: { n: 4 }, key: 'pr-1' }], row('d1', 5))).toEqual({
      jobs: [{ coalesced: true }],
      row: 'duplicate',
    });
    const seen: JobPayload[] = [];
    await q.start({ t: (p) => Promise.resolve(void seen.push(p)) }, { concurrency: 2 });
    await waitFor(async () => (await q.stats()).pending === 0 && seen.length === 2, 5_000, 'the two jobs');
    expect(seen).toEqual(expect.arrayContaining([{ n: 4 }, { n: 3 }]));
  });

  it('stores neither the row nor the jobs when the row cannot be written, and rejects', async () => {
    const q = await set.open();
    await expect(
      q.addWithRow!([{ task: 't', payload: {}, key: 'pr-9' }], { table: 'rows_t', key: 'id', values: { id: 'd9', n: null } }),
    ).rejects.toThrow(/null value in column "n"/);
    expect((await q.stats()).pending).toBe(0);
    expect((await client.query('SELECT count(*)::int AS n FROM rows_t')).rows).toEqual([{ n: 0 }]);
  });
});

describe('job queue on postgres: what graphile-worker leaves to us', () => {
  let set: QueueSet;
  afterEach(async () => {
    await set.cleanup();
  });

  it('collectIdleQueues deletes the named queues that hold no job, keeping those with a pending or running job', async () => {
    set = postgresSet();
    const q = (await set.open()) as PostgresJobQueue;
    const client = new pg.Client({ connectionString: set.url! });
    await client.connect();
    try {
      const queues = async () =>
        (await client.query<{ queue_name: string }>('SELECT queue_name FROM q_gw_queues ORDER BY queue_name')).rows.map(
          (r) => r.queue_name,
        );
      const schema = (await client.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]!.s;
      await client.query(`CREATE VIEW q_gw_queues AS SELECT queue_name FROM "${schema}_gw"._private_job_queues`);
      for (let i = 1; i <= 5; i++) await q.add({ task: 't', payload: { i }, key: `pr-${i}`, queue: `pr-${i}` });
      let release!: () => void;
      const running = new Promise<void>((r) => (release = r));
      const seen: number[] = [];
      await q.start(
        {
          t: async (p) => {
            seen.push(p.i as number);
            if (p.i === 6) await running;
          },
        },
        { concurrency: 2 },
      );
      await waitFor(() => seen.length === 5, 10_000, 'the five jobs');
      await waitFor(async () => (await q.stats()).running === 0, 10_000, 'the five jobs to complete');
      await q.add({ task: 't', payload: { i: 6 }, key: 'pr-6', queue: 'pr-6' });
      await waitFor(() => seen.includes(6), 10_000, 'the running job');
      await q.add({ task: 't', payload: { i: 7 }, key: 'pr-7', queue: 'pr-7', runAt: new Date(Date.now() + 60_000) });
      expect(await queues()).toEqual(['pr-1', 'pr-2', 'pr-3', 'pr-4', 'pr-5', 'pr-6', 'pr-7']);
      expect(await q.collectIdleQueues()).toBe(5);
      expect(await queues()).toEqual(['pr-6', 'pr-7']);
      release();
      await waitFor(async () => (await q.stats()).running === 0, 10_000, 'the running job to complete');
      // A PR's next job gets its queue again, and runs.
      await q.add({ task: 't', payload: { i: 1 }, key: 'pr-1', queue: 'pr-1' });
      await waitFor(() => seen.filter((i) => i === 1).length === 2, 10_000, 'the new job of pr-1');
      expect(await q.collectIdleQueues()).toBe(2);
      expect(await queues()).toEqual(['pr-7']);
    } finally {
      await client.end();
    }
  });

  it('a flood of debounced adds makes the idle workers fetch a few times, not once per notification', async () => {
    set = postgresSet();
    const events = new EventEmitter();
    let fetches = 0;
    events.on('localQueue:getJobs:complete', () => fetches++);
    const q = await set.open({ pollIntervalMs: 1000, events });
    await q.start({ t: () => Promise.resolve() }, { concurrency: 4 });
    await sleep(300);
    const before = fetches;
    const started = Date.now();
    // 80 batches of 10 jobs, one `add_jobs` statement and one notification each, over about 800 ms; none due yet.
    const runAt = new Date(Date.now() + 60_000);
    for (let b = 0; b < 80; b++) {
      await Promise.all(
        Array.from({ length: 10 }, (_, i) => q.add({ task: 't', payload: {}, key: `pr-${b}-${i}`, queue: `pr-${b}-${i}`, runAt })),
      );
      await sleep(10);
    }
    const elapsedMs = Date.now() - started;
    const during = fetches - before;
    // One fetch, then a pause of 50–150 ms (the refetch delay) that notifications do not cut short; graphile-worker's
    // default abort threshold (a random 0–25 notified jobs) made 47 fetches here.
    expect(during).toBeGreaterThan(0);
    expect(during).toBeLessThanOrEqual(Math.ceil(elapsedMs / 50) + 2);
    expect(during).toBeLessThan(25);
    expect(await q.stats()).toMatchObject({ pending: 800, running: 0 });
  });

  it('logs an error and takes no more jobs when a newer version announces a breaking migration; the jobs stay queued', async () => {
    set = postgresSet();
    const lines: Array<{ level: number; msg: string }> = [];
    const logger = pino(
      { level: 'warn' },
      { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) },
    );
    const q = (await set.open({ logger })) as PostgresJobQueue;
    const seen: number[] = [];
    await q.start({ t: (p) => Promise.resolve(void seen.push(p.n as number)) });
    await q.add({ task: 't', payload: { n: 1 } });
    await waitFor(() => seen.length === 1, 10_000, 'the first job');
    const exitCode = process.exitCode;
    let exitCodeSet: typeof process.exitCode;
    const client = new pg.Client({ connectionString: set.url! });
    await client.connect();
    try {
      // What graphile-worker sends when another instance runs a migration it marks as breaking.
      await client.query(`SELECT pg_notify('worker:migrate', '{"migrationNumber": 999, "breaking": true}')`);
      await waitFor(() => lines.some((l) => l.level === 50 && /stopped this process from taking jobs/.test(l.msg)), 10_000, 'the error');
    } finally {
      await client.end();
      exitCodeSet = process.exitCode;
      process.exitCode = exitCode;
    }
    expect(exitCodeSet).toBe(57);
    await q.add({ task: 't', payload: { n: 2 } });
    await sleep(1000);
    expect(seen).toEqual([1]);
    expect(await q.stats()).toMatchObject({ pending: 1, running: 0 });
    // Stopping afterwards is quiet: nothing left to stop.
    await q.stop();
  });
});

describe('the SQLite queue on a file written before job priorities', () => {
  it('adds the priority column and its index at start, and runs the jobs already queued', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'ai-review-queue-')), 'old.sqlite');
    const old = new Database(file);
    old.exec(`CREATE TABLE ai_review_jobs (
      id INTEGER PRIMARY KEY AUTOINCREMENT, task TEXT NOT NULL, payload TEXT NOT NULL, key TEXT, queue TEXT,
      run_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, revision INTEGER NOT NULL DEFAULT 0,
      locked_at INTEGER, last_error TEXT, created_at INTEGER NOT NULL);
      CREATE UNIQUE INDEX ai_review_jobs_pending_key ON ai_review_jobs (key) WHERE locked_at IS NULL;
      CREATE INDEX ai_review_jobs_due ON ai_review_jobs (run_at) WHERE locked_at IS NULL;
      INSERT INTO ai_review_jobs (task, payload, key, queue, run_at, created_at) VALUES ('t', '{"name":"queued"}', 'pr-1', 'pr-1', 0, 0);`);
    old.close();
    const q = new SqliteJobQueue({ file, logger: silent, pollIntervalMs: 20 });
    try {
      const ran: string[] = [];
      await q.start({ t: (payload) => Promise.resolve(void ran.push(String(payload.name))) }, { concurrency: 1 });
      await q.add({ task: 't', payload: { name: 'new' }, key: 'pr-2', queue: 'pr-2', priority: 1 });
      await waitFor(() => ran.length === 2, 10_000, 'both jobs');
      expect(ran).toEqual(['queued', 'new']);
    } finally {
      await q.close();
    }
    const check = new Database(file, { readonly: true });
    const columns = (check.prepare('PRAGMA table_info(ai_review_jobs)').all() as Array<{ name: string }>).map((c) => c.name);
    const indexes = (
      check.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ai_review_jobs'").all() as Array<{ name: string }>
    ).map((i) => i.name);
    check.close();
    expect(columns).toContain('priority');
    expect(indexes.sort()).toEqual(['ai_review_jobs_due_by_priority', 'ai_review_jobs_pending_key']);
  });
});
