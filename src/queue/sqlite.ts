/**
 * The embedded job queue: one process, jobs persisted in a table of the SQLite file the metrics store uses, so a
 * restart loses nothing. Every statement is a single synchronous better-sqlite3 call (no transaction spans an
 * `await`), so it never holds a lock while the metrics store, on its own connection, waits for one; a statement
 * that finds the file busy is retried asynchronously.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { Database } from '../sqlite-database.js';
import type { Logger } from 'pino';
import {
  MAX_ATTEMPTS,
  RetryLater,
  engineBackoffMs,
  type AddResult,
  type JobHandler,
  type JobInfo,
  type JobPayload,
  type JobQueue,
  type JobSpec,
  type PipelineState,
  type QueueStats,
} from './types.js';

interface JobRow {
  id: number;
  task: string;
  payload: string;
  key: string | null;
  queue: string | null;
  run_at: number;
  priority: number;
  attempts: number;
  created_at: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ai_review_jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  task TEXT NOT NULL,
  payload TEXT NOT NULL,
  key TEXT,
  queue TEXT,
  run_at INTEGER NOT NULL,
  priority INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  revision INTEGER NOT NULL DEFAULT 0,
  locked_at INTEGER,
  last_error TEXT,
  created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS ai_review_jobs_pending_key ON ai_review_jobs (key) WHERE locked_at IS NULL;
CREATE TABLE IF NOT EXISTS ai_review_work_failures (
  key TEXT PRIMARY KEY,
  first_failure_at INTEGER NOT NULL,
  failures INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS ai_review_review_requests (
  key TEXT PRIMARY KEY,
  flagged_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS ai_review_check_runs (
  key TEXT PRIMARY KEY,
  check_run_id INTEGER NOT NULL,
  output_hash TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS ai_review_pushes (
  key TEXT NOT NULL,
  head_sha TEXT NOT NULL,
  pusher_login TEXT NOT NULL,
  automated INTEGER NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (key, head_sha)
);
CREATE TABLE IF NOT EXISTS ai_review_installation_limits (
  installation_id INTEGER PRIMARY KEY,
  blocked_until INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS ai_review_redeliveries (
  guid TEXT PRIMARY KEY,
  requested_at INTEGER NOT NULL
);
`;

/** Options of the embedded queue. */
export interface SqliteQueueOptions {
  /** SQLite file path (`:memory:` for tests). */
  file: string;
  logger: Logger;
  /** How often idle workers look for due jobs, in ms (default 250). Adding a job wakes them at once. */
  pollIntervalMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs a synchronous statement, retrying asynchronously (up to ~10 s) while another connection holds the write lock. */
async function busyRetry<T>(fn: () => T): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return fn();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if ((code !== 'SQLITE_BUSY' && code !== 'SQLITE_LOCKED') || attempt >= 200) throw error;
      await sleep(Math.min(50, 2 + attempt * 2));
    }
  }
}

/** See module docs. */
export class SqliteJobQueue implements JobQueue {
  readonly kind = 'sqlite' as const;
  readonly state: PipelineState;
  private readonly db: BetterSqlite3.Database;
  private readonly log: Logger;
  private readonly pollIntervalMs: number;
  private readonly now: () => number;
  private handlers: Record<string, JobHandler> = {};
  private running = new Map<number, Promise<void>>();
  private started = false;
  private stopping = false;
  private loops: Promise<void>[] = [];
  private wake: Array<() => void> = [];
  private readonly locks = new Set<string>();
  /** Prepared statements by SQL text: the queue runs a few dozen statements thousands of times. */
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  constructor(options: SqliteQueueOptions) {
    this.db = new Database(options.file);
    // Switching a new file to WAL answers SQLITE_BUSY at once while another process does the same: retry briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        this.db.pragma('journal_mode = WAL');
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_BUSY' || attempt >= 200) throw error;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25);
      }
    }
    this.db.pragma('busy_timeout = 0');
    this.db.pragma('synchronous = NORMAL');
    this.log = options.logger;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.now = options.now ?? Date.now;
    this.migrate();
    this.state = this.createState();
  }

  /** The prepared statement for `text`, prepared once per connection. */
  private sql(text: string): BetterSqlite3.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  private migrate(): void {
    // Several processes may open a new file at once (CLI and app): retry while another one holds the lock.
    for (let attempt = 0; ; attempt++) {
      try {
        this.db
          .transaction(() => {
            this.db.exec(SCHEMA);
            // Files written before job priorities: add the column (the write lock serializes two processes).
            const columns = this.db.prepare('PRAGMA table_info(ai_review_jobs)').all() as Array<{ name: string }>;
            if (!columns.some((c) => c.name === 'priority'))
              this.db.exec('ALTER TABLE ai_review_jobs ADD COLUMN priority INTEGER NOT NULL DEFAULT 0');
            this.db.exec(`DROP INDEX IF EXISTS ai_review_jobs_due;
              CREATE INDEX IF NOT EXISTS ai_review_jobs_due_by_priority ON ai_review_jobs (priority, run_at) WHERE locked_at IS NULL;`);
          })
          .immediate();
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_BUSY' || attempt > 100) throw error;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      }
    }
  }

  async add(spec: JobSpec): Promise<AddResult> {
    const runAt = (spec.runAt ?? new Date(this.now())).getTime();
    const payload = JSON.stringify(spec.payload);
    const result = await busyRetry(() => this.db.transaction(() => this.insert(spec, runAt, payload))());
    for (const wake of this.wake.splice(0)) wake();
    return result;
  }

  /** The job (and its pipeline state, `spec.state`) in the caller's transaction. */
  private insert(spec: JobSpec, runAt: number, payload: string): AddResult {
    if (spec.key && spec.state?.reviewRequestAt)
      this.sql(
        'INSERT INTO ai_review_review_requests (key, flagged_at) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET flagged_at = MAX(flagged_at, excluded.flagged_at)',
      ).run(spec.key, spec.state.reviewRequestAt.getTime());
    const push = spec.state?.push;
    if (spec.key && push)
      this.sql('INSERT OR IGNORE INTO ai_review_pushes (key, head_sha, pusher_login, automated, at) VALUES (?, ?, ?, ?, ?)').run(
        spec.key,
        push.headSha,
        push.pusherLogin,
        push.automated ? 1 : 0,
        push.at.getTime(),
      );
    if (!spec.key) {
      this.sql('INSERT INTO ai_review_jobs (task, payload, key, queue, run_at, priority, created_at) VALUES (?, ?, NULL, ?, ?, ?, ?)').run(
        spec.task,
        payload,
        spec.queue ?? null,
        runAt,
        spec.priority ?? 0,
        this.now(),
      );
      return { coalesced: false };
    }
    const runAtUpdate = spec.keyMode === 'replace' ? 'excluded.run_at' : 'ai_review_jobs.run_at';
    const row = this.sql(
      `INSERT INTO ai_review_jobs (task, payload, key, queue, run_at, priority, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (key) WHERE locked_at IS NULL DO UPDATE SET
           task = excluded.task, payload = excluded.payload, queue = excluded.queue, run_at = ${runAtUpdate},
           priority = excluded.priority, revision = ai_review_jobs.revision + 1
         RETURNING revision`,
    ).get(spec.task, payload, spec.key, spec.queue ?? null, runAt, spec.priority ?? 0, this.now()) as { revision: number };
    return { coalesced: row.revision > 0 };
  }

  /** Claims the next due job whose queue has nothing running, in one statement. */
  private claim(): JobRow | undefined {
    const now = this.now();
    return this.sql(
      `UPDATE ai_review_jobs SET locked_at = ?, attempts = attempts + 1
         WHERE id = (
           SELECT id FROM ai_review_jobs j
           WHERE j.locked_at IS NULL AND j.run_at <= ?
             AND (j.queue IS NULL OR NOT EXISTS (
               SELECT 1 FROM ai_review_jobs r WHERE r.queue = j.queue AND r.locked_at IS NOT NULL))
           ORDER BY j.priority, j.run_at, j.id LIMIT 1)
         RETURNING id, task, payload, key, queue, run_at, priority, attempts, created_at`,
    ).get(now, now) as JobRow | undefined;
  }

  async start(handlers: Record<string, JobHandler>, options: { concurrency?: number } = {}): Promise<void> {
    if (this.started) throw new Error('queue already started');
    this.handlers = handlers;
    this.started = true;
    this.stopping = false;
    // One process owns the file: a job still marked running was interrupted (crash, SIGKILL): run it again.
    const recovered = await busyRetry(() => this.sql('UPDATE ai_review_jobs SET locked_at = NULL WHERE locked_at IS NOT NULL').run());
    if (recovered.changes > 0) this.log.warn({ jobs: recovered.changes }, 'queue: jobs interrupted by the last shutdown will run again');
    const concurrency = Math.max(1, options.concurrency ?? 4);
    for (let i = 0; i < concurrency; i++) this.loops.push(this.loop());
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let job: JobRow | undefined;
      try {
        job = await busyRetry(() => this.claim());
      } catch (error) {
        this.log.error({ err: { message: (error as Error).message } }, 'queue: could not claim a job');
      }
      if (!job) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.pollIntervalMs);
          this.wake.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
        continue;
      }
      const run = this.execute(job).catch((error: Error) => {
        // Only reachable when the store went away under a running job (shutdown after the grace period).
        this.log.warn(
          { job_id: job.id, err: { message: error.message } },
          'queue: job outlived the store; it runs again at the next start',
        );
      });
      this.running.set(job.id, run);
      await run;
      this.running.delete(job.id);
    }
  }

  private async execute(job: JobRow): Promise<void> {
    if (!this.db.open) return;
    const info: JobInfo = {
      id: String(job.id),
      task: job.task,
      key: job.key,
      queue: job.queue,
      attempt: job.attempts,
      createdAt: job.created_at,
    };
    const handler = this.handlers[job.task];
    try {
      if (!handler) throw new Error(`no handler for task ${job.task}`);
      await handler(JSON.parse(job.payload) as JobPayload, info);
      await busyRetry(() => this.sql('DELETE FROM ai_review_jobs WHERE id = ?').run(job.id));
    } catch (error) {
      // The store was closed under the job (shutdown after the grace period): the row is still there, unlocked.
      if (!this.db.open) return;
      if (error instanceof RetryLater) {
        await this.add({
          task: job.task,
          payload: JSON.parse(job.payload) as JobPayload,
          ...this.keyOf(job),
          runAt: error.runAt,
          priority: job.priority,
          keyMode: 'replace',
        });
        await busyRetry(() => this.sql('DELETE FROM ai_review_jobs WHERE id = ?').run(job.id));
        return;
      }
      const message = (error as Error).message ?? String(error);
      if (job.attempts >= MAX_ATTEMPTS) {
        this.log.error({ job_id: job.id, task: job.task, attempts: job.attempts, err: { message } }, 'queue: job failed for good');
        await busyRetry(() => this.sql('DELETE FROM ai_review_jobs WHERE id = ?').run(job.id));
        return;
      }
      this.log.warn({ job_id: job.id, task: job.task, attempts: job.attempts, err: { message } }, 'queue: job failed; retrying');
      const runAt = this.now() + engineBackoffMs(job.attempts);
      // Back to pending; if a pending job with the same key arrived meanwhile, that one absorbs this one.
      await busyRetry(() => {
        const tx = this.db.transaction(() => {
          const pending = job.key ? this.sql('SELECT id FROM ai_review_jobs WHERE key = ? AND locked_at IS NULL').get(job.key) : undefined;
          if (pending) this.sql('DELETE FROM ai_review_jobs WHERE id = ?').run(job.id);
          else
            this.sql('UPDATE ai_review_jobs SET locked_at = NULL, run_at = ?, last_error = ? WHERE id = ?').run(
              runAt,
              message.slice(0, 500),
              job.id,
            );
        });
        tx();
      });
    }
  }

  private keyOf(job: JobRow): Pick<JobSpec, 'key' | 'queue'> {
    return { ...(job.key ? { key: job.key } : {}), ...(job.queue ? { queue: job.queue } : {}) };
  }

  async stop(graceMs = 8000): Promise<void> {
    if (!this.started) return;
    this.stopping = true;
    for (const wake of this.wake.splice(0)) wake();
    const all = Promise.all(this.loops);
    const timedOut = await Promise.race([all.then(() => false), sleep(graceMs).then(() => true)]);
    if (timedOut) {
      // Return what still runs to the queue; it runs again at the next start.
      const ids = [...this.running.keys()];
      this.log.warn({ jobs: ids.length }, 'queue: jobs still running at shutdown are returned to the queue');
      for (const id of ids) await busyRetry(() => this.sql('UPDATE ai_review_jobs SET locked_at = NULL WHERE id = ?').run(id));
    }
    this.loops = [];
    this.started = false;
  }

  /**
   * Simulates a crash (tests): the loops stop taking jobs and nothing is unlocked or closed, as SIGKILL would
   * leave the file. A new queue on the same file recovers the interrupted jobs at `start`.
   */
  crashForTests(): Promise<void> {
    this.stopping = true;
    this.started = false;
    this.loops = [];
    for (const wake of this.wake.splice(0)) wake();
    return Promise.resolve();
  }

  stats(): Promise<QueueStats> {
    const now = this.now();
    return busyRetry(() => {
      const row = this.sql(
        `SELECT
             SUM(CASE WHEN locked_at IS NULL THEN 1 ELSE 0 END) AS pending,
             SUM(CASE WHEN locked_at IS NOT NULL THEN 1 ELSE 0 END) AS running,
             MIN(CASE WHEN locked_at IS NULL AND run_at <= ? THEN run_at END) AS oldest_due
           FROM ai_review_jobs`,
      ).get(now) as { pending: number | null; running: number | null; oldest_due: number | null };
      return {
        pending: row.pending ?? 0,
        running: row.running ?? 0,
        oldestDueAgeSeconds: row.oldest_due === null ? null : Math.max(0, (now - row.oldest_due) / 1000),
      };
    });
  }

  async ping(): Promise<void> {
    await busyRetry(() => this.sql('SELECT 1').get());
  }

  async close(): Promise<void> {
    await this.stop();
    this.db.close();
  }

  /**
   * Runs every due job now, one after another, until none is due (tests and the CLI). Jobs scheduled later stay.
   * Not for use while `start` loops run.
   */
  async drain(handlers: Record<string, JobHandler>, options: { maxJobs?: number } = {}): Promise<number> {
    this.handlers = handlers;
    let count = 0;
    for (;;) {
      const job = await busyRetry(() => this.claim());
      if (!job) return count;
      await this.execute(job);
      if (++count >= (options.maxJobs ?? 10_000)) return count;
    }
  }

  private createState(): PipelineState {
    return {
      recordFailure: (key, now) =>
        busyRetry(() => {
          const row = this.sql(
            `INSERT INTO ai_review_work_failures (key, first_failure_at, failures) VALUES (?, ?, 1)
               ON CONFLICT (key) DO UPDATE SET failures = failures + 1 RETURNING first_failure_at, failures`,
          ).get(key, now.getTime()) as { first_failure_at: number; failures: number };
          return { firstFailureAt: new Date(row.first_failure_at), failures: row.failures };
        }),
      clearFailures: async (key) => {
        await busyRetry(() => this.sql('DELETE FROM ai_review_work_failures WHERE key = ?').run(key));
      },
      flagReviewRequest: async (key, now) => {
        await busyRetry(() =>
          this.sql(
            'INSERT INTO ai_review_review_requests (key, flagged_at) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET flagged_at = MAX(flagged_at, excluded.flagged_at)',
          ).run(key, now.getTime()),
        );
      },
      clearReviewRequest: async (key, before) => {
        await busyRetry(() =>
          this.sql('DELETE FROM ai_review_review_requests WHERE key = ? AND flagged_at <= ?').run(key, before.getTime()),
        );
      },
      checkRunFor: (key) =>
        busyRetry(() => {
          const row = this.sql('SELECT check_run_id, output_hash FROM ai_review_check_runs WHERE key = ?').get(key) as
            { check_run_id: number; output_hash: string } | undefined;
          return row ? { id: row.check_run_id, outputHash: row.output_hash } : null;
        }),
      saveCheckRun: async (key, id, outputHash, now) => {
        await busyRetry(() =>
          this.sql(
            `INSERT INTO ai_review_check_runs (key, check_run_id, output_hash, updated_at) VALUES (?, ?, ?, ?)
               ON CONFLICT (key) DO UPDATE SET check_run_id = excluded.check_run_id, output_hash = excluded.output_hash, updated_at = excluded.updated_at`,
          ).run(key, id, outputHash, now.getTime()),
        );
      },
      recordPush: async (key, push) => {
        await busyRetry(() =>
          this.sql('INSERT OR IGNORE INTO ai_review_pushes (key, head_sha, pusher_login, automated, at) VALUES (?, ?, ?, ?, ?)').run(
            key,
            push.headSha,
            push.pusherLogin,
            push.automated ? 1 : 0,
            push.at.getTime(),
          ),
        );
      },
      readJobState: ({ key, installationId, checkRunKey, now }) =>
        busyRetry(() => {
          const blocked = this.sql('SELECT blocked_until FROM ai_review_installation_limits WHERE installation_id = ?').get(
            installationId,
          ) as { blocked_until: number } | undefined;
          const failures = this.sql('SELECT failures FROM ai_review_work_failures WHERE key = ?').get(key) as
            { failures: number } | undefined;
          const pushes = this.sql(
            'SELECT head_sha, pusher_login, automated, at FROM ai_review_pushes WHERE key = ? ORDER BY at DESC, head_sha DESC LIMIT 250',
          ).all(key) as Array<{ head_sha: string; pusher_login: string; automated: number; at: number }>;
          const checkRun = checkRunKey
            ? (this.sql('SELECT check_run_id, output_hash FROM ai_review_check_runs WHERE key = ?').get(checkRunKey) as
                { check_run_id: number; output_hash: string } | undefined)
            : undefined;
          return {
            installationBlockedUntil: blocked && blocked.blocked_until > now.getTime() ? new Date(blocked.blocked_until) : null,
            failures: failures?.failures ?? 0,
            reviewRequestFlagged: this.sql('SELECT 1 FROM ai_review_review_requests WHERE key = ?').get(key) !== undefined,
            pushes: pushes.reverse().map((r) => ({
              headSha: r.head_sha,
              pusherLogin: r.pusher_login,
              automated: r.automated === 1,
              at: new Date(r.at).toISOString(),
            })),
            checkRun: checkRun ? { id: checkRun.check_run_id, outputHash: checkRun.output_hash } : null,
          };
        }),
      blockInstallation: async (installationId, until) => {
        await busyRetry(() =>
          this.sql(
            `INSERT INTO ai_review_installation_limits (installation_id, blocked_until) VALUES (?, ?)
               ON CONFLICT (installation_id) DO UPDATE SET blocked_until = MAX(blocked_until, excluded.blocked_until)`,
          ).run(installationId, until.getTime()),
        );
      },
      claimRedelivery: (guid, now) =>
        busyRetry(
          () =>
            this.sql('INSERT OR IGNORE INTO ai_review_redeliveries (guid, requested_at) VALUES (?, ?)').run(guid, now.getTime()).changes ===
            1,
        ),
      withExclusiveLock: async <T>(name: string, fn: () => Promise<T>): Promise<T | null> => {
        // One process owns the SQLite file: an in-process lock is enough.
        if (this.locks.has(name)) return null;
        this.locks.add(name);
        try {
          return await fn();
        } finally {
          this.locks.delete(name);
        }
      },
    };
  }
}
