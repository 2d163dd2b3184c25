/**
 * Opening a metrics store: SQLite file (default `./data/ai-review.sqlite`) or PostgreSQL (`postgres://…`), then
 * the migrations. Safe when several processes open the same new store at once: SQLite takes its write lock around
 * the whole migration run (`migrateToLatest`), PostgreSQL an advisory lock (Kysely's Migrator).
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { Database } from '../../sqlite-database.js';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase } from 'kysely';
import type { Logger } from 'pino';
import { createPool } from '../../postgres-pool.js';
import { migrateToLatest, storeExists, type MetricsDatabase } from '../schema.js';
import { MetricsStore } from '../store.js';
import type { StoreDialect } from './common.js';

/** Options of `openStore`. */
export interface OpenStoreOptions {
  /** `postgres://…` / `postgresql://…` for PostgreSQL; unset or empty: SQLite file `<dataDir>/ai-review.sqlite`; `sqlite:<path>` or `:memory:` for another SQLite file. */
  databaseUrl?: string | undefined;
  /** Directory of the default SQLite file (default `./data`, created when missing unless `mustExist`). */
  dataDir?: string;
  logger: Logger;
  /**
   * Refuse to create a store: throw `StoreNotFoundError` (naming the path or schema looked at) when the SQLite
   * file does not exist or holds no ai-review store, or the PostgreSQL schema has none. An existing store is
   * still migrated to the latest version. For read-only commands such as `ai-review report`.
   */
  mustExist?: boolean;
  /** PostgreSQL: how long to wait for a connection, in milliseconds (default 10,000). */
  connectTimeoutMs?: number;
  /** PostgreSQL: named prepared statements (default true; `DATABASE_PREPARED_STATEMENTS`, src/postgres-pool.ts). */
  preparedStatements?: boolean;
  /** Most pending deliveries of one PR applied in one statement (`StoreContext.deliveriesPerStatement`; tests). */
  deliveriesPerStatement?: number;
}

/** The store the options point at does not exist (and `mustExist` forbids creating it). The message names where it looked. */
export class StoreNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreNotFoundError';
  }
}

/** The store could not be reached or opened (PostgreSQL down, wrong credentials, unreadable file). */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** `postgres://user@host:5432/db` without password or query: safe to print. */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.username ? `${decodeURIComponent(u.username)}@` : ''}${u.host}${u.pathname}`;
  } catch {
    return 'the PostgreSQL URL in DATABASE_URL';
  }
}

/** Where a SQLite store lives for a `databaseUrl` (absolute path, or `:memory:`); null for PostgreSQL. */
export function sqlitePath(databaseUrl: string | undefined, dataDir = './data'): string | null {
  const url = databaseUrl?.trim() ?? '';
  if (/^postgres(ql)?:\/\//i.test(url)) return null;
  if (url === ':memory:' || url === 'sqlite::memory:') return ':memory:';
  if (url.startsWith('sqlite:')) return path.resolve(url.slice('sqlite:'.length).replace(/^\/\//, ''));
  if (url === '') return path.resolve(dataDir, 'ai-review.sqlite');
  throw new StoreUnavailableError('DATABASE_URL must start with postgres:// or sqlite: (or be unset for ./data/ai-review.sqlite)');
}

/**
 * Opens the store for `databaseUrl` and runs pending migrations. Throws `StoreNotFoundError` (with `mustExist`),
 * `StoreUnavailableError` when the database cannot be reached or opened, or the migration error.
 */
export async function openStore(options: OpenStoreOptions): Promise<MetricsStore> {
  const url = options.databaseUrl?.trim() ?? '';
  const file = sqlitePath(url, options.dataDir);
  let db: Kysely<MetricsDatabase>;
  let dialect: StoreDialect;
  let where: string;
  if (file === null) {
    where = describeDatabaseUrl(url);
    const pool = createPool({
      connectionString: url,
      max: 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      preparedStatements: options.preparedStatements !== false,
      onError: (err) => options.logger.warn({ err: err.message }, 'metrics: PostgreSQL connection error'),
    });
    try {
      const client = await pool.connect();
      client.release();
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw new StoreUnavailableError(`cannot reach PostgreSQL at ${where}: ${(err as Error).message || String(err)}`, { cause: err });
    }
    db = new Kysely<MetricsDatabase>({ dialect: new PostgresDialect({ pool }) });
    dialect = 'postgres';
  } else {
    where = file;
    if (options.mustExist && (file === ':memory:' || !existsSync(file))) {
      throw new StoreNotFoundError(`no metrics store at ${file} (set DATABASE_URL, or run where ./data/ai-review.sqlite is)`);
    }
    if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
    let sqlite: BetterSqlite3.Database;
    try {
      sqlite = new Database(file, { fileMustExist: Boolean(options.mustExist) });
      // busy_timeout first: switching a new file to WAL needs the lock another process may hold.
      sqlite.pragma('busy_timeout = 10000');
      // SQLite answers SQLITE_BUSY at once, without waiting, when two processes switch a new file to WAL together.
      for (let attempt = 0; ; attempt++) {
        try {
          sqlite.pragma('journal_mode = WAL');
          break;
        } catch (error) {
          if ((error as { code?: string }).code !== 'SQLITE_BUSY' || attempt >= 200) throw error;
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25);
        }
      }
      sqlite.pragma('synchronous = NORMAL');
      sqlite.pragma('cache_size = -32000'); // 32 MB page cache
    } catch (err) {
      throw new StoreUnavailableError(`cannot open the SQLite store ${file}: ${(err as Error).message}`, { cause: err });
    }
    db = new Kysely<MetricsDatabase>({ dialect: new SqliteDialect({ database: cachingStatements(sqlite) }) });
    dialect = 'sqlite';
  }
  try {
    if (options.mustExist && !(await storeExists(db, dialect))) {
      throw new StoreNotFoundError(
        dialect === 'sqlite'
          ? `${where} is not an ai-review metrics store`
          : `no ai-review metrics store in the current schema of ${where}`,
      );
    }
    await migrateToLatest(db, dialect);
  } catch (err) {
    await db.destroy().catch(() => undefined);
    throw err;
  }
  return new MetricsStore(db, dialect, options.logger, { deliveriesPerStatement: options.deliveriesPerStatement });
}

/**
 * Wraps a better-sqlite3 database so that Kysely's driver reuses prepared statements (it prepares every query
 * anew otherwise, which was the largest cost of recording a delivery). Bounded: the cache is cleared past 1,000
 * distinct statements (multi-row inserts produce one per row count).
 */
function cachingStatements(sqlite: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    prepare(sqlText: string) {
      let statement = cache.get(sqlText);
      if (!statement) {
        if (cache.size >= 1000) cache.clear();
        statement = sqlite.prepare(sqlText);
        cache.set(sqlText, statement);
      }
      return statement;
    },
    close() {
      sqlite.close();
    },
  };
}
