/**
 * Opens the two queue engines for the shared suite: SQLite in a temporary file, PostgreSQL at TEST_DATABASE_URL
 * (default postgres://postgres@127.0.0.1:5432/test) in a fresh schema per queue set, dropped afterwards.
 */
import type { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { PostgresJobQueue } from '../../src/queue/postgres.js';
import { SqliteJobQueue } from '../../src/queue/sqlite.js';
import type { JobQueue } from '../../src/queue/types.js';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const silent = pino({ level: 'silent' });

/** A factory of queues that share one store (one SQLite file, or one PostgreSQL schema), as replicas would. */
export interface QueueSet {
  kind: 'sqlite' | 'postgres';
  open(options?: { staleWorkerAfterMs?: number; logger?: pino.Logger; pollIntervalMs?: number; events?: EventEmitter }): Promise<JobQueue>;
  cleanup(): Promise<void>;
  /** PostgreSQL: the connection string of the set's schema (its search path), for tables of a test's own. */
  url?: string;
}

export function sqliteSet(): QueueSet {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'ai-review-queue-')), 'q.sqlite');
  const opened: JobQueue[] = [];
  return {
    kind: 'sqlite',
    open: () => {
      const q = new SqliteJobQueue({ file, logger: silent, pollIntervalMs: 20 });
      opened.push(q);
      return Promise.resolve(q);
    },
    cleanup: async () => {
      for (const q of opened) await q.close().catch(() => undefined);
    },
  };
}

export function postgresSet(): QueueSet {
  const schema = `q_${Math.random().toString(36).slice(2, 10)}`;
  const opened: JobQueue[] = [];
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  let created = false;
  return {
    kind: 'postgres',
    url: url.toString(),
    open: async (options = {}) => {
      if (!created) {
        const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await client.connect();
        await client.query(`CREATE SCHEMA ${schema}`);
        await client.end();
        created = true;
      }
      const q = await PostgresJobQueue.open({
        connectionString: url.toString(),
        schema: `${schema}_gw`,
        logger: options.logger ?? silent,
        pollIntervalMs: options.pollIntervalMs ?? 100,
        heartbeatIntervalMs: 200,
        staleWorkerAfterMs: options.staleWorkerAfterMs ?? 30_000,
        ...(options.events ? { events: options.events } : {}),
      });
      opened.push(q);
      return q;
    },
    cleanup: async () => {
      for (const q of opened) await q.close().catch(() => undefined);
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.query(`DROP SCHEMA IF EXISTS ${schema}_gw CASCADE`);
      await client.end();
    },
  };
}

/** Resolves when `predicate` holds, polling every 20 ms; rejects after `timeoutMs`. */
export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A store for one test: a fresh SQLite file, or a fresh PostgreSQL schema (via search_path). */
export async function freshStore(kind: 'sqlite' | 'postgres'): Promise<{ url: string; drop: () => Promise<void> }> {
  if (kind === 'sqlite')
    return { url: `sqlite:${path.join(mkdtempSync(path.join(os.tmpdir(), 'ai-review-pipeline-')), 'store.sqlite')}`, drop: async () => {} };
  const schema = `p_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.query(`DROP SCHEMA IF EXISTS ${schema}_graphile_worker CASCADE`);
      await c.end();
    },
  };
}
