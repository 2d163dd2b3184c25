/**
 * Opens the job queue for `DATABASE_URL`: graphile-worker on PostgreSQL (`postgres://…`), the embedded queue in
 * the SQLite file otherwise (the same file as the metrics store: `sqlite:<path>`, or `./data/ai-review.sqlite`).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { PostgresJobQueue } from './postgres.js';
import { SqliteJobQueue } from './sqlite.js';
import type { JobQueue } from './types.js';

export type { JobQueue, JobSpec, JobHandler, JobInfo, JobPayload, JobState, JobStateQuery, PipelineState, QueueStats } from './types.js';
export { RetryLater } from './types.js';
export { SqliteJobQueue } from './sqlite.js';
export { PostgresJobQueue } from './postgres.js';

/**
 * Opens the queue. Input: `databaseUrl` as `DATABASE_URL` (unset/empty: `<dataDir>/ai-review.sqlite`; `:memory:`
 * for tests). Throws when PostgreSQL does not answer or the URL has another scheme.
 */
export async function openJobQueue(options: {
  databaseUrl?: string;
  dataDir?: string;
  logger: Logger;
  pollIntervalMs?: number;
  /** PostgreSQL: a worker silent this long is dead and its jobs run again, in ms (default 30 000). */
  staleWorkerAfterMs?: number;
  /** PostgreSQL: named prepared statements (default true; `DATABASE_PREPARED_STATEMENTS`, src/postgres-pool.ts). */
  preparedStatements?: boolean;
}): Promise<JobQueue> {
  const url = options.databaseUrl?.trim() ?? '';
  const logger = options.logger;
  if (/^postgres(ql)?:\/\//i.test(url)) {
    return PostgresJobQueue.open({
      connectionString: url,
      logger,
      ...(options.preparedStatements === false ? { preparedStatements: false } : {}),
      ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
      ...(options.staleWorkerAfterMs
        ? { staleWorkerAfterMs: options.staleWorkerAfterMs, heartbeatIntervalMs: Math.max(100, Math.floor(options.staleWorkerAfterMs / 3)) }
        : {}),
    });
  }
  let file: string;
  if (url === ':memory:') file = ':memory:';
  else if (url.startsWith('sqlite:')) file = url.slice('sqlite:'.length).replace(/^\/\//, '');
  else if (url === '') {
    const dir = path.resolve(options.dataDir ?? './data');
    mkdirSync(dir, { recursive: true });
    file = path.join(dir, 'ai-review.sqlite');
  } else throw new Error('DATABASE_URL must start with postgres:// or sqlite: (or be unset for ./data/ai-review.sqlite)');
  return new SqliteJobQueue({ file, logger, ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}) });
}
